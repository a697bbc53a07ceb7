"""The ``ray`` executor: the same per-document function as Ray tasks, on a Ray started for
the run or on a cluster (``--ray-address``), and :func:`check_reachable`, which fails fast
on an address nothing answers at. Ray is imported only when the executor runs."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from typing import Any

from ...errors import ConfigError
from ..tasks import Outcome, Task
from ..worker import ScreenConfig, run_task
from . import SubmitWindow, crash_outcome, register_executor

log = logging.getLogger(__name__)


def _ray_run(config: ScreenConfig, task: Task) -> Outcome:
    return run_task(config, task)


@register_executor("ray")
def ray_executor(config: ScreenConfig, tasks: Iterator[Task], workers: int, options: dict) -> Iterator[Outcome]:
    """The same per-document function as Ray tasks. ``options["ray_address"]`` joins a
    cluster (``auto`` or ``ray://host:10001``; the package must be installed on its nodes);
    without it a local Ray is started for the run with ``workers`` CPUs and stopped after.
    Usage statistics are off. Results stream back as they finish (at most ``2 x workers``
    in flight), so the writer and the resume logic are the same as with local processes."""
    try:
        import ray
    except ImportError:
        raise ConfigError("--executor ray needs Ray: pip install 'contract-review[ray]' (ray[default])") from None
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    address = options.get("ray_address")
    started = _start(ray, address, workers)
    try:
        cpus = int(ray.cluster_resources().get("CPU", workers)) if address else workers
        yield from RayWindow(ray, config, width=2 * max(1, cpus)).run(tasks)
    finally:
        if started:
            ray.shutdown()


def _start(ray: Any, address: str | None, workers: int) -> bool:
    """Join the cluster at ``address``, or start a local Ray of ``workers`` CPUs, unless Ray
    is initialised already; whether this run started it (and stops it)."""
    if ray.is_initialized():
        return False
    common = dict(logging_level=logging.WARNING, log_to_driver=False, configure_logging=True)
    if address:
        check_reachable(address)  # screen_files checked it already; a direct caller may not have
        try:
            ray.init(address=address, **common)
        except ConnectionError as e:
            raise ConfigError(f"cannot join the Ray cluster at {address}: {e}") from None
    else:
        ray.init(num_cpus=max(1, workers), include_dashboard=False, **common)
    return True


class RayWindow(SubmitWindow[Any]):
    """Tasks submitted as Ray tasks (one CPU each, not retried); a worker that dies gives
    ``worker_crashed`` for its document."""

    def __init__(self, ray: Any, config: ScreenConfig, width: int):
        super().__init__(width)
        self.ray = ray
        self.config = config
        self._remote = ray.remote(num_cpus=1, max_retries=0)(_ray_run)
        self._config_ref = ray.put(config)

    def submit(self, task: Task) -> Any:
        return self._remote.remote(self._config_ref, task)

    def wait(self) -> Iterable[Any]:
        done, _ = self.ray.wait(list(self.inflight), num_returns=1)
        return done

    def collect(self, done: list[tuple[Any, Task]]) -> Iterator[Outcome]:
        died = (
            self.ray.exceptions.WorkerCrashedError,
            self.ray.exceptions.NodeDiedError,
            self.ray.exceptions.OutOfMemoryError,
        )
        for ref, task in done:
            try:
                outcome = self.ray.get(ref)
            except died as e:
                log.error("Ray worker died on %s: %s", task.path, e)
                outcome = crash_outcome(
                    self.config, task, f"the Ray worker died while reading this document ({type(e).__name__})"
                )
            yield outcome


def check_reachable(address: str, timeout: float = 5.0) -> None:
    """Fail in seconds, with a clear message, when a Ray address cannot be reached (Ray itself
    retries a dead address for about a quarter of an hour before giving up). ``auto`` and
    addresses without a port are left to Ray."""
    import socket
    from urllib.parse import urlparse

    if address == "auto":
        return
    u = urlparse(address if "://" in address else f"ray-gcs://{address}")
    try:
        host, port = u.hostname, u.port
    except ValueError:
        raise ConfigError(f"--ray-address {address!r} is not host:port or ray://host:port") from None
    if not host or not port:
        return
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as e:
        raise ConfigError(
            f"cannot reach the Ray cluster at {address} ({e.strerror or e}): is `ray start --head` running "
            "there, and is the port open?"
        ) from None
