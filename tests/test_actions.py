"""Custom actions with tracker fixtures (rasa_sdk objects, no server): found / ambiguous / unknown /
outside / database missing, the funding finder's questions and the callback request."""

import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import ActionCancelForm, ActionSubmitCallback, ValidateCallbackForm, valid_contact, valid_name
from actions.find_contact import ActionAskOrt, ActionFindContact, ValidateContactForm
from actions.funding_finder import ActionFundingResults, ValidateFundingForm, match_words
from bot import messages
from bot.directory.build import build
from bot.directory.callbacks import list_requests

# endpoints.yml enables Rasa's selective domain: actions get no domain, as here.
DOMAIN: Dict[str, Any] = {}


@pytest.fixture(scope="module")
def directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("actions") / "directory.db"
    build(db)
    return db


@pytest.fixture(autouse=True)
def settings_env(directory: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GL_DIRECTORY_DB", str(directory))
    monkeypatch.setenv("GL_CALLBACK_DB", str(tmp_path / "rueckrufe.db"))


def tracker(text: str = "", intent: str = "contact_human", slots: Optional[Dict[str, Any]] = None,
            active_loop: Optional[str] = None, set_this_turn: Optional[Dict[str, Any]] = None) -> Tracker:
    """A tracker whose latest user message is ``text``; ``set_this_turn`` slots count as just extracted."""
    values = {**(slots or {}), **(set_this_turn or {})}
    events: List[Dict[str, Any]] = [{"event": "user", "text": text}]
    events += [{"event": "slot", "name": k, "value": v} for k, v in (set_this_turn or {}).items()]
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    loop = {"name": active_loop} if active_loop else {}
    return Tracker("test-user", values, latest, events, False, None, loop, "action_listen")


def run(action: Action, t: Tracker) -> tuple:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return dispatcher.messages, events


def slots_of(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


# --- the Land for FAQ answers: an NLU component, no action call per message -------------------

def test_place_entity_adds_its_land() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlp.place_land import PlaceLandExtractor, place_to_land_table

    table = place_to_land_table()
    assert table["borna"] == "Sachsen" and table["halle"] == "Sachsen-Anhalt" and table["thueringen"] == "Thüringen"
    extractor = PlaceLandExtractor(None, None, table)  # type: ignore[arg-type]
    message = Message(data={"text": "gewerbe anmelden in Borna", "entities": [
        {"entity": "ort", "value": "Borna", "start": 19, "end": 24}]})
    extractor.process([message])
    assert {"entity": "land", "value": "Sachsen"}.items() <= message.get("entities")[-1].items()
    outside = Message(data={"text": "in München", "entities": [{"entity": "ort", "value": "München"}]})
    extractor.process([outside])
    assert [e["entity"] for e in outside.get("entities")] == ["ort"]


# --- find contact -----------------------------------------------------------------------------

def test_found_contacts_with_reason_and_stand() -> None:
    messages_, _ = run(ActionFindContact(), tracker(slots={"ort": "Borna", "thema": None}))
    text = messages_[0]["text"]
    assert "Landkreis Leipzig" in text and "dort liegt Borna" in text and "Stand:" in text
    assert "https://" in text


def test_topic_changes_the_contacts() -> None:
    text = run(ActionFindContact(), tracker(slots={"ort": "Jena", "ort_status": "found",
                                                   "thema": "foerderung"}))[0][0]["text"]
    assert text.index("Aufbaubank") < text.index("JenaWirtschaft")


def test_outside_region_names_nationwide_contacts() -> None:
    text = run(ActionFindContact(), tracker(slots={"ort": "München", "ort_status": "outside"}))[0][0]["text"]
    assert "außerhalb" in text and "115" in text


def test_unknown_after_second_try_offers_land_level_contacts() -> None:
    text = run(ActionFindContact(), tracker(slots={"ort": "Atlantis", "ort_status": "unknown",
                                                   "land": None}))[0][0]["text"]
    assert "Atlantis" in text and "Landesebene" in text
    assert "Sächsische Aufbaubank" in text or "Amt24" in text


def test_database_missing_gives_clear_answer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GL_DIRECTORY_DB", str(tmp_path / "missing.db"))
    messages_, _ = run(ActionFindContact(), tracker(slots={"ort": "Jena", "ort_status": "found"}))
    assert messages_[0]["text"] == messages.TECHNICAL_PROBLEM


def validate_contact_form(text: str, slots: Dict[str, Any]) -> Dict[str, Any]:
    t = tracker(text, "inform", slots={**slots, "requested_slot": "ort"}, active_loop="contact_form")
    return slots_of(run(ValidateContactForm(), t)[1])


def test_form_takes_a_typed_place_even_with_a_typo() -> None:
    slots = validate_contact_form("Magdebrug", {})
    assert slots["ort"] == "Magdeburg" and slots["ort_status"] == "found"


def test_form_asks_again_once_then_gives_up_gracefully() -> None:
    first = validate_contact_form("Atlantis", {})
    assert first["ort"] is None and first["ort_versuche"] == 1
    second = validate_contact_form("Atlantis", {"ort_versuche": 1.0})
    assert second["ort"] == "Atlantis" and second["ort_status"] == "unknown"


def test_ask_action_asks_which_place_when_ambiguous() -> None:
    messages_, _ = run(ActionAskOrt(), tracker(slots={"ort_status": "ambiguous",
                                                      "ort_kandidaten": ["Neustadt A", "Neustadt B"]}))
    assert messages_[0]["text"] == "Welchen Ort meinen Sie?"
    assert [b["title"] for b in messages_[0]["buttons"]] == ["Neustadt A", "Neustadt B"]
    assert messages_[0]["buttons"][0]["payload"] == '/inform{"ort": "Neustadt A"}'


# --- funding finder ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, slot, value", [
    ("Sachsen-Anhalt", "foerder_land", "Sachsen-Anhalt"),
    ("thueringen", "foerder_land", "Thüringen"),
    ("Vor der Gründung", "foerder_phase", "idee"),
    ("wir wachsen gerade", "foerder_phase", "wachstum"),
    ("lieber ein darlehen", "foerder_art", "Kredit"),
    ("Zuschuss", "foerder_art", "Zuschuss"),
])
def test_answers_are_understood(text: str, slot: str, value: str) -> None:
    assert match_words(text, slot) == value


