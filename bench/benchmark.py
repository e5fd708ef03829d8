"""Latency/throughput/memory benchmark for the Rasa REST channel.

Measurement script, not a test: it talks to a running (or freshly started)
Rasa server over loopback only, simulates closed-loop users that send a fixed
list of German messages to ``POST {url}/webhooks/rest/webhook`` and reports

* optional training time (``--train-cmd``),
* time from start to ready and to the first reply (``--start-cmd``),
* per concurrency level: messages, errors, empty replies, throughput and
  latency percentiles,
* server memory (sum of VmRSS over the server process and its descendants;
  shared pages of forked workers are counted once per process),

as an aligned plain-text table on stdout and as JSON (``--json``).

Percentiles use the nearest-rank method: for ``n`` sorted samples the p-th
percentile is the sample with 1-based rank ``ceil(p / 100 * n)``; it is always
an observed value.

Exit codes: 0 = runs completed (targets are informational only),
1 = training failed, server not reachable / never ready, or every measured
request failed, 2 = invalid arguments (e.g. a non-loopback ``--url``).

Example::

    python bench/benchmark.py --start-cmd "rasa run --enable-api -m models" \
        --users 1,10 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import aiohttp

MESSAGES: list[str] = [
    "Hallo",
    "Wie melde ich ein Gewerbe an?",
    "Was ist die Kleinunternehmerregelung?",
    "Wer bekommt den Gründungszuschuss?",
    "Was können Sie?",
    "danke",
    "Wie wird das Wetter in Leipzig?",
    "gewerbe anmelden kosten",
    "Ich möchte persönlich beraten werden",
    "Borna",  # the contact form asked for the place
    "bist du ein bot?",
    "Wo bekomme ich in Jena Gründungsberatung?",
    "tschüss",
    "kleinunternehmer grenze",
]

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
READY_PATH = "/webhooks/rest/"
WEBHOOK_PATH = "/webhooks/rest/webhook"
POLL_INTERVAL_S = 0.25
RSS_SAMPLE_INTERVAL_S = 0.5
KILL_GRACE_S = 10.0
RESULTS_DIR = Path(__file__).resolve().parent / "results"

# Targets (information only; the exit code does not depend on them).
TARGET_P95_1_USER_MS = 50.0
TARGET_THROUGHPUT_10_USERS = 100.0
TARGET_P95_10_USERS_MS = 150.0
TARGET_READY_S = 20.0
TARGET_RSS_MB = 1000.0


# --------------------------------------------------------------------------
# /proc helpers (Linux only)
# --------------------------------------------------------------------------


@dataclass
class ProcInfo:
    """The fields of /proc/<pid>/stat this script needs."""

    pid: int
    state: str
    ppid: int
    pgrp: int
    session: int
    cpu_ticks: int  # utime + stime


def read_proc_table() -> dict[int, ProcInfo]:
    """Return ProcInfo for every readable process in /proc."""
    table: dict[int, ProcInfo] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                raw = fh.read().decode("utf-8", "replace")
        except OSError:
            continue
        # comm may contain spaces and parentheses: split at the last ')'.
        rest = raw[raw.rfind(")") + 2 :].split()
        try:
            table[int(entry)] = ProcInfo(
                pid=int(entry),
                state=rest[0],
                ppid=int(rest[1]),
                pgrp=int(rest[2]),
                session=int(rest[3]),
                cpu_ticks=int(rest[11]) + int(rest[12]),
            )
        except (IndexError, ValueError):
            continue
    return table


def process_tree(roots: Iterable[int], table: dict[int, ProcInfo], session: int | None = None) -> set[int]:
    """Return the live roots, all their descendants and (optionally) all members of ``session``."""
    children: dict[int, list[int]] = {}
    for info in table.values():
        children.setdefault(info.ppid, []).append(info.pid)
    found: set[int] = set()
    stack = [pid for pid in roots if pid in table]
    if session is not None:
        stack += [info.pid for info in table.values() if info.session == session]
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found.add(pid)
        stack.extend(children.get(pid, []))
    return {pid for pid in found if table[pid].state != "Z"}


def read_rss_kb(pid: int) -> int | None:
    """Return VmRSS of ``pid`` in kB, or None if unavailable."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None  # kernel threads / zombies have no VmRSS


