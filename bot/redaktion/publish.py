"""Publishing in the background: check → train → conversation tests (``bot train``) → reload.

One job at a time (thread lock in the console, file lock across processes). ``bot train --kandidat``
keeps the tested model aside; only then is it moved into models/ and loaded into the running bot
(``bot reload``'s code). Any failure leaves the old model in place and active.
"""

from __future__ import annotations

import fcntl
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.redaktion.settings import ConsoleSettings
from bot.redaktion.store import Store, User
from bot.redaktion.tryit import TryServer
from bot.staff.guarded_train import MODEL_LINE, promote
from bot.staff.reload import ReloadError, reload_model
from bot.train import MODELS_DIR

STEPS = (("pruefen", "Daten prüfen"), ("trainieren", "Modell trainieren"),
         ("testen", "Gesprächstests"), ("laden", "In den Bot laden"))
TRY_STEP = ("ausprobieren", "Testserver starten")
STEP_MARKERS = {"1/3": "pruefen", "2/3": "trainieren", "3/3": "testen"}
FINDING = re.compile(r"^\s+(data/\S+?):(\d+): (Fehler|Warnung): (.*)$")


class PublishBusy(RuntimeError):
    """Another publish job is running (German message)."""


@dataclass
class Job:
    mode: str  # "veroeffentlichen" | "ausprobieren"
    user: str
    started: float
    state: str = "laeuft"  # laeuft | bereit (candidate on the test server) | fertig | fehler | verworfen
    step: str = "pruefen"
    done: List[str] = field(default_factory=list)
    message: str = ""
    log: List[str] = field(default_factory=list)
    model: Optional[str] = None
    findings: List[Dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> Dict[str, Any]:
        steps = list(STEPS if self.mode == "veroeffentlichen" else STEPS[:3] + (TRY_STEP,) + STEPS[3:])
        return {
            "mode": self.mode, "user": self.user, "state": self.state, "step": self.step,
            "started": time.strftime("%d.%m.%Y %H:%M", time.localtime(self.started)),
            "steps": [{"key": k, "label": label,
                       "status": ("fertig" if k in self.done else
                                  ("fehler" if self.state == "fehler" and k == self.step else
                                   ("laeuft" if self.state == "laeuft" and k == self.step else "offen")))}
                      for k, label in steps],
            "message": self.message, "log": self.log[-40:], "model": Path(self.model).name if self.model else "",
            "findings": self.findings[:50],
        }


class Publisher:
    def __init__(self, settings: ConsoleSettings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.try_server = TryServer(settings.bot, settings.try_timeout_minutes)
        self.job: Optional[Job] = None
        self._lock = threading.Lock()
        self._file_lock: Optional[Any] = None

    @property
    def candidate_dir(self) -> Path:
        return self.settings.bot.state_dir / "redaktion-kandidat"

    def busy(self) -> bool:
        return self.job is not None and self.job.state == "laeuft"

    def _acquire(self, user: User, mode: str) -> Job:
        with self._lock:
            if self.busy():
                assert self.job
                raise PublishBusy(f"Es läuft schon eine Veröffentlichung (gestartet von {self.job.user} "
                                  f"um {self.job.as_dict()['started']}). Bitte warten, bis sie fertig ist.")
            if self.job is not None and self.job.state == "bereit":
                raise PublishBusy(f"{self.job.user} probiert gerade ein neues Modell aus – erst „Jetzt "
                                  "veröffentlichen“ oder „Verwerfen“, dann neu starten.")
            self.settings.bot.state_dir.mkdir(parents=True, exist_ok=True)
            handle = open(self.settings.bot.state_dir / "redaktion-publish.lock", "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                raise PublishBusy("Eine andere Redaktionskonsole veröffentlicht gerade. Bitte später erneut.") from None
            self._file_lock = handle
            self.job = Job(mode=mode, user=user.display_name, started=time.time())
            return self.job

    def _release_lock(self) -> None:
        if self._file_lock is not None:
            fcntl.flock(self._file_lock, fcntl.LOCK_UN)
            self._file_lock.close()
            self._file_lock = None

    def start(self, user: User, mode: str) -> Job:
        if mode not in ("veroeffentlichen", "ausprobieren"):
            raise ValueError(mode)
        job = self._acquire(user, mode)
        self.try_server.stop()
        self.store.log(user.username, "veroeffentlichen-start", "", f"Modus: {mode}")
        threading.Thread(target=self._run, args=(job, user), name="veroeffentlichen", daemon=True).start()
        return job

    def _train(self, job: Job) -> bool:
        command = [sys.executable, "-m", "bot.staff.guarded_train", "--kandidat", str(self.candidate_dir)]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "RASA_TELEMETRY_ENABLED": "false"}
        process = subprocess.Popen(command, cwd=self.settings.root, env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, start_new_session=True)
        assert process.stdout
        for raw in process.stdout:
            line = raw.rstrip("\n")
            marker = line[:3]
            if marker in STEP_MARKERS:
                step = STEP_MARKERS[marker]
                if job.step != step:
                    job.done.append(job.step)
                job.step = step
            if line.startswith(MODEL_LINE):
                job.model = line[len(MODEL_LINE):].strip()
                continue
            finding = FINDING.match(line)
            if finding:
                job.findings.append(dict(zip(("file", "line", "level", "message"), finding.groups())))
            if line.strip():
                job.log = (job.log + [line])[-200:]
        code = process.wait()
        if code != 0 or not job.model:
            job.state = "fehler"
            job.message = ("Nicht veröffentlicht – das bisherige Modell bleibt aktiv. "
                           + ("Bitte die Fehler unten beheben." if job.findings else "Details im Protokoll unten."))
            return False
        job.done.append(job.step)
        job.done = list(dict.fromkeys(job.done + ["pruefen", "trainieren", "testen"]))
        return True

    def _load(self, job: Job) -> None:
        job.step = "laden"
        model = Path(job.model or "")
        target = model if model.parent.resolve() == MODELS_DIR.resolve() else promote(model)
        job.model = str(target)
        loaded = reload_model(self.settings.bot, target)
        job.done.append("laden")
        job.state = "fertig"
        job.message = f"Veröffentlicht: Der Bot antwortet jetzt mit dem neuen Modell ({loaded or target.name})."

    def _run(self, job: Job, user: User) -> None:
        try:
            if not self._train(job):
                return
            if job.mode == "ausprobieren":
                job.step = "ausprobieren"
                self.try_server.start(Path(job.model or ""))
                job.done.append("ausprobieren")
                job.step = "laden"
                job.state = "bereit"
                job.message = "Das neue Modell läuft auf dem Testserver – unten ausprobieren, dann veröffentlichen oder verwerfen."
                return
            self._load(job)
        except ReloadError as error:
            job.state = "fehler"
            job.message = f"Das neue Modell liegt bereit, wurde aber nicht geladen: {error}"
        except Exception as error:  # noqa: BLE001 – shown to staff; the old model stays
            job.state = "fehler"
            job.message = f"Unerwarteter Fehler ({type(error).__name__}: {error}). Das bisherige Modell bleibt aktiv."
        finally:
            if job.state != "bereit":
                self._finish(job, user)

    def _finish(self, job: Job, user: User) -> None:
        self.store.log(user.username, "veroeffentlichen-ende", job.model and Path(job.model).name or "",
                       f"{job.state}: {job.message}")
        self._release_lock()

    def release(self, user: User) -> Job:
        """Publish the candidate that is on the test server."""
        with self._lock:
            job = self.job
            if job is None or job.state != "bereit":
                raise PublishBusy("Es gibt kein ausprobiertes Modell zum Veröffentlichen.")
            job.state = "laeuft"

        def work() -> None:
            try:
                self.try_server.stop()
                self._load(job)
            except ReloadError as error:
                job.state, job.message = "fehler", f"Das neue Modell liegt bereit, wurde aber nicht geladen: {error}"
            except Exception as error:  # noqa: BLE001
                job.state, job.message = "fehler", f"Unerwarteter Fehler ({error}). Das bisherige Modell bleibt aktiv."
            finally:
                self._finish(job, user)

        threading.Thread(target=work, name="veroeffentlichen", daemon=True).start()
        return job

    def discard(self, user: User) -> None:
        with self._lock:
            job = self.job
            if job is None or job.state != "bereit":
                raise PublishBusy("Es gibt kein ausprobiertes Modell zum Verwerfen.")
            self.try_server.stop()
            for old in self.candidate_dir.glob("gl-*"):
                old.unlink()
            job.state, job.message = "verworfen", "Verworfen – der Bot antwortet weiter mit dem bisherigen Modell."
        self._finish(job, user)

    def stop(self) -> None:
        self.try_server.stop()
