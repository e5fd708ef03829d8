"""Clean a user's message before it reaches NLU (shared by all channels).

Removes control characters, normalises Unicode and whitespace and caps the length,
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


def clean_message(raw: Any, max_chars: int) -> CleanText:
    """Return the cleaned text; never raises for any JSON value."""
    if raw is None:
        raw = ""
    if not isinstance(raw, str):
        raw = str(raw)
    original_length = len(raw)
    text = unicodedata.normalize("NFC", raw)
    text = "".join(" " if _is_unwanted(c) else c for c in text)
    text = " ".join(text.split())
    truncated = len(text) > max_chars
    if truncated:
        cut = text[:max_chars]
        space = cut.rfind(" ")
        text = cut[:space] if space > max_chars * 0.8 else cut
    return CleanText(text=text, original_length=original_length, truncated=truncated)
