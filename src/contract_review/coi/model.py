"""What a certificate of insurance says, as read from an ACORD 25 (:mod:`.parse`), and the
result of checking it against a contract (:class:`CoiResult`, one JSON object per
certificate from ``contract-review coi``). Add fields, never rename them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..schema import Basis, ErrorInfo, PolicyType, Severity

LineKind = Literal["general_liability", "auto", "umbrella_excess", "workers_compensation", "other"]
CoverageForm = Literal["occurrence", "claims_made"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Entry(_Model):
    """One box of the certificate as read: the form's field name, the label printed beside
    it and its value as written. A finding's certificate evidence is a list of these."""

    field: str = Field(description="The ACORD data-dictionary field name (or the printed label when none).")
    label: str = ""
    value: str = Field(description="The value as written on the certificate.")


class Insurer(_Model):
    letter: str = Field(description="A-F, as the coverage rows refer to it.")
    name: str
    naic: str | None = None


class Party(_Model):
    name: str
    address: list[str] = Field(default_factory=list)


class CertLimit(_Model):
    """One limit of a coverage row. ``amount`` is null for "Statutory" and for a box whose
    text is no amount (kept in ``raw``)."""

    key: str = Field(description="The box: each_occurrence, general_aggregate, combined_single, el_each_accident ...")
    label: str = Field(description="The label printed beside the box (or written in the row's own label box).")
    basis: Basis
    amount: float | None = None
    currency: str | None = "USD"
    statutory: bool = False
    raw: str = ""
    field: str = ""


class CoverageLine(_Model):
    """One coverage row of the certificate."""

    line: LineKind
    title: str = Field(description="The row's printed title, or the description written in the OTHER row.")
    policy_types: list[PolicyType] = Field(
        default_factory=list, description="The profile policy types this row shows (the OTHER row by its description)."
    )
    insurer_letter: str | None = None
    policy_number: str | None = None
    effective: dt.date | None = None
    expiration: dt.date | None = None
    form: CoverageForm | None = Field(None, description="Occurrence or claims-made as marked; null when neither.")
    additional_insured: bool = Field(False, description="ADDL INSD marked (Y, X, a check mark).")
    subrogation_waived: bool = Field(False, description="SUBR WVD marked (Y, X, a check mark).")
    limits: list[CertLimit] = Field(default_factory=list)
    entries: list[Entry] = Field(default_factory=list, description="Every filled box of the row, as written.")
    notes: list[str] = Field(default_factory=list, description="What could not be read surely (an unreadable date).")

    def entry(self, *keys: str) -> list[Entry]:
        """The row's entries whose field name contains one of ``keys``."""
        return [e for e in self.entries if any(k in e.field for k in keys)]


@dataclass
class Fragment:
    """A piece of printed text at a position on the page (PDF points, bottom left): what a
    flattened form's text layer, or OCR of a scanned one, gives the reader."""

    text: str
    x: float
    y: float


class Certificate(_Model):
    """An ACORD 25 certificate of liability insurance as read."""

    form: str = "ACORD 25"
    edition: str | None = None
    source: Literal["acroform", "text", "ocr"] = Field(
        description="Read from the form's fields, from the printed text, or by OCR of a scanned page."
    )
    ocr_confidence: float | None = Field(
        None, description="For a scanned certificate: Tesseract's mean word confidence (0-100)."
    )
    date: dt.date | None = None
    certificate_number: str | None = None
    producer: Party | None = None
    named_insured: Party | None = None
    holder: Party | None = None
    insurers: list[Insurer] = Field(default_factory=list)
    lines: list[CoverageLine] = Field(default_factory=list)
    description_of_operations: str = ""
    notes: list[str] = Field(default_factory=list)

    def insurer(self, letter: str | None) -> Insurer | None:
        if not letter:
            return None
        return next((i for i in self.insurers if i.letter == letter.strip().upper()), None)


class CoiFinding(_Model):
    """A gap between the certificate and the contract, with both sides' evidence."""

    rule: str
    slug: str
    severity: Severity
    message: str
    contract_evidence: list[dict] = Field(
        default_factory=list, description="Citations of the contract ({quote, page, start, end}) that require it."
    )
    certificate_evidence: list[Entry] = Field(default_factory=list, description="The certificate's boxes concerned.")
    suggestion: str = ""
    uncertain: bool = Field(False, description="True when the rule could not be sure (a name that may be the same).")
    policy: str | None = Field(None, description="The required policy type the finding is about, if one.")


class LineResult(_Model):
    """One row of the requirement-vs-certificate table: a required policy and what the
    certificate shows for it."""

    policy: PolicyType
    requirement: str
    certificate: str
    status: Literal["pass", "fail", "uncertain"]
    rules: list[str] = Field(default_factory=list)


class CoiResult(_Model):
    """One line of ``contract-review coi`` output: one certificate against one contract."""

    file: str
    path: str
    sha256: str | None = None
    status: Literal["ok", "error"] = "ok"
    error: ErrorInfo | None = None
    contract: str = ""
    as_of: dt.date | None = None
    certificate: Certificate | None = None
    requirements: dict | None = None
    findings: list[CoiFinding] = Field(default_factory=list)
    table: list[LineResult] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
