"""The result cache of screen runs: :func:`cache_key` (everything that changes a result),
:func:`package_fingerprint` (the build of the code that computed it) and
:class:`ResultCache`, one JSON file per key."""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..schema import ReviewResult
from ..settings import Settings

#: Error codes that depend only on the file's bytes and the settings, so they are cached.
#: ``llm_failed``, ``internal_error`` and ``worker_crashed`` may not happen next time.
CACHEABLE_ERRORS = frozenset({"encrypted", "no_text_layer", "unreadable", "unsupported_type", "too_large"})

#: Settings that change a result, hence part of the cache key. (Not: home, URLs, keys, timeouts.)
RESULT_SETTINGS = (
    "max_bytes",
    "max_pages",
    "max_unzipped_bytes",
    "max_compression_ratio",
    "max_chars",
    "min_chars_per_page",
    "pdf_parser",
    "chunk_size",
    "chunk_overlap",
    "embedding_model",
    "embedding_backend",  # the semantic layer's scores come from it
    "semantic",
    "llm_model",
    "llm_token_budget",
    "llm_top_k",
    "ocr",
    "ocr_dpi",
    "ocr_language",
)

CACHE_FORMAT = 1


@lru_cache(maxsize=1)
def package_fingerprint() -> str:
    """Package version plus a digest of its source, playbooks and prompts: a result cached by
    one build of the rules is never served by another (an editable install keeps its version)."""
    import contract_review

    root = Path(contract_review.__file__).parent
    h = hashlib.sha256(getattr(contract_review, "__version__", "0").encode())
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix in (".py", ".yaml", ".yml", ".txt", ".md", ".json", ".jinja", ".j2"):
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
    return f"{getattr(contract_review, '__version__', '0')}+{h.hexdigest()[:12]}"


def playbook_json(playbook: Any) -> str:
    """The playbook's content as JSON (a loaded Playbook, a plain dict, or nothing)."""
    if playbook is None:
        return ""
    dump = getattr(playbook, "model_dump_json", None)
    return dump() if dump else json.dumps(playbook, sort_keys=True, default=str)


def _tesseract(settings: Settings) -> str | None:
    """Tesseract's version when OCR may run (another version reads a scan differently;
    a scan cached while Tesseract was missing is read once it is installed)."""
    if getattr(settings, "ocr", "never") == "never":
        return None
    from ..ocr import tesseract_version

    return tesseract_version(settings)


def cache_key(sha256: str, *, extractor: str, prompt_version: str | None, playbook: Any, settings: Settings) -> str:
    parts = {
        "format": CACHE_FORMAT,
        "sha256": sha256,
        "extractor": extractor,
        "prompt_version": prompt_version,
        "playbook": hashlib.sha256(playbook_json(playbook).encode()).hexdigest(),
        "package": package_fingerprint(),
        "settings": {k: getattr(settings, k, None) for k in RESULT_SETTINGS},
        "tesseract": _tesseract(settings),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


class ResultCache:
    """One JSON file per key under ``root``; written atomically (temp file + rename)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _file(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> ReviewResult | None:
        try:
            text = self._file(key).read_text(encoding="utf-8")
        except OSError:
            return None
        try:
            return ReviewResult.model_validate_json(text)
        except ValueError:  # a damaged or older entry is a miss
            return None

    def put(self, key: str, result: ReviewResult) -> None:
        if result.status == "error" and (result.error is None or result.error.code not in CACHEABLE_ERRORS):
            return
        f = self._file(key)
        f.parent.mkdir(parents=True, exist_ok=True)
        tmp = f.with_name(f"{f.name}.{os.getpid()}.tmp")
        tmp.write_text(result.model_dump_json(), encoding="utf-8")
        os.replace(tmp, f)
