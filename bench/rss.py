"""Peak RSS of every function entry point under its own load, against the memory
Terraform gives it (shared/runtime.json, read by infra/terraform/locals.tf).

Run: .venv/bin/python -m bench.rss [--users 12] [--speech-seconds 60]

Each entry point of main.py runs as Cloud Functions runs it: `functions-framework
--target X` (gunicorn, one worker, THREADS from shared/runtime.json) in its own
process, with the production SDKs on the path (Firestore client against the emulator,
google-genai against infra/local/gemini_server.py, the LINE and Telegram SDKs against
infra/local/platforms/, iVoice and SMTP against their local stand-ins). Only Cloud
Tasks and GCS are replaced: tasks go over HTTP (TASKS_BACKEND=http, as `make dev`)
through a counting router in this process, blobs go to a temporary directory. The router
also plays Cloud Run in front of the private functions (infra/local/cloud_run.py): it
checks each task's ID token (signed by a local key, as `make dev` does) and strips its
signature, so every worker runs with WORKER_AUTH=oidc, as deployed.

The load is what simulated users cause, not hand-made task bodies: every user (LINE and
Telegram alternately, UI languages en / zh-TW / ru) asks for a leaflet, has it read
aloud, e-mails it, chats in translation mode, sends a voice message, asks for Taigi and
adds a medication; then the clock is moved and Cloud Scheduler's tick is called, so
reminders go out. The router counts every request each function answers.
Peak RSS is VmHWM of the gunicorn worker process, read from /proc after the load.
No message text is printed.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

import main
from infra.local.cloud_run import admit
from infra.local.emulators import Emulator, firestore_available, free_port, start_firestore
from infra.local.gemini_server import GeminiServer
from infra.local.ivoice_server import IVoiceServer
from infra.local.platforms import PlatformServer, PlatformState, SimUser
from infra.local.smtp_sink import SmtpSink
from shared import runtime
from shared.adapters.local_identity import LocalIdentity

ROOT = Path(__file__).resolve().parent.parent
LINK_KEY = "bench-rss-" + secrets.token_hex(8)
IDENTITY = LocalIdentity.generate()  # plays Google's token service for this run
INVOKER = "medbot-tasks-invoker@bench-rss.iam.gserviceaccount.com"
LEAFLET = ("# High blood pressure\n\n## Overview\nBlood pressure that stays high strains the "
           "heart and the vessels.\n\n## What you can do\n"
           + "".join(f"- Advice {i}: measure, eat less salt, move, take the tablets.\n"
                     for i in range(40))
           + "\nThis leaflet is general information, not medical advice.")
TRANSLATION = {"plain": "My head has hurt for three days.",
               "translation": "У меня три дня болит голова."}
TAIGI = {"plain": "我頭痛三天了。", "translation": "我頭殼疼三工矣。"}
VOICE_BYTES = 256 * 1024  # about 30 s of AAC at 64 kbit/s


# ------------------------------------------------------------------ runtime table
def table_memory() -> dict[str, str]:
    """function -> available_memory (shared/runtime.json, deployed by Terraform)."""
    return {name: fn.memory for name, fn in runtime.functions().items()}


def mebibytes(memory: str) -> float:
    units = {"Ki": 1 / 1024, "Mi": 1.0, "Gi": 1024.0, "M": 1e6 / 2**20, "G": 1e9 / 2**20}
    for unit, factor in sorted(units.items(), key=lambda u: -len(u[0])):
        if memory.endswith(unit):
            return float(memory[: -len(unit)]) * factor
    return float(memory) / 2**20


def table_threads() -> dict[str, int]:
    """function -> THREADS (shared/runtime.json, set by Terraform)."""
    return {name: fn.threads for name, fn in runtime.functions().items()}


# ------------------------------------------------------------------ /proc
def _status_kb(pid: int, field_name: str = "VmHWM") -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0
    for line in lines:
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in path.read_text().split()]
    except OSError:
        return []


# ------------------------------------------------------------------ router
@dataclass
class Traffic:
    """Requests each function answered (through the router), by status."""

    ports: dict[str, int]
    statuses: dict[str, Counter[int]] = field(default_factory=dict)
    in_flight: int = 0
    last_activity: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, function: str, status: int) -> None:
        with self.lock:
            self.statuses.setdefault(function, Counter())[status] += 1

    def wait_idle(self, quiet_s: float = 2.0, timeout_s: float = 180.0) -> bool:
        """True once nothing went through the router for quiet_s seconds."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                idle = self.in_flight == 0 and time.monotonic() - self.last_activity > quiet_s
            if idle:
                return True
            time.sleep(0.2)
        return False