def listening_socket_inodes(port: int) -> set[str]:
    """Return inodes of TCP sockets in LISTEN state on ``port`` (IPv4 and IPv6)."""
    inodes: set[str] = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name, encoding="ascii") as fh:
                next(fh, None)  # header
                for line in fh:
                    cols = line.split()
                    if len(cols) < 10:
                        continue
                    local, state, inode = cols[1], cols[3], cols[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port and inode != "0":
                        inodes.add(inode)
        except OSError:
            continue
    return inodes


def find_listening_pids(port: int) -> set[int]:
    """Return pids that hold a LISTEN socket on ``port`` (needs access to /proc/<pid>/fd)."""
    targets = {f"socket:[{inode}]" for inode in listening_socket_inodes(port)}
    pids: set[int] = set()
    if not targets:
        return pids
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fd_dir = f"/proc/{entry}/fd"
        try:
            for fd in os.listdir(fd_dir):
                try:
                    if os.readlink(f"{fd_dir}/{fd}") in targets:
                        pids.add(int(entry))
                        break
                except OSError:
                    continue
        except OSError:
            continue
    return pids


class ServerMonitor:
    """Samples RSS of the server process tree every 0.5 s in a background thread.

    A thread (not an asyncio task) keeps /proc scanning off the event loop
    that measures request latency.
    """

    def __init__(self, roots: set[int], session: int | None = None) -> None:
        self.roots = roots
        self.session = session
        self.peak_kb: int | None = None
        self.last_kb: int | None = None
        self.last_pids: list[int] = []
        self.samples = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def snapshot(self) -> tuple[int | None, int]:
        """Return (sum of RSS in kB or None, summed CPU ticks) for the current tree."""
        table = read_proc_table()
        pids = process_tree(self.roots, table, self.session)
        rss = [r for r in (read_rss_kb(pid) for pid in pids) if r is not None]
        self.last_pids = sorted(pids)
        ticks = sum(table[pid].cpu_ticks for pid in pids if pid in table)
        return (sum(rss) if rss else None), ticks

    def sample(self) -> int | None:
        """Take one RSS sample and update peak/last."""
        rss, _ = self.snapshot()
        self.samples += 1
        self.last_kb = rss
        if rss is not None and (self.peak_kb is None or rss > self.peak_kb):
            self.peak_kb = rss
        return rss

    def cpu_seconds(self) -> float:
        """Return CPU seconds (user + system) consumed so far by the live tree."""
        return self.snapshot()[1] / os.sysconf("SC_CLK_TCK")

    def start(self) -> None:
        """Start background sampling."""
        self._thread = threading.Thread(target=self._loop, name="rss-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop background sampling and take a final sample."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.sample()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(RSS_SAMPLE_INTERVAL_S)


# --------------------------------------------------------------------------
# Server lifecycle
# --------------------------------------------------------------------------


def port_in_use(host: str, port: int) -> bool:
    """Return True if something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def start_server(cmd: str, log_path: Path) -> subprocess.Popen[bytes]:
    """Start ``cmd`` via /bin/sh in a new session (own process group), output to ``log_path``."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "wb")  # noqa: SIM115 - stays open for the child's lifetime
    return subprocess.Popen(
        cmd, shell=True, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def group_alive(pgid: int) -> bool:
    """Return True while a non-zombie process of group ``pgid`` exists."""
    return any(info.pgrp == pgid and info.state != "Z" for info in read_proc_table().values())


def stop_server(proc: subprocess.Popen[bytes]) -> str:
    """Stop the whole process group: SIGTERM, SIGKILL after 10 s. Returns how it ended."""
    pgid = proc.pid  # start_new_session=True: the shell is session and group leader
    how = "already exited"
    try:
        os.killpg(pgid, signal.SIGTERM)
        how = "SIGTERM"
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + KILL_GRACE_S
    while time.monotonic() < deadline:
        proc.poll()
        if not group_alive(pgid):
            break
        time.sleep(0.1)
    else:
        try:
            os.killpg(pgid, signal.SIGKILL)
            how = "SIGKILL"
        except ProcessLookupError:
            pass
        kill_deadline = time.monotonic() + 5
        while group_alive(pgid) and time.monotonic() < kill_deadline:
            proc.poll()
            time.sleep(0.1)
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass
    if proc.stdout is not None:
        proc.stdout.close()
    return how


def tail(path: Path, lines: int = 20) -> str:
    """Return the last ``lines`` lines of a text file (empty if missing)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


async def wait_ready(
    session: aiohttp.ClientSession, base: str, deadline: float, proc: subprocess.Popen[bytes] | None
) -> bool:
    """Poll GET {base}/webhooks/rest/ every 0.25 s until it answers 200 or ``deadline`` passes."""
    timeout = aiohttp.ClientTimeout(total=2)
    while time.perf_counter() < deadline:
        if proc is not None and proc.poll() not in (None, 0):
            return False  # start command failed
        try:
            async with session.get(base + READY_PATH, timeout=timeout) as resp:
                await resp.read()
                if resp.status == 200:
                    return True
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            pass
        await asyncio.sleep(POLL_INTERVAL_S)
    return False


async def first_reply(
    session: aiohttp.ClientSession, base: str, sender: str, deadline: float
) -> tuple[float | None, int | None]:
    """Send "Hallo" until a 200 JSON list comes back. Returns (perf_counter at reply, latency ms)."""
    timeout = aiohttp.ClientTimeout(total=max(1.0, deadline - time.perf_counter()))
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        try:
            async with session.post(
                base + WEBHOOK_PATH, json={"sender": sender, "message": MESSAGES[0]}, timeout=timeout
            ) as resp:
                body = await resp.read()
                t1 = time.perf_counter()
                if resp.status == 200 and isinstance(json.loads(body), list):
                    return t1, round((t1 - t0) * 1000)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError):
            pass
        await asyncio.sleep(POLL_INTERVAL_S)
    return None, None


# --------------------------------------------------------------------------
# Load runs
# --------------------------------------------------------------------------


@dataclass
class RunState:
    """Shared bookkeeping of one load run."""

    window_start: float
    window_end: float
    max_messages: int
    conversation_length: int = 10
    warmup_sent: int = 0
    measured_sent: int = 0
    ok: int = 0
    empty: int = 0
    errors: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    last_done: float = 0.0


@dataclass
class RunResult:
    """Results of one concurrency level."""

    users: int
    messages: int
    ok: int
    errors: int
    empty: int
    duration_s: float
    throughput_msg_s: float
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    mean_ms: float | None
    error_kinds: dict[str, int]
    client_cpu_pct: float
    server_cpu_pct: float | None
    rss_after_mb: float | None


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None if empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


async def user_loop(
    session: aiohttp.ClientSession, endpoint: str, sender: str, offset: int, state: RunState
) -> None:
    """One closed-loop user: send, wait for the reply, send the next message.

    After ``state.conversation_length`` messages the user starts a new conversation
    (new sender id), as founders do: a conversation is a handful of turns, and Rasa's
    per-message cost grows with the conversation's length. 0 = one endless conversation.
    """
    index = offset
    conversation = 0
    base_sender = sender
    while True:
        if state.conversation_length and index - offset >= (conversation + 1) * state.conversation_length:
            conversation += 1
            sender = f"{base_sender}-c{conversation}"
        now = time.perf_counter()
        if now >= state.window_end:
            return
        measured = now >= state.window_start
        if measured:
            if state.measured_sent >= state.max_messages:
                return
            state.measured_sent += 1
        else:
            if state.warmup_sent >= state.max_messages:
                await asyncio.sleep(state.window_start - now)
                continue
            state.warmup_sent += 1
        message = MESSAGES[index % len(MESSAGES)]
        index += 1
        kind: str | None = None  # None = ok, "empty", or an error kind
        t0 = time.perf_counter()
        try:
            async with session.post(endpoint, json={"sender": sender, "message": message}) as resp:
                body = await resp.read()
                t1 = time.perf_counter()
                if resp.status != 200:
                    kind = f"http_{resp.status}"
                else:
                    try:
                        reply = json.loads(body)
                    except ValueError:
                        reply = None
                    if not isinstance(reply, list):
                        kind = "invalid_json"
                    elif not reply:
                        kind = "empty"
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            t1 = time.perf_counter()
            kind = type(exc).__name__
        if measured:
            state.last_done = max(state.last_done, t1)
            if kind is None or kind == "empty":
                state.latencies_ms.append((t1 - t0) * 1000.0)
                if kind is None:
                    state.ok += 1
                else:
                    state.empty += 1
            else:
                state.errors += 1
                state.error_kinds[kind] += 1
        if kind not in (None, "empty") and not kind.startswith("http_"):
            await asyncio.sleep(0.05)  # transport error: don't spin on a dead server


async def load_run(
    base: str, users: int, args: argparse.Namespace, run_id: str, monitor: ServerMonitor | None
) -> RunResult:
    """Run ``users`` concurrent closed-loop users for warm-up + duration seconds."""
    connector = aiohttp.TCPConnector(limit=users)
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        state = RunState(
            window_start=start + args.warmup,
            window_end=start + args.warmup + args.duration,
            max_messages=args.max_messages,
            conversation_length=args.conversation_length,
        )
        cpu_wall0 = state.window_start
        client_cpu0 = time.process_time()
        server_cpu0: float | None = None  # set by mark_window() when the window opens
        tasks = [
            user_loop(session, base + WEBHOOK_PATH, f"bench-{run_id}-u{users}-{u}", u, state)
            for u in range(users)
        ]
        # Reset CPU baselines when the measurement window opens.
        async def mark_window() -> None:
            nonlocal client_cpu0, server_cpu0
            await asyncio.sleep(max(0.0, state.window_start - time.perf_counter()))
            client_cpu0 = time.process_time()
            server_cpu0 = await asyncio.to_thread(monitor.cpu_seconds) if monitor else None

        await asyncio.gather(mark_window(), *tasks)
        end = time.perf_counter()
        client_cpu1 = time.process_time()
        server_cpu1 = await asyncio.to_thread(monitor.cpu_seconds) if monitor else None

    elapsed = (state.last_done - state.window_start) if state.last_done > 0 else args.duration
    elapsed = max(elapsed, 1e-9)
    cpu_wall = max(end - cpu_wall0, 1e-9)
    lat = sorted(state.latencies_ms)
    rss_now = monitor.last_kb if monitor else None

    def r(value: float | None) -> float | None:
        return None if value is None else round(value, 2)

    return RunResult(
        users=users,
        messages=state.measured_sent,
        ok=state.ok,
        errors=state.errors,
        empty=state.empty,
        duration_s=round(elapsed, 3),
        throughput_msg_s=round((state.ok + state.empty) / elapsed, 2),
        p50_ms=r(percentile(lat, 50)),
        p95_ms=r(percentile(lat, 95)),
        p99_ms=r(percentile(lat, 99)),
        max_ms=r(lat[-1] if lat else None),
        mean_ms=r(statistics.fmean(lat) if lat else None),
        error_kinds=dict(state.error_kinds),
        client_cpu_pct=round(100.0 * (client_cpu1 - client_cpu0) / cpu_wall, 1),
        server_cpu_pct=(
            round(100.0 * (server_cpu1 - server_cpu0) / cpu_wall, 1)
            if server_cpu0 is not None and server_cpu1 is not None
            else None
        ),
        rss_after_mb=None if rss_now is None else round(rss_now / 1024, 1),
    )


# --------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------


def fmt(value: Any, digits: int = 1) -> str:
    """Format numbers for the table; None becomes '-'."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render_table(headers: list[str], rows: list[list[str]]) -> str:
    """Right-aligned plain-text table."""
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "  ".join(h.rjust(w) for h, w in zip(headers, widths))
    out = [line, "-" * len(line)]
    out += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in rows]
    return "\n".join(out)


def evaluate_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Compare results with the targets; status is ok / missed / n/a."""
    runs = {run["users"]: run for run in report["runs"]}

    def check(name: str, value: float | None, target: float, upper: bool, unit: str) -> dict[str, Any]:
        if value is None:
            status = "n/a"
        else:
            status = "ok" if (value <= target if upper else value >= target) else "missed"
        return {"target": name, "limit": f"{'<=' if upper else '>='} {target:g} {unit}",
                "value": value, "unit": unit, "status": status}

    one, ten = runs.get(1), runs.get(10)
    rss = report["rss"]
    return [
        check("1 user p95 latency", one and one["p95_ms"], TARGET_P95_1_USER_MS, True, "ms"),
        check("10 users throughput", ten and ten["throughput_msg_s"], TARGET_THROUGHPUT_10_USERS, False, "msg/s"),
        check("10 users p95 latency", ten and ten["p95_ms"], TARGET_P95_10_USERS_MS, True, "ms"),
        check("time to ready", report["ready_time_s"], TARGET_READY_S, True, "s"),
        check("server RSS (peak)", rss["peak_mb"], TARGET_RSS_MB, True, "MB"),
    ]


def print_report(report: dict[str, Any]) -> None:
    """Print the human-readable summary."""
    host = report["host"]
    print()
    print(f"Benchmark {report['timestamp']}  url={report['args']['url']}  "
          f"nproc={host['nproc']}  python={host['python']}")
    started = report["args"]["start_cmd"] is not None
    if report["training_time_s"] is not None:
        print(f"training time:  {report['training_time_s']:.2f} s")
    if started:
        print(f"time to ready:  {fmt(report['ready_time_s'], 2)} s after start")
        print(f"first reply:    {fmt(report['first_reply_s'], 2)} s after start"
              f"  (its latency {fmt(report['first_reply_latency_ms'])} ms)")
    else:
        print(f"time to ready:  n/a (no --start-cmd); warm-up reply latency "
              f"{fmt(report['first_reply_latency_ms'])} ms")
    rss = report["rss"]
    print(f"server RSS:     idle {fmt(rss['idle_mb'])} MB, peak {fmt(rss['peak_mb'])} MB, "
          f"final {fmt(rss['final_mb'])} MB  (pids {rss['pids'] or '-'}, source {rss['source']})")
    print()
    headers = ["users", "msgs", "errors", "empty", "dur s", "msg/s", "p50 ms", "p95 ms",
               "p99 ms", "max ms", "mean ms", "srv cpu%", "cli cpu%"]
    rows = [
        [str(run["users"]), str(run["messages"]), str(run["errors"]), str(run["empty"]),
         fmt(run["duration_s"], 2), fmt(run["throughput_msg_s"]), fmt(run["p50_ms"]),
         fmt(run["p95_ms"]), fmt(run["p99_ms"]), fmt(run["max_ms"]), fmt(run["mean_ms"]),
         fmt(run["server_cpu_pct"]), fmt(run["client_cpu_pct"])]
        for run in report["runs"]
    ]
    print(render_table(headers, rows))
    for run in report["runs"]:
        if run["error_kinds"]:
            print(f"  errors with {run['users']} users: {run['error_kinds']}")
    print()
    print("Targets (information only):")
    trows = [[t["target"], t["limit"], fmt(t["value"]), t["status"]] for t in report["targets"]]
    print(render_table(["target", "limit", "value", "status"], trows))
    print()


def host_info() -> dict[str, Any]:
    """Basic facts about the machine the numbers come from."""
    cpu_model = None
    mem_total_mb = None
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem_total_mb = round(int(line.split()[1]) / 1024)
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "nproc": usable,
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model,
        "mem_total_mb": mem_total_mb,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "aiohttp": aiohttp.__version__,
    }


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------


def parse_users(text: str) -> list[int]:
    """Parse "1,10" into [1, 10]."""
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"invalid --users {text!r}") from exc
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("--users needs positive integers, e.g. 1,10")
    return values


def build_parser() -> argparse.ArgumentParser:
    """CLI definition."""
    p = argparse.ArgumentParser(
        description="Benchmark a Rasa server via its REST channel (loopback only).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--url", default="http://127.0.0.1:5005", help="Rasa server base URL (loopback only)")
    p.add_argument("--start-cmd", help="shell command that starts the server(s); measures time to ready")
    p.add_argument("--train-cmd", help="shell command run once before everything; its wall time is reported")
    p.add_argument("--pid", type=int, help="server pid for RSS; if unset: the started process group, else the port's listener")
    p.add_argument("--users", type=parse_users, default="1,10",
                   help="comma-separated concurrency levels")
    p.add_argument("--duration", type=float, default=20.0, help="measured seconds per run")
    p.add_argument("--warmup", type=float, default=2.0, help="uncounted warm-up seconds per run")
    p.add_argument("--max-messages", type=int, default=5000, help="hard cap of measured messages per run")
    p.add_argument("--conversation-length", type=int, default=10,
                   help="messages per conversation before a user starts a new one (0 = never)")
    p.add_argument("--ready-timeout", type=float, default=180.0, help="seconds to wait for the server")
    p.add_argument("--request-timeout", type=float, default=30.0, help="per-request timeout in seconds")
    p.add_argument("--json", type=Path, help="JSON output path; if unset: bench/results/benchmark-<UTC timestamp>.json")
    return p


def validate_url(url: str) -> tuple[str, str, int]:
    """Return (base URL, host, port) or exit 2 for non-loopback / malformed URLs."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or host not in LOOPBACK_HOSTS:
        print(f"error: --url must be http(s) on 127.0.0.1, localhost or ::1, got {url!r}", file=sys.stderr)
        sys.exit(2)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        print(f"error: invalid port in --url {url!r}", file=sys.stderr)
        sys.exit(2)
    return url.rstrip("/"), host, port


async def run_benchmark(args: argparse.Namespace, report: dict[str, Any], log_stem: Path) -> int:
    """Train, start, wait, load-test, stop. Fills ``report``; returns the exit code."""
    base, host, port = validate_url(args.url)
    run_id = uuid.uuid4().hex[:8]
    report["run_id"] = run_id

    if args.train_cmd:
        train_log = log_stem.with_suffix(".train.log")
        print(f"training: {args.train_cmd}  (log: {train_log})", flush=True)
        t0 = time.perf_counter()
        with open(train_log, "wb") as log:
            rc = subprocess.call(args.train_cmd, shell=True, stdout=log, stderr=subprocess.STDOUT)
        report["training_time_s"] = round(time.perf_counter() - t0, 2)
        report["training_returncode"] = rc
        if rc != 0:
            print(f"error: training failed with exit code {rc}\n{tail(train_log)}", file=sys.stderr)
            return 1

    proc: subprocess.Popen[bytes] | None = None
    monitor: ServerMonitor | None = None
    try:
        async with aiohttp.ClientSession() as session:
            if args.start_cmd:
                probe_host = "127.0.0.1" if host == "localhost" else host
                if port_in_use(probe_host, port):
                    print(f"error: port {port} is already in use; stop that server or drop --start-cmd",
                          file=sys.stderr)
                    return 1
                server_log = log_stem.with_suffix(".server.log")
                report["server_log"] = str(server_log)
                print(f"starting: {args.start_cmd}  (log: {server_log})", flush=True)
                t_start = time.perf_counter()
                proc = start_server(args.start_cmd, server_log)
                ready = await wait_ready(session, base, t_start + args.ready_timeout, proc)
                if not ready:
                    if proc.poll() not in (None, 0):
                        why = f"start command exited with code {proc.returncode}"
                    else:
                        why = f"server not ready after {args.ready_timeout:g} s"
                    print(f"error: {why}\n{tail(server_log)}", file=sys.stderr)
                    return 1
                report["ready_time_s"] = round(time.perf_counter() - t_start, 3)
                print(f"ready after {report['ready_time_s']:.2f} s", flush=True)
                t_reply, latency = await first_reply(
                    session, base, f"bench-{run_id}-first", t_start + args.ready_timeout
                )
                report["first_reply_s"] = None if t_reply is None else round(t_reply - t_start, 3)
                report["first_reply_latency_ms"] = latency
            else:
                if not await wait_ready(session, base, time.perf_counter() + 5.0, None):
                    print(f"error: no server answering at {base}{READY_PATH}", file=sys.stderr)
                    return 1
                _, latency = await first_reply(session, base, f"bench-{run_id}-first", time.perf_counter() + 30)
                report["first_reply_latency_ms"] = latency

        # Which processes count as "the server" for RSS/CPU.
        if args.pid:
            monitor, source = ServerMonitor({args.pid}), "--pid"
        elif proc is not None:
            monitor, source = ServerMonitor({proc.pid}, session=proc.pid), "--start-cmd"
        else:
            owners = find_listening_pids(port)
            monitor, source = (ServerMonitor(owners), f"listener on port {port}") if owners else (None, None)
        report["rss"]["source"] = source
        if monitor is not None:
            report["rss"]["idle_mb"] = _mb(monitor.sample())
            monitor.start()

        for users in args.users:
            print(f"run: {users} user(s), {args.warmup:g} s warm-up + {args.duration:g} s ...", flush=True)
            result = await load_run(base, users, args, run_id, monitor)
            report["runs"].append(asdict(result))
            print(f"  {result.messages} msgs, {result.throughput_msg_s} msg/s, p95 {fmt(result.p95_ms)} ms, "
                  f"{result.errors} errors", flush=True)

    finally:
        if monitor is not None:
            monitor.stop()  # final sample is taken while the server still runs
            report["rss"]["peak_mb"] = _mb(monitor.peak_kb)
            report["rss"]["final_mb"] = _mb(monitor.last_kb)
            report["rss"]["pids"] = monitor.last_pids
            report["rss"]["samples"] = monitor.samples
        if proc is not None:
            report["server_stop"] = stop_server(proc)

    total = sum(run["messages"] for run in report["runs"])
    failed = sum(run["errors"] for run in report["runs"])
    if total == 0 or failed == total:
        print("error: every request failed", file=sys.stderr)
        return 1
    return 0


def _mb(kb: int | None) -> float | None:
    return None if kb is None else round(kb / 1024, 1)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    validate_url(args.url)
    if args.duration <= 0 or args.warmup < 0 or args.max_messages < 1:
        print("error: --duration > 0, --warmup >= 0 and --max-messages >= 1 required", file=sys.stderr)
        return 2

    now = datetime.now(timezone.utc)
    json_path: Path = args.json or RESULTS_DIR / f"benchmark-{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    log_stem = json_path.with_suffix("")

    report: dict[str, Any] = {
        "timestamp": now.isoformat(timespec="seconds"),
        "host": host_info(),
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "percentile_method": "nearest-rank over latencies of HTTP 200 replies (ok + empty)",
        "training_time_s": None,
        "ready_time_s": None,
        "first_reply_s": None,
        "first_reply_latency_ms": None,
        "rss": {"source": None, "pids": [], "idle_mb": None, "peak_mb": None, "final_mb": None},
        "runs": [],
    }

    # Turn SIGTERM into SystemExit so the finally block still stops the server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        code = asyncio.run(run_benchmark(args, report, log_stem))
    except KeyboardInterrupt:
        code = 130
    except SystemExit as exc:  # SIGTERM
        code = exc.code if isinstance(exc.code, int) else 1
    report["targets"] = evaluate_targets(report)
    report["exit_code"] = code
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if report["runs"]:
        print_report(report)
    print(f"JSON written to {json_path}")
    return code


if __name__ == "__main__":
    sys.exit(main())
