"""Small German text helpers shared by actions and channels."""

from __future__ import annotations

from typing import Iterable

from bot.directory.general import Contact

MONTHS_DE = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)


def stand(verified: str) -> str:
    """``"2026-11"`` → ``"Stand: November 2026"``."""
    year, month = verified.split("-")[:2]
    return f"Stand: {MONTHS_DE[int(month) - 1]} {year}"


def contact_lines(contacts: Iterable[Contact]) -> str:
    """One compact block per contact: name, what for, phone/hours, website."""
    blocks = []
    for contact in contacts:
        details = [f"• {contact.name} – {contact.description}"]
        if contact.phone:
            phone = f"Tel. {contact.phone}" + (f" ({contact.hours})" if contact.hours else "")
            details.append(f"  {phone}")
        details.append(f"  {contact.website}")
        blocks.append("\n".join(details))
    return "\n".join(blocks)


def list_stand(contacts: Iterable[Contact]) -> str:
    """The "Stand" of a list is its oldest verification month, so nothing looks newer than it is."""
    return stand(min(contact.verified for contact in contacts))
