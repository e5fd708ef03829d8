"""Soak test of the production profile (measurement script, not a test).

Starts the production profile (``bot.cluster``: N Rasa replicas + N action servers behind
HAProxy, PostgreSQL + Redis), sends a steady ``--rate`` messages per second through the
balancer for ``--duration`` seconds (open loop: a message is due every 1/rate s and goes to
a user whose previous message has been answered; 10-message conversations), and reports
errors, the bot's technical-problem replies, latency percentiles and memory: RSS summed
over every process of the profile, first sample after ``--warmup`` against the last.

    .venv/bin/python bench/soak.py                # 10 min at 20 msg/s, 2 replicas
    .venv/bin/python bench/soak.py --duration 60  # short try

Exit code 0 when the run completed (the numbers are information), 1 if it could not start.
Uses the machine's PostgreSQL (a fresh database, dropped afterwards) and Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, List

import aiohttp
import psycopg2

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchmark import MESSAGES, percentile, process_tree, read_proc_table, read_rss_kb  # noqa: E402
from bot import messages  # noqa: E402
from bot.cluster.launcher import Cluster  # noqa: E402
from bot.cluster.layout import Layout  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.train import model_path  # noqa: E402
from tests.conftest import free_port  # noqa: E402

RESULTS_DIR = Path(__file__).resolve().parent / "results"


class RssSampler(threading.Thread):
    """Sum of VmRSS over all processes of the cluster, every ``interval`` seconds."""

    def __init__(self, cluster: Cluster, interval: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.cluster = cluster
        self.interval = interval
        self.samples: List[tuple] = []
        self.stop_event = threading.Event()

    def sample(self) -> int:
        roots = [p.pid for stack in self.cluster.all_stacks for p in stack.processes.values()]
        table = read_proc_table()
        return sum(read_rss_kb(pid) or 0 for pid in process_tree(roots, table))

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.samples.append((time.monotonic(), self.sample()))
            self.stop_event.wait(self.interval)


async def load(url: str, rate: float, duration: float, users: int) -> Dict:
    stats: Dict = {"sent": 0, "ok": 0, "technical": 0, "errors": Counter(), "latencies": [],
                   "skipped": 0}
    run_id = uuid.uuid4().hex[:6]
    free = list(range(users))
    turn = [0] * users

    async def one(session: aiohttp.ClientSession, user: int) -> None:
        n = turn[user]
        sender = f"soak-{run_id}-{user}-c{n // 10}"
        text = MESSAGES[(user + n) % len(MESSAGES)]
        started = time.perf_counter()
        try:
            async with session.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                    timeout=aiohttp.ClientTimeout(total=60)) as reply:
                body = await reply.json(content_type=None) if reply.status == 200 else None
                if reply.status != 200 or not isinstance(body, list):
                    stats["errors"][f"http_{reply.status}"] += 1
                elif any(m.get("text") == messages.TECHNICAL_PROBLEM for m in body):
                    stats["technical"] += 1
                else:
                    stats["ok"] += 1
                    stats["latencies"].append((time.perf_counter() - started) * 1000)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            stats["errors"][type(error).__name__] += 1
        turn[user] += 1
        free.append(user)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=users)) as session:
        start = time.perf_counter()
        pending = set()
        k = 0
        while True:
            due = start + k / rate
            if due - start >= duration:
                break
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            k += 1
            if not free:
                stats["skipped"] += 1  # every user still waits for an answer: overload
                continue
            stats["sent"] += 1
            task = asyncio.ensure_future(one(session, free.pop(0)))
            pending.add(task)
            task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
        stats["elapsed_s"] = time.perf_counter() - start
    return stats


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--users", type=int, default=40, help="simulated users (conversations at once)")
    parser.add_argument("--warmup", type=float, default=60, help="seconds before the first RSS sample counts")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    name = f"gl_soak_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect("postgresql://postgres@127.0.0.1:5432/test")
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    state = Path(tempfile.mkdtemp(prefix="gl-soak-"))
    settings = dataclasses.replace(
        load_settings(), state_dir=state, rasa_port=free_port(), action_port=free_port(),
        widget_port=free_port(), database_url=f"postgresql://postgres@127.0.0.1:5432/{name}",
        callback_db=state / "rueckrufe.db")
    layout = Layout(host="127.0.0.1", port=settings.rasa_port, action_port=settings.action_port,
                    rasa_ports=tuple(free_port() for _ in range(args.replicas)),
                    action_ports=tuple(free_port() for _ in range(args.replicas)), state_dir=state)
    cluster = Cluster(settings, layout, model_path())
    try:
        print(f"starting {args.replicas} replicas (state {state}) …", flush=True)
        cluster.start()
        sampler = RssSampler(cluster)
        sampler.start()
        print(f"load: {args.rate:g} msg/s for {args.duration:g} s through {layout.url}", flush=True)
        stats = asyncio.run(load(layout.url, args.rate, args.duration, args.users))
        sampler.stop_event.set()
        sampler.join()
        final_rss = sampler.sample()
    finally:
        cluster.stop()
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()

    first = next((kb for t, kb in sampler.samples if t - sampler.samples[0][0] >= args.warmup),
                 sampler.samples[0][1])
    lat = sorted(stats["latencies"])
    report = {
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "args": {k: str(v) for k, v in vars(args).items()},
        "sent": stats["sent"], "ok": stats["ok"], "technical_problem": stats["technical"],
        "errors": dict(stats["errors"]), "skipped_overload": stats["skipped"],
        "achieved_msg_s": round(stats["ok"] / stats["elapsed_s"], 2),
        "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99),
        "rss_mb_after_warmup": round(first / 1024, 1), "rss_mb_end": round(final_rss / 1024, 1),
        "rss_growth_pct": round(100.0 * (final_rss - first) / first, 2),
        "rss_mb_samples": [round(kb / 1024) for _, kb in sampler.samples[:: max(1, len(sampler.samples) // 20)]],
    }
    path = args.json or RESULTS_DIR / f"soak-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({k: v for k, v in report.items() if k != "rss_mb_samples"}, indent=2))
    print(f"JSON: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
