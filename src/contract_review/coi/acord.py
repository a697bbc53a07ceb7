"""The ACORD 25 (2016/03) "Certificate of Liability Insurance" as data: what each AcroForm
field means (:data:`LINES`, :data:`PARTIES`, :data:`INSURERS`) and where it sits on the page
(:data:`RECTS`, in PDF points from the bottom left), which is how a flattened certificate,
whose values are only printed text, is read back (:mod:`.parse`).

Field names are ACORD's data dictionary names as the fillable form carries them
(``GeneralLiability_EachOccurrence_LimitAmount_A``); other generators qualify them
(``F[0].P1[0].GeneralLiability_EachOccurrence_LimitAmount_A[0]``): :func:`field_key` reads
both alike. :data:`RECTS` was read from the blank form with :func:`layout_of` (a test
compares the two when ``../shared`` is present); the form itself is not part of the package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EDITION = "ACORD 25 (2016/03)"

#: Printed text that marks a page as an ACORD 25 certificate.
TITLE = re.compile(r"CERTIFICATE\s+OF\s+LIABILITY\s+INSURANCE", re.I)
FORM_MARK = re.compile(r"ACORD\s*25\b", re.I)

_QUALIFIED = re.compile(r"^(?:.*\.)?([A-Za-z][A-Za-z0-9_]*?)(?:\[\d+\])?$")


def field_key(name: str) -> str:
    """The data-dictionary name of a form field: ``F[0].P1[0].Insurer_FullName_A[0]`` ->
    ``Insurer_FullName_A``."""
    m = _QUALIFIED.match(name.strip())
    return m.group(1) if m else name.strip()


@dataclass(frozen=True)
class LimitSpec:
    """One limit box of a coverage row: its field, a stable key, the label printed beside
    it and the basis a contract's limit of that kind is stated on."""

    field: str
    key: str
    label: str
    basis: str
    label_field: str | None = None  # the "other" row's boxes carry their own label


@dataclass(frozen=True)
class LineSpec:
    """The fields of one coverage row of the form."""

    line: str
    title: str
    letter: str
    number: str
    effective: str
    expiration: str
    addl: str | None
    subr: str | None
    occurrence: str | None = None
    claims_made: str | None = None
    limits: tuple[LimitSpec, ...] = ()
    description: tuple[str, ...] = ()
    statutory: str | None = None
    umbrella: str | None = None
    excess: str | None = None


