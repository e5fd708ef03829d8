"""Which "/intent{…}" texts a channel may pass to Rasa.

Rasa runs any message that starts with "/" as ``intent{entities}`` without NLU, so a typed
``/inform{"ort": "<script>"}`` would set slots to anything and ``/restart`` or
``/session_start`` would run internal actions. The REST channel therefore passes such a text
only if

* the bot offered it as a button payload in its recent messages of this conversation
  (:func:`offered_payloads`) – or it is one of the :data:`CHANNEL_COMMANDS` the Telegram
  bridge sends for /start, /hilfe, /neu – **and**
* it is well-formed for the domain (:func:`valid_payload`): known intent, known entities,
  string values of bounded length, categorical values from the slot's list, ``bewertung``
  only "gut"/"schlecht".

Everything else gets :data:`bot.messages.TYPED_COMMAND` and never reaches Rasa.

This check lives in the channel (before NLU). Whether an offered but *stale* button (an old
👍/👎 while a form waits) may fill a form slot is decided in the forms, not here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterable, Optional, Set

INTENT_PREFIX = "/"  # rasa.shared.constants.INTENT_MESSAGE_PREFIX
PAYLOAD = re.compile(r"^/(?P<intent>[^{@\s]+)(?P<entities>\{.*\})?$", re.DOTALL)
# What the Telegram bridge sends for its commands (bot/channels/telegram/bridge.py):
# entity-free intents whose rules only greet, show the help menu or restart the conversation.
CHANNEL_COMMANDS: FrozenSet[str] = frozenset({"/greet", "/help", "/start_over"})
# Entities that fill no categorical slot but only take fixed values.
FIXED_ENTITY_VALUES: Dict[str, FrozenSet[str]] = {"bewertung": frozenset({"gut", "schlecht"})}
MAX_ENTITY_VALUE_CHARS = 200
RECENT_BOT_MESSAGES = 20
SESSION_BOUNDARIES = {"session_started", "restart"}


def is_intent_syntax(text: str) -> bool:
    """True if Rasa would read ``text`` as an intent instead of running NLU."""
    return text.strip().startswith(INTENT_PREFIX)


@dataclass(frozen=True)
class PayloadRules:
    """What the domain allows in a payload (built with :func:`rules_from_domain`)."""

    intents: FrozenSet[str]
    entities: FrozenSet[str]
    entity_values: Dict[str, FrozenSet[str]] = field(default_factory=dict)  # lower-cased


def rules_from_domain(domain: Any) -> PayloadRules:
    """Intents, entities and allowed values from a Rasa ``Domain``.

    Rasa's built-in intents (``restart``, ``session_start``, ``back``, ``nlu_fallback`` …) are
    left out: no button of ours sends them, and typed they would run internal actions.
    """
    from rasa.shared.core.constants import DEFAULT_INTENTS

    values: Dict[str, FrozenSet[str]] = dict(FIXED_ENTITY_VALUES)
    for slot in domain.slots:
        if getattr(slot, "type_name", "") != "categorical":
            continue
        allowed = frozenset(str(v).lower() for v in slot.values if str(v) != "__other__")
        for mapping in slot.mappings or []:
            if mapping.get("type") == "from_entity" and mapping.get("entity"):
                values[mapping["entity"]] = allowed
    return PayloadRules(frozenset(domain.intents) - frozenset(DEFAULT_INTENTS), frozenset(domain.entities), values)


def valid_payload(text: str, rules: PayloadRules) -> bool:
    """Well-formed ``/intent`` or ``/intent{"entity": "value", …}`` for this domain."""
    match = PAYLOAD.match(text.strip())
    if match is None or match.group("intent") not in rules.intents:
        return False
    if match.group("entities") is None:
        return True
    try:
        entities = json.loads(match.group("entities"))
    except ValueError:
        return False
    if not isinstance(entities, dict) or not entities:
        return False
    for name, value in entities.items():
        if name not in rules.entities or not isinstance(value, str):
            return False
        if not value.strip() or len(value) > MAX_ENTITY_VALUE_CHARS or not value.isprintable():
            return False
        allowed = rules.entity_values.get(name)
        if allowed is not None and value.lower() not in allowed:
            return False
    return True


def offered_payloads(events: Iterable[Any], limit: int = RECENT_BOT_MESSAGES) -> Set[str]:
    """Button payloads of the bot's last ``limit`` messages in the current session.

    ``events`` are Rasa events (objects with ``type_name``/``data``) or their dicts, oldest first.
    """
    offered: Set[str] = set()
    seen = 0
    for event in reversed(list(events)):
        kind = event.get("event") if isinstance(event, dict) else getattr(event, "type_name", None)
        if kind in SESSION_BOUNDARIES:
            break
        if kind != "bot":
            continue
        data = (event.get("data") if isinstance(event, dict) else getattr(event, "data", None)) or {}
        for button in data.get("buttons") or []:
            payload = button.get("payload") if isinstance(button, dict) else None
            if isinstance(payload, str) and is_intent_syntax(payload):
                offered.add(payload.strip())
        seen += 1
        if seen >= limit:
            break
    return offered


def accepted(text: str, offered: Set[str], rules: Optional[PayloadRules]) -> bool:
    """May this "/…" text go to Rasa? Offered (or a channel command) and valid for the domain."""
    text = text.strip()
    if text not in offered and text not in CHANNEL_COMMANDS:
        return False
    return rules is None or valid_payload(text, rules)
