"""The choices the sidebar and the uploaders offer: the file types and size an upload may
have, the extractors (one that sends contract text off the machine is offered only when an
LLM endpoint is configured, and names it), the built-in playbooks, and the validation of
an uploaded playbook, and the OCR modes with whether Tesseract is there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..checks import load_playbook
from ..errors import PlaybookError
from ..loaders import supported_extensions
from ..playbook import DEFAULT_PLAYBOOK, Playbook, builtin_playbooks
from ..settings import Settings

# Extractors that never send text off the machine. Every other extractor (llm, hybrid, a
# plugin) is treated as remote: offered only when an endpoint is configured, and named.
LOCAL_EXTRACTORS = frozenset({"rules"})

OPENAI_DEFAULT_ENDPOINT = "https://api.openai.com/v1"


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
        from ..extract import available_extractors

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


#: The OCR choices, the default (what the CLI uses without ``--ocr``) first.
OCR_MODES = ("auto", "always", "never")


def ocr_status(settings: Settings) -> str:
    """What the OCR choice means on this server: Tesseract's version, or how to install it."""
    from ..ocr import tesseract_version, unavailable

    if settings.ocr == "never":
        return "Scanned pages are not read: a scan is the no_text_layer error."
    why = unavailable(settings)
    if why is not None:
        return f"Scanned pages cannot be read: {why}."
    what = "every PDF page" if settings.ocr == "always" else "PDF pages without a text layer"
    return f"{tesseract_version(settings)} reads {what}; quotes from those pages are marked OCR."


def playbook_names() -> list[str]:
    """Built-in playbooks, the default (what the CLI uses without ``--playbook``) first."""
    return sorted(builtin_playbooks(), key=lambda n: (n != DEFAULT_PLAYBOOK, n))


def load_uploaded_playbook(path: Path, shown_name: str) -> Playbook:
    """Validate the uploaded playbook saved at ``path``. A :class:`PlaybookError` names the
    bad key and the upload by ``shown_name``, never by its path on the server."""
    try:
        return load_playbook(str(path))
    except PlaybookError as e:
        raise PlaybookError(e.message.replace(str(path), shown_name)) from None