_GL = "GeneralLiability_"
LINES: tuple[LineSpec, ...] = (
    LineSpec(
        line="general_liability",
        title="COMMERCIAL GENERAL LIABILITY",
        letter=_GL + "InsurerLetterCode_A",
        number="Policy_GeneralLiability_PolicyNumberIdentifier_A",
        effective="Policy_GeneralLiability_EffectiveDate_A",
        expiration="Policy_GeneralLiability_ExpirationDate_A",
        addl="CertificateOfInsurance_GeneralLiability_AdditionalInsuredCode_A",
        subr="Policy_GeneralLiability_SubrogationWaivedCode_A",
        occurrence=_GL + "OccurrenceIndicator_A",
        claims_made=_GL + "ClaimsMadeIndicator_A",
        limits=(
            LimitSpec(_GL + "EachOccurrence_LimitAmount_A", "each_occurrence", "EACH OCCURRENCE", "per_occurrence"),
            LimitSpec(
                _GL + "FireDamageRentedPremises_EachOccurrenceLimitAmount_A",
                "damage_to_rented_premises",
                "DAMAGE TO RENTED PREMISES (Ea occurrence)",
                "other",
            ),
            LimitSpec(
                _GL + "MedicalExpense_EachPersonLimitAmount_A",
                "medical_expense",
                "MED EXP (Any one person)",
                "per_person",
            ),
            LimitSpec(
                _GL + "PersonalAndAdvertisingInjury_LimitAmount_A",
                "personal_adv_injury",
                "PERSONAL & ADV INJURY",
                "other",
            ),
            LimitSpec(_GL + "GeneralAggregate_LimitAmount_A", "general_aggregate", "GENERAL AGGREGATE", "aggregate"),
            LimitSpec(
                _GL + "ProductsAndCompletedOperations_AggregateLimitAmount_A",
                "products_aggregate",
                "PRODUCTS - COMP/OP AGG",
                "aggregate",
            ),
            LimitSpec(
                _GL + "OtherCoverageLimitAmount_A",
                "other",
                "OTHER",
                "other",
                label_field=_GL + "OtherCoverageLimitDescription_A",
            ),
        ),
        description=(_GL + "OtherCoverageDescription_A", _GL + "OtherCoverageDescription_B"),
    ),
    LineSpec(
        line="auto",
        title="AUTOMOBILE LIABILITY",
        letter="Vehicle_InsurerLetterCode_A",
        number="Policy_AutomobileLiability_PolicyNumberIdentifier_A",
        effective="Policy_AutomobileLiability_EffectiveDate_A",
        expiration="Policy_AutomobileLiability_ExpirationDate_A",
        addl="CertificateOfInsurance_AutomobileLiability_AdditionalInsuredCode_A",
        subr="Policy_AutomobileLiability_SubrogationWaivedCode_A",
        limits=(
            LimitSpec(
                "Vehicle_CombinedSingleLimit_EachAccidentAmount_A",
                "combined_single",
                "COMBINED SINGLE LIMIT (Ea accident)",
                "combined_single",
            ),
            LimitSpec(
                "Vehicle_BodilyInjury_PerPersonLimitAmount_A",
                "bodily_injury_per_person",
                "BODILY INJURY (Per person)",
                "per_person",
            ),
            LimitSpec(
                "Vehicle_BodilyInjury_PerAccidentLimitAmount_A",
                "bodily_injury_per_accident",
                "BODILY INJURY (Per accident)",
                "each_accident",
            ),
            LimitSpec(
                "Vehicle_PropertyDamage_PerAccidentLimitAmount_A",
                "property_damage",
                "PROPERTY DAMAGE (Per accident)",
                "other",
            ),
            LimitSpec(
                "Vehicle_OtherCoverage_LimitAmount_A",
                "other",
                "OTHER",
                "other",
                label_field="Vehicle_OtherCoverage_CoverageDescription_A",
            ),
        ),
        description=("Vehicle_OtherCoveredAutoDescription_A", "Vehicle_OtherCoveredAutoDescription_B"),
    ),
    LineSpec(
        line="umbrella_excess",
        title="UMBRELLA LIAB / EXCESS LIAB",
        letter="ExcessUmbrella_InsurerLetterCode_A",
        number="Policy_ExcessLiability_PolicyNumberIdentifier_A",
        effective="Policy_ExcessLiability_EffectiveDate_A",
        expiration="Policy_ExcessLiability_ExpirationDate_A",
        addl="CertificateOfInsurance_ExcessLiability_AdditionalInsuredCode_A",
        subr="Policy_ExcessLiability_SubrogationWaivedCode_A",
        occurrence="ExcessUmbrella_OccurrenceIndicator_A",
        claims_made="ExcessUmbrella_ClaimsMadeIndicator_A",
        limits=(
            LimitSpec(
                "ExcessUmbrella_Umbrella_EachOccurrenceAmount_A", "each_occurrence", "EACH OCCURRENCE", "per_occurrence"
            ),
            LimitSpec("ExcessUmbrella_Umbrella_AggregateAmount_A", "aggregate", "AGGREGATE", "aggregate"),
            LimitSpec(
                "ExcessUmbrella_OtherCoverageLimitAmount_A",
                "other",
                "OTHER",
                "other",
                label_field="ExcessUmbrella_OtherCoverageDescription_A",
            ),
        ),
        umbrella="Policy_PolicyType_UmbrellaIndicator_A",
        excess="Policy_PolicyType_ExcessIndicator_A",
    ),
    LineSpec(
        line="workers_compensation",
        title="WORKERS COMPENSATION AND EMPLOYERS' LIABILITY",
        letter="WorkersCompensationEmployersLiability_InsurerLetterCode_A",
        number="Policy_WorkersCompensationAndEmployersLiability_PolicyNumberIdentifier_A",
        effective="Policy_WorkersCompensationAndEmployersLiability_EffectiveDate_A",
        expiration="Policy_WorkersCompensationAndEmployersLiability_ExpirationDate_A",
        addl=None,  # the form has no ADDL INSD box on this row
        subr="Policy_WorkersCompensation_SubrogationWaivedCode_A",
        limits=(
            LimitSpec(
                "WorkersCompensationEmployersLiability_EmployersLiability_EachAccidentLimitAmount_A",
                "el_each_accident",
                "E.L. EACH ACCIDENT",
                "each_accident",
            ),
            LimitSpec(
                "WorkersCompensationEmployersLiability_EmployersLiability_DiseaseEachEmployeeLimitAmount_A",
                "el_disease_each_employee",
                "E.L. DISEASE - EA EMPLOYEE",
                "per_person",
            ),
            LimitSpec(
                "WorkersCompensationEmployersLiability_EmployersLiability_DiseasePolicyLimitAmount_A",
                "el_disease_policy_limit",
                "E.L. DISEASE - POLICY LIMIT",
                "aggregate",
            ),
        ),
        description=("WorkersCompensationEmployersLiability_OtherCoverageDescription_A",),
        statutory="WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A",
    ),
    LineSpec(
        line="other",
        title="OTHER",
        letter="OtherPolicy_InsurerLetterCode_A",
        number="OtherPolicy_PolicyNumberIdentifier_A",
        effective="OtherPolicy_PolicyEffectiveDate_A",
        expiration="OtherPolicy_PolicyExpirationDate_A",
        addl="CertificateOfInsurance_OtherPolicy_AdditionalInsuredCode_A",
        subr="OtherPolicy_SubrogationWaivedCode_A",
        limits=tuple(
            LimitSpec(
                f"OtherPolicy_CoverageLimitAmount_{x}",
                f"other_{x.lower()}",
                "",
                "other",
                f"OtherPolicy_CoverageCode_{x}",
            )
            for x in "ABC"
        ),
        description=("OtherPolicy_OtherPolicyDescription_A",),
    ),
)

