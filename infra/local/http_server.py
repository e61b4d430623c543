"""The lifecycle shared by the local protocol servers (Gemini, iVoice): a
ThreadingHTTPServer on a background thread, and an event that wakes handlers which
simulate a slow answer when the server stops."""

from __future__ import annotations

import argparse
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class LocalHttpServer:
    name = "local-server"

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str, port: int) -> None:
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping in a simulated slow answer
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @classmethod
    def main(cls, description: str, default_port: int) -> None:
        """Serve in the foreground until Ctrl-C (python -m infra.local.<module>)."""
        parser = argparse.ArgumentParser(description=description)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=default_port)
        args = parser.parse_args()
        server = cls(args.host, args.port)  # type: ignore[call-arg]
        print(f"{description} on {server.url}", flush=True)
        try:
            server._httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server._httpd.server_close()
