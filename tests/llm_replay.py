"""A local OpenAI-compatible HTTP server that replays recorded chat-completion responses.

Loopback only, a random port, one thread. It answers ``POST .../chat/completions`` from a
recording in ``tests/recordings/<scenario>.json``::

    {"scenario": "...", "description": "...",
     "exchanges": [
        {"match": "text the request body must contain (optional)",
         "responses": [{"status": 200, "headers": {...}, "body": {<chat.completion>}}, ...]}]}

The first exchange whose ``match`` occurs in the request body (a list: every one of its
strings occurs; no ``match``: any request) answers, with its next response; its last
response repeats once the list is used up (a persistent 500). Every request is kept in
:attr:`ReplayServer.requests` with its JSON body and headers, minus ``Authorization``/``api-key``/cookies: the key never reaches a recording
or a test log. Whether an Authorization header was sent is kept as a boolean.

Also: :func:`write_pdf`, a small contract PDF from paragraphs (reportlab).
"""

from __future__ import annotations

import copy
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

RECORDINGS = Path(__file__).parent / "recordings"
SECRET_HEADERS = {"authorization", "api-key", "openai-api-key", "x-api-key", "cookie", "proxy-authorization"}


def load_recording(scenario: str) -> dict:
    with open(RECORDINGS / f"{scenario}.json", encoding="utf-8") as fh:
        return json.load(fh)


class ReplayServer:
    def __init__(self, recording: dict | str):
        self.recording = load_recording(recording) if isinstance(recording, str) else recording
        self.requests: list[dict] = []
        self._cursor: dict[int, int] = {}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle
    def __enter__(self) -> ReplayServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                status, headers, body = server._answer(self.path, dict(self.headers), raw)
                data = (
                    json.dumps(body).encode()
                    if not isinstance(body, (bytes, str))
                    else (body.encode() if isinstance(body, str) else body)
                )
                self.send_response(status)
                self.send_header("Content-Type", headers.pop("Content-Type", "application/json"))
                for k, v in headers.items():
                    self.send_header(k, str(v))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802  (models list etc.: not recorded)
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="llm-replay", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    # ---- replay
    def _answer(self, path: str, headers: dict, raw: bytes) -> tuple[int, dict, object]:
        text = raw.decode("utf-8", errors="replace")
        try:
            body = json.loads(text) if text else None
        except json.JSONDecodeError:
            body = text
        kept = {k: v for k, v in headers.items() if k.lower() not in SECRET_HEADERS}
        with self._lock:
            self.requests.append(
                {
                    "path": path,
                    "headers": kept,
                    "body": body,
                    "had_authorization": any(k.lower() == "authorization" for k in headers),
                }
            )
            if not path.rstrip("/").endswith("chat/completions"):
                return 404, {}, {"error": {"message": f"no route {path}", "type": "invalid_request_error"}}
            for i, ex in enumerate(self.recording["exchanges"]):
                match = ex.get("match")
                wanted = [match] if isinstance(match, str) else list(match or [])
                if all(w in text for w in wanted):
                    n = self._cursor.get(i, 0)
                    self._cursor[i] = n + 1
                    resp = ex["responses"][min(n, len(ex["responses"]) - 1)]
                    return resp.get("status", 200), dict(resp.get("headers") or {}), copy.deepcopy(resp["body"])
        return 500, {}, {"error": {"message": "no recorded exchange matches this request", "type": "replay_error"}}

    # ---- helpers for assertions
    def chat_requests(self) -> list[dict]:
        return [r for r in self.requests if r["path"].rstrip("/").endswith("chat/completions")]

    def messages(self, i: int = -1) -> list[dict]:
        return self.chat_requests()[i]["body"]["messages"]


def write_pdf(path: Path, title: str, paragraphs: list[str]) -> Path:
    """A contract PDF: a title and numbered paragraphs, wrapped over as many pages as needed."""
    from reportlab.lib.pagesizes import letter
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    story = [Paragraph(title, styles["Title"]), Spacer(1, 12)]
    for p in paragraphs:
        if p == "<pagebreak>":
            story.append(PageBreak())
            continue
        style = styles["Heading2"] if p.isupper() or p.startswith("EXHIBIT") else styles["BodyText"]
        story.append(Paragraph(p.replace("&", "&amp;"), style))
        story.append(Spacer(1, 6))
    SimpleDocTemplate(str(path), pagesize=letter, invariant=1, title=title).build(story)
    return path
