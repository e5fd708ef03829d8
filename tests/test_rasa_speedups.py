"""The cached validation of action-server answers behaves like Rasa's own."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import bot.channels.rest  # noqa: F401 – installs the speed-up, as in every Rasa process
from bot import rasa_speedups

GOOD = {"events": [{"event": "slot", "name": "land", "value": "Sachsen"}],
        "responses": [{"text": "Hallo"}]}
BAD = {"events": [{"name": "ohne event-Feld"}], "responses": "keine Liste"}


def action() -> RemoteAction:
    return RemoteAction("action_x", EndpointConfig("http://127.0.0.1:1/webhook"))


def test_installed_by_the_rest_channel() -> None:
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result


@pytest.mark.parametrize("result", [GOOD, {}, {"events": [], "responses": []}])
def test_valid_answers_pass_like_with_rasa(result: dict) -> None:
    jsonschema.validate(result, RemoteAction.action_response_format_spec())  # Rasa's way
    assert action()._validate_action_result(result) is True


def test_invalid_answer_raises_the_same_error_as_rasa() -> None:
    with pytest.raises(jsonschema.ValidationError) as rasas:
        jsonschema.validate(BAD, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        action()._validate_action_result(BAD)
    assert ours.value.message.startswith(rasas.value.message)
    assert "Failed to validate Action server response" in ours.value.message


@pytest.mark.parametrize("text, values", [
    ('/feedback{"bewertung": "gut"}', {}),
    ('/contact_human{"thema": "gewerbe"}', {"thema": "x"}),
    ("Hallo {name}, Sie gründen in {ort}.", {"name": "Anna", "ort": "Jena"}),
    ("Hallo {name}", {}),  # unknown slot: Rasa's own path, text unchanged
    ('{name} und /x{"a": 1}', {"name": "Anna"}),  # mixed: Rasa's own path
    ("ohne Platzhalter", {}),
])
def test_interpolation_returns_what_rasa_returns(text: str, values: dict) -> None:
    assert rasa_speedups.interpolate_text(text, values) == rasa_speedups._rasa_interpolate_text(text, values)


def test_json_payloads_skip_the_failing_attempt(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    monkeypatch.setattr(rasa_speedups, "_rasa_interpolate_text", lambda t, v: calls.append(t) or t)
    from rasa.core.nlg import interpolator

    button = {"title": "👍 Ja", "payload": '/feedback{"bewertung": "gut"}'}
    assert interpolator.interpolate(dict(button), {}) == button
    assert calls == ["👍 Ja"]  # the title went through Rasa's interpolation, the payload did not
