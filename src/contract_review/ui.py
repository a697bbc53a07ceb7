"""Services behind the Streamlit app (``app.py``): everything the page needs that is not
drawing widgets.

* :class:`Workspace` is one browser session's private space: a ``0700`` temporary folder
  for its uploads, its own Chroma store (so a contract reviewed in one session is never
  found by another session's search), its cached reviews and its batch results. The folder
  is deleted when the session's state is dropped or the server exits.
* Table builders turn a :class:`~contract_review.schema.ReviewResult` into plain rows
  (lists of dicts) for ``st.dataframe``; HTML builders escape every character of contract
  or model text before it reaches the page.
* Extractor choice: an extractor other than the local ones sends contract text to the
  configured endpoint, so it is offered only when an endpoint is configured.

Nothing here imports Streamlit; it is tested without a browser.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import tempfile
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ContractReviewError, DocumentError
from .loaders import Document, supported_extensions
from .playbook import Playbook, builtin_playbooks, load_playbook
from .report import TERM_LABELS, csv_row, format_amount, to_json_line
from .schema import TERM_FIELDS, Citation, Finding, ReviewResult
from .settings import Settings

# Extractors that never send text off the machine. Every other extractor (llm, hybrid, a
# plugin) is treated as remote: offered only when an endpoint is configured, and named.
LOCAL_EXTRACTORS = frozenset({"rules"})

OPENAI_DEFAULT_ENDPOINT = "https://api.openai.com/v1"

SEVERITY_COLOURS = {"high": "#b42318", "medium": "#b54708", "low": "#175cd3", "info": "#475467"}


class InputError(ContractReviewError):
    """Something the user typed or uploaded in the app cannot be used (e.g. no such folder)."""

    code = "bad_input"


# --------------------------------------------------------------------------- settings


def upload_types() -> list[str]:
    """File types the uploader accepts: those a loader is registered for, without the dot."""
    return [ext.lstrip(".") for ext in supported_extensions()]


def upload_limit_mb(settings: Settings, server_max_mb: int | float | None) -> int:
    """The per-file upload limit in MB: the smaller of Streamlit's ``server.maxUploadSize``
    and :attr:`Settings.max_bytes` (which the loader enforces again)."""
    limit = settings.max_bytes / (1024 * 1024)
    if server_max_mb:
        limit = min(limit, float(server_max_mb))
    return max(1, int(limit))


@dataclass(frozen=True)
class ExtractorOption:
    name: str
    remote: bool  # sends contract text to the LLM endpoint
    enabled: bool
    reason: str = ""


def llm_endpoint(settings: Settings) -> str | None:
    """Where contract text goes with a remote extractor, or None when nothing is configured."""
    if not settings.llm_configured:
        return None
    return settings.openai_base_url or f"{OPENAI_DEFAULT_ENDPOINT} (OpenAI default)"


def extractor_options(settings: Settings, names: Iterable[str] | None = None) -> list[ExtractorOption]:
    """Every registered extractor, local ones first; remote ones are disabled (with the
    reason) unless an LLM endpoint is configured."""
    if names is None:
        from .extract import available_extractors

        names = available_extractors()
    endpoint = llm_endpoint(settings)
    out = []
    for name in names:
        remote = name not in LOCAL_EXTRACTORS
        if remote and endpoint is None:
            out.append(ExtractorOption(name, True, False, "needs an LLM endpoint (OPENAI_BASE_URL or OPENAI_API_KEY)"))
        else:
            out.append(
                ExtractorOption(name, remote, True, f"sends contract text to {endpoint}" if remote else "runs locally")
            )
    return sorted(out, key=lambda o: (o.remote, o.name))


def playbook_names() -> list[str]:
    """Built-in playbooks, the default (what the CLI uses without ``--playbook``) first."""
    from .playbook import DEFAULT_PLAYBOOK

    return sorted(builtin_playbooks(), key=lambda n: (n != DEFAULT_PLAYBOOK, n))


# --------------------------------------------------------------------------- escaping

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^\"'])")


def md_escape(text: str) -> str:
    """``text`` safe inside Streamlit Markdown: every punctuation mark that Markdown, HTML or
    Streamlit's ``:colour[...]`` directives could read is backslash-escaped; newlines become
    spaces."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_code(text: str) -> str:
    """``text`` as Markdown inline code (shown literally)."""
    return "``" + " ".join(str(text).replace("`", "'").split()) + "``"


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def finding_html(f: Finding, max_quotes: int = 3) -> str:
    """One finding as escaped HTML: severity, code, name, message, quotes with their page."""
    colour = SEVERITY_COLOURS.get(f.severity, "#475467")
    parts = [
        '<div class="cr-finding">',
        f'<span style="background:{colour};color:#fff;border-radius:4px;padding:1px 6px;'
        f'font-size:0.8em;font-weight:600">{_esc(f.severity.upper())}</span> ',
        f"<code>{_esc(f.rule)}</code> <b>{_esc(f.slug)}</b>",
        f'<div style="margin:4px 0">{_esc(f.message)}</div>',
    ]
    for c in f.evidence[:max_quotes]:
        parts.append(
            '<blockquote style="margin:4px 0 4px 0;padding-left:8px;border-left:3px solid #d0d5dd">'
            f'<span style="color:#475467">p.&nbsp;{c.page}</span> &ldquo;{_esc(c.quote)}&rdquo;</blockquote>'
        )
    if len(f.evidence) > max_quotes:
        parts.append(f'<div style="color:#475467">… and {len(f.evidence) - max_quotes} more quote(s)</div>')
    parts.append("</div>")
    return "".join(parts)


