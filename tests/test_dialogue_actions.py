"""Issue 12 dialogue: FAQ answers per language and place, side requests inside forms, privacy and
human handover, the callback form's answers vs. questions, the reply-language component.
Tracker fixtures over rasa_sdk objects (no server), real directory SQLite built from data/directory."""

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_faq import ENGLISH_ANSWERS, ActionAnswerFaq
from actions.callback import ValidateCallbackForm, valid_name
from actions.side_requests import ActionAnswerSideRequest, ActionHumanHandover, ActionPrivacy
from bot.config import PROJECT_ROOT
from bot.directory.build import build
from bot.directory.local_services import local_service
from bot.nlp.reply_language import reply_language


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("dialogue") / "directory.db"
    build(db)
    return db


@pytest.fixture(autouse=True)
def settings_env(directory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GL_DIRECTORY_DB", str(directory))
    monkeypatch.setenv("GL_INBOX_DB", str(tmp_path / "inbox.db"))


def tracker(text: str, intent: str, slots: Optional[Dict[str, Any]] = None, topic: Optional[str] = None,
            active_loop: Optional[str] = None) -> Tracker:
    latest: Dict[str, Any] = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    if topic:
        latest["response_selector"] = {"default": {"response": {"intent_response_key": f"faq/{topic}"},
                                                   "ranking": []}}
    events: List[Dict[str, Any]] = [{"event": "user", "text": text, "parse_data": latest}]
    loop = {"name": active_loop} if active_loop else {}
    return Tracker("test-user", dict(slots or {}), latest, events, False, None, loop, "action_listen")


def run(action: Action, t: Tracker) -> tuple:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


# --- FAQ answers ------------------------------------------------------------------------------

def test_german_faq_answer_is_the_topic_response() -> None:
    messages, _ = run(ActionAnswerFaq(), tracker("Was ist die Kleinunternehmerregelung?", "faq",
                                                 topic="kleinunternehmerregelung"))
    assert [m.get("response") for m in messages] == ["utter_faq/kleinunternehmerregelung"]


def test_english_question_gets_the_english_answer_where_there_is_one() -> None:
    messages, _ = run(ActionAnswerFaq(), tracker("How do I register a business?", "faq",
                                                 {"sprache": "en"}, topic="gewerbeanmeldung"))
    assert messages[0]["response"] == "utter_en_gewerbeanmeldung"


def test_english_question_on_a_german_only_topic_gets_a_pointer_and_the_german_answer() -> None:
    messages, _ = run(ActionAnswerFaq(), tracker("what about the radio licence fee", "faq",
                                                 {"sprache": "en"}, topic="rundfunkbeitrag"))
    assert [m.get("response") for m in messages] == ["utter_en_pointer", "utter_faq/rundfunkbeitrag"]


@pytest.mark.parametrize("question, expected", [
    ("Welche Zuschüsse gibt es in Thüringen?", "Thüringen"),
    ("Gibt es Stipendien für Gründer?", "Stipendium"),
    ("Förderung für unsere Ausgründung aus der Uni?", "Hochschule"),
    ("Förderprogramme in Magdeburg?", "Sachsen-Anhalt"),
    ("Welche Förderung gibt es, wenn wir wachsen wollen?", "im Wachstum"),
])
def test_overview_topic_with_a_named_land_kind_or_situation_shows_programmes(question: str,
                                                                              expected: str) -> None:
    messages, events = run(ActionAnswerFaq(), tracker(question, "faq", topic="foerderung_ueberblick"))
    assert len(messages) == 1 and messages[0]["text"].startswith("Passende Programme")
    assert expected in messages[0]["text"].split("\n")[0]
    assert "Stand" in messages[0]["text"] and messages[0]["buttons"]
    search = next(e for e in events if e["name"] == "foerder_suche")["value"]
    assert any(search.values())


def test_general_funding_question_keeps_the_overview_answer() -> None:
    messages, events = run(ActionAnswerFaq(), tracker("Welche Fördermöglichkeiten gibt es für Gründer?", "faq",
                                                      topic="foerderung_ueberblick"))
    assert [m.get("response") for m in messages] == ["utter_faq/foerderung_ueberblick"]
    assert not any(e.get("name") == "foerder_suche" for e in events)


def test_faq_without_topic_is_never_silent() -> None:
    messages, _ = run(ActionAnswerFaq(), tracker("???", "faq"))
    assert messages and messages[0]["response"] == "utter_nlu_fallback"


def test_english_answers_exist_with_sources_and_date() -> None:
    responses = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"]
    for topic, name in ENGLISH_ANSWERS.items():
        assert (PROJECT_ROOT / "data" / "nlu" / "faq" / f"{topic}.yml").exists(), topic
        for variant in responses[name]:
            text = variant["text"]
            assert "\nSource" in text and "https://" in text, name
            core = text.split("\nSource")[0]
            assert len(core) <= 600, (name, len(core))
            assert text.splitlines()[-1].startswith("As of: "), name
            assert variant["metadata"]["sources"], name


@pytest.mark.parametrize("message, slots", [
    ("Gewerbe anmelden in Magdeburg, wo geht das?", {}),
    ("wie melde ich ein gewerbe an", {"ort": "Magdeburg"}),  # named earlier in the conversation
    ("Gewerbe anmelden in Magdebrug", {}),  # misspelt
])
def test_procedure_answer_names_the_towns_own_office(message: str, slots: Dict[str, Any], directory: Path) -> None:
    service = local_service(directory, "Magdeburg")
    assert service is not None
    messages, events = run(ActionAnswerFaq(), tracker(message, "faq", slots, topic="gewerbeanmeldung"))
    local = [m["text"] for m in messages if m.get("text")]
    assert local and service.url in local[0] and "Stand:" in local[0] and "Magdeburg" in local[0]
    assert {"event": "slot", "name": "land", "value": "Sachsen-Anhalt", "timestamp": None} in events


def test_town_without_own_entry_points_to_the_land_portal(directory: Path) -> None:
    town = "Zeitz"
    assert local_service(directory, town) is None
    messages, _ = run(ActionAnswerFaq(), tracker(f"gewerbe anmelden in {town}", "faq", topic="gewerbeanmeldung"))
    texts = [m["text"] for m in messages if m.get("text")]
    assert texts and town in texts[0] and "Landesportal" in texts[0]


def test_non_procedure_topic_adds_no_local_line() -> None:
    messages, _ = run(ActionAnswerFaq(), tracker("Kleinunternehmer in Magdeburg", "faq",
                                                 topic="kleinunternehmerregelung"))
    assert all(m.get("text") is None for m in messages)


# --- privacy, human handover, side requests -----------------------------------------------------

def test_privacy_answer_names_retention_and_offers_no_data_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GL_RETENTION_DAYS", "14")
    messages, _ = run(ActionPrivacy(), tracker("Was passiert mit meinen Daten?", "ask_privacy"))
    text = messages[0]["text"]
    assert "14 Tagen" in text and "Einwilligung" in text and "Protokollen" in text


def test_human_handover_offers_callback_and_local_contact() -> None:
    messages, _ = run(ActionHumanHandover(), tracker("Ich will mit einem Menschen sprechen", "human_handover"))
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert "/request_callback" in payloads and "/contact_human" in payloads
    assert "115" in messages[0]["text"]


def test_human_handover_with_known_place_names_the_local_office() -> None:
    messages, _ = run(ActionHumanHandover(), tracker("einen Menschen bitte", "human_handover", {"ort": "Jena"}))
    assert "Jena" in messages[0]["text"] and "https://" in messages[0]["text"]


@pytest.mark.parametrize("intent, response", [("help", "utter_help"), ("bot_challenge", "utter_iamabot"),
                                              ("out_of_scope", "utter_out_of_scope")])
def test_side_requests_inside_a_form_get_their_answer(intent: str, response: str) -> None:
    messages, _ = run(ActionAnswerSideRequest(), tracker("…", intent, active_loop="funding_form"))
    assert messages[0]["response"] == response


def test_stale_feedback_button_inside_a_form_is_counted_not_taken_as_value() -> None:
    messages, _ = run(ActionAnswerSideRequest(), tracker('/feedback{"bewertung": "gut"}', "feedback",
                                                         active_loop="contact_form"))
    assert messages[0]["response"] in ("utter_feedback_thanks", "utter_feedback_sorry")


# --- callback form: answers vs. questions ----------------------------------------------------

def callback_slots(text: str, intent: str, requested: str) -> Dict[str, Any]:
    t = tracker(text, intent, {"requested_slot": requested, "rueckruf_einwilligung": True},
                active_loop="callback_form")
    _, events = run(ValidateCallbackForm(), t)
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot" and e["name"] != "requested_slot"}


def test_a_question_instead_of_the_name_is_left_to_the_rules() -> None:
    assert callback_slots("Wie melde ich mich beim Finanzamt an?", "faq", "rueckruf_name") == {}


def test_a_name_stays_a_name_whatever_the_nlu_says() -> None:
    assert callback_slots("Jana Stopp", "cancel", "rueckruf_name") == {"rueckruf_name": "Jana Stopp"}
    assert callback_slots("Anna Schmidt", "out_of_scope", "rueckruf_name") == {"rueckruf_name": "Anna Schmidt"}


def test_no_more_callback_leaves_the_form() -> None:
    assert callback_slots("Ich möchte keinen Rückruf mehr", "cancel", "rueckruf_name") == {}
    assert valid_name("Ich möchte keinen Rückruf mehr") is None


def test_old_buttons_are_no_names() -> None:
    assert callback_slots('/feedback{"bewertung": "gut"}', "feedback", "rueckruf_name") == {}
    assert valid_name("Sachsen-Anhalt") is None and valid_name("Überspringen") is None


def test_consent_question_takes_no_as_an_answer() -> None:
    t = tracker("nein", "deny", {"requested_slot": "rueckruf_einwilligung"}, active_loop="callback_form")
    _, events = run(ValidateCallbackForm(), t)
    assert {"event": "slot", "name": "rueckruf_einwilligung", "value": False, "timestamp": None} in events


# --- reply language ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, language", [
    ("How do I register a business?", "en"),
    ("I want to start a company in Dresden, what do I need to do?", "en"),
    ("where do I register my business in Halle", "en"),
    ("Wie melde ich ein Gewerbe an?", "de"),
    ("gewerbe anmelden", "de"),
    ("wie meld ich n gewerbe an in halle", "de"),
    ("ok", None),
    ("Leipzig", None),
    ("Jana Schmidt", None),
])
def test_reply_language(text: str, language: Optional[str]) -> None:
    assert reply_language(text) == language


