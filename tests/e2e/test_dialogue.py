"""Issue 12 over the real REST channel: English replies, the town's own office, the right Land,
privacy and human handover, questions inside forms."""

import uuid
from typing import Dict, List

import pytest

from bot.directory.local_services import local_service
from bot.directory.sources import load_directory
from bot.land_markers import foreign_markers, land_markers
from bot.serve import Stack
from tests.conftest import say, texts

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"dialog-{uuid.uuid4().hex[:8]}"


def buttons(messages: List[Dict]) -> List[str]:
    return [b["title"] for m in messages for b in m.get("buttons", [])]


def test_english_first_steps_business_registration_and_contacts(stack: Stack) -> None:
    user = sender()
    answer = texts(say(stack, user, "How do I register a business in Leipzig?"))
    assert "You register a trade (Gewerbe)" in answer and "As of:" in answer
    assert "Leipzig" in answer and "Was this answer helpful?" in answer
    contacts = texts(say(stack, sender(), "Who can help me with my startup in Jena?"))
    assert "your contacts:" in contacts and "Jena" in contacts


def test_english_question_on_a_german_only_topic_gets_a_pointer(stack: Stack) -> None:
    reply = say(stack, sender(), "Do I have to pay the broadcasting fee for my business?")
    assert reply[0]["text"].startswith("So far I can answer this topic only in German")
    assert "Stand:" in texts(reply)  # the German answer follows, with its source and date


def test_procedure_answer_names_the_town_office_and_only_its_land(stack: Stack, directory_markers: Dict) -> None:
    reply = texts(say(stack, sender(), "Gewerbe anmelden in Magdeburg – wo geht das?"))
    service = local_service(stack.settings.directory_db, "Magdeburg")
    assert service is not None and service.url in reply
    assert foreign_markers("Sachsen-Anhalt", reply, [], directory_markers) == []


def test_misspelt_town_still_gets_its_lands_answer(stack: Stack, directory_markers: Dict) -> None:
    reply = texts(say(stack, sender(), "wie meld ich n gewerbe an in magdebrug"))
    assert "Magdeburg" in reply
    assert foreign_markers("Sachsen-Anhalt", reply, [], directory_markers) == []


def test_privacy_and_human_handover(stack: Stack) -> None:
    privacy = say(stack, sender(), "Was passiert mit meinen Daten in diesem Chat?")
    assert "gelöscht" in texts(privacy) and "Rückruf anfordern" in buttons(privacy)
    human = say(stack, sender(), "Ich möchte lieber mit einem echten Menschen sprechen")
    assert "Rückruf anfordern" in buttons(human) and "115" in texts(human)


def test_callback_form_answers_a_question_and_leaves_on_no_more_callback(stack: Stack) -> None:
    user = sender()
    say(stack, user, "Ich hätte gern einen Rückruf")
    assert "Wie heißen Sie" in texts(say(stack, user, "Ja, einverstanden"))
    answered = texts(say(stack, user, "Wie melde ich mich beim Finanzamt an?"))
    assert "Finanzamt" in answered and "Wie heißen Sie" in answered  # answered, then asked again
    left = texts(say(stack, user, "Ich möchte keinen Rückruf mehr"))
    assert "nichts gespeichert" in left


@pytest.fixture(scope="module")
def directory_markers() -> Dict:
    return land_markers(load_directory())
