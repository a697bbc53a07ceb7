"""Serve the review UI hardened: ``python -m contract_review.ui.serve [app.py] [--port N]``
(what ``make app`` runs).

Streamlit has no setting for response headers, but its ASGI server takes middleware
(``streamlit.App``): :class:`SecurityHeaders` adds a Content-Security-Policy (with
``frame-ancestors 'none'``), ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``
and ``Referrer-Policy: no-referrer`` to every HTTP response. The server listens on loopback
only, sends no usage statistics, and never looks up the machine's external IP address
(Streamlit does, over the network, when a WebSocket comes from a foreign origin:
:func:`no_external_ip_lookup`). A plain ``streamlit run app.py`` gets the loopback address
and no statistics from ``.streamlit/config.toml``, but not the headers.

This is the one module of :mod:`contract_review.ui` that imports Streamlit (when it runs).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"

#: Options the launcher always sets (a flag cannot undo them; the address can be changed with --address).
SERVER_CONFIG: dict[str, Any] = {
    "server.headless": True,
    "browser.gatherUsageStats": False,
    "server.fileWatcherType": "none",
    "server.maxUploadSize": 50,
}

STATIC_HEADERS = {
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def inline_script_hashes(index_html: str) -> list[str]:
    """CSP ``'sha256-…'`` sources of the inline scripts of Streamlit's page (it has one, a
    line that sets a flag), so ``script-src`` needs no ``'unsafe-inline'``."""
    out = []
    for body in re.findall(r"<script>(.*?)</script>", index_html, flags=re.S):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        out.append(f"'sha256-{digest}'")
    return out


def content_security_policy(script_hashes: Sequence[str] = ()) -> str:
    """Everything from this server only; inline styles are allowed (Streamlit's components
    style themselves at run time), inline scripts only by hash, no plugins, no framing."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src " + " ".join(["'self'", *script_hashes]),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-src 'self'",
            "media-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response (not on WebSocket
    messages, which have none), replacing any the app set."""

    def __init__(self, app, csp: str | None = None) -> None:
        self.app = app
        headers = dict(STATIC_HEADERS, **{"content-security-policy": csp or content_security_policy()})
        self.headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        self._names = {k for k, _v in self.headers}

    async def __call__(self, scope, receive, send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message.get("type") == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in self._names]
                message = dict(message, headers=kept + self.headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def no_external_ip_lookup() -> None:
    """Streamlit asks checkip.amazonaws.com for this machine's address (and opens a UDP
    socket towards 8.8.8.8 for its LAN address) to decide whether a cross-origin WebSocket
    may connect, and to print a "Network URL": nothing may leave the machine, and a
    loopback server has no business with either address. Idempotent."""
    from streamlit import net_util

    net_util.get_external_ip = _no_address
    net_util.get_internal_ip = _no_address


def _no_address() -> None:
    return None


def default_script() -> Path:
    """``app.py`` in the current folder, else the one of this checkout."""
    here = Path.cwd() / "app.py"
    return here if here.is_file() else Path(__file__).resolve().parents[3] / "app.py"


def build_app(script: Path, csp: str | None = None):
    """The ``streamlit.App`` that serves ``script`` with :class:`SecurityHeaders`."""
    import streamlit
    from starlette.middleware import Middleware

    if csp is None:
        index = Path(streamlit.__file__).parent / "static" / "index.html"
        csp = content_security_policy(inline_script_hashes(index.read_text(encoding="utf-8")))
    return streamlit.App(str(script.resolve()), middleware=[Middleware(SecurityHeaders, csp=csp)])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m contract_review.ui.serve", description=__doc__.splitlines()[0])
    parser.add_argument("script", nargs="?", type=Path, default=None, help="the Streamlit page (default: app.py)")
    parser.add_argument("--port", type=int, default=8501)
    parser.add_argument("--address", default=LOOPBACK, help="listen here (default: loopback only)")
    args = parser.parse_args(argv)
    no_external_ip_lookup()
    app = build_app(args.script or default_script())
    app.run(config={**SERVER_CONFIG, "server.address": args.address, "server.port": args.port})


if __name__ == "__main__":  # pragma: no cover - the launcher itself
    main()
