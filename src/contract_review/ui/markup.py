"""What the page shows as text: Markdown-escaped strings for Streamlit's own widgets and
HTML built from contract or model text, every character of which is escaped first, so a
contract can never inject markup, links or directives into the page."""

from __future__ import annotations

import html
import re
from collections import Counter

from ..fmt import short
from ..loaders import Document
from ..schema import SEVERITY_ORDER, Citation, Finding, ReviewResult
from .tables import SearchRow

SEVERITY_COLOURS = {"high": "#b42318", "medium": "#b54708", "low": "#175cd3", "info": "#475467"}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^\"'])")


def md_escape(text: str) -> str:
    """``text`` safe inside Streamlit Markdown: every punctuation mark that Markdown, HTML or
    Streamlit's ``:colour[...]`` directives could read is backslash-escaped; newlines become
    spaces."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def md_code(text: str) -> str:
    """``text`` as Markdown inline code (shown literally)."""
    return "``" + " ".join(str(text).replace("`", "'").split()) + "``"


def esc(text: str) -> str:
    """``text`` safe inside HTML, quotes included."""
    return html.escape(str(text), quote=True)


def ocr_notice(r: ReviewResult) -> str:
    """Plain text (escape it for Markdown): which pages were read by OCR, how confidently."""
    pages = ", ".join(f"p.{o.page} ({o.confidence:.0f}%)" for o in r.ocr_pages)
    return (
        f"{len(r.ocr_pages)} page(s) read by OCR, with Tesseract's mean confidence: {pages}. "
        "Quotes from these pages are marked OCR: check them against the scan."
    )


def ocr_badge(c: Citation) -> str:
    """A badge after a quote whose page was read by OCR (check it against the scan)."""
    if not c.ocr:
        return ""
    return (
        ' <span title="read by OCR: check against the scan" style="background:#fef0c7;color:#93370d;'
        'border-radius:4px;padding:0 4px;font-size:0.8em">OCR</span>'
    )


def finding_html(f: Finding, max_quotes: int = 3) -> str:
    """One finding as escaped HTML: severity, code, name, message, quotes with their page."""
    colour = SEVERITY_COLOURS.get(f.severity, "#475467")
    parts = [
        '<div class="cr-finding">',
        f'<span style="background:{colour};color:#fff;border-radius:4px;padding:1px 6px;'
        f'font-size:0.8em;font-weight:600">{esc(f.severity.upper())}</span> ',
        f"<code>{esc(f.rule)}</code> <b>{esc(f.slug)}</b>",
        f'<div style="margin:4px 0">{esc(f.message)}</div>',
    ]
    for c in f.evidence[:max_quotes]:
        parts.append(
            '<blockquote style="margin:4px 0 4px 0;padding-left:8px;border-left:3px solid #d0d5dd">'
            f'<span style="color:#475467">p.&nbsp;{c.page}</span> &ldquo;{esc(c.quote)}&rdquo;{ocr_badge(c)}</blockquote>'
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
        f"{esc(text[:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:])}</div>"
    )


def search_hit_html(row: SearchRow) -> str:
    """One search result as escaped HTML: document, page, section, score, where it is
    indexed, and the matching passage."""
    where = f"p.&nbsp;{row.page}" + (f" · {esc(row.section)}" if row.section else "")
    return (
        '<div class="cr-hit" style="border:1px solid #d0d5dd;border-radius:6px;padding:8px 10px;margin-bottom:6px">'
        f"<div><b>{esc(row.document)}</b> · {where} "
        f'<span style="color:#475467">· score {row.score:.3f} · {esc(row.source)}</span></div>'
        f'<div style="margin-top:4px">{esc(short(row.text, 600))}</div></div>'
    )


def severity_summary(result: ReviewResult) -> str:
    """``"7 finding(s): 2 high, 5 medium"`` (or ``"no findings"``)."""
    counts = Counter(f.severity for f in result.findings)
    if not counts:
        return "no findings"
    parts = [f"{counts[s]} {s}" for s in sorted(counts, key=SEVERITY_ORDER.__getitem__)]
    return f"{len(result.findings)} finding(s): " + ", ".join(parts)


def error_summary(result: ReviewResult) -> str:
    """``"file.pdf (encrypted): message"`` for an error result, file and message
    Markdown-escaped."""
    code, message = (result.error.code, result.error.message) if result.error else ("error", "no details")
    return f"{md_escape(result.file)} ({code}): {md_escape(message)}"


def crash_message(e: BaseException) -> str:
    """What the page says when the code crashes on one file (a bug, not a bad document)."""
    return f"unexpected {type(e).__name__}: {short(str(e), 300)} (this is a bug; please report it)"
