"""Loaded by subprocesses under test (PYTHONPATH), inert unless ``CONTRACT_REVIEW_FAULTS=1``.

When ``contract_review.loaders`` is imported, its plain-text loader ``load_text`` is wrapped
(as the module attribute and in the ``LOADERS`` registry, which holds the function itself).
The wrapper appends ``load-text <pid>`` to ``$CONTRACT_REVIEW_FAULTS_LOG`` on every call, in
any process (a test can see where documents were read: a pool worker, a Ray worker), and
misbehaves in *multiprocessing worker processes only* (a process with a multiprocessing
parent: never the main ``contract-review`` process, nor a Ray worker):

* bytes containing ``CRASH-THIS-WORKER``: the process dies at once with ``os._exit(70)``,
  like a parser that segfaults (event ``crash``). With
  ``CONTRACT_REVIEW_FAULTS_CRASH_AFTER_SLOW=1`` it first waits (at most 60 s) until a
  ``SLOW-THIS-WORKER`` document has started in another worker, so that the death certainly
  happens while that other document is in flight;
* bytes containing ``SLOW-THIS-WORKER`` (events ``slow-start``, ``slow-end``): the first
  time only, the load waits until a crash is recorded (at most 60 s) and then 5 s more, so
  it is still running when the pool notices the death;
* bytes containing ``HANG-THIS-WORKER`` (event ``hang``): the load blocks ``SIGALRM`` and
  sleeps for 10 minutes, like a parser stuck in C code that no timer can interrupt.
"""

import os
import sys

CRASH = b"CRASH-THIS-WORKER"
SLOW = b"SLOW-THIS-WORKER"
HANG = b"HANG-THIS-WORKER"
TARGET = "contract_review.loaders"


def _record(event: str) -> None:
    path = os.environ.get("CONTRACT_REVIEW_FAULTS_LOG")
    if path:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{event} {os.getpid()}\n".encode())  # one write: lines never interleave
        finally:
            os.close(fd)


def _events() -> list:
    try:
        with open(os.environ["CONTRACT_REVIEW_FAULTS_LOG"]) as fh:
            return [line.split()[0] for line in fh if line.strip()]
    except (OSError, KeyError):
        return []


def _wait_for(event: str, timeout: float = 60.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while event not in _events() and time.monotonic() < deadline:
        time.sleep(0.05)


def _in_worker() -> bool:
    import multiprocessing

    return multiprocessing.parent_process() is not None


def _patch(loaders) -> None:
    import time

    real = loaders.load_text

    def load_text(data: bytes, settings):
        _record("load-text")
        if _in_worker():
            if CRASH in data:
                if os.environ.get("CONTRACT_REVIEW_FAULTS_CRASH_AFTER_SLOW") == "1":
                    _wait_for("slow-start")
                _record("crash")
                os._exit(70)
            if SLOW in data:
                first = "slow-start" not in _events()
                _record("slow-start")
                if first:
                    _wait_for("crash")
                    time.sleep(5)
                _record("slow-end")
            if HANG in data:
                import signal

                _record("hang")
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
                time.sleep(600)
        return real(data, settings)

    load_text.__wrapped__ = real
    loaders.load_text = load_text
    for ext, (kind, fn) in list(loaders.LOADERS.items()):
        if fn is real:
            loaders.LOADERS[ext] = (kind, load_text)


class _PatchOnImport:
    """A meta path finder that lets the real finder load ``contract_review.loaders`` and
    patches the module right after it has run (nothing is imported early)."""

    def find_spec(self, name, path=None, target=None):
        if name != TARGET:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module

        def exec_and_patch(module):
            exec_module(module)
            _patch(module)

        spec.loader.exec_module = exec_and_patch
        return spec


if os.environ.get("CONTRACT_REVIEW_FAULTS") == "1":
    if TARGET in sys.modules:  # pragma: no cover - imported before site ran
        _patch(sys.modules[TARGET])
    else:
        sys.meta_path.insert(0, _PatchOnImport())
