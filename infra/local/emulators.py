"""Start and stop the local emulators (Firestore, Cloud Tasks) as child processes.

Used by the local stack (make dev) and the benchmarks; the test fixtures in
tests/servers/ start the same programs with pytest's lifecycle.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TASKS_EMULATOR = ROOT / ".venv-tasks" / "bin" / "gcloud-tasks-emulator"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(check: object, timeout: float, what: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if callable(check) and check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start within {timeout} s")


@dataclass
class Emulator:
    name: str
    host: str  # 127.0.0.1:PORT
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        # gcloud forks java: stop the whole process group.
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        except ProcessLookupError:
            pass


def firestore_available() -> bool:
    return shutil.which("gcloud") is not None and shutil.which("java") is not None


def start_firestore(port: int = 0) -> Emulator:
    port = port or free_port()
    process = subprocess.Popen(
        ["gcloud", "emulators", "firestore", "start", f"--host-port=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )

    def answers() -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
            return bool(r.status == 200)

    _wait(answers, 90, "Firestore emulator", process)
    return Emulator("firestore", f"127.0.0.1:{port}", process)


def start_tasks(port: int = 0, max_retries: int = 20) -> Emulator:
    port = port or free_port()
    process = subprocess.Popen(
        [str(TASKS_EMULATOR), "start", "--port", str(port), "--quiet",
         "--max-retries", str(max_retries)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )

    def listening() -> bool:
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    _wait(listening, 30, "gcloud-tasks-emulator", process)
    return Emulator("tasks", f"127.0.0.1:{port}", process)