def highlight_html(doc: Document, c: Citation) -> str:
    """The page on which ``c`` starts, escaped, with the quoted span marked. A quote running
    over the page break is marked up to the end of the page."""
    page = doc.pages[c.page - 1]
    start = min(max(c.start, page.start), page.end) - page.start
    end = min(max(c.end, page.start), page.end) - page.start
    text = page.text
    return (
        f'<div class="cr-page" style="white-space:pre-wrap;font-family:serif;max-height:28em;overflow:auto;'
        f'border:1px solid #d0d5dd;border-radius:6px;padding:10px">'
        f'<div style="color:#475467;font-family:sans-serif">Page {page.number} of {len(doc.pages)}</div>'
        f"{_esc(text[:start])}<mark>{_esc(text[start:end])}</mark>{_esc(text[end:])}</div>"
    )


def search_hit_html(row: SearchRow) -> str:
    """One search result as escaped HTML: document, page, section, score, where it is
    indexed, and the matching passage."""
    where = f"p.&nbsp;{row.page}" + (f" · {_esc(row.section)}" if row.section else "")
    return (
        '<div class="cr-hit" style="border:1px solid #d0d5dd;border-radius:6px;padding:8px 10px;margin-bottom:6px">'
        f"<div><b>{_esc(row.document)}</b> · {where} "
        f'<span style="color:#475467">· score {row.score:.3f} · {_esc(row.source)}</span></div>'
        f'<div style="margin-top:4px">{_esc(_short(row.text, 600))}</div></div>'
    )


def severity_summary(result: ReviewResult) -> str:
    """``"7 finding(s): 2 high, 5 medium"`` (or ``"no findings"``)."""
    from collections import Counter

    from .schema import SEVERITY_ORDER

    counts = Counter(f.severity for f in result.findings)
    if not counts:
        return "no findings"
    parts = [f"{counts[s]} {s}" for s in sorted(counts, key=SEVERITY_ORDER.__getitem__)]
    return f"{len(result.findings)} finding(s): " + ", ".join(parts)


# --------------------------------------------------------------------------- tables


