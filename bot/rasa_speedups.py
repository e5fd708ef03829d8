"""Two measured hot spots of Rasa 3.6, fixed without changing what they return.

1. Validation of action-server answers (below).
2. Button payloads such as ``/feedback{"bewertung": "gut"}``: Rasa's response interpolator
   takes ``{"bewertung": "gut"}`` for a slot placeholder, fails, logs an *exception with
   traceback* (structlog) and returns the text unchanged – for every such button of every
   answer. py-spy on a loaded replica: 7.6 % of its CPU, plus ERROR lines in the log. A text
   whose every ``{…}`` contains a double quote (a slot name never does) is now returned
   unchanged right away – what Rasa returns after the failed attempt.

``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result, schema)`` for
every answer of the action server. ``validate`` first checks the *schema* against the
JSON-Schema meta-schema – every time, for the same constant schema. py-spy on the loaded
bot: 16 % of Rasa's CPU in that function, 15 of the 16 points in ``check_schema``. Here
the schema is checked and the validator built once; each answer is validated exactly as
before (same validator class, same ``best_match`` error, same message added).

Validation of action answers: Installed by :mod:`bot.channels.rest`, which every Rasa process of this project loads
(credentials.yml). ``install()`` is idempotent.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Dict, Text

from jsonschema import exceptions as jsonschema_errors
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg import interpolator
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    error = jsonschema_errors.best_match(_response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


PLACEHOLDER = re.compile(r"{([^\n{}]+?)}")  # Rasa's own pattern (interpolator.interpolate_text)
_rasa_interpolate_text: Callable[[Text, Dict[Text, Any]], Text] = interpolator.interpolate_text


def interpolate_text(response: Text, values: Dict[Text, Any]) -> Text:
    if isinstance(response, str):
        keys = PLACEHOLDER.findall(response)
        if keys and all('"' in key for key in keys):
            return response  # JSON in a payload, not a slot: Rasa returns it unchanged too
    return _rasa_interpolate_text(response, values)


def install() -> None:
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]
    interpolator.interpolate_text = interpolate_text  # interpolate() looks it up at call time
