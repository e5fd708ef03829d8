"""One problem found in the staff-edited data, with file, line and what to do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

Level = Literal["Fehler", "Warnung"]
ERROR: Level = "Fehler"
WARNING: Level = "Warnung"


@dataclass(frozen=True)
class Finding:
    """A check result; ``file`` is relative to the project root, ``line`` 1-based."""

    level: Level
    file: str
    line: Optional[int]
    message: str
    hint: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.level}: {self.message}"
        return f"{text} – {self.hint}" if self.hint else text
