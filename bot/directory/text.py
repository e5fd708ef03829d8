"""Spelling-tolerant keys for names: what users type ("halle saale", "Thueringen") → one key."""

from __future__ import annotations

import re
from typing import Iterable, List, Tuple

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e"})
_NON_WORD = re.compile(r"[^0-9a-z|]+")


def fold(text: str) -> str:
    """Lowercase, umlauts as ae/oe/ue, punctuation and hyphens as single spaces."""
    return _NON_WORD.sub(" ", text.lower().translate(_FOLD)).strip()


def spellings(name: str) -> List[str]:
    """Ways a name is typed: as written, with ae/oe/ue, and with the dots dropped (ä → a)."""
    plain = name.translate(str.maketrans("äöüÄÖÜ", "aouAOU"))
    out: List[str] = []
    for text in (name, name.translate(_FOLD_KEEP_CASE), plain):
        if text not in out:
            out.append(text)
    return out


_FOLD_KEEP_CASE = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
)


def ngrams(text: str, max_len: int = 4) -> Iterable[Tuple[int, int, str]]:
    """(start token, end token, folded n-gram) for every 1…max_len token window, longest first."""
    tokens = fold(text).split()
    for size in range(min(max_len, len(tokens)), 0, -1):
        for start in range(0, len(tokens) - size + 1):
            yield start, start + size, " ".join(tokens[start:start + size])