def validate_funding(text: str, requested: Optional[str], slots: Optional[Dict[str, Any]] = None,
                     intent: str = "inform", with_next: bool = False) -> Dict[str, Any]:
    t = tracker(text, intent, slots={**(slots or {}), "requested_slot": requested}, active_loop="funding_form")
    result = slots_of(run(ValidateFundingForm(), t)[1])
    if not with_next:
        result.pop("requested_slot", None)
    return result


def test_what_was_said_before_is_not_asked_again() -> None:
    slots = validate_funding("Ich suche einen Kredit", None, {"land": "Sachsen"}, "find_funding", with_next=True)
    assert slots["foerder_land"] == "Sachsen" and slots["foerder_art"] == "Kredit"
    assert slots["foerder_phase"] is None
    assert slots["requested_slot"] is None  # enough said: the programmes come at once


@pytest.mark.parametrize("text, slot, value", [
    ("Welche Gründerstipendien gibt es in Sachsen?", "foerder_art", "Stipendium"),
    ("Förderung für Gründer in Sachsen-Anhalt", "foerder_land", "Sachsen-Anhalt"),
    ("Welchen Kredit kann ich bekommen?", "foerder_art", "Kredit"),
    ("Forschungsteam will ausgründen, welche Förderung?", "foerder_ziel", "hochschule"),
    ("ich bin arbeitslos und will gründen", "foerder_ziel", "arbeitslos"),
    ("Förderung, ich bekomme Bürgergeld", "foerder_ziel", "buergergeld"),
])
def test_a_question_that_names_land_kind_or_situation_gets_programmes_at_once(text: str, slot: str,
                                                                                value: str) -> None:
    slots = validate_funding(text, None, intent="find_funding", with_next=True)
    assert slots[slot] == value and slots["requested_slot"] is None


