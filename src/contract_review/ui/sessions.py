"""The server's workspaces by browser session id. Streamlit has no session-end hook and
forgets a disconnected session lazily, so the page sweeps this registry on every run and
closes (deletes the files of) the workspace of any session gone for long enough."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable

from .workspace import Workspace


class WorkspaceRegistry:
    """Workspaces by session id. :meth:`sweep` (run on every page run) closes the workspace
    of any session that has not been active for ``grace`` seconds (set it to
    ``server.disconnectedSessionTTL``, after which Streamlit will not resume a session)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[weakref.ref[Workspace], float | None]] = {}

    def register(self, session_id: str, ws: Workspace) -> None:
        with self._lock:
            self._items[session_id] = (weakref.ref(ws), None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def sweep(self, is_active: Callable[[str], bool], grace: float, now: float | None = None) -> list[str]:
        """Close the workspaces of sessions inactive for ``grace`` seconds; returns their ids."""
        now = time.monotonic() if now is None else now
        closed = []
        with self._lock:
            for sid, (ref, since) in list(self._items.items()):
                ws = ref()
                if ws is None or ws.closed:
                    del self._items[sid]
                elif is_active(sid):
                    self._items[sid] = (ref, None)
                elif since is None:
                    self._items[sid] = (ref, now)
                elif now - since >= grace:
                    ws.close()
                    del self._items[sid]
                    closed.append(sid)
        return closed


WORKSPACES = WorkspaceRegistry()
