"""The official Firestore emulator (gcloud, Java), started once per session.

Fixture `firestore_emulator` yields 'host:port' with FIRESTORE_EMULATOR_HOST set for the
session. Tests get isolation by using a fresh project id (`firestore_project`); the
emulator keeps projects apart, so nothing has to be reset between tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from tests.servers._util import free_port, wait_until


def _answers(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
        return bool(r.status == 200)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """gcloud forks a shell and then java: stop the whole process group we created."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def firestore_emulator() -> Iterator[str]:
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        pytest.fail("gcloud is not on PATH: the Firestore emulator cannot start")
    port = free_port()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [gcloud, "emulators", "firestore", "start", f"--host-port=127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group, so stop_group reaches java
        )
        try:
            try:
                # Stop waiting early if the process died (a missing Java, a bad flag).
                wait_until(
                    lambda: process.poll() is not None or _answers(port),
                    timeout=90,
                    what="Firestore emulator",
                )
                failed = process.poll() is not None
            except RuntimeError:
                failed = True
            if failed:
                log.seek(0)
                pytest.fail(f"Firestore emulator failed:\n{log.read().decode(errors='replace')}")
            with pytest.MonkeyPatch.context() as mp:
                mp.setenv("FIRESTORE_EMULATOR_HOST", f"127.0.0.1:{port}")
                yield f"127.0.0.1:{port}"
        finally:
            stop_group(process)


@pytest.fixture
def firestore_project(firestore_emulator: str) -> str:
    """A project id no other test uses: an empty database."""
    return f"test-{uuid.uuid4().hex[:12]}"