def test_nothing_known_starts_the_questions() -> None:
    slots = validate_funding("Welche Förderung passt zu mir?", None, intent="find_funding", with_next=True)
    assert slots["requested_slot"] == "foerder_land"


def test_a_refinement_button_keeps_the_last_search() -> None:
    t = tracker('/find_funding{"land": "Thüringen"}', "find_funding", active_loop="funding_form",
                slots={"requested_slot": None, "land": "Thüringen",
                       "foerder_suche": {"foerder_art": "Kredit", "foerder_ziel": None}})
    t.latest_message["entities"] = [{"entity": "land", "value": "Thüringen"}]
    slots = slots_of(run(ValidateFundingForm(), t)[1])
    assert slots["foerder_land"] == "Thüringen" and slots["foerder_art"] == "Kredit"
    assert slots["requested_slot"] is None


def test_a_question_during_the_questions_is_left_to_the_rules() -> None:
    assert validate_funding("Wie melde ich ein Gewerbe an?", "foerder_phase", {"foerder_land": "egal"},
                            intent="faq") == {}
    assert validate_funding("Kredit bitte", "foerder_art", {"foerder_land": "egal"},
                            intent="faq")["foerder_art"] == "Kredit"  # an answer stays an answer


@pytest.mark.parametrize("text, requested", [("Magdebrug Förderung", None), ("in magdeburg", "foerder_land"),
                                             ("Wir sitzen in Bitterfeld-Wolfen", "foerder_land")])
def test_a_place_also_misspelt_gives_the_land(text: str, requested: Optional[str]) -> None:
    assert validate_funding(text, requested)["foerder_land"] == "Sachsen-Anhalt"


def test_a_place_outside_the_three_laender_is_no_land() -> None:
    assert validate_funding("München", "foerder_land") == {"foerder_land": None, "foerder_unklar": "foerder_land"}
    assert validate_funding("Förderung in München", None).get("foerder_land") is None


def test_skip_and_unclear_answers() -> None:
    assert validate_funding("Überspringen", "foerder_phase")["foerder_phase"] == "egal"
    unclear = validate_funding("blau", "foerder_phase")
    assert unclear == {"foerder_phase": None, "foerder_unklar": "foerder_phase"}
    assert validate_funding("blau", "foerder_phase", {"foerder_unklar": "foerder_phase"})["foerder_phase"] == "egal"


def test_funding_results_list_programmes_with_links_and_stand() -> None:
    messages_, events = run(ActionFundingResults(), tracker(slots={
        "foerder_land": "Thüringen", "foerder_phase": "egal", "foerder_art": "Zuschuss"}))
    text = messages_[0]["text"]
    assert "Gründungsprämie" in text and "https://" in text and "Stand:" in text
    assert "Sachsen-Anhalt" not in text
    assert slots_of(events)["foerder_art"] is None  # next search starts fresh …
    assert slots_of(events)["foerder_suche"]["foerder_art"] == "Zuschuss"  # … refinement buttons keep it
    assert all(b["payload"].startswith("/") for b in messages_[0]["buttons"])


def test_funding_results_without_land_offer_the_laender_and_speak_english() -> None:
    messages_, _ = run(ActionFundingResults(), tracker(slots={"foerder_art": "Kredit", "sprache": "en"}))
    assert messages_[0]["text"].startswith("Matching programmes (Loans)")
    assert [b["title"] for b in messages_[0]["buttons"]][:3] == ["Saxony", "Saxony-Anhalt", "Thuringia"]


# --- callback request -------------------------------------------------------------------------

@pytest.mark.parametrize("text, ok", [("anna@example.de", True), ("+49 341 1234567", True), ("0341/123456", True),
                                      ("12", False), ("anna@", False), ("ruf mich an", False)])
def test_contact_validation(text: str, ok: bool) -> None:
    assert (valid_contact(text) is not None) == ok


