"""#15.2: restart with backoff (unit level with a fake clock; the real thing in tests/e2e/test_supervision.py)."""

from __future__ import annotations

import io
from typing import Dict, List, Optional

from bot.supervise import RestartPolicy, Supervisor


class FakeProcess:
    def __init__(self) -> None:
        self.returncode: Optional[int] = None

    def poll(self) -> Optional[int]:
        return self.returncode


class FakeStack:
    def __init__(self, *names: str) -> None:
        self.processes: Dict[str, FakeProcess] = {n: FakeProcess() for n in names}
        self.restarted: List[str] = []

    def restart(self, name: str) -> None:
        self.restarted.append(name)
        self.processes[name] = FakeProcess()

    def crash(self, name: str, code: int = -9) -> None:
        self.processes[name].returncode = code


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def make(*names: str) -> tuple:
    stack, clock, out = FakeStack(*names), Clock(), io.StringIO()
    supervisor = Supervisor(stack, RestartPolicy(first_delay=1, max_delay=8, healthy_after=60), clock, out)
    supervisor.check()
    return stack, clock, out, supervisor


def test_only_the_dead_process_is_restarted_after_the_first_delay() -> None:
    stack, clock, out, supervisor = make("actions", "rasa", "widget")
    rasa = stack.processes["rasa"]
    stack.crash("actions")
    clock.now = 10
    supervisor.check()
    assert stack.restarted == [] and "Neustart in 1 s" in out.getvalue()
    clock.now = 10.9
    supervisor.check()
    assert stack.restarted == []
    clock.now = 11
    supervisor.check()
    assert stack.restarted == ["actions"] and stack.processes["rasa"] is rasa


def test_a_crash_loop_backs_off_up_to_the_maximum_and_a_healthy_run_resets_it() -> None:
    stack, clock, out, supervisor = make("actions")
    delays = []
    for _ in range(6):  # crashes right after each start
        stack.crash("actions", 1)
        supervisor.check()
        delay = supervisor.restart_at["actions"] - clock.now
        delays.append(delay)
        clock.now += delay
        supervisor.check()
    assert delays == [1, 2, 4, 8, 8, 8]
    clock.now += 120  # ran two minutes: healthy
    stack.crash("actions")
    supervisor.check()
    assert supervisor.restart_at["actions"] - clock.now == 1