#: The parties' blocks: name field and address fields.
PARTIES: dict[str, tuple[str, tuple[str, ...]]] = {
    role: (
        f"{prefix}_FullName_A",
        tuple(
            f"{prefix}_MailingAddress_{part}_A"
            for part in ("LineOne", "LineTwo", "CityName", "StateOrProvinceCode", "PostalCode")
        ),
    )
    for role, prefix in (("producer", "Producer"), ("named_insured", "NamedInsured"), ("holder", "CertificateHolder"))
}
INSURERS: tuple[str, ...] = tuple("ABCDEF")
REMARKS = "CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A"
DATE = "Form_CompletionDate_A"
CERTIFICATE_NUMBER = "CertificateOfInsurance_CertificateNumberIdentifier_A"
REVISION_NUMBER = "CertificateOfInsurance_RevisionNumberIdentifier_A"
EDITION_FIELD = "Form_EditionIdentifier_A"

#: The fields of the form that are check boxes (the others are text).
CHECKBOXES: frozenset[str] = frozenset(
    {f for spec in LINES for f in (spec.occurrence, spec.claims_made, spec.statutory, spec.umbrella, spec.excess) if f}
)


def layout_of(form_pdf: bytes) -> dict[str, tuple[float, float, float, float]]:
    """Every field's rectangle on page 1 of a fillable ACORD 25, by data-dictionary name
    (how :data:`RECTS` was made)."""
    import io

    from pypdf import PdfReader

    out: dict[str, tuple[float, float, float, float]] = {}
    for annot in PdfReader(io.BytesIO(form_pdf)).pages[0].get("/Annots") or []:
        a = annot.get_object()
        if "/T" in a and "/Rect" in a:
            x0, y0, x1, y1 = (round(float(v), 1) for v in a["/Rect"])
            out[field_key(str(a["/T"]))] = (x0, y0, x1, y1)
    return out