def _short(text: str, n: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def policy_rows(result: ReviewResult) -> list[dict]:
    """One row per required limit (one per policy when it names none)."""
    p = result.profile
    if p is None:
        return []
    obligated = "; ".join(p.obligated_parties)
    rows = []
    for pol in p.policies:
        page = pol.evidence[0].page if pol.evidence else None
        quote = _short(pol.evidence[0].quote) if pol.evidence else ""
        for lim in pol.limits or [None]:
            rows.append(
                {
                    "type": pol.type,
                    "limit": format_amount(lim.amount, lim.currency, lim.redacted) if lim else "none stated",
                    "basis": lim.basis if lim else "",
                    "obligated party": obligated,
                    "page": page,
                    "quote": quote,
                }
            )
    return rows


def term_rows(result: ReviewResult) -> list[dict]:
    """Additional insured, waiver of subrogation, primary & non-contributory, certificate
    of insurance, cancellation notice: present or absent, with the first quote."""
    p = result.profile
    if p is None:
        return []
    rows = []
    for name in TERM_FIELDS:
        term = getattr(p, name)
        rows.append(
            {
                "term": TERM_LABELS[name],
                "status": "present" if term.present else "absent",
                "page": term.evidence[0].page if term.evidence else None,
                "quote": _short(term.evidence[0].quote) if term.evidence else "",
            }
        )
    return rows


def searched_rows(result: ReviewResult) -> list[dict]:
    p = result.profile
    return [{"page": s.page, "section": s.section or ""} for s in (p.searched if p else [])]


def ungrounded_rows(result: ReviewResult) -> list[dict]:
    p = result.profile
    return [{"field": u.field, "quote": u.quote, "reason": u.reason} for u in (p.ungrounded if p else [])]


@dataclass(frozen=True)
class CitationChoice:
    label: str
    citation: Citation


def citation_choices(result: ReviewResult) -> list[CitationChoice]:
    """Quotes a user can open in their page: the findings' quotes (most severe first), then
    the evidence of the profile."""
    out: list[CitationChoice] = []
    seen: set[tuple[int, int]] = set()

    def add(prefix: str, c: Citation) -> None:
        if (c.start, c.end) in seen:
            return
        seen.add((c.start, c.end))
        out.append(CitationChoice(f"{prefix} · p.{c.page} · \u201c{_short(c.quote, 80)}\u201d", c))

    for f in result.sorted_findings():
        for c in f.evidence:
            add(f"{f.rule} {f.slug}", c)
    if result.profile:
        p = result.profile
        for c in p.insurance_evidence:
            add("insurance required", c)
        for pol in p.policies:
            for c in pol.evidence:
                add(f"policy {pol.type}", c)
        for name in TERM_FIELDS:
            for c in getattr(p, name).evidence:
                add(TERM_LABELS[name], c)
        for c in p.vague_language:
            add("vague language", c)
    return out


def rule_flag_columns(results: Iterable[ReviewResult]) -> list[str]:
    """``"INS001 missing-additional-insured"`` for every rule that fired in any result."""
    flags = {f"{f.rule} {f.slug}" for r in results for f in r.findings}
    return sorted(flags)


SUMMARY_LEADING = ("file", "status", "max_severity", "n_findings")


def summary_rows(results: list[ReviewResult]) -> list[dict]:
    """One row per contract: file, status and worst severity, then one yes/no column per
    rule that fired anywhere in the batch, then the other CSV columns (without path, hash,
    prompt version and the findings list the flag columns replace)."""
    flags = rule_flag_columns(results)
    rows = []
    for r in results:
        # "" stands for "not applicable" in CSV; a table column of numbers needs None
        base = {
            k: (None if v == "" else v)
            for k, v in csv_row(r).items()
            if k not in ("path", "sha256", "prompt_version", "findings")
        }
        row = {k: base.pop(k) for k in SUMMARY_LEADING}
        fired = {f"{f.rule} {f.slug}" for f in r.findings}
        row.update({flag: flag in fired for flag in flags})
        row.update(base)
        rows.append(row)
    return rows


def filter_rows(
    rows: list[dict],
    *,
    flags: Iterable[str] = (),
    status: str | None = None,
    name_contains: str = "",
    min_severity: str | None = None,
) -> list[dict]:
    """Rows where every selected flag fired, the status matches, the file name contains the
    text (case-insensitive) and the most severe finding is at least ``min_severity``."""
    from .schema import SEVERITY_ORDER

    flags = list(flags)
    needle = name_contains.strip().lower()
    out = []
    for row in rows:
        if status and row.get("status") != status:
            continue
        if any(not row.get(f) for f in flags):
            continue
        if needle and needle not in str(row.get("file", "")).lower():
            continue
        if min_severity:
            sev = row.get("max_severity")
            if not sev or SEVERITY_ORDER[sev] > SEVERITY_ORDER[min_severity]:
                continue
        out.append(row)
    return out


# --------------------------------------------------------------------------- downloads


def jsonl_bytes(results: Iterable[ReviewResult]) -> bytes:
    return "".join(to_json_line(r) + "\n" for r in results).encode("utf-8")


def report_markdown(result: ReviewResult) -> bytes:
    """The review as the Markdown report the CLI prints with ``--format md``."""
    from .report import render_text

    return render_text(result, markdown=True).encode("utf-8")


def csv_bytes(results: list[ReviewResult]) -> bytes:
    from .report import write_csv

    buf = io.StringIO(newline="")
    write_csv(results, buf)
    return buf.getvalue().encode("utf-8")


def xlsx_bytes(results: list[ReviewResult]) -> bytes:
    from .report import write_xlsx

    buf = io.BytesIO()
    write_xlsx(results, buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- the workspace


def safe_filename(name: str) -> str:
    """The last component of an uploaded file's name, without control characters or path
    separators; never empty, never ``.``/``..``."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in ("", ".", ".."):
        name = "upload"
    return name[:200]


def crash_message(e: BaseException) -> str:
    return f"unexpected {type(e).__name__}: {_short(str(e), 300)} (this is a bug; please report it)"


@dataclass
class Reviewed:
    """One reviewed upload: the result and, when it loaded, the document (for page views)."""

    result: ReviewResult
    doc: Document | None = None


@dataclass
class SearchRow:
    document: str
    page: int
    section: str
    score: float
    text: str
    source: str  # "this session" or "shared index"


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
        self.settings = self.base_settings.model_copy(update={"home": self.dir / "home", "chroma_url": None})
        self._finalizer = weakref.finalize(self, shutil.rmtree, str(self.dir), True)
        self._reviewers: dict[tuple[str, str], object] = {}
        self._reviews: dict[tuple[str, str, str], Reviewed] = {}
        self._n = 0

    def close(self) -> None:
        """Delete the session's files now."""
        self._finalizer()

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
        from .errors import PlaybookError
        from .loaders import sha256_bytes

        key = f"{sha256_bytes(data)}:{safe_filename(name)}"
        cache: dict[str, Playbook | PlaybookError] = self.__dict__.setdefault("_playbooks", {})
        if key not in cache:  # the page reruns on every click: validate each upload once
            path = self.save(name, data, area="playbooks")
            try:
                cache[key] = load_playbook(str(path))
            except PlaybookError as e:
                cache[key] = PlaybookError(e.message.replace(str(path), safe_filename(name)))
        found = cache[key]
        if isinstance(found, PlaybookError):
            raise PlaybookError(found.message)
        return found

    # -- review

    def reviewer(self, extractor: str, playbook: Playbook, index: bool = True):
        from .pipeline import Reviewer

        key = (extractor, playbook.model_dump_json(), index)
        if key not in self._reviewers:
            self._reviewers[key] = Reviewer(self.settings, extractor=extractor, playbook=playbook, index=index)
        return self._reviewers[key]

    def review_upload(self, name: str, data: bytes, extractor: str, playbook: Playbook) -> Reviewed:
        """Review one uploaded contract and index it in the session's store. The same bytes
        under the same name, extractor and playbook are reviewed once per session."""
        from .loaders import sha256_bytes

        key = (f"{sha256_bytes(data)}:{safe_filename(name)}", extractor, playbook.model_dump_json())
        if key not in self._reviews:
            reviewer = self.reviewer(extractor, playbook)
            path = self.save(name, data)
            try:
                doc = reviewer.load(path)
            except DocumentError:
                # the pipeline turns the same error into the standard error result
                self._reviews[key] = Reviewed(reviewer.review(path))
            else:
                self._reviews[key] = Reviewed(reviewer.review_document(doc), doc)
        return self._reviews[key]

    # -- batch

    def batch_files(self, uploads: Iterable[tuple[str, bytes]]) -> list[str]:
        return [str(self.save(name, data, area="batch")) for name, data in uploads]

    @staticmethod
    def folder_files(folder: str) -> list[str]:
        """Supported files under a folder on the server (recursively)."""
        from .batch import discover

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
        from .batch import screen_iter

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

    def _store(self, source: str, settings: Settings):
        from .store import Store

        stores = self.__dict__.setdefault("_stores", {})
        if source not in stores:
            stores[source] = Store(settings)
        return stores[source]


class WorkspaceRegistry:
    """The server's workspaces by browser session id. Streamlit has no session-end hook and
    forgets a disconnected session lazily, so :meth:`sweep` (run on every page run) closes
    the workspace of any session that has not been active for ``grace`` seconds (set it to
    ``server.disconnectedSessionTTL``, after which Streamlit will not resume a session)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[str, tuple[weakref.ref, float | None]] = {}

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
