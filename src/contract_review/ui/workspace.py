"""One browser session's private space: a ``0700`` temporary folder for its uploads, its
own Chroma store (a contract reviewed in one session is never found by another session's
search), its cached reviews and playbooks, and its batch results. The folder is deleted
when the workspace is closed, dropped or the server exits.

An upload's findings never wait for the search index: :meth:`Workspace.review_upload`
returns them and hands the indexing to the session's :class:`~.indexing.BackgroundIndexer`.
The embedding model behind every session's store is one per server process
(:func:`contract_review.encoders.get_encoder`)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContractReviewError, DocumentError, PlaybookError
from ..loaders import Document, sha256_bytes, supported_extensions
from ..playbook import Playbook
from ..schema import ReviewResult
from ..settings import Settings
from .indexing import BackgroundIndexer
from .options import load_uploaded_playbook
from .tables import SearchRow

if TYPE_CHECKING:
    from ..coi.model import CoiResult
    from ..pipeline import Reviewer
    from ..store import Store


class InputError(ContractReviewError):
    """Something the user typed or uploaded in the app cannot be used (e.g. no such folder)."""

    code = "bad_input"


def safe_filename(name: str) -> str:
    """The last component of an uploaded file's name, without control characters or path
    separators; never empty, never ``.``/``..``."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in ("", ".", ".."):
        name = "upload"
    return name[:200]


def _unless_closed(job: Callable[[], int], finalizer: weakref.finalize, folder: Path) -> Callable[[], int]:
    """``job``, skipped when the session has ended; when the session ended while it ran,
    whatever it wrote into the session's folder is removed again. (It holds the session's
    finalizer, not the session, so an ended session is still freed.)"""

    def run() -> int:
        if not finalizer.alive:
            return 0
        try:
            return job()
        finally:
            if not finalizer.alive:
                shutil.rmtree(folder, ignore_errors=True)

    return run


@dataclass
class Reviewed:
    """One reviewed upload: the result and, when it loaded, the document (for page views)."""

    result: ReviewResult
    doc: Document | None = None
    data: bytes | None = None  # the file as uploaded (a Word draft is marked up from it)


