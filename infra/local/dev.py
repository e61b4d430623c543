"""The local stack in one command (`make dev`): no credentials, no network.

* the Firestore emulator when gcloud has it, else an in-memory store;
* every function of main.py on one port (functions-framework), tasks dispatched to
  them over HTTP with Cloud Tasks' retry behaviour. The production path throughout:
  the dispatcher and the cron attach ID tokens of the invoker account signed by a
  local key (playing Google), the host checks them and strips the signature (playing
  Cloud Run), and the workers run with WORKER_AUTH=oidc;
* the chat simulator at http://127.0.0.1:8080: it plays LINE and Telegram (signed
  webhooks in, the Messaging API / Bot API out), shows the e-mail outbox and moves
  the clock; the native menus (LINE rich menus, Telegram's command menu) are installed
  on it at start, as the ops commands install them on the platforms;
* a cron that calls reminder_tick every minute with Cloud Scheduler's headers;
* a local stand-in of NYCU's iVoice service for Taiwanese (Taigi) speech.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import threading
from contextlib import ExitStack
from datetime import UTC
from typing import Any

import httpx

from infra.local.emulators import Emulator, firestore_available, start_firestore
from infra.local.functions_host import FunctionsHost
from infra.local.gemini_server import GeminiServer
from infra.local.ivoice_server import IVoiceServer
from infra.local.platforms import PlatformServer, PlatformState
from infra.local.smtp_sink import SmtpSink
from shared import runtime
from shared.adapters.local_identity import LocalIdentity
from shared.bootstrap import Container, using
from shared.settings import Settings

log = logging.getLogger("medbot.dev")


class LocalStack:
    """Everything `make dev` runs, startable from tests too (ports 0 = free ports)."""

    def __init__(self, *, port: int = 8080, functions_port: int = 8081,
                 use_firestore: bool = True, blob_dir: str = ".local/blobs",
                 local_gemini: bool = False) -> None:
        # Google's token service for this stack, and the account Cloud Tasks and
        # Cloud Scheduler sign as (infra/terraform: google_service_account.invoker).
        self.identity = LocalIdentity.generate()
        self.invoker = "medbot-tasks-invoker@medbot-local.iam.gserviceaccount.com"
        self.firestore: Emulator | None = (
            start_firestore() if use_firestore and firestore_available() else None)
        self.sink = SmtpSink()
        self.sink.start()
        # Taigi speech from the local stand-in of NYCU's iVoice service.
        self.ivoice = IVoiceServer().start()
        # --local-gemini: the real google-genai code path against the local
        # Gemini-protocol server (grounded references, transcripts, speech).
        self.gemini = GeminiServer().start() if local_gemini else None
        self.state = PlatformState()
        self.simulator = PlatformServer(self.state, port=port, outbox=self.sink.messages,
                                        clock_advance=self.advance)
        # Bound now (not yet serving), so the settings can name its URL.
        self.functions = FunctionsHost(functions_port)
        self.container: Container | None = None
        self._blob_dir = blob_dir
        self._stop = threading.Event()
        self.tick_statuses: list[int] = []  # what reminder_tick answered the cron
        self._poke = threading.Event()
        self._scope = ExitStack()

    def settings(self, functions_url: str, simulator_url: str) -> Settings:
        state = self.state
        values: dict[str, Any] = {
            "worker_auth": "oidc", "tasks_invoker_sa": self.invoker,
            "local_identity_key": self.identity.private_key_pem, "movable_clock": True,
            "worker_base_url": functions_url, "tasks_backend": "http",
            "blob_backend": "local", "local_blob_dir": self._blob_dir,
            "local_link_key": secrets.token_urlsafe(24),
            "public_base_url": functions_url,
            "line_channel_secret": state.line_channel_secret,
            "line_channel_access_token": state.line_access_token,
            "line_api_base_url": simulator_url, "line_data_api_base_url": simulator_url,
            "telegram_bot_token": state.telegram_token,
            "telegram_webhook_secret": state.telegram_secret,
            "telegram_api_base_url": f"{simulator_url}/bot",
            "telegram_file_base_url": f"{simulator_url}/file/bot",
            "smtp_host": self.sink.host, "smtp_port": self.sink.port, "smtp_security": "none",
            "store_backend": "memory", "ivoice_base_url": self.ivoice.url,
            "gemini_api_key": os.environ.get("GEMINI_API_KEY", ""),
        }
        if self.gemini is not None:
            values.update(gemini_api_key="local", gemini_base_url=self.gemini.url,
                          gemini_attempts=2)
        if self.firestore is not None:
            os.environ["FIRESTORE_EMULATOR_HOST"] = self.firestore.host
            values.update(store_backend="firestore", gcp_project="medbot-local")
        return Settings(**values)

    def start(self) -> LocalStack:
        self.simulator.start()
        functions_url = self.functions.url
        settings = self.settings(functions_url, self.simulator.url)
        settings.check_security()  # as a deployed function does (shared/bootstrap.py)
        container = Container(settings)
        self.container = container
        self._scope.enter_context(using(container))
        self.state.clock_now = container.clock.now
        # Blob links are served over plain HTTP here; they stand for GCS's HTTPS links.
        self.state.https_origins = (functions_url,)
        self.state.line_webhook_url = f"{functions_url}/line_webhook"
        self.state.telegram_webhook_url = f"{functions_url}/telegram_webhook"
        self.install_menus()
        self.functions.start()
        threading.Thread(target=self._cron, daemon=True, name="cron").start()
        return self

    def install_menus(self) -> None:
        """The native menus, installed on the simulator as the ops commands install
        them on LINE and Telegram (infra/ops.py: line-rich-menu, telegram-webhook)."""
        from infra.ops import OpsError, install_rich_menus
        from shared.adapters.operator_admin import set_telegram_commands
        from shared.domain.navigation import telegram_command_lists

        url = self.simulator.url
        try:
            install_rich_menus(self.state.line_access_token, url, url)
        except OpsError as error:  # no CJK fonts: the stack runs, without a rich menu
            log.warning("no LINE rich menu: %s", error)
        set_telegram_commands(self.state.telegram_token, telegram_command_lists(),
                              base_url=f"{url}/bot")

    def advance(self, seconds: float) -> None:
        """Move the stack's clock (the simulator's +15 min / +1 h / +1 day)."""
        assert self.container is not None
        clock: Any = self.container.clock
        clock.advance(seconds)
        getattr(self.container.tasks, "clock_moved", lambda: None)()
        self._poke.set()  # let the cron tick at the new time at once

    def _cron(self) -> None:
        """Cloud Scheduler's stand-in: every minute, and whenever the clock moves."""
        assert self.container is not None
        url = f"{self.functions.url}/reminder_tick"
        # Cloud Scheduler's attempt_deadline (shared/runtime.json, scheduler.tf).
        deadline = runtime.function("reminder_tick").dispatch_deadline_s
        with httpx.Client(timeout=deadline) as client:
            while not self._stop.is_set():
                firing = self.container.clock.now().astimezone(UTC).isoformat()
                try:
                    answer = client.post(url, headers={
                        "Authorization": f"Bearer {self.identity.mint(self.invoker, url)}",
                        "X-CloudScheduler": "true",
                        "X-CloudScheduler-JobName": "medbot-reminder-tick",
                        "X-CloudScheduler-ScheduleTime": firing,
                    })
                    self.tick_statuses.append(answer.status_code)
                    if answer.status_code != 200:
                        log.warning("reminder tick answered %s", answer.status_code)
                except httpx.HTTPError as error:
                    log.warning("reminder tick failed", extra={"error": type(error).__name__})
                self._poke.wait(timeout=60)
                self._poke.clear()

    def stop(self) -> None:
        self._stop.set()
        self._poke.set()
        self.simulator.stop()
        self.functions.stop()
        self._scope.close()
        self.sink.stop()
        self.ivoice.stop()
        if self.gemini is not None:
            self.gemini.stop()
        if self.firestore is not None:
            self.firestore.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description="MedBot local stack")
    parser.add_argument("--port", type=int, default=8080, help="simulator")
    parser.add_argument("--functions-port", type=int, default=8081)
    parser.add_argument("--memory", action="store_true", help="no Firestore emulator")
    parser.add_argument("--local-gemini", action="store_true",
                        help="answer with the local Gemini-protocol server (no key needed)")
    args = parser.parse_args()
    # `kill` (SIGTERM) stops the stack as cleanly as Ctrl-C, emulators included.
    signal.signal(signal.SIGTERM, _interrupt)
    if not args.memory and firestore_available():
        print("starting the Firestore emulator…", flush=True)
    stack = LocalStack(port=args.port, functions_port=args.functions_port,
                       use_firestore=not args.memory, local_gemini=args.local_gemini)
    stack.start()
    store = f"Firestore emulator {stack.firestore.host}" if stack.firestore else "in-memory store"
    assert stack.container is not None
    described = stack.container.describe_model()
    model = ", ".join(f"{k} {v}" for k, v in described.items())
    if stack.gemini is not None:
        model += f" (local Gemini-protocol server {stack.gemini.url})"
    elif described["backend"] == "offline":
        model += " (labelled offline engine: no GEMINI_API_KEY)"
    print(f"\nMedBot local stack\n  simulator:  {stack.simulator.url}/"
          f"\n  functions:  {stack.functions.url}\n  state:      {store}\n  model:      {model}"
          f"\n  SMTP sink:  {stack.sink.host}:{stack.sink.port}\nCtrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
