"""Fixture `gemini_server`: the local Gemini-protocol server (infra/local/gemini_server.py).

One server per session (starting it is cheap, but one port keeps logs readable); it is
reset before each test so scripts, faults and recorded requests never leak across tests.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.gemini_server import GeminiServer


@pytest.fixture(scope="session")
def _gemini_server_session() -> Iterator[GeminiServer]:
    server = GeminiServer().start()
    yield server
    server.stop()


@pytest.fixture
def gemini_server(_gemini_server_session: GeminiServer) -> GeminiServer:
    _gemini_server_session.reset()
    _gemini_server_session.timeout_delay_s = 2.0
    return _gemini_server_session
