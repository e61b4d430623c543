"""The local stack in one command (`make dev`): no credentials, no network.

* the Firestore emulator when gcloud has it, else an in-memory store;
* every function of main.py on one port (functions-framework), tasks dispatched to
  them over HTTP with Cloud Tasks' retry behaviour;
* the chat simulator at http://127.0.0.1:8080: it plays LINE and Telegram (signed
  webhooks in, the Messaging API / Bot API out), shows the e-mail outbox and moves
  the clock;
* a cron that calls reminder_tick every minute with Cloud Scheduler's headers.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import threading
from datetime import UTC, datetime
from typing import Any

import httpx

from infra.local.emulators import Emulator, firestore_available, start_firestore
from infra.local.functions_host import FunctionsHost, create_functions_app
from infra.local.platforms import PlatformServer, PlatformState
from infra.local.smtp_sink import SmtpSink

log = logging.getLogger("medbot.dev")


def _environment(args: argparse.Namespace, state: PlatformState, sink: SmtpSink,
                 firestore: Emulator | None, token: str) -> dict[str, str]:
    functions = f"http://127.0.0.1:{args.functions_port}"
    simulator = f"http://127.0.0.1:{args.port}"
    env = {
        "WORKER_AUTH": "dev-token", "DEV_AUTH_TOKEN": token, "WORKER_BASE_URL": functions,
        "TASKS_BACKEND": "http", "BLOB_BACKEND": "local", "PUBLIC_BASE_URL": functions,
        "LINE_CHANNEL_SECRET": state.line_channel_secret,
        "LINE_CHANNEL_ACCESS_TOKEN": state.line_access_token,
        "LINE_API_BASE_URL": simulator, "LINE_DATA_API_BASE_URL": simulator,
        "TELEGRAM_BOT_TOKEN": state.telegram_token,
        "TELEGRAM_WEBHOOK_SECRET": state.telegram_secret,
        "TELEGRAM_API_BASE_URL": f"{simulator}/bot",
        "TELEGRAM_FILE_BASE_URL": f"{simulator}/file/bot",
        "SMTP_HOST": sink.host, "SMTP_PORT": str(sink.port), "SMTP_SECURITY": "none",
        "STORE_BACKEND": "memory",
    }
    if firestore is not None:
        env.update(STORE_BACKEND="firestore", FIRESTORE_EMULATOR_HOST=firestore.host,
                   GCP_PROJECT="medbot-local")
    return env


def _cron(functions_url: str, token: str, now: Any, stop: threading.Event,
          poke: threading.Event) -> None:
    """Cloud Scheduler's stand-in: every minute (and whenever the clock is moved)."""
    with httpx.Client(timeout=60) as client:
        while not stop.is_set():
            firing: datetime = now()
            try:
                client.post(f"{functions_url}/reminder_tick", headers={
                    "Authorization": f"Bearer {token}",
                    "X-CloudScheduler": "true",
                    "X-CloudScheduler-JobName": "medbot-reminder-tick",
                    "X-CloudScheduler-ScheduleTime": firing.astimezone(UTC).isoformat(),
                })
            except httpx.HTTPError as error:
                log.warning("reminder tick failed: %s", type(error).__name__)
            poke.wait(timeout=60)
            poke.clear()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description="MedBot local stack")
    parser.add_argument("--port", type=int, default=8080, help="simulator")
    parser.add_argument("--functions-port", type=int, default=8081)
    parser.add_argument("--memory", action="store_true", help="no Firestore emulator")
    args = parser.parse_args()
    # `kill` (SIGTERM) stops the stack as cleanly as Ctrl-C, emulators included.
    signal.signal(signal.SIGTERM, _interrupt)

    firestore = None
    if not args.memory and firestore_available():
        print("starting the Firestore emulator…", flush=True)
        firestore = start_firestore()
    token = secrets.token_urlsafe(24)
    sink = SmtpSink()
    sink.start()
    state = PlatformState(
        line_webhook_url=f"http://127.0.0.1:{args.functions_port}/line_webhook",
        telegram_webhook_url=f"http://127.0.0.1:{args.functions_port}/telegram_webhook",
    )
    os.environ.update(_environment(args, state, sink, firestore, token))

    from shared.bootstrap import container

    c = container()
    clock: Any = c.clock
    stop, poke = threading.Event(), threading.Event()

    def advance(seconds: float) -> None:
        clock.advance(seconds)
        getattr(c.tasks, "clock_moved", lambda: None)()
        poke.set()  # let the cron tick at the new time at once

    blobs: Any = c.blobs
    functions = FunctionsHost(args.functions_port,
                              create_functions_app(blobs, token.encode())).start()
    simulator = PlatformServer(state, port=args.port, outbox=sink.messages,
                               clock_now=clock.now, clock_advance=advance).start()
    threading.Thread(target=_cron, args=(functions.url, token, clock.now, stop, poke),
                     daemon=True, name="cron").start()
    store = "Firestore emulator " + firestore.host if firestore else "in-memory store"
    llm = "Gemini" if os.environ.get("GEMINI_API_KEY") else "offline engine (no GEMINI_API_KEY)"
    print(f"\nMedBot local stack\n  simulator:  {simulator.url}/\n  functions:  {functions.url}"
          f"\n  state:      {store}\n  model:      {llm}\n  SMTP sink:  {sink.host}:{sink.port}"
          "\nCtrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        poke.set()
        simulator.stop()
        functions.stop()
        sink.stop()
        if firestore is not None:
            firestore.stop()


if __name__ == "__main__":
    main()