def start_router(traffic: Traffic) -> ThreadingHTTPServer:
    """Cloud Functions' URLs: POST /<function> goes to that function's own process."""
    client = httpx.Client(timeout=900)
    hop = {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            function = self.path.strip("/").split("?")[0]
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            port = traffic.ports.get(function)
            with traffic.lock:
                traffic.in_flight += 1
                traffic.last_activity = time.monotonic()
            status, answer = 404, b"no such function"
            try:
                if port is not None:
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in hop}
                    status = 200
                    if not runtime.function(function).public:  # Cloud Run's IAM check
                        url = f"http://{self.headers.get('host')}/{function}"
                        status, forwarded = admit(headers.get("Authorization"), url,
                                                  IDENTITY, {INVOKER})
                        headers["Authorization"] = forwarded
                        answer = b"refused by the Cloud Run stand-in"
                if port is not None and status == 200:
                    response = client.post(f"http://127.0.0.1:{port}/", content=body,
                                           headers=headers)
                    status, answer = response.status_code, response.content
            except httpx.HTTPError:
                status, answer = 599, b"function unreachable"
            finally:
                traffic.record(function, status)
                with traffic.lock:
                    traffic.in_flight -= 1
                    traffic.last_activity = time.monotonic()
            self.send_response(status)
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True, name="router").start()
    return server


# ------------------------------------------------------------------ the users
def sim_users(count: int) -> list[SimUser]:
    languages = [("en", "en"), ("zh-TW", "zh-hant"), ("ru", "ru")]
    users = []
    for i in range(count):
        language, code = languages[i % len(languages)]
        users.append(SimUser(f"bench{i}", f"Bench {i}", language,
                             "U" + f"{0xBE7C0000 + i:032x}", 700_000_000 + i, code))
    return users


class Driver:
    """What the simulated users do, through the fake platforms' signed webhooks."""

    def __init__(self, state: PlatformState, users: list[SimUser], traffic: Traffic) -> None:
        self.state, self.users, self.traffic = state, users, traffic
        self.problems: Counter[str] = Counter()  # driver-side failures, by kind

    def channel(self, index: int) -> str:
        return "line" if index % 2 == 0 else "telegram"

    def _check(self, what: str, status: int | None) -> None:
        if status != 200:
            self.problems[f"{what}: webhook {status}"] += 1

    def text(self, index: int, text: str) -> None:
        result = self.state.send_text(self.channel(index), self.users[index], text)  # type: ignore[arg-type]
        self._check("text", result.status)

    def tap(self, index: int, data: str, timeout_s: float = 60.0) -> None:
        """Tap a button; on Telegram, once the bot message carrying it has arrived."""
        deadline = time.monotonic() + timeout_s
        kind = data
        while True:
            # Buttons carry the id of their object: a kind names the newest such button.
            data = self._newest(index, kind) or kind
            try:
                result = self.state.tap(self.channel(index), self.users[index], data)  # type: ignore[arg-type]
            except KeyError:
                if time.monotonic() > deadline:
                    self.problems[f"button {data.split(':')[0]} never shown"] += 1
                    return
                time.sleep(0.3)
                continue
            self._check("tap", result.status)
            return

    def _newest(self, index: int, kind: str) -> str | None:
        entries = self.state.bot_entries(self.channel(index), self.users[index])  # type: ignore[arg-type]
        for entry in reversed(entries):
            for button in entry.buttons:
                found = str(button.get("data") or "")
                if found.startswith(kind + ":") and re.fullmatch(
                        r"[a-z:]+:[0-9a-f]{40}", found):
                    return found
        return None

    def voice(self, index: int) -> None:
        mime = "audio/x-m4a" if self.channel(index) == "line" else "audio/ogg"
        result = self.state.send_audio(self.channel(index), self.users[index],  # type: ignore[arg-type]
                                       secrets.token_bytes(VOICE_BYTES), mime=mime,
                                       duration_ms=30_000)
        self._check("voice", result.status)

    def phase(self, name: str, step: Callable[[int], None], concurrency: int) -> None:
        started = time.perf_counter()
        with ThreadPoolExecutor(concurrency) as pool:
            list(pool.map(step, range(len(self.users))))
        idle = self.traffic.wait_idle()
        print(f"  phase {name:12} {time.perf_counter() - started:6.1f} s"
              + ("" if idle else "  (still busy at the timeout)"), flush=True)


