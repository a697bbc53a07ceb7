"""The UI server, hardened, checked in Debian's Chromium through Playwright: ``make app``'s
launcher (``python -m contract_review.ui.serve``) listens on loopback only and sends the
security headers (a page on another origin cannot frame it); a WebSocket from a foreign
origin makes no network lookup; a plain ``streamlit run app.py`` also listens on loopback
only, from ``.streamlit/config.toml``. The servers run under tests/netguard, which logs
(and refuses) every connection that is not to loopback."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browsers import BROWSER_MARKS, free_port, running_server

ROOT = Path(__file__).resolve().parents[1]
FOREIGN_HOST = "127.0.0.2"  # another origin on loopback (Chromium blocks public pages from reaching loopback)

pytestmark = BROWSER_MARKS


@dataclass
class Served:
    url: str
    port: int
    netlog: Path
    log: Path

    def rejected_websockets(self) -> int:
        return self.log.read_text().count("Rejecting WebSocket connection")


def listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as /proc/net/tcp{,6} writes them) listening on ``port``."""
    out = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as fh:
            for line in list(fh)[1:]:
                fields = line.split()
                addr, hexport = fields[1].rsplit(":", 1)
                if int(hexport, 16) == port and fields[3] == "0A":  # LISTEN
                    out.add(addr)
    return out


@contextmanager
def serve(cmd: list[str], tmp: Path, port: int) -> Iterator[Served]:
    netlog = tmp / "netguard.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STREAMLIT_", "OPENAI_", "CHROMA_"))}
    env.update(
        CONTRACT_REVIEW_HOME=str(tmp / "home"),
        HF_HUB_OFFLINE="1",
        PYTHONPATH=os.pathsep.join([str(ROOT / "tests" / "netguard"), env.get("PYTHONPATH", "")]),
        NETGUARD_LOG=str(netlog),
        TMPDIR=str(tmp),
    )
    with running_server(cmd, cwd=ROOT, env=env, log=tmp / "server.log", port=port) as url:
        yield Served(url, port, netlog, tmp / "server.log")


@pytest.fixture(scope="module")
def launcher(tmp_path_factory) -> Iterator[Served]:
    port = free_port()
    cmd = [sys.executable, "-m", "contract_review.ui.serve", "--port", str(port)]
    with serve(cmd, tmp_path_factory.mktemp("launcher"), port) as s:
        yield s


@pytest.fixture(scope="module")
def foreign() -> Iterator[str]:
    """A page server on another origin (127.0.0.2): ``/frame?port=N`` frames the app on port N."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's name
            port = self.path.rpartition("port=")[2]
            body = f'<iframe id="f" src="http://127.0.0.1:{port}/" width="800" height="600"></iframe>'
            data = (body if self.path.startswith("/frame") else "<p>another origin</p>").encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # the browser closing a connection early is no concern here

    httpd = Server((FOREIGN_HOST, 0), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://{FOREIGN_HOST}:{httpd.server_address[1]}"
    httpd.shutdown()


def foreign_websocket(browser, foreign: str, served: Served) -> str:
    """Open a WebSocket to the app from a page of another origin; how it ended."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{foreign}/")
    ended = page.evaluate(
        """url => new Promise(done => {
            const ws = new WebSocket(url);
            ws.onopen = () => { ws.close(); done("open"); };
            ws.onclose = e => done("closed " + e.code);
            setTimeout(() => done("timeout"), 15000);
        })""",
        f"ws://127.0.0.1:{served.port}/_stcore/stream",
    )
    context.close()
    return ended


def framed_url(browser, foreign: str, served: Served) -> str:
    """The URL the frame of the app shows in a page of another origin."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{foreign}/frame?port={served.port}")
    page.wait_for_timeout(3000)
    (child,) = [f for f in page.frames if f is not page.main_frame]
    url = child.url
    context.close()
    return url


def no_lookups(served: Served) -> list[str]:
    return served.netlog.read_text().splitlines() if served.netlog.exists() else []


def test_launcher_listens_on_loopback_only(launcher):
    assert listening_addresses(launcher.port) == {"0100007F"}  # 127.0.0.1, nothing else


def test_launcher_sends_security_headers_and_the_page_works_under_them(browser, launcher):
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    response = page.goto(launcher.url)
    headers = response.headers
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    page.get_by_text("Contract review: insurance terms").wait_for(timeout=60_000)  # the app ran under the CSP
    page.get_by_text("Everything runs on this machine").wait_for(timeout=30_000)
    assert violations == []
    static = page.request.get(f"{launcher.url}/_stcore/health")
    assert static.headers["x-content-type-options"] == "nosniff"
    context.close()


def test_another_origin_cannot_frame_the_app(browser, foreign, launcher):
    assert framed_url(browser, foreign, launcher).startswith("chrome-error://")  # Chromium refused to frame it


def test_foreign_origin_websocket_makes_no_network_lookup(browser, foreign, launcher):
    assert foreign_websocket(browser, foreign, launcher).startswith("closed")  # refused: another origin
    assert launcher.rejected_websockets() == 1  # by the server's origin check, which did not look anything up
    assert no_lookups(launcher) == []


def test_plain_streamlit_run_listens_on_loopback_only(browser, foreign, tmp_path):
    """No --server.address: the address comes from .streamlit/config.toml. Once the page has
    run, a foreign-origin WebSocket makes no lookup either (app.py turns it off). It sends
    no security headers (Streamlit has no setting for them): another origin can frame it,
    which shows the frame test above can fail."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    with serve(cmd, tmp_path, port) as served:
        assert listening_addresses(port) == {"0100007F"}
        context = browser.new_context()
        page = context.new_page()
        page.goto(served.url)
        page.get_by_text("Contract review: insurance terms").wait_for(timeout=60_000)
        context.close()
        assert foreign_websocket(browser, foreign, served).startswith("closed")
        assert served.rejected_websockets() == 1
        assert no_lookups(served) == []
        assert framed_url(browser, foreign, served) == f"{served.url}/"
