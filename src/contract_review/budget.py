"""The per-document wall-clock budget (``Settings.time_budget``): :func:`time_budget` makes
a document that runs over it raise :class:`~contract_review.errors.Timeout` (a typed
document error, so the batch goes on with the next file).

It is an interval timer (``SIGALRM``) in the thread that reviews: it interrupts Python code
and regular-expression matching anywhere in the parsers and the extractor. A library that
catches every exception and goes on would swallow the first one, so the timer fires again
every second until the document gives up. Signals reach only the main thread: elsewhere (a
Streamlit script thread) the budget is not enforced here, and a batch worker process is
also watched from outside (``batch.executors.local``), which stops one stuck in C code.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import Timeout

REPEAT_SECONDS = 1.0  # after the first alarm, until the document's code lets it through


def can_enforce() -> bool:
    """Whether :func:`time_budget` can interrupt code running in this thread."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Raise :class:`Timeout` in the block once it has run ``seconds`` (none: no budget).
    A budget inside another one (already running) leaves the outer one in charge."""
    if not seconds or seconds <= 0 or not can_enforce() or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        yield
        return

    def on_alarm(signum, frame):  # noqa: ARG001 - the signal handler's signature
        raise Timeout(f"not done within the per-document budget of {seconds:g} s (time_budget); the batch goes on")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
