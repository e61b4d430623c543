"""Webhook latency and throughput at 50 concurrent signed requests, with the real
Firestore emulator (dedupe) and gcloud-tasks-emulator (enqueue), plus the peak RSS
of the webhook process. Run: .venv/bin/python -m bench.webhook [--requests 2000]

The webhook runs as Cloud Functions runs it: `functions-framework --target
line_webhook` (gunicorn, one worker, THREADS threads) in its own process.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from infra.local.emulators import free_port, start_firestore, start_tasks
from shared.domain.signatures import line_signature

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-line-secret"
INVOKER = "medbot-tasks-invoker@bench.iam.gserviceaccount.com"  # tasks carry its OIDC spec


class _Sink(BaseHTTPRequestHandler):
    """Stands in for the dialog worker the emulator dispatches to."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _body(i: int) -> bytes:
    event = {
        "type": "message", "webhookEventId": f"01BENCH{i:08d}{secrets.token_hex(4)}",
        "deliveryContext": {"isRedelivery": False}, "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": "U" + f"{i:032x}"},
        "replyToken": secrets.token_hex(16), "mode": "active",
        "message": {"id": str(i), "type": "text", "text": "hello"},
    }
    return json.dumps({"destination": "Ubench", "events": [event]}).encode()


def _rss_kb(pid: int, field: str = "VmHWM") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _handler_latencies(log_file: Any) -> list[float]:
    log_file.flush()
    log_file.seek(0)
    values = []
    for line in log_file.read().decode(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("function") == "line_webhook" and "latency_ms" in entry:
            values.append(float(entry["latency_ms"]))
    return values


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()

    (ROOT / ".local").mkdir(exist_ok=True)
    firestore, tasks = start_firestore(), start_tasks(max_retries=0)
    sink = ThreadingHTTPServer(("127.0.0.1", 0), _Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    port = free_port()
    env = {**os.environ, "STORE_BACKEND": "firestore", "FIRESTORE_EMULATOR_HOST": firestore.host,
           "GCP_PROJECT": f"bench-{secrets.token_hex(4)}", "TASKS_BACKEND": "cloudtasks",
           "CLOUD_TASKS_EMULATOR_HOST": tasks.host, "WORKER_AUTH": "oidc",
           "TASKS_INVOKER_SA": INVOKER, "WORKER_BASE_URL": f"http://127.0.0.1:{sink.server_port}",
           "LINE_CHANNEL_SECRET": SECRET, "THREADS": os.environ.get("THREADS", "20")}
    from shared.adapters.cloud_tasks_queue import CloudTasksQueue

    CloudTasksQueue(env["GCP_PROJECT"], "asia-east1", env["WORKER_BASE_URL"],
                    oidc_service_account=INVOKER, emulator_host=tasks.host).ensure_queues()
    log_file = open(ROOT / ".local" / "bench-webhook.log", "w+b")  # noqa: SIM115
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/functions-framework"), "--target", "line_webhook",
         "--source", "main.py", "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        client = httpx.Client(timeout=30, limits=httpx.Limits(max_connections=args.concurrency))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                client.post(url, content=b"{}")
                break
            except httpx.TransportError:
                time.sleep(0.2)
        bodies = [_body(i) for i in range(args.requests + 20)]
        first = time.perf_counter()
        client.post(url, content=bodies[-1],
                    headers={"x-line-signature": line_signature(bodies[-1], SECRET)})
        first_ms = (time.perf_counter() - first) * 1000
        for body in bodies[args.requests:-1]:  # warm-up: connections, gRPC channels
            client.post(url, content=body,
                        headers={"x-line-signature": line_signature(body, SECRET)})

        def send(body: bytes) -> tuple[float, int]:
            t = time.perf_counter()
            r = client.post(url, content=body,
                            headers={"x-line-signature": line_signature(body, SECRET)})
            return (time.perf_counter() - t) * 1000, r.status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            results = list(pool.map(send, bodies[: args.requests]))
        wall = time.perf_counter() - started
        latencies = sorted(r[0] for r in results)
        errors = sum(1 for r in results if r[1] != 200)
        workers = _children(server.pid) or [server.pid]
        rss_mb = max(_rss_kb(pid) for pid in workers) / 1024
        p = statistics.quantiles(latencies, n=100)
        print(f"requests {args.requests} at concurrency {args.concurrency}, errors {errors}")
        print(f"first request (lazy SDK imports, cold clients): {first_ms:.0f} ms")
        print(f"latency ms: p50 {p[49]:.1f}  p90 {p[89]:.1f}  p99 {p[98]:.1f}  "
              f"max {latencies[-1]:.1f}")
        handler = _handler_latencies(log_file)[-args.requests:]
        if handler:
            h = statistics.quantiles(handler, n=100)
            print(f"handler latency ms (inside the function): p50 {h[49]:.1f}  "
                  f"p99 {h[98]:.1f}  max {max(handler):.1f}")
        print(f"throughput: {args.requests / wall:.0f} requests/s")
        print(f"peak RSS of the webhook worker process: {rss_mb:.1f} MB")
    finally:
        server.terminate()
        server.wait(10)
        sink.shutdown()
        firestore.stop()
        tasks.stop()


if __name__ == "__main__":
    main()