# Field rectangles of the 2016/03 edition (from ``layout_of`` on the blank form).
RECTS: dict[str, tuple[float, float, float, float]] = {
    "Form_EditionIdentifier_A": (0, 1, 0, 1),
    "Form_CompletionDate_A": (511, 744, 590, 756),
    "Producer_FullName_A": (22, 648, 302, 660),
    "Producer_MailingAddress_LineOne_A": (22, 636, 302, 648),
    "Producer_MailingAddress_LineTwo_A": (22, 624, 302, 636),
    "Producer_MailingAddress_CityName_A": (22, 612, 238, 624),
    "Producer_MailingAddress_StateOrProvinceCode_A": (238, 612, 256, 624),
    "Producer_MailingAddress_PostalCode_A": (256, 612, 302, 624),
    "Producer_ContactPerson_FullName_A": (346, 660, 590, 672),
    "Producer_ContactPerson_PhoneNumber_A": (353, 648, 479, 660),
    "Producer_FaxNumber_A": (518, 648, 590, 660),
    "Producer_ContactPerson_EmailAddress_A": (346, 636, 590, 648),
    "NamedInsured_FullName_A": (72, 588, 302, 600),
    "NamedInsured_MailingAddress_LineOne_A": (72, 576, 302, 588),
    "NamedInsured_MailingAddress_LineTwo_A": (72, 564, 302, 576),
    "NamedInsured_MailingAddress_CityName_A": (72, 552, 238, 564),
    "NamedInsured_MailingAddress_StateOrProvinceCode_A": (238, 552, 256, 564),
    "NamedInsured_MailingAddress_PostalCode_A": (256, 552, 302, 564),
    "Insurer_FullName_A": (349, 612, 536, 624),
    "Insurer_NAICCode_A": (544, 612, 590, 624),
    "Insurer_FullName_B": (349, 600, 536, 612),
    "Insurer_NAICCode_B": (544, 600, 590, 612),
    "Insurer_FullName_C": (349, 588, 536, 600),
    "Insurer_NAICCode_C": (544, 588, 590, 600),
    "Insurer_FullName_D": (349, 576, 536, 588),
    "Insurer_NAICCode_D": (544, 576, 590, 588),
    "Insurer_FullName_E": (349, 564, 536, 576),
    "Insurer_NAICCode_E": (544, 564, 590, 576),
    "Insurer_FullName_F": (349, 552, 536, 564),
    "Insurer_NAICCode_F": (544, 552, 590, 564),
    "CertificateOfInsurance_CertificateNumberIdentifier_A": (259, 540, 349, 552),
    "CertificateOfInsurance_RevisionNumberIdentifier_A": (508, 540, 590, 552),
    "GeneralLiability_InsurerLetterCode_A": (18, 444, 36, 456),
    "GeneralLiability_CoverageIndicator_A": (36, 480, 50, 492),
    "GeneralLiability_ClaimsMadeIndicator_A": (50, 468, 65, 480),
    "GeneralLiability_OccurrenceIndicator_A": (115, 468, 130, 480),
    "GeneralLiability_OtherCoverageIndicator_A": (36, 456, 50, 468),
    "GeneralLiability_OtherCoverageDescription_A": (54, 456, 173, 468),
    "GeneralLiability_OtherCoverageIndicator_B": (36, 444, 50, 456),
    "GeneralLiability_OtherCoverageDescription_B": (54, 444, 173, 456),
    "GeneralLiability_GeneralAggregate_LimitAppliesPerPolicyIndicator_A": (36, 420, 50, 432),
    "GeneralLiability_GeneralAggregate_LimitAppliesPerProjectIndicator_A": (79, 420, 94, 432),
    "GeneralLiability_GeneralAggregate_LimitAppliesPerLocationIndicator_A": (122, 420, 137, 432),
    "GeneralLiability_GeneralAggregate_LimitAppliesToOtherIndicator_A": (36, 408, 50, 420),
    "GeneralLiability_GeneralAggregate_LimitAppliesToCode_A": (79, 408, 173, 420),
    "CertificateOfInsurance_GeneralLiability_AdditionalInsuredCode_A": (176, 444, 194, 456),
    "Policy_GeneralLiability_SubrogationWaivedCode_A": (194, 444, 212, 456),
    "Policy_GeneralLiability_PolicyNumberIdentifier_A": (216, 444, 328, 456),
    "Policy_GeneralLiability_EffectiveDate_A": (331, 444, 378, 456),
    "Policy_GeneralLiability_ExpirationDate_A": (378, 444, 425, 456),
    "GeneralLiability_EachOccurrence_LimitAmount_A": (526, 480, 590, 492),
    "GeneralLiability_FireDamageRentedPremises_EachOccurrenceLimitAmount_A": (526, 468, 590, 480),
    "GeneralLiability_MedicalExpense_EachPersonLimitAmount_A": (526, 456, 590, 468),
    "GeneralLiability_PersonalAndAdvertisingInjury_LimitAmount_A": (526, 444, 590, 456),
    "GeneralLiability_GeneralAggregate_LimitAmount_A": (526, 432, 590, 444),
    "GeneralLiability_ProductsAndCompletedOperations_AggregateLimitAmount_A": (526, 420, 590, 432),
    "GeneralLiability_OtherCoverageLimitDescription_A": (428, 408, 511, 420),
    "GeneralLiability_OtherCoverageLimitAmount_A": (526, 408, 590, 420),
    "Vehicle_InsurerLetterCode_A": (18, 372, 36, 384),
    "Vehicle_AnyAutoIndicator_A": (36, 384, 50, 396),
    "Vehicle_AllOwnedAutosIndicator_A": (36, 372, 50, 384),
    "Vehicle_HiredAutosIndicator_A": (36, 360, 50, 372),
    "Vehicle_OtherCoveredAutoIndicator_A": (36, 348, 50, 360),
    "Vehicle_OtherCoveredAutoDescription_A": (54, 348, 101, 360),
    "Vehicle_ScheduledAutosIndicator_A": (104, 372, 119, 384),
    "Vehicle_NonOwnedAutosIndicator_A": (104, 360, 119, 372),
    "Vehicle_OtherCoveredAutoIndicator_B": (104, 348, 119, 360),
    "Vehicle_OtherCoveredAutoDescription_B": (122, 348, 173, 360),
    "CertificateOfInsurance_AutomobileLiability_AdditionalInsuredCode_A": (176, 372, 194, 384),
    "Policy_AutomobileLiability_SubrogationWaivedCode_A": (194, 372, 212, 384),
    "Policy_AutomobileLiability_PolicyNumberIdentifier_A": (216, 372, 328, 384),
    "Policy_AutomobileLiability_EffectiveDate_A": (331, 372, 378, 384),
    "Policy_AutomobileLiability_ExpirationDate_A": (378, 372, 425, 384),
    "Vehicle_CombinedSingleLimit_EachAccidentAmount_A": (526, 396, 590, 408),
    "Vehicle_BodilyInjury_PerPersonLimitAmount_A": (526, 384, 590, 396),
    "Vehicle_BodilyInjury_PerAccidentLimitAmount_A": (526, 372, 590, 384),
    "Vehicle_PropertyDamage_PerAccidentLimitAmount_A": (526, 360, 590, 372),
    "Vehicle_OtherCoverage_CoverageDescription_A": (428, 348, 511, 360),
    "Vehicle_OtherCoverage_LimitAmount_A": (526, 348, 590, 360),
    "ExcessUmbrella_InsurerLetterCode_A": (18, 324, 36, 336),
    "Policy_PolicyType_UmbrellaIndicator_A": (36, 336, 50, 348),
    "Policy_PolicyType_ExcessIndicator_A": (36, 324, 50, 336),
    "ExcessUmbrella_OccurrenceIndicator_A": (115, 336, 130, 348),
    "ExcessUmbrella_ClaimsMadeIndicator_A": (115, 324, 130, 336),
    "ExcessUmbrella_DeductibleIndicator_A": (36, 312, 50, 324),
    "ExcessUmbrella_RetentionIndicator_A": (72, 312, 86, 324),
    "ExcessUmbrella_Umbrella_DeductibleOrRetentionAmount_A": (133, 312, 173, 324),
    "CertificateOfInsurance_ExcessLiability_AdditionalInsuredCode_A": (176, 324, 194, 336),
    "Policy_ExcessLiability_SubrogationWaivedCode_A": (194, 324, 212, 336),
    "Policy_ExcessLiability_PolicyNumberIdentifier_A": (216, 324, 328, 336),
    "Policy_ExcessLiability_EffectiveDate_A": (331, 324, 378, 336),
    "Policy_ExcessLiability_ExpirationDate_A": (378, 324, 425, 336),
    "ExcessUmbrella_Umbrella_EachOccurrenceAmount_A": (526, 336, 590, 348),
    "ExcessUmbrella_Umbrella_AggregateAmount_A": (526, 324, 590, 336),
    "ExcessUmbrella_OtherCoverageDescription_A": (428, 312, 511, 324),
    "ExcessUmbrella_OtherCoverageLimitAmount_A": (526, 312, 590, 324),
    "WorkersCompensationEmployersLiability_InsurerLetterCode_A": (18, 282, 36, 294),
    "WorkersCompensationEmployersLiability_AnyPersonsExcludedIndicator_A": (158, 282, 173, 294),
    "Policy_WorkersCompensation_SubrogationWaivedCode_A": (194, 282, 212, 294),
    "Policy_WorkersCompensationAndEmployersLiability_PolicyNumberIdentifier_A": (216, 282, 328, 294),
    "Policy_WorkersCompensationAndEmployersLiability_EffectiveDate_A": (331, 282, 378, 294),
    "Policy_WorkersCompensationAndEmployersLiability_ExpirationDate_A": (378, 282, 425, 294),
    "WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A": (425, 300, 439, 312),
    "WorkersCompensationEmployersLiability_OtherCoverageIndicator_A": (475, 300, 490, 312),
    "WorkersCompensationEmployersLiability_OtherCoverageDescription_A": (518, 300, 590, 312),
    "WorkersCompensationEmployersLiability_EmployersLiability_EachAccidentLimitAmount_A": (526, 288, 590, 300),
    "WorkersCompensationEmployersLiability_EmployersLiability_DiseaseEachEmployeeLimitAmount_A": (526, 276, 590, 288),
    "WorkersCompensationEmployersLiability_EmployersLiability_DiseasePolicyLimitAmount_A": (526, 264, 590, 276),
    "OtherPolicy_InsurerLetterCode_A": (18, 240, 36, 252),
    "OtherPolicy_OtherPolicyDescription_A": (40, 234, 173, 258),
    "CertificateOfInsurance_OtherPolicy_AdditionalInsuredCode_A": (176, 240, 194, 252),
    "OtherPolicy_SubrogationWaivedCode_A": (194, 240, 212, 252),
    "OtherPolicy_PolicyNumberIdentifier_A": (216, 240, 328, 252),
    "OtherPolicy_PolicyEffectiveDate_A": (331, 240, 378, 252),
    "OtherPolicy_PolicyExpirationDate_A": (378, 240, 425, 252),
    "OtherPolicy_CoverageCode_A": (432, 252, 511, 264),
    "OtherPolicy_CoverageLimitAmount_A": (526, 252, 590, 264),
    "OtherPolicy_CoverageCode_B": (432, 240, 511, 252),
    "OtherPolicy_CoverageLimitAmount_B": (526, 240, 590, 252),
    "OtherPolicy_CoverageCode_C": (432, 228, 511, 240),
    "OtherPolicy_CoverageLimitAmount_C": (526, 228, 590, 240),
    "CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A": (22, 150, 590, 216),
    "CertificateHolder_FullName_A": (72, 90, 302, 102),
    "CertificateHolder_MailingAddress_LineOne_A": (72, 78, 302, 90),
    "CertificateHolder_MailingAddress_LineTwo_A": (72, 66, 302, 78),
    "CertificateHolder_MailingAddress_CityName_A": (72, 54, 238, 66),
    "CertificateHolder_MailingAddress_StateOrProvinceCode_A": (238, 54, 256, 66),
    "CertificateHolder_MailingAddress_PostalCode_A": (256, 54, 302, 66),
    "Producer_AuthorizedRepresentative_Signature_A": (310, 48, 590, 72),
}
