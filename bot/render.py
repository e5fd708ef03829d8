"""Small German text helpers shared by actions and channels."""

from __future__ import annotations

from typing import Iterable, Optional


MONTHS_DE = (
    "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
)


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def stand(verified: str, english: bool = False) -> str:
    """``"2026-11"`` → ``"Stand: November 2026"`` (English: ``"As of: November 2026"``)."""
    year, month = verified.split("-")[:2]
    if english:
        return f"As of: {MONTHS_EN[int(month) - 1]} {year}"
    return f"Stand: {MONTHS_DE[int(month) - 1]} {year}"


def contact_block(name: str, why: str, website: str, phone: Optional[str] = None,
                  email: Optional[str] = None, address: Optional[str] = None,
                  hours: Optional[str] = None) -> str:
    """One contact: name and why responsible, then only the details the directory has a source for."""
    lines = [f"• {name}", f"  {why}"]
    if phone:
        lines.append(f"  Tel. {phone}" + (f" ({hours})" if hours else ""))
    if email:
        lines.append(f"  {email}")
    if address:
        lines.append(f"  {address}")
    lines.append(f"  {website}")
    return "\n".join(lines)


def oldest_stand(months: Iterable[str], english: bool = False) -> str:
    return stand(min(months), english)
