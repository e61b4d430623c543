"""Test-wide fixtures. Each module in tests/servers/ is a pytest plugin that starts and
stops one local server (emulator, fake platform, SMTP sink, Gemini-protocol server)."""

from __future__ import annotations

from pathlib import Path

pytest_plugins = sorted(
    f"tests.servers.{p.stem}"
    for p in (Path(__file__).parent / "servers").glob("*.py")
    if not p.stem.startswith("_")
)
