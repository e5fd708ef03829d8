"""Keep the bot's processes running: a dead one is restarted, the others keep serving.

``bot serve`` used to stop everything when one process died (an action server killed by the
OOM killer took Rasa and the widget down with it). :class:`Supervisor` restarts only the dead
process, after a pause that doubles with each crash in a row (``GL_SUPERVISE_FIRST_DELAY``,
default 1 s, up to ``GL_SUPERVISE_MAX_DELAY``, 30 s) and starts again from the first pause
once the process has run ``healthy_after`` seconds. While the action server is away, Rasa
answers what it can and sends the technical-problem note for the rest (REST channel).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Protocol, TextIO


class Supervised(Protocol):
    """What the supervisor needs of :class:`bot.serve.Stack`."""

    processes: Dict[str, "Process"]

    def restart(self, name: str) -> None: ...


class Process(Protocol):
    returncode: Optional[int]

    def poll(self) -> Optional[int]: ...


def _float_env(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, "") or default)
    except ValueError:
        return default


@dataclass(frozen=True)
class RestartPolicy:
    first_delay: float = 1.0
    max_delay: float = 30.0
    healthy_after: float = 60.0

    @classmethod
    def from_env(cls) -> "RestartPolicy":
        return cls(first_delay=_float_env("GL_SUPERVISE_FIRST_DELAY", 1.0),
                   max_delay=_float_env("GL_SUPERVISE_MAX_DELAY", 30.0))

    def delay(self, crashes_in_a_row: int) -> float:
        """Pause before restart number ``crashes_in_a_row`` (1, 2, 4 … s, capped)."""
        return min(self.max_delay, self.first_delay * 2 ** max(0, crashes_in_a_row - 1))


@dataclass
class Supervisor:
    """Call :meth:`check` regularly (``bot serve`` does every 0.5 s)."""

    stack: Supervised
    policy: RestartPolicy = field(default_factory=RestartPolicy.from_env)
    clock: Callable[[], float] = time.monotonic
    out: TextIO = sys.stderr
    log_hint: str = ""
    started: Dict[str, float] = field(default_factory=dict)
    crashes: Dict[str, int] = field(default_factory=dict)
    restart_at: Dict[str, float] = field(default_factory=dict)
    restarts: List[str] = field(default_factory=list)  # names, in order (for reports and tests)

    def check(self) -> None:
        now = self.clock()
        for name, process in list(self.stack.processes.items()):
            self.started.setdefault(name, now)
            if name in self.restart_at:
                if now >= self.restart_at[name]:
                    del self.restart_at[name]
                    self.stack.restart(name)
                    self.started[name] = self.clock()
                    self.restarts.append(name)
                    self._say(f"{name} neu gestartet ({self.crashes[name]}. Neustart in Folge).")
                continue
            if process.poll() is None:
                continue
            ran = now - self.started[name]
            self.crashes[name] = 1 if ran >= self.policy.healthy_after else self.crashes.get(name, 0) + 1
            delay = self.policy.delay(self.crashes[name])
            self.restart_at[name] = now + delay
            where = f", siehe {self.log_hint}/{name}.log" if self.log_hint else ""
            self._say(f"{name} wurde beendet (Exit-Code {process.returncode}{where}) – "
                      f"Neustart in {delay:g} s, die anderen Dienste laufen weiter.")

    def _say(self, text: str) -> None:
        print(text, file=self.out, flush=True)