@dataclass
class Workspace:
    """One browser session's private state and files. Keep it in ``st.session_state``."""

    base_settings: Settings
    dir: Path = field(init=False)
    settings: Settings = field(init=False)
    batch_results: list[ReviewResult] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="contract-review-ui-"))  # mode 0700
        # The session's own store: uploads are indexed here, never in the shared store,
        # and vanish with the session.
        # The encoder's ONNX export stays in the server's cache, shared by every session.
        self.settings = self.base_settings.model_copy(
            update={
                "home": self.dir / "home",
                "chroma_url": None,
                "encoder_cache": self.base_settings.encoder_cache_dir,
            }
        )
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.dir), True)
        self._reviewers: dict[tuple[str, str, bool, str], Reviewer] = {}
        self._reviews: dict[tuple[str, str, str, str], Reviewed] = {}
        self._playbooks: dict[str, Playbook | PlaybookError] = {}
        self._stores: dict[str, Store] = {}
        self._n = 0
        self.indexer = BackgroundIndexer()

    def close(self) -> None:
        """Delete the session's files now (indexing not yet started is dropped)."""
        self.indexer.stop()
        self._finalizer()

    def indexing(self) -> list[str]:
        """Names of the uploads still being indexed for search."""
        return self.indexer.pending()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    # -- files

    def save(self, name: str, data: bytes, area: str = "uploads") -> Path:
        """Write an upload under the session folder, in a folder of its own so two uploads
        with the same name do not collide. Returns its path (named as uploaded)."""
        self._n += 1
        folder = self.dir / area / f"{self._n:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / safe_filename(name)
        path.write_bytes(data)
        return path

    def playbook_from_upload(self, name: str, data: bytes) -> Playbook:
        """Validate an uploaded YAML playbook; raises PlaybookError naming the bad key."""
        key = f"{sha256_bytes(data)}:{safe_filename(name)}"
        if key not in self._playbooks:  # the page reruns on every click: validate each upload once
            path = self.save(name, data, area="playbooks")
            try:
                self._playbooks[key] = load_uploaded_playbook(path, safe_filename(name))
            except PlaybookError as e:
                self._playbooks[key] = e
        found = self._playbooks[key]
        if isinstance(found, PlaybookError):
            raise PlaybookError(found.message)
        return found

    # -- review

    def set_ocr(self, mode: str) -> None:
        """Use OCR ``mode`` (auto, always, never) for the reviews from now on (reviews
        made under another mode are kept for it)."""
        if mode != self.settings.ocr:
            self.settings = self.settings.model_copy(update={"ocr": mode})

    def reviewer(self, extractor: str, playbook: Playbook, index: bool = True) -> Reviewer:
        from ..pipeline import Reviewer

        key = (extractor, playbook.model_dump_json(), index, self.settings.ocr)
        if key not in self._reviewers:
            self._reviewers[key] = Reviewer(self.settings, extractor=extractor, playbook=playbook, index=index)
        return self._reviewers[key]

    def review_upload(self, name: str, data: bytes, extractor: str, playbook: Playbook) -> Reviewed:
        """Review one uploaded contract; it is indexed in the session's store in the
        background, after its findings are returned. The same bytes under the same name,
        extractor, playbook and OCR setting are reviewed once per session."""
        key = (f"{sha256_bytes(data)}:{safe_filename(name)}", extractor, playbook.model_dump_json(), self.settings.ocr)
        if key not in self._reviews:
            reviewer = self.reviewer(extractor, playbook)
            path = self.save(name, data)
            try:
                doc = reviewer.load(path, data)  # the bytes in hand, not read back from the file
            except DocumentError:
                # the pipeline turns the same error into the standard error result
                self._reviews[key] = Reviewed(reviewer.review(path, data))
            else:
                result, pending = reviewer.review_document_deferred(doc)
                self._reviews[key] = Reviewed(result, doc, data)
                if pending is not None:
                    # numpy is imported here, in the page's thread, before the indexing thread
                    # imports onnxruntime and Chroma: two threads initialising numpy at once
                    # (the page's tables import it through pyarrow) can meet it half-imported.
                    import numpy.typing  # noqa: F401

                    self.indexer.submit(safe_filename(name), _unless_closed(pending, self._finalizer, self.dir))
        return self._reviews[key]

    def reviewed(self) -> list[Reviewed]:
        """The contracts reviewed in this session that loaded and were reviewed (a
        certificate can be checked against them), in review order."""
        return [r for r in self._reviews.values() if r.doc is not None and r.result.profile is not None]

    # -- certificates

    def check_certificates(
        self, item: Reviewed, uploads: Iterable[tuple[str, bytes]], as_of: dt.date
    ) -> list[CoiResult]:
        """Each uploaded certificate checked against the reviewed contract ``item``."""
        from ..coi.check import check_files
        from ..coi.requirements import requirements_of

        assert item.doc is not None and item.result.profile is not None
        req = requirements_of(item.result.file, item.doc.norm, item.result.profile)
        paths: dict[str, bytes] = {}
        for name, data in uploads:
            paths[str(self.save(name, data, area="certificates"))] = data
        return check_files(req, list(paths), self.settings, as_of, data=paths)

    # -- batch

    def batch_files(self, uploads: Iterable[tuple[str, bytes]]) -> list[str]:
        return [str(self.save(name, data, area="batch")) for name, data in uploads]

    @staticmethod
    def folder_files(folder: str) -> list[str]:
        """Supported files under a folder on the server (recursively)."""
        from ..batch import discover

        folder = folder.strip()
        if not folder:
            raise InputError("enter the path of a folder on the server")
        path = Path(folder).expanduser()
        if not path.is_dir():
            raise InputError(f"no such folder on the server: {folder}")
        files = discover([str(path)])
        if not files:
            raise InputError(f"no {', '.join(supported_extensions())} files under {folder}")
        return files

    def screen(self, files: list[str], extractor: str, playbook: Playbook) -> Iterator[ReviewResult]:
        """Review each file in turn: one result per file. Bad documents, and documents the
        code crashes on (``internal_error``), give error results and the batch goes on."""
        from ..batch import screen_iter

        kwargs = dict(settings=self.settings, extractor=extractor, playbook=playbook, index=False)
        yield from screen_iter(files, kwargs, workers=1)

    # -- search

    def search(self, query: str, top_k: int = 5) -> list[SearchRow]:
        """Search this session's reviewed uploads and the shared index (contracts indexed
        with ``contract-review index``); the best ``top_k`` matches by similarity."""
        query = query.strip()
        if not query:
            return []
        sources = [("this session", self.settings)]
        base = self.base_settings
        if base.chroma_url or base.chroma_path.is_dir():  # never create a store just to search it
            sources.append(("shared index", base))
        rows: list[SearchRow] = []
        seen: set[tuple[str, int]] = set()
        for source, settings in sources:
            store = self._store(source, settings)
            for h in store.search(query, top_k=top_k):
                if (h.sha256, h.start) in seen:
                    continue
                seen.add((h.sha256, h.start))
                rows.append(
                    SearchRow(h.file, h.page, h.section or "", round(h.score, 3), " ".join(h.text.split()), source)
                )
        rows.sort(key=lambda r: -r.score)
        return rows[:top_k]

    def _store(self, source: str, settings: Settings) -> Store:
        from ..store import Store

        if source not in self._stores:
            self._stores[source] = Store(settings)
        return self._stores[source]