# --- response variant for a Land learned in this turn; Land from institution names ---------------

def test_condition_slots_choose_the_land_variant_without_setting_the_slot() -> None:
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.nlg import LiteralBracesNLG

    domain = Domain.from_dict({"slots": {"land": {"type": "text", "mappings": [{"type": "custom"}]}},
                               "responses": {"utter_x": [
                                   {"text": "alle Länder"},
                                   {"text": "Sachsen-Anhalt", "condition": [
                                       {"type": "slot", "name": "land", "value": "Sachsen-Anhalt"}]}]}})
    nlg = LiteralBracesNLG(domain=domain)
    tracker = DialogueStateTracker.from_events("t", [], slots=domain.slots)
    plain = asyncio.run(nlg.generate("utter_x", tracker, "rest"))
    chosen = asyncio.run(nlg.generate("utter_x", tracker, "rest", condition_slots={"land": "Sachsen-Anhalt"}))
    assert plain["text"] == "alle Länder" and chosen["text"] == "Sachsen-Anhalt"


@pytest.mark.parametrize("text, land", [
    ("Was macht die Thüringer Aufbaubank für Gründer?", "Thüringen"),
    ("Gibt es sächsische Programme für Gründerinnen?", "Sachsen"),
    ("Ich bin Doktorand an der MLU", "Sachsen-Anhalt"),
    ("I work from home", None),  # "HoMe" (a Magdeburg start-up service) only as written
    ("Bürgschaftsbank", None),  # every Land has one
])
def test_institutions_and_adjectives_name_the_land(text: str, land: Optional[str]) -> None:
    from bot.nlp.place_land import PlaceLandExtractor, institution_names

    extractor = PlaceLandExtractor(None, None, {}, institution_names())  # type: ignore[arg-type]
    assert extractor.land_of_text(text) == land
