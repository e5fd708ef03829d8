"""Bot messages → Telegram messages: escaping, splitting, inline keyboards.

Every text is sent with ``parse_mode=HTML`` and escaped completely, so ``<``, ``>`` and
``&`` in a bot text (or anything a user managed to get echoed) are shown, never
interpreted. Links need no markup: Telegram links bare URLs by itself.

Telegram limits a message to 4096 characters (counted after entity parsing, i.e. on the
unescaped text; we count UTF-16 code units, which is never less than the characters) and
``callback_data`` to 64 bytes. Long texts are split at paragraph, line or word boundaries;
button payloads are kept in a per-chat :class:`ButtonStore` and only a short id travels
through Telegram.
"""

from __future__ import annotations

import html
import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.telegram import texts
from bot.channels.telegram.rasa_client import BotMessage, Button

PARSE_MODE = "HTML"
MAX_MESSAGE_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64


def escape(text: str) -> str:
    """Text → Telegram HTML that displays exactly ``text``."""
    return html.escape(text, quote=False)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """Largest ``i`` with ``utf16_length(text[:i]) <= limit``."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_MESSAGE_LENGTH) -> List[str]:
    """Split ``text`` into non-empty parts of at most ``limit`` UTF-16 units.

    Prefers a paragraph break, then a line break (each only in the second half of the
    part, so no tiny parts), then the last space; cuts hard only inside a word longer
    than the limit. Whitespace at the cut is dropped; nothing else is lost.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    parts: List[str] = []
    rest = text.strip()
    while rest:
        end = _fitting_prefix(rest, limit)
        if end >= len(rest):
            parts.append(rest)
            break
        window = rest[:end]
        cut = end
        for separator, earliest in (("\n\n", end // 2), ("\n", end // 2), (" ", 1)):
            position = window.rfind(separator)
            if position >= earliest:
                cut = position
                break
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return parts


@dataclass(frozen=True)
class OutgoingMessage:
    """One Telegram ``sendMessage``: HTML text and an optional inline keyboard."""

    html: str
    keyboard: Optional[InlineKeyboardMarkup] = None


class ButtonStore:
    """Per-chat map from short callback ids to the buttons of each keyboard.

    ``callback_data`` is ``"<epoch>.<keyboard>.<button>"`` (well under 64 bytes). The epoch
    is random per bridge process, so a button from before a restart is recognised as stale
    instead of meaning another payload. Pressing a button uses up its whole keyboard
    (:meth:`take`): a double tap cannot send the payload twice. Each chat keeps its newest
    ``per_chat`` keyboards; at most ``max_chats`` chats are kept (least recently used out).
    """

    def __init__(self, per_chat: int = 50, max_chats: int = 10_000, epoch: Optional[str] = None) -> None:
        self.per_chat = per_chat
        self.max_chats = max_chats
        self.epoch = epoch or secrets.token_hex(3)
        self._chats: "OrderedDict[int, OrderedDict[int, Tuple[Button, ...]]]" = OrderedDict()
        self._counters: Dict[int, int] = {}

    def register(self, chat_id: int, buttons: Sequence[Button]) -> List[str]:
        """Keep one keyboard's buttons; return their callback ids in the same order."""
        keyboards = self._chats.pop(chat_id, None) or OrderedDict()
        self._chats[chat_id] = keyboards  # most recently used last
        number = self._counters.get(chat_id, 0) + 1
        self._counters[chat_id] = number
        keyboards[number] = tuple(buttons)
        while len(keyboards) > self.per_chat:
            keyboards.popitem(last=False)
        while len(self._chats) > self.max_chats:
            old_chat, _ = self._chats.popitem(last=False)
            self._counters.pop(old_chat, None)
        keys = [f"{self.epoch}.{number}.{index}" for index in range(len(buttons))]
        assert all(len(key.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES for key in keys)
        return keys

    def _locate(self, chat_id: int, data: Optional[str]) -> Optional[Tuple[int, int]]:
        epoch, _, rest = (data or "").partition(".")
        keyboard_no, _, index = rest.partition(".")
        if epoch != self.epoch or not keyboard_no.isdigit() or not index.isdigit():
            return None
        keyboards = self._chats.get(chat_id)
        buttons = keyboards.get(int(keyboard_no)) if keyboards else None
        if buttons is None or int(index) >= len(buttons):
            return None
        return int(keyboard_no), int(index)

    def peek(self, chat_id: int, data: Optional[str]) -> Optional[Button]:
        where = self._locate(chat_id, data)
        return self._chats[chat_id][where[0]][where[1]] if where else None

    def take(self, chat_id: int, data: Optional[str]) -> Optional[Button]:
        """The pressed button, or ``None`` if unknown or stale; its keyboard is used up."""
        where = self._locate(chat_id, data)
        if where is None:
            return None
        return self._chats[chat_id].pop(where[0])[where[1]]

    def forget(self, chat_id: int) -> None:
        """Drop a chat's keyboards (after /neu): old buttons stop working."""
        self._chats.pop(chat_id, None)

    def __len__(self) -> int:
        return sum(len(keyboards) for keyboards in self._chats.values())


def keyboard(chat_id: int, buttons: Sequence[Button], store: ButtonStore) -> Optional[InlineKeyboardMarkup]:
    """One button per row (titles are short sentences; side by side they would be cut off)."""
    if not buttons:
        return None
    keys = store.register(chat_id, buttons)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.title, callback_data=key)] for button, key in zip(buttons, keys)]
    )


def render(chat_id: int, messages: Sequence[BotMessage], store: ButtonStore) -> List[OutgoingMessage]:
    """The bot's messages as Telegram messages; a keyboard goes on the last part of its text."""
    result: List[OutgoingMessage] = []
    for message in messages:
        text = message.text.strip()
        if message.image:
            text = f"{text}\n{message.image}".strip()
        if not text and message.buttons:
            text = texts.CHOOSE
        parts = split_text(text) if text else []
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            markup = keyboard(chat_id, message.buttons, store) if last else None
            result.append(OutgoingMessage(html=escape(part), keyboard=markup))
    return result


def plain(text: str) -> List[OutgoingMessage]:
    """A bridge text (no buttons) as Telegram messages."""
    return [OutgoingMessage(html=escape(part)) for part in split_text(text)]