# ------------------------------------------------------------------ functions
@dataclass
class Function:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    peak_kb: int = 0


def start_function(name: str, env: dict[str, str], log_dir: Path) -> Function:
    port = free_port()
    log = (log_dir / f"{name}.log").open("wb")
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/functions-framework"), "--target", name, "--source", "main.py",
         "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    return Function(name, port, process)


def wait_listening(functions: list[Function], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    with httpx.Client(timeout=5) as client:
        for fn in functions:
            while True:
                try:
                    client.get(f"http://127.0.0.1:{fn.port}/healthz-bench")
                    break
                except httpx.TransportError:
                    if fn.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{fn.name} did not start") from None
                    time.sleep(0.3)


def peak_kb(fn: Function) -> int:
    pids = _children(fn.process.pid) or [fn.process.pid]
    return max(_status_kb(pid) for pid in pids)


# ------------------------------------------------------------------ main
def main_() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--translations", type=int, default=3,
                        help="translated messages per user")
    parser.add_argument("--speech-seconds", type=float, default=60.0,
                        help="length of the PCM the local Gemini TTS answers with")
    parser.add_argument("--concurrency", type=int, default=6, help="users acting at once")
    args = parser.parse_args()

    if not firestore_available():
        print("Firestore emulator not available (gcloud beta emulators firestore): the "
              "functions share state through Firestore, so nothing can be measured.")
        return
    memory = table_memory()
    threads = table_threads()
    names = list(main.__all__)

    (ROOT / ".local").mkdir(exist_ok=True)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-rss-", dir=ROOT / ".local"))
    blob_dir = log_dir / "blobs"
    firestore: Emulator = start_firestore()
    gemini, ivoice, smtp = GeminiServer().start(), IVoiceServer().start(), SmtpSink()
    # Gemini TTS answers with speech of a realistic length, not a short test clip.
    gemini.speech_seconds = args.speech_seconds
    smtp.start()
    users = sim_users(args.users)
    state = PlatformState(users=users)
    platform = PlatformServer(state).start()
    traffic = Traffic(ports={})
    router = start_router(traffic)
    base = f"http://127.0.0.1:{router.server_port}"
    state.https_origins = (base,)  # blob links: plain HTTP here, HTTPS (GCS) in production
    state.line_webhook_url = f"{base}/line_webhook"
    state.telegram_webhook_url = f"{base}/telegram_webhook"
    project = f"bench-rss-{secrets.token_hex(4)}"
    common = {
        **os.environ,
        "GCP_PROJECT": project, "STORE_BACKEND": "firestore",
        "FIRESTORE_EMULATOR_HOST": firestore.host,
        "TASKS_BACKEND": "http", "WORKER_BASE_URL": base,
        "WORKER_AUTH": "oidc", "TASKS_INVOKER_SA": INVOKER,
        "LOCAL_IDENTITY_KEY": IDENTITY.private_key_pem, "MOVABLE_CLOCK": "true",
        "BLOB_BACKEND": "local", "LOCAL_BLOB_DIR": str(blob_dir), "PUBLIC_BASE_URL": base,
        "LOCAL_LINK_KEY": LINK_KEY,
        "LINE_CHANNEL_SECRET": state.line_channel_secret,
        "LINE_CHANNEL_ACCESS_TOKEN": state.line_access_token,
        "LINE_API_BASE_URL": platform.url, "LINE_DATA_API_BASE_URL": platform.url,
        "TELEGRAM_BOT_TOKEN": state.telegram_token,
        "TELEGRAM_WEBHOOK_SECRET": state.telegram_secret,
        "TELEGRAM_API_BASE_URL": platform.telegram_base_url,
        "TELEGRAM_FILE_BASE_URL": platform.telegram_file_url,
        "GEMINI_API_KEY": "bench-key", "GEMINI_BASE_URL": gemini.url,
        "IVOICE_BASE_URL": ivoice.url,
        "SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port), "SMTP_SECURITY": "none",
        "LIMIT_MESSAGES_PER_MINUTE": "1000", "LIMIT_GENERATIONS_PER_DAY": "1000",
        "LIMIT_EMAILS_PER_DAY": "1000", "MAX_EMAILS_PER_DAY": "1000",
    }
    functions = [start_function(name, {**common, "THREADS": str(threads[name])},
                                log_dir) for name in names]
    traffic.ports = {fn.name: fn.port for fn in functions}
    print(f"{len(users)} users, {args.concurrency} at once; logs in {log_dir}", flush=True)
    try:
        wait_listening(functions)
        run_load(args, state, users, traffic, gemini, firestore, project, base)
        for fn in functions:
            fn.peak_kb = peak_kb(fn)
        report(functions, memory, traffic, log_dir)
        outcomes(state, users, smtp, gemini, ivoice)
    finally:
        for fn in functions:
            fn.process.terminate()
        for fn in functions:
            try:
                fn.process.wait(10)
            except subprocess.TimeoutExpired:
                fn.process.kill()
        router.shutdown()
        platform.stop()
        gemini.stop()
        ivoice.stop()
        smtp.stop()
        firestore.stop()


