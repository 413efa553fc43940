"""A local webhook receiver for tests: http.server in a thread on 127.0.0.1 that records every request and answers
what the test tells it to."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    requests: list = field(default_factory=list)
    status: int = 204
    headers: dict = field(default_factory=dict)
    delay: float = 0.0

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/hook"


def start() -> Receiver:
    receiver = None

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            receiver.requests.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            if receiver.delay:
                time.sleep(receiver.delay)
            self.send_response(receiver.status)
            for name, value in receiver.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver
