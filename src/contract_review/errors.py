"""Domain errors. Core code raises these; only the CLI and the UI turn them into
messages and exit codes.

Every error that concerns one document carries a stable ``code`` that appears in the
output contract (``{"status": "error", "error": {"code": ..., "message": ...}}``).
"""

from __future__ import annotations

import re

# "<_io.BytesIO object at 0x7f...>" as a library's message may carry it: the type's name only.
_OBJECT_REPR = re.compile(r"'?<([\w.]+)[^<>]*? at 0x[0-9a-fA-F]+>'?")


def plain_message(message: str) -> str:
    """``message`` without Python object reprs (a user is told about a file, not about the
    ``BytesIO`` that held it)."""
    return _OBJECT_REPR.sub(lambda m: f"the {m.group(1).rsplit('.', 1)[-1]}", message)


class ContractReviewError(Exception):
    """Base class of every error this package raises on purpose. Its message never carries
    an object repr (:func:`plain_message`)."""

    code = "error"

    def __init__(self, message: str):
        message = plain_message(message)
        super().__init__(message)
        self.message = message


class DocumentError(ContractReviewError):
    """A document could not be turned into text. The batch goes on with the next file."""


class EncryptedDocument(DocumentError):
    code = "encrypted"


class NoTextLayer(DocumentError):
    code = "no_text_layer"


class OcrUnavailable(NoTextLayer):
    """A scanned page needs OCR but it cannot run (Tesseract or its language data missing);
    the message says what to install. Same code as :class:`NoTextLayer`."""


class UnreadableDocument(DocumentError):
    code = "unreadable"


class UnsupportedType(DocumentError):
    code = "unsupported_type"


class TooLarge(DocumentError):
    code = "too_large"


class Timeout(DocumentError):
    """A document took longer than the per-document wall-clock budget (``time_budget``)."""

    code = "timeout"


class ExtractionError(ContractReviewError):
    """An extractor could not produce a profile (for example the LLM kept failing)."""

    code = "llm_failed"

    def __init__(self, message: str, *, attempts: int = 0, raw: str | None = None, usage: dict | None = None):
        super().__init__(message)
        self.attempts = attempts
        self.raw = raw
        self.usage = usage or {}


class PlaybookError(ContractReviewError):
    """A playbook file is missing or invalid; the message names the bad key."""

    code = "bad_playbook"


class ConfigError(ContractReviewError):
    """Settings are inconsistent (for example the LLM extractor without an endpoint)."""

    code = "bad_config"


class NotACertificate(DocumentError):
    """A file that reads but is no certificate of insurance (an ACORD 25 is expected)."""

    code = "not_a_certificate"
