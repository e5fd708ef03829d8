"""#15.6: which "/intent{…}" texts the REST channel passes to Rasa (unit level; e2e in tests/e2e)."""

from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, Restarted, SessionStarted, UserUttered

from bot.channels.payloads import CHANNEL_COMMANDS, accepted, offered_payloads, rules_from_domain, valid_payload
from bot.config import PROJECT_ROOT


@pytest.fixture(scope="module")
def rules():
    return rules_from_domain(Domain.load(str(PROJECT_ROOT / "domain.yml")))


@pytest.mark.parametrize("payload", [
    "/find_funding",
    '/contact_human{"thema": "gewerbe"}',
    '/contact_human{"thema": "foerderung"}',
    '/feedback{"bewertung": "gut"}',
    '/feedback{"bewertung": "schlecht"}',
    '/inform{"ort": "Halle (Saale)"}',
    *sorted(CHANNEL_COMMANDS),
])
def test_the_bots_own_payloads_are_valid(rules, payload: str) -> None:
    assert valid_payload(payload, rules)


@pytest.mark.parametrize("payload", [
    "/restart",  # Rasa default intents are not in our domain's list
    "/session_start",
    "/no_such_intent",
    '/contact_human{"thema": "hacken"}',  # not a value of the categorical slot
    '/contact_human{"thema": {"a": 1}}',  # object
    '/contact_human{"thema": ["gewerbe"]}',
    '/feedback{"bewertung": "super"}',
    '/inform{"passwort": "x"}',  # unknown entity
    '/inform{"ort": "' + "x" * 300 + '"}',
    '/inform{"ort": "Jena\\u0000"}',
    '/inform{"ort": ""}',
    '/inform{"ort": "Jena"',  # broken JSON
    '/inform{}',
    "/contact_human@0.9",
])
def test_malformed_or_foreign_payloads_are_invalid(rules, payload: str) -> None:
    assert not valid_payload(payload, rules)


def test_offered_payloads_are_the_buttons_of_the_current_session() -> None:
    old = BotUttered("alt", data={"buttons": [{"title": "x", "payload": "/find_funding"}]})
    recent = BotUttered("neu", data={"buttons": [
        {"title": "👍", "payload": '/feedback{"bewertung": "gut"}'},
        {"title": "Gewerbe", "payload": "Wie melde ich ein Gewerbe an?"},  # plain text: not a payload
    ]})
    events = [old, Restarted(), SessionStarted(), UserUttered("Hallo"), recent]
    assert offered_payloads(events) == {'/feedback{"bewertung": "gut"}'}
    as_dicts = [e.as_dict() for e in events]
    assert offered_payloads(as_dicts) == {'/feedback{"bewertung": "gut"}'}


def test_only_the_last_bot_messages_count() -> None:
    events = [BotUttered("a", data={"buttons": [{"title": "a", "payload": "/find_funding"}]})]
    events += [BotUttered(f"t{i}") for i in range(20)]
    assert offered_payloads(events) == set()


def test_accepted_needs_offered_and_valid(rules) -> None:
    offered = {'/contact_human{"thema": "gewerbe"}', '/contact_human{"thema": "erfunden"}'}
    assert accepted('/contact_human{"thema": "gewerbe"}', offered, rules)
    assert not accepted('/contact_human{"thema": "erfunden"}', offered, rules)  # offered, but invalid
    assert not accepted('/contact_human{"thema": "foerderung"}', offered, rules)  # valid, not offered
    assert accepted("/help", set(), rules)