@pytest.mark.parametrize("text, name", [("Anna Schmidt", "Anna Schmidt"), ("ich heiße Jörg Müller-Lüdenscheidt",
                                        "Jörg Müller-Lüdenscheidt"), ("0341 1234", None), ("a@b.de", None)])
def test_name_validation(text: str, name: Optional[str]) -> None:
    assert valid_name(text) == name


def test_declined_consent_ends_the_form_and_stores_nothing(tmp_path: Path) -> None:
    t = tracker("Nein", "deny", slots={"requested_slot": "rueckruf_einwilligung"}, active_loop="callback_form")
    slots = slots_of(run(ValidateCallbackForm(), t)[1])
    assert slots["rueckruf_einwilligung"] is False
    messages_, _ = run(ActionSubmitCallback(), tracker(slots={"rueckruf_einwilligung": False}))
    assert messages_[0]["response"] == "utter_callback_declined"
    assert list_requests(tmp_path / "rueckrufe.db", 90) == []


def test_completed_request_is_stored_confirmed_and_cleared(tmp_path: Path) -> None:
    slots = {"rueckruf_einwilligung": True, "rueckruf_name": "Anna Schmidt", "rueckruf_kontakt": "0341 123456",
             "rueckruf_thema": "Förderung", "ort": "Borna", "ort_status": "found"}
    messages_, events = run(ActionSubmitCallback(), tracker(slots=slots))
    text = messages_[0]["text"]
    assert "R-1" in text and "Anna Schmidt" in text and "0341 123456" in text and "Borna" in text
    assert "Landkreis Leipzig" in text  # who is responsible there
    [stored] = list_requests(tmp_path / "rueckrufe.db", 90)
    assert (stored.name, stored.contact, stored.place) == ("Anna Schmidt", "0341 123456", "Borna")
    assert all(v is None for k, v in slots_of(events).items() if k.startswith("rueckruf_"))


def test_cancel_stops_the_form_and_forgets_the_answers() -> None:
    messages_, events = run(ActionCancelForm(), tracker("abbrechen", "cancel",
                                                        slots={"rueckruf_name": "Anna"}, active_loop="callback_form"))
    assert messages_[0]["response"] == "utter_cancelled"
    assert {"event": "active_loop", "name": None} in [{k: e.get(k) for k in ("event", "name")} for e in events]
    assert slots_of(events)["rueckruf_name"] is None


def test_buttons_sent_by_actions_name_intents_and_entities_of_the_domain() -> None:
    """A payload like /contact_human{"thema": …} only works if the domain knows intent and entity."""
    import json
    import re

    import yaml

    from bot.config import PROJECT_ROOT

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    payloads = []
    for path in (PROJECT_ROOT / "actions").glob("*.py"):
        payloads += re.findall(r"""["']payload["']:\s*["'](/\w+(?:\{[^'\n]*\})?)["']""",
                               path.read_text(encoding="utf-8"))
    payloads += [b["payload"] for m in run(ActionFundingResults(), tracker(slots={
        "foerder_land": "Sachsen", "foerder_phase": "egal", "foerder_art": "egal"}))[0] for b in m.get("buttons", [])]
    assert "/find_funding" in payloads and '/contact_human{"thema": "foerderung"}' in payloads
    for payload in payloads:
        match = re.fullmatch(r"/(\w+)(\{.*\})?", payload)
        assert match and match.group(1) in domain["intents"], payload
        assert set(json.loads(match.group(2) or "{}")) <= set(domain["entities"]), payload


@pytest.mark.parametrize("text, taken", [
    ("Jana Stopp", True),  # #15.10: a surname is no cancel request
    ("Max Ende", True),
    ("stopp", False),
    ("Abbrechen!", False),
    ("ich will abbrechen", False),
    ("bitte stopp", False),
])
def test_cancel_words_inside_a_name_do_not_end_the_form(text: str, taken: bool) -> None:
    t = tracker(text, "cancel", slots={"requested_slot": "rueckruf_name", "rueckruf_einwilligung": True},
                active_loop="callback_form")
    slots = slots_of(run(ValidateCallbackForm(), t)[1])
    assert (slots.get("rueckruf_name") == text) is taken
