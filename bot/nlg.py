"""Response generator that leaves JSON in button payloads alone.

Rasa 3.6's templated generator treats *every* ``{…}`` in a response as a slot placeholder:
the FAQ buttons' payload ``/contact_human{"thema": "gewerbe"}`` became the "placeholder"
``"thema": "gewerbe"``, failed with a KeyError and logged an ERROR with a traceback whose
local variables held all slot values – name and phone number included – three times per FAQ
answer. (Rasa's own escape, ``{{…}}``, would make every staff-edited payload differ from
what the bot sends; Jinja templates arrive only in later Rasa versions.)

Here only ``{name}`` with ``name`` an identifier that is a slot (or a value the action passed)
is replaced; every other brace stays as written. Configured in endpoints*.yml (``nlg:``).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
FILLED_KEYS = ("text", "image", "custom", "buttons", "attachment", "quick_replies")


def fill_placeholders(value: Any, values: Dict[Text, Any]) -> Any:
    """``value`` (a string, or lists/dicts of them) with known ``{name}`` placeholders replaced."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), value)
    if isinstance(value, list):
        return [fill_placeholders(item, values) for item in value]
    if isinstance(value, dict):
        return {key: fill_placeholders(item, values) for key, item in value.items()}
    return value


CONDITION_SLOTS = "condition_slots"


class LiteralBracesNLG(TemplatedNaturalLanguageGenerator):
    """Rasa's response generator (variations, conditions, channels) with strict placeholders.

    A custom action may pass ``condition_slots={"land": "Sachsen-Anhalt"}`` with a response: the
    variant is then chosen as if those slots were set – the action learned the Land in this very
    turn (a misspelt town), while the slot it sets takes effect only after the action.
    """

    def __init__(self, endpoint_config: Any = None, domain: Any = None, **_: Any) -> None:
        super().__init__(domain.responses if domain is not None else {})

    async def generate(self, utter_action: Text, tracker: Any, output_channel: Text,
                       **kwargs: Any) -> Optional[Dict[Text, Any]]:
        filled_slots = tracker.current_slot_values()
        override = kwargs.pop(CONDITION_SLOTS, None)
        if isinstance(override, dict):
            filled_slots = {**filled_slots, **override}
        return self.generate_from_slots(utter_action, filled_slots, output_channel, **kwargs)

    def _fill_response(self, response: Dict[Text, Any], filled_slots: Optional[Dict[Text, Any]] = None,
                       **kwargs: Any) -> Dict[Text, Any]:
        values = self._response_variables(filled_slots, kwargs)
        for key in FILLED_KEYS:
            if key in response:
                response[key] = fill_placeholders(response[key], values)
        return response
