"""Mask personal data in a user's question before it is kept for the editorial team.

E-mail addresses → "[E-Mail]", German phone numbers → "[Telefon]", names in typical phrases
("ich heiße …", "mein Name ist …", "ich bin Anna Schmidt", "Frau …", "Grüße, …", "MfG …")
→ "[Name]". Deliberately simple and rather too eager than too lax.
"""

from __future__ import annotations

import re

from bot.text_input import clean_message

MAX_CHARS = 500
EMAIL_MASK, PHONE_MASK, NAME_MASK = "[E-Mail]", "[Telefon]", "[Name]"
MASKS = (EMAIL_MASK, PHONE_MASK, NAME_MASK)

EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# starts with +, 00 or 0 (German numbers), optionally in brackets; digits with spaces / - ( )
PHONE = re.compile(r"(?<![\w+])(?:\+|\(?0)[\d \-/()]{4,}\d(?!\w)")
MIN_PHONE_DIGITS = 6

WORD = r"[^\W\d_]+(?:[-'][^\W\d_]+)*"  # a word of letters, maybe hyphenated
CAPITAL = r"(?-i:[A-ZÄÖÜ][^\W\d_]*(?:-[A-ZÄÖÜ][^\W\d_]*)?)"
# words that follow "ich heiße …" / "Grüße …" but are not names
NOT_NAMES = frozenset("""
    und oder aber auch aus von vom nach mit an am in im zu zur zum für bei der die das den dem des ein eine
    einen ich wir sie er es du mein meine hier jetzt gerade nicht noch schon so also bitte danke gern gerne
    habe hab bin möchte will würde wollte suche brauche plane frage komme wohne gründe gründen
    zurück alle allen euch ihnen dich dir
""".split())
NAME_PHRASE = re.compile(
    rf"(?i)\b(ich\s+hei(?:ß|ss)e|mein\s+name\s+ist|name\s*:)(\s+)({WORD})(?:(\s+)({WORD}))?")
I_AM = re.compile(rf"(?i)\b(ich\s+bin)(\s+)({CAPITAL})\s+({CAPITAL})\b")
TITLE = re.compile(rf"\b(Herrn?|Frau)(\s+)(?:Dr\.\s*|Prof\.\s*)*({CAPITAL})(?:\s+({CAPITAL}))?\b")
GREETING = re.compile(
    rf"(?i)\b(gr(?:ü|ue|u)(?:ß|ss)e?n?|mfg|lg|vg)\b([,!.]?\s*)({WORD})(?:(\s+)({WORD}))?")
# first words after "ich bin" that describe, not name, a person
ROLES = frozenset({"Student", "Studentin", "Freiberufler", "Freiberuflerin", "Gründer", "Gründerin",
                   "Selbständig", "Selbstständig", "Rentner", "Rentnerin", "Angestellter", "Angestellte",
                   "Handwerker", "Handwerkerin", "Meister", "Meisterin", "Arbeitslos", "Mutter", "Vater"})


def _is_name(word: str | None) -> bool:
    return bool(word) and word.lower() not in NOT_NAMES  # type: ignore[union-attr]


def _phrase(match: re.Match) -> str:
    """Keep the phrase ("ich heiße "), replace one or two following name words."""
    lead, space, first, space2, second = match.groups()
    if not _is_name(first):
        return match.group(0)
    rest = f"{space2}{second}" if second and not _is_name(second) else ""
    return f"{lead}{space}{NAME_MASK}{rest}"


def _i_am(match: re.Match) -> str:
    lead, space, first, _second = match.groups()
    if first in ROLES or not _is_name(first) or not _is_name(_second):
        return match.group(0)
    return f"{lead}{space}{NAME_MASK}"


def _title(match: re.Match) -> str:
    return f"{match.group(1)}{match.group(2)}{NAME_MASK}"


def _phone(match: re.Match) -> str:
    digits = sum(char.isdigit() for char in match.group(0))
    return PHONE_MASK if digits >= MIN_PHONE_DIGITS else match.group(0)


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit * 0.8 else cut


def mask(text: str) -> str:
    """The text with control characters removed, personal data masked, at most 500 characters."""
    text = clean_message(text, max_chars=100_000).text
    text = EMAIL.sub(EMAIL_MASK, text)
    text = PHONE.sub(_phone, text)
    text = NAME_PHRASE.sub(_phrase, text)
    text = I_AM.sub(_i_am, text)
    text = TITLE.sub(_title, text)
    text = GREETING.sub(_phrase, text)
    return _cap(text, MAX_CHARS)


def contains_mask(text: str) -> bool:
    """True if personal data was masked in ``text`` (such texts are no training examples)."""
    return any(token in text for token in MASKS)
