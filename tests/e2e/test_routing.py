"""Contact routing, funding finder and callback request over the real servers (Rasa + actions)."""

import sqlite3
import uuid

import pytest

from bot.directory.callbacks import list_requests
from bot.serve import Stack
from tests.conftest import say, texts

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"route-{uuid.uuid4().hex[:8]}"


def buttons(messages: list) -> list:
    return [b["title"] for m in messages for b in m.get("buttons", [])]


def test_place_and_topic_in_one_question(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "Wo bekomme ich in Jena Gründungsberatung?"))
    assert "JenaWirtschaft" in answer and "Jena" in answer and "Stand:" in answer


def test_a_town_is_routed_to_its_landkreis(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "Ich will in Borna ein Café eröffnen — wer hilft mir?"))
    assert "Landkreis Leipzig" in answer and "dort liegt Borna" in answer
    assert "IHK" in answer or "Industrie- und Handelskammer zu Leipzig" in answer


def test_place_only_then_contacts(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "Wir sitzen in Bitterfeld-Wolfen"))
    assert "Anhalt-Bitterfeld" in answer


def test_typo_in_the_place_and_keyword_style(stack: Stack) -> None:
    user = sender()
    answer = texts(say(stack, user, "Magdebrug Förderung"))  # the misspelt town gives the Land: programmes at once
    assert "Passende Programme (Sachsen-Anhalt)" in answer and "Stand:" in answer
    assert "In welchem Land" not in answer and "Wo stehen Sie" not in answer
    assert "Sachsen-Anhalt):" in answer and "(Zuschuss, Thüringen)" not in answer


def test_university_founder_in_halle(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "Ich bin Doktorandin an der Uni Halle und will ausgründen – wer unterstützt mich?"))
    assert "MLU" in answer or "Martin-Luther" in answer


def test_missing_place_is_asked_then_answered(stack: Stack) -> None:
    user = sender()
    question = texts(say(stack, user, "Wer ist bei mir zuständig?"))
    assert "Ort oder Landkreis" in question
    answer = texts(say(stack, user, "Görlitz"))
    assert "Landkreis Görlitz" in answer and "Stand:" in answer


def test_unknown_place_asked_again_once_then_land_level(stack: Stack) -> None:
    user = sender()
    say(stack, user, "Ich möchte persönlich beraten werden")
    again = texts(say(stack, user, "Xyzdorf"))
    assert "kenne ich leider nicht" in again
    answer = texts(say(stack, user, "Qwertzhausen"))
    assert "Landesebene" in answer


def test_place_outside_the_region(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "Wer hilft mir bei der Gründung in München?"))
    assert "außerhalb" in answer and "115" in answer


def test_funding_finder_three_questions_then_programmes(stack: Stack) -> None:
    user = sender()
    first = say(stack, user, "Passende Förderung finden")
    assert "In welchem Land" in texts(first) and "Überspringen" in buttons(first)
    assert "Wo stehen Sie" in texts(say(stack, user, "Thüringen"))
    assert "Welche Art" in texts(say(stack, user, "Überspringen"))
    answer = texts(say(stack, user, "Zuschuss"))
    assert "Gründungsprämie" in answer and "Stand:" in answer and "https://" in answer


def test_funding_finder_remembers_the_place(stack: Stack) -> None:
    user = sender()
    say(stack, user, "Wo bekomme ich in Dresden Gründungsberatung?")
    first = texts(say(stack, user, "Passende Förderung finden"))  # the Land is known: programmes at once
    assert "Passende Programme (Sachsen)" in first and "In welchem Land" not in first


def test_funding_answered_first_then_refined_with_a_button(stack: Stack) -> None:
    user = sender()
    reply = say(stack, user, "Welchen Kredit kann ich für meine Gründung bekommen?")
    answer = texts(reply)
    assert "Passende Programme (Kredit)" in answer and "In welchem Land gründen Sie?" in answer
    thuringia = next(b for m in reply for b in m.get("buttons", []) if b["title"] == "Thüringen")
    refined = texts(say(stack, user, thuringia["payload"]))
    assert "Passende Programme (Thüringen, Kredit)" in refined and "(Kredit, Sachsen)" not in refined


def test_a_question_inside_the_funding_questions_is_answered_and_the_question_repeated(stack: Stack) -> None:
    user = sender()
    assert "In welchem Land" in texts(say(stack, user, "Welche Förderung passt zu mir?"))
    reply = texts(say(stack, user, "Wie melde ich mich beim Finanzamt an?"))
    assert "Finanzamt" in reply and "In welchem Land" in reply
    assert "Abgebrochen" in texts(say(stack, user, "nein danke, abbrechen"))


def test_callback_completed_and_stored(stack: Stack) -> None:
    user = sender()
    consent = texts(say(stack, user, "Ich möchte einen Rückruf"))
    assert "einverstanden" in consent
    assert "Wie heißen Sie" in texts(say(stack, user, "Ja, einverstanden"))
    assert "Telefonnummer" in texts(say(stack, user, "Anna Schmidt"))
    assert "Bitte geben Sie eine Telefonnummer" in texts(say(stack, user, "weiß nicht"))  # invalid → asked again
    assert "Worum geht es" in texts(say(stack, user, "0341 5550123"))
    assert "Ort oder Landkreis" in texts(say(stack, user, "Förderung für mein Café"))
    done = texts(say(stack, user, "Borna"))
    assert "gespeichert" in done and "Anna Schmidt" in done and "Landkreis Leipzig" in done
    with sqlite3.connect(stack.settings.callback_db) as db:
        stored = db.execute("SELECT name, contact, place FROM callback_requests").fetchall()
    assert ("Anna Schmidt", "0341 5550123", "Borna") in stored


def test_callback_cancelled_stores_nothing(stack: Stack) -> None:
    user = sender()
    say(stack, user, "Kann mich jemand anrufen?")
    say(stack, user, "ja")
    assert "Abgebrochen" in texts(say(stack, user, "abbrechen"))
    names = [r.name for r in list_requests(stack.settings.callback_db, 90)]
    assert "abbrechen" not in names and len(names) <= 1  # only the completed test's request, if any


def test_a_cancel_word_inside_the_name_does_not_end_the_form(stack: Stack) -> None:
    """#15.10: "Jana Stopp" is a name; only a message that is just a cancel request cancels."""
    user = sender()
    say(stack, user, "Ich möchte einen Rückruf")
    assert "Wie heißen Sie" in texts(say(stack, user, "Ja, einverstanden"))
    assert "Telefonnummer" in texts(say(stack, user, "Jana Stopp"))
    assert "Abgebrochen" in texts(say(stack, user, "Stopp"))


def test_callback_without_consent_stores_nothing(stack: Stack) -> None:
    user = sender()
    say(stack, user, "Bitte ruft mich zurück")
    assert "nichts gespeichert" in texts(say(stack, user, "Nein"))
