"""Fixture `ivoice_server`: the local NYCU iVoice-contract server
(infra/local/ivoice_server.py), one per session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.ivoice_server import IVoiceServer


@pytest.fixture(scope="session")
def _ivoice_server_session() -> Iterator[IVoiceServer]:
    server = IVoiceServer().start()
    yield server
    server.stop()


@pytest.fixture
def ivoice_server(_ivoice_server_session: IVoiceServer) -> IVoiceServer:
    _ivoice_server_session.reset()
    return _ivoice_server_session
