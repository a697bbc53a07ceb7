"""Check certificates against one contract: review the contract (any extractor), state its
requirements (:mod:`.requirements`), read each certificate (:mod:`.parse`) and run the COI
rules (:mod:`.rules`). One :class:`~.model.CoiResult` per certificate; a certificate that
cannot be read is a result with ``status: "error"`` and the batch goes on."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ..errors import DocumentError
from ..fmt import short
from ..schema import SEVERITY_ORDER, ErrorInfo
from ..settings import Settings
from .model import Certificate, CoiFinding, CoiResult, LineResult
from .parse import read_certificate
from .registry import COI_RULES, Context, all_coi_rules
from .requirements import Requirements, requirements_of
from .rules import LABELS, lines_for


def contract_requirements(
    contract: str | Path, settings: Settings, extractor: str = "rules", playbook: str | None = None
) -> Requirements:
    """Review ``contract`` and return its requirements (a contract that cannot be read raises
    its typed document error). An extractor with ``for_requirements()`` (``llm``, ``hybrid``)
    is asked through it, so that its answer includes the per-policy requirements."""
    from ..errors import ContractReviewError
    from ..loaders import load_document
    from ..pipeline import Reviewer

    reviewer = Reviewer(settings, extractor=extractor, playbook=playbook, index=False)
    asking = getattr(reviewer.extractor, "for_requirements", None)
    if callable(asking):  # the LLM extractors: ask their optional per-policy requirements group too
        reviewer.extractor = asking()
    result = reviewer.review(str(contract))
    if result.status == "error" or result.profile is None:
        err = result.error
        raise ContractReviewError(f"{contract}: {err.code if err else 'error'}: {err.message if err else ''}")
    doc = load_document(contract, settings)
    return requirements_of(Path(contract).name, doc.norm, result.profile)


def check_certificate(req: Requirements, cert: Certificate, as_of: dt.date) -> tuple[list[CoiFinding], list[str]]:
    """The findings of every COI rule, most severe first, and the notes for a reader."""
    ctx = Context(req, cert, as_of)
    findings: list[CoiFinding] = []
    for r in all_coi_rules():
        for hit in r(ctx):
            findings.append(
                CoiFinding(
                    rule=r.code,
                    slug=r.slug,
                    severity=hit.severity or r.severity,
                    message=hit.message,
                    contract_evidence=[c.model_dump() for c in hit.contract],
                    certificate_evidence=list(hit.certificate),
                    suggestion=hit.suggestion if hit.suggestion is not None else r.use_instead,
                    uncertain=hit.uncertain,
                    policy=hit.policy,
                )
            )
    findings.sort(key=lambda f: (SEVERITY_ORDER[f.severity], f.rule))
    notes = [
        "A certificate is issued as a matter of information only and confers no rights upon the holder: "
        "additional-insured status and waivers are shown by the endorsements, which should be asked for."
    ]
    if not req.insurance_required:
        notes.append("The contract requires no insurance that the reader found: there is nothing to check against.")
    ratings = {p.min_rating.value for p in req.policies if p.min_rating}
    if ratings:
        naic = ", ".join(f"{i.letter} {i.name} (NAIC {i.naic or '?'})" for i in cert.insurers)
        notes.append(
            f"The contract requires insurers rated {' / '.join(sorted(ratings))} (A.M. Best); a certificate does "
            f"not show ratings: check {naic or 'the insurers'}."
        )
    if any(p.primary_noncontributory.present for p in req.policies):
        said = "primary" in cert.description_of_operations.lower()
        notes.append(
            "The contract requires primary and non-contributory cover; the ACORD 25 has no box for it: "
            + (
                "the description of operations mentions it."
                if said
                else "the description of operations does not mention it."
            )
        )
    if req.certificate_due is not None:
        notes.append(f"The contract says the certificate is due {req.certificate_due.value!r}.")
    if req.ungrounded:
        notes.append(
            f"{len(req.ungrounded)} value(s) or quote(s) the extractor proposed were dropped (not found in the "
            "contract, or not said by their quotes): see requirements.ungrounded."
        )
    return findings, notes


def _table(req: Requirements, cert: Certificate, findings: list[CoiFinding]) -> list[LineResult]:
    out: list[LineResult] = []
    for p in req.policies:
        rows, _sure = lines_for(cert, p)
        mine = [f for f in findings if f.policy == p.type and f.severity != "info"]
        limits = ", ".join(f"{lim.amount:,.0f} {lim.basis.replace('_', ' ')}" for lim in p.limits if lim.amount) or "-"
        terms = [n for n, t in (("AI", p.additional_insured), ("WOS", p.waiver_of_subrogation)) if t.present]
        requirement = f"{LABELS.get(p.type, p.type)}: {limits}" + (f" ({', '.join(terms)})" if terms else "")
        if rows:
            line = rows[0]
            shown = ", ".join(
                f"{lim.amount:,.0f} {lim.label}" if lim.amount else f"{lim.raw or 'statutory'} {lim.label}"
                for lim in line.limits[:3]
            )
            marks = [m for m, on in (("AI", line.additional_insured), ("WOS", line.subrogation_waived)) if on]
            exp = f" exp {line.expiration:%m/%d/%Y}" if line.expiration else ""
            certificate = f"{line.title}: {shown or '-'}{exp}" + (f" ({', '.join(marks)})" if marks else "")
        else:
            certificate = "not shown"
        status = "fail" if any(not f.uncertain for f in mine) else "uncertain" if mine else "pass"
        out.append(
            LineResult(
                policy=p.type,
                requirement=requirement,
                certificate=short(certificate, 160),
                status=status,
                rules=sorted({f.rule for f in mine}),
            )
        )
    return out


def check_files(
    req: Requirements,
    certificates: list[str],
    settings: Settings,
    as_of: dt.date,
    data: dict[str, bytes] | None = None,
) -> list[CoiResult]:
    """One result per certificate file (``data`` gives bytes for uploaded names)."""
    from ..loaders import read_bytes, sha256_bytes

    COI_RULES.load()
    out: list[CoiResult] = []
    for path in certificates:
        raw = (data or {}).get(path)
        res = CoiResult(file=Path(path).name, path=path, contract=req.contract, as_of=as_of)
        try:
            raw = raw if raw is not None else read_bytes(path, settings)  # a regular file within max_bytes only
            res.sha256 = sha256_bytes(raw)
        except DocumentError as e:  # unreadable, not a regular file (a FIFO is never opened), too large
            res.status, res.error = "error", ErrorInfo(code=e.code, message=e.message)
            out.append(res)
            continue
        try:
            cert = read_certificate(path, settings, raw)
        except DocumentError as e:
            res.status, res.error = "error", ErrorInfo(code=e.code, message=e.message)
            res.requirements = req.model_dump(mode="json")
            out.append(res)
            continue
        findings, notes = check_certificate(req, cert, as_of)
        res.certificate = cert
        res.requirements = req.model_dump(mode="json")
        res.findings = findings
        res.table = _table(req, cert, findings)
        res.notes = notes + cert.notes
        out.append(res)
    return out


# --------------------------------------------------------------------------- output


def to_json(res: CoiResult) -> str:
    return json.dumps(res.model_dump(mode="json"), ensure_ascii=False)


def render(res: CoiResult, markdown: bool = False) -> str:
    """One certificate's result for a person: findings first, then the table."""
    h = "## " if markdown else ""
    out = [f"{h}{res.file} against {res.contract} (as of {res.as_of})", ""]
    if res.status == "error" and res.error:
        return "\n".join([*out, f"error ({res.error.code}): {res.error.message}", ""]) + "\n"
    cert = res.certificate
    if cert is not None:
        out.append(
            f"insured: {cert.named_insured.name if cert.named_insured else '-'}; "
            f"holder: {cert.holder.name if cert.holder else '-'}; read from {cert.source}"
        )
        out.append("")
    if not res.findings:
        out.append("No gaps found.")
    for f in res.findings:
        out.append(
            f"{'- ' if markdown else ''}[{f.severity}] {f.rule} {f.slug}{' (uncertain)' if f.uncertain else ''}: {f.message}"
        )
        for c in f.contract_evidence[:1]:
            out.append(f'    contract p{c["page"]}: "{short(c["quote"], 160)}"')
        for e in f.certificate_evidence[:3]:
            out.append(f"    certificate {e.label or e.field}: {short(e.value, 100)}")
    out.append("")
    if markdown:
        out += ["| policy | requirement | certificate | status |", "|---|---|---|---|"]
        out += [f"| {t.policy} | {t.requirement} | {t.certificate} | {t.status} |" for t in res.table]
    else:
        out += [f"{t.status:<9} {t.requirement}  <->  {t.certificate}" for t in res.table]
    out.append("")
    out += [f"note: {n}" for n in res.notes]
    return "\n".join(out) + "\n"