def run_load(args: argparse.Namespace, state: PlatformState, users: list[SimUser],
             traffic: Traffic, gemini: GeminiServer, firestore: Emulator,
             project: str, base: str) -> None:
    n = len(users)
    gemini.script_text(*[LEAFLET] * (2 * n))
    gemini.script_json(*[TRANSLATION] * (n * (args.translations + 1)), *[TAIGI] * n)
    drive = Driver(state, users, traffic)
    k = args.concurrency

    def start(i: int) -> None:
        drive.text(i, "/start" if drive.channel(i) == "telegram" else "hi")

    def leaflet(i: int) -> None:
        drive.tap(i, "mode:edu")
        drive.text(i, "high blood pressure")

    def listen_and_mail(i: int) -> None:
        drive.tap(i, "tts:leaflet")  # the newest button of each kind (with its leaflet id)
        drive.tap(i, "lfmail")
        drive.text(i, f"patient{i}@example.org")

    def translate(i: int) -> None:
        drive.text(i, "menu")
        drive.tap(i, "mode:tr")
        drive.tap(i, "tr:ru")
        for _ in range(args.translations):
            drive.text(i, "my head has hurt for three days")

    def voice(i: int) -> None:
        drive.voice(i)

    def taigi(i: int) -> None:
        drive.text(i, "menu")
        drive.tap(i, "mode:tr")
        drive.tap(i, "tr:nan")
        drive.text(i, "my head has hurt for three days")

    def medication(i: int) -> None:
        # Due a few minutes from now (the stack's clock is not moved before the tick).
        dose_at = (datetime.now(UTC) + timedelta(minutes=3)).strftime("%H:%M")
        drive.text(i, "menu")
        drive.tap(i, "mode:med")
        drive.text(i, f"add aspirin 100 mg at {dose_at}")  # asks for the time zone first
        drive.tap(i, "med:tz:UTC")

    for name, step in (("start", start), ("leaflet", leaflet), ("tts+email", listen_and_mail),
                       ("translation", translate), ("voice", voice), ("taigi", taigi),
                       ("medication", medication)):
        drive.phase(name, step, k)
    tick_reminders(traffic, firestore, project, base)
    if drive.problems:
        print("driver problems (not counted as function errors):")
        for what, count in sorted(drive.problems.items()):
            print(f"  {count:4} x {what}")


