"""Services behind the Streamlit app (``app.py``): everything the page needs that is not
drawing widgets, in :mod:`.markup` (escaped text and HTML), :mod:`.tables` (rows),
:mod:`.downloads` (file bytes), :mod:`.options` (sidebar and upload choices), :mod:`.coi` (the Certificates tab),
:mod:`.workspace` (one session's files, store and reviews) and :mod:`.sessions` (the
server's workspaces and their cleanup). Nothing here imports Streamlit; it is tested
without a browser."""

from __future__ import annotations

from ..checks import load_playbook
from .coi import coi_finding_rows, coi_json_bytes, coi_table_rows, coi_xlsx_bytes
from .downloads import csv_bytes, jsonl_bytes, report_markdown, word_bytes, word_download, xlsx_bytes
from .markup import (
    SEVERITY_COLOURS,
    crash_message,
    error_summary,
    esc,
    finding_html,
    highlight_html,
    md_code,
    md_escape,
    ocr_badge,
    ocr_notice,
    search_hit_html,
    severity_summary,
)
from .options import (
    LOCAL_EXTRACTORS,
    OCR_MODES,
    OPENAI_DEFAULT_ENDPOINT,
    ExtractorOption,
    extractor_options,
    llm_endpoint,
    load_uploaded_playbook,
    ocr_status,
    playbook_names,
    upload_limit_mb,
    upload_types,
)
from .sessions import WORKSPACES, WorkspaceRegistry
from .tables import (
    SUMMARY_LEADING,
    CitationChoice,
    SearchRow,
    citation_choices,
    filter_rows,
    policy_rows,
    rule_flag_columns,
    searched_rows,
    summary_rows,
    term_rows,
    ungrounded_rows,
)
from .workspace import InputError, Reviewed, Workspace, safe_filename

__all__ = [
    "word_bytes",
    "word_download",
    "LOCAL_EXTRACTORS",
    "OCR_MODES",
    "OPENAI_DEFAULT_ENDPOINT",
    "SEVERITY_COLOURS",
    "SUMMARY_LEADING",
    "WORKSPACES",
    "CitationChoice",
    "ExtractorOption",
    "InputError",
    "Reviewed",
    "SearchRow",
    "Workspace",
    "WorkspaceRegistry",
    "citation_choices",
    "coi_finding_rows",
    "coi_json_bytes",
    "coi_table_rows",
    "coi_xlsx_bytes",
    "crash_message",
    "csv_bytes",
    "error_summary",
    "esc",
    "extractor_options",
    "filter_rows",
    "finding_html",
    "ocr_badge",
    "ocr_notice",
    "highlight_html",
    "jsonl_bytes",
    "llm_endpoint",
    "load_playbook",
    "load_uploaded_playbook",
    "md_code",
    "md_escape",
    "ocr_status",
    "playbook_names",
    "policy_rows",
    "report_markdown",
    "rule_flag_columns",
    "safe_filename",
    "search_hit_html",
    "searched_rows",
    "severity_summary",
    "summary_rows",
    "term_rows",
    "ungrounded_rows",
    "upload_limit_mb",
    "upload_types",
    "xlsx_bytes",
]
