"""Clean a user's message before it reaches NLU (shared by all channels).

Removes control characters and invisible format characters (zero-width space/joiner,
soft hyphen, BOM, bidi overrides – they split words for NLU and hide text), normalises
Unicode and whitespace and caps the length,
so that no input – empty, huge, binary junk – can crash or stall the pipeline.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Any

_KEEP_CONTROL = {"\n", "\t"}


@dataclass(frozen=True)
class CleanText:
    text: str
    original_length: int
    truncated: bool

    @property
    def empty(self) -> bool:
        return not self.text

    @property
    def has_words(self) -> bool:
        """False for emoji-, symbol- or punctuation-only messages (nothing to classify)."""
        return any(char.isalnum() for char in self.text)


def _is_unwanted(char: str) -> bool:
    category = unicodedata.category(char)
    if char in _KEEP_CONTROL:
        return False
    # Cc: control, Cs: lone surrogates, Co: private use, Cn: unassigned
    return category in ("Cc", "Cs", "Co", "Cn")


def _is_invisible(char: str) -> bool:
    """Cf: format characters (U+200B zero-width space, U+200D joiner, U+00AD soft hyphen, U+FEFF,
    U+202E right-to-left override …) – removed without a trace, so "Gew\u200berbe" is "Gewerbe"."""
    return unicodedata.category(char) == "Cf"


def clean_message(raw: Any, max_chars: int) -> CleanText:
    """Return the cleaned text; never raises for any JSON value.

    Only the first ``2 * max_chars + 1`` characters are cleaned (whitespace that collapses
    leaves room): the work per message is bounded, however long the input.
    """
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raw = str(raw)
    original_length = len(raw)
    window = 2 * max_chars + 1
    rest_has_text = original_length > window and not raw[window:].isspace()
    text = unicodedata.normalize("NFC", raw[:window])
    text = "".join("" if _is_invisible(c) else " " if _is_unwanted(c) else c for c in text)
    text = " ".join(text.split())
    truncated = rest_has_text or len(text) > max_chars
    if len(text) > max_chars:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        text = cut[:space] if space > max_chars * 0.8 else cut
    return CleanText(text=text, original_length=original_length, truncated=truncated)