def tick_reminders(traffic: Traffic, firestore: Emulator, project: str, base: str) -> None:
    """Cloud Scheduler: move the stack's clock past the doses, tick; an hour later again
    (the reminder repeats until taken); then a few idle ticks."""
    from shared.adapters.firestore_store import FirestoreStore
    from shared.clock import OffsetClock

    os.environ["FIRESTORE_EMULATOR_HOST"] = firestore.host
    clock = OffsetClock(FirestoreStore(project=project))
    url = f"{base}/reminder_tick"  # through the router, which plays Cloud Run
    with httpx.Client(timeout=120) as client:
        for advance_s in (10 * 60, 3600, 60, 60, 60):
            clock.advance(advance_s)
            time.sleep(1.0)  # the functions cache the offset for 0.5 s
            firing = clock.now().isoformat()
            try:
                client.post(url, headers={
                    "Authorization": f"Bearer {IDENTITY.mint(INVOKER, url)}",
                    "X-CloudScheduler": "true",
                    "X-CloudScheduler-JobName": "medbot-reminder-tick",
                    "X-CloudScheduler-ScheduleTime": firing})
            except httpx.HTTPError:
                traffic.record("reminder_tick", 599)
            traffic.wait_idle()
    print("  phase reminders    done", flush=True)


def outcomes(state: PlatformState, users: list[SimUser], smtp: SmtpSink,
             gemini: GeminiServer, ivoice: IVoiceServer) -> None:
    """What the users got back (counts only), so a figure is not from error paths."""
    kinds: Counter[str] = Counter()
    for user in users:
        for channel in ("line", "telegram"):
            for entry in state.bot_entries(channel, user):  # type: ignore[arg-type]
                kinds[entry.kind] += 1
    reminders = sum(1 for user in users for channel in ("line", "telegram")
                    for entry in state.bot_entries(channel, user)  # type: ignore[arg-type]
                    if any(str(b.get("data", "")).startswith("rt:") for b in entry.buttons))
    print(f"users received: {dict(kinds)}; reminders with a Taken button: {reminders}; "
          f"e-mails in the SMTP sink: {len(smtp.messages())}; Gemini requests: "
          f"{len(gemini.requests)}; iVoice requests: {len(ivoice.requests)}")


def _error_logs(path: Path) -> int:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return 0
    return sum(1 for line in text.splitlines()
               if '"severity": "ERROR"' in line or '"severity":"ERROR"' in line
               or line.startswith("Traceback"))


def report(functions: list[Function], memory: dict[str, str], traffic: Traffic,
           log_dir: Path) -> None:
    print()
    print("errors: non-2xx answers other than 429; busy: 429, the per-user order's "
          "'retry later' (by design); error logs: ERROR lines and tracebacks in its log")
    print(f"{'function':18} {'Terraform':>9} {'peak RSS MB':>11} {'of limit':>8} "
          f"{'requests':>8} {'errors':>6} {'busy':>5} {'error logs':>10}")
    for fn in functions:
        statuses = traffic.statuses.get(fn.name, Counter())
        requests = sum(statuses.values())
        errors = sum(c for s, c in statuses.items() if not 200 <= s < 300 and s != 429)
        busy = statuses.get(429, 0)
        limit = memory.get(fn.name, "?")
        share = (f"{fn.peak_kb / 1024 / mebibytes(limit):7.0%}" if limit != "?" else "      ?")
        rss = f"{fn.peak_kb / 1024:11.1f}" if fn.peak_kb else f"{'n/a':>11}"
        note = "  NOT DRIVEN (no request reached it; idle figure)" if not requests else ""
        print(f"{fn.name:18} {limit:>9} {rss} {share:>8} {requests:8} {errors:6} {busy:5} "
              f"{_error_logs(log_dir / (fn.name + '.log')):10}{note}")


if __name__ == "__main__":
    main_()
