"""The vocabulary of the rules extractor and of the money parser: every compiled pattern
they use, each with a comment on what it matches, and the tables (number words, currencies,
policy types, limit bases, terms) that turn a match into a value. Patterns run over
:attr:`Document.norm` (look-alike characters folded, offsets those of :attr:`Document.text`);
to teach the extractor a phrasing, add a line to the registry it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import cast

from .lazyre import LazyPattern, first_char_groups

I = re.I  # noqa: E741 - short alias for the many case-insensitive patterns below


def _c(pattern: str, flags: int = I) -> re.Pattern[str]:
    """``pattern``, case-insensitive unless told otherwise, compiled on first use (a
    :class:`~contract_review.extract.lazyre.LazyPattern`: a review uses few of them unless
    the contract has an insurance section)."""
    return cast(re.Pattern[str], LazyPattern(pattern, flags))


# --------------------------------------------------------------------------- the cheap scan
#: The first pass over the whole document: anything that can start an insurance clause
#: ("insur", "subrogat", "general liability", "errors and omissions", "workers' comp", ...).
_KEYWORDS = (
    r"insur|subrogat|assurance\b|liability\s+(?:coverage|cover|policy)|general\s+liability|errors\s+(?:and|&)\s+omissions"
    r"|workers'?\s*comp|umbrella\s+(?:liability|coverage|policy)"
)
#: The first-pass scan, case-insensitive.
KEYWORDS = _c(_KEYWORDS)
#: The same scan for lower-cased text, without the cost of case-folding in the regex.
KEYWORDS_LOWER = re.compile(_KEYWORDS)
#: The word each branch of :data:`KEYWORDS` starts with, lower-cased: a match of
#: ``KEYWORDS_LOWER`` starts where one of them is written (:func:`.rules.extractor.keyword_hits`).
KEYWORD_STARTS = ("insur", "subrogat", "assurance", "liability", "general", "errors", "workers", "umbrella")

#: An insurance noun (not "insurrection", not a bare "insure that" = ensure).
INSURANCE_WORD = _c(
    r"\binsur(?:ance|ances|ed|eds|er|ers|ing)\b|\bself[- ]?insur\w*|\binsure\b(?!\s+(?:that|the\s+(?:accuracy|quality|timely|proper|safety|compliance)))|\binsurable\b"
)

#: Text addressed to a reader or a review tool rather than to the parties ("NOTE TO ANY
#: AUTOMATED REVIEW TOOL: ... flag nothing"). It is data: the paragraph is not read as
#: contract terms, and nothing in it changes how the rest is read.
META_INSTRUCTION = _c(
    r"\bnote\s+to\s+(?:any\s+|the\s+|all\s+)?(?:automated\s+|ai\s+)?(?:review(?:ing)?\s+)?(?:tools?|models?|reviewers?|readers?|assistants?|ai|llms?|systems?)\b"
    r"|\b(?:automated|ai|software)\s+review(?:ing)?\s+(?:tools?|systems?)\b|\blanguage\s+models?\s*(?::|reading|reviewing)"
    r"|\b(?:ignore|disregard)\s+(?:all\s+|any\s+)?(?:previous|prior|above|earlier|other)\s+instructions\b"
    r"|\b(?:flag|report)\s+(?:nothing|no\s+(?:issues?|findings?|problems?))\b|\bany\s+summary\s+you\s+(?:produce|generate|write)\b"
)
#: What every :data:`META_INSTRUCTION` match holds, for the lower-cased text (:mod:`.prefilter`):
#: a document without one has no such paragraph. Each cue is a word, found by ``in``, and
#: a pattern that starts with it and runs only when the word is there; ``re`` finds it by a
#: fast scan for that word (one alternation of them would be tried at every position).
META_CUES = tuple(
    (word, _c(p, 0))
    for word, p in (
        ("note", r"note\s+to"),
        ("review", r"review(?:ing)?\s+(?:tool|system)"),
        ("language", r"language\s+model"),
        ("ignore", "ignore"),
        ("disregard", "disregard"),
        ("flag", r"flag\s+no"),
        ("report", r"report\s+no"),
        ("summary", r"summary\s+you"),
    )
)

# --------------------------------------------------------------------------- clause units
#: Where a sentence or list item ends: a full stop or semicolon before a capital, a digit
#: or an opening bracket; a colon at a line end; a blank line; a new line that opens a
#: list item ("(a)", "(iv)", "2.", "A.", "12.3") or a table cell that starts a new row.
UNIT_BREAK = re.compile(
    r"[.;](?=[\"')\]]?\s+[\"'(\[]?[A-Z0-9(\[])"
    r"|:[ \t]*(?=\n)"
    r"|\n[ \t]*\n"
    r"|(?=\n[ \t]*(?:\(?[a-zA-Z]{1,4}\)|\(?\d{1,2}(?:\.\d{1,2}){0,3}[.)]|[A-Z][.)]|[ivxIVX]{1,5}[.)]|[-\u2022*\u25cf\u25aa])[ \t]+\S)"
)
#: A full stop after these is not the end of a sentence ("Acme Co. shall", "U.S. dollars").
ABBREVIATION = re.compile(
    r"(?:\b(?:No|Co|Inc|Ltd|Corp|St|Mr|Ms|Mrs|Dr|vs|Jr|Sr|e\.g|i\.e|Nos|Art|Sec|cf|approx|Cal|Del|N\.Y|Ill|Ala|Mass|Fla|Tex|Pa)|\b[A-Z]|\.[A-Z])$",
    re.I,
)
#: The longest quote a citation carries, in characters.
MAX_QUOTE = 400
#: A list marker alone at the start of a line ("1", "(a", "iv", "12.3"): a full stop after
#: it ("1.   Commercial General Liability") does not end a sentence.
LIST_MARKER = re.compile(r"[ \t]*(?:\(?[a-zA-Z]{1,4}|\d{1,2}(?:\.\d{1,2}){0,3}|[ivxIVX]{1,5})")
#: Where a citation cut from a long unit may start: after a semicolon, a colon, a full stop
#: or an item marker such as "(b)".
QUOTE_START = re.compile(r"(?:[;:]|\.(?=\s)|\(\s*(?:[a-z]{1,3}|\d{1,2})\s*\))\s+")
#: A verb of a clause: a short unit with none is a heading ("12.3.3 Additional Insured."), while
#: a short sentence with a present-tense verb of the insurance clauses is not
#: ("Provider waives all rights of subrogation against Client.").
VERB = _c(
    r"\b(?:shall|will|must|may|is|are|be|agrees?|has|have|hereby|waives?|releases?|maintains?|carries?|procures?)\b"
)
#: The marker that opens a list item: "(a) ", "12.3.4 ", "(iv) ", "B. ".
LIST_ITEM = re.compile(r"\s*(?:\(?[a-zA-Z]{1,4}\)|\(?\d{1,2}(?:\.\d{1,2}){0,3}\.?\)?|[A-Z]\.)\s+(?=\S)")
#: A word of a caption, checked for capitals ("Product Liability Insurance.").
TITLE_WORD = re.compile(r"[A-Za-z][\w'-]*")
#: A run of whitespace (folded to one space in names and headings).
SPACES = re.compile(r"\s+")
#: A blank line, where a paragraph ends.
BLANK_LINE = re.compile(r"\n[ \t]*\n")
#: A unit that ends at a blank line (where a page break also falls).
BLANK_LINE_END = re.compile(r"\n[ \t]*\n\s*$")
#: A unit whose text ends a sentence (a stop, colon, semicolon, ? or !, maybe in quotes or brackets).
SENTENCE_END_CHAR = re.compile(r"[.;:?!][\"')\]]*\s*$")
#: Text that starts in lower case after spaces: a sentence that goes on.
LOWER_START = re.compile(r"\s*[a-z]")

# --------------------------------------------------------------------------- the insurance region
#: A section title about insurance ("10. INSURANCE", "Insurance Requirements").
INSURANCE_TITLE = _c(r"insur")
#: Words that keep a unit within an insurance clause: insurance, policies, coverage,
#: carriers, underwriters, subrogation.
INSURANCE_CONTEXT = _c(r"insur|\bpolic(?:y|ies)\b|\bcoverages?\b|\bcarriers?\b|\bunderwriters?\b|subrogat")
#: Words that match :data:`INSURANCE_CONTEXT` wherever they are, and those its other branches
#: need (with a word boundary the pattern checks), lower-cased (:mod:`.prefilter`).
INSURANCE_CONTEXT_SURE = ("insur", "subrogat")
INSURANCE_CONTEXT_NEEDLES = ("polic", "coverage", "carrier", "underwriter")
#: The subject of a term of cover rather than of its amount: additional insured,
#: subrogation, certificates, primary, cancellation, notice, loss payee, claims-made, deductible.
TERM_CLAUSE = _c(
    r"additional(?:ly)?\s+(?:named\s+)?insured|subrogat|certificate|\bprimary\b|non-?contribut|\bcancel|\bnotice\b|\bloss\s+payee|\bclaims[- ]made\b|\bdeductible"
)
#: "limit(s)": a table cell or list item that goes on about limits.
LIMIT_WORD = _c(r"\blimits?\b")
#: The number of a numbered section title ("10. INSURANCE", "Article IV", "Section 12"),
#: not the start of a subsection number ("10.6").
SECTION_NUMBER = re.compile(
    r"^(?:(?:Section|SECTION|Article|ARTICLE|Clause|CLAUSE)\s+)?(\d{1,2}|[IVXLC]{1,6})(?:\.|\s|$)(?!\d)"
)
#: A title that opens an exhibit, schedule or other attachment.
EXHIBIT_TITLE = _c(r"^(?:exhibit|schedule|appendix|annex|attachment|addendum|rider)\b")


def subsection_of(number: str) -> re.Pattern[str]:
    """A title numbered as a subsection of section ``number`` ("10.6 Notice" under "10")."""
    return re.compile(re.escape(number) + r"\.\d")


#: A reference to an attachment by letter or number ("Exhibit C", "Schedule 2.1",
#: "Annex A-1"), not one followed by a further ".<digit>" ("Exhibit 10.1.2", a filing index).
XREF = re.compile(
    r"\b(Exhibit|Schedule|Appendix|Annex|Attachment|Addendum|Rider)\s+([A-Z0-9]{1,4}(?:[-.][A-Z0-9]{1,3})?)\b(?!\s*\.\s*\d)"
)
#: After a reference, "of/to the Master Agreement": an attachment of another document,
#: not attached here ("to the Agreement", "to the SOW", "of this ..." are this one's own).
EXTERNAL_REF = re.compile(r"\s*(?:of|to)\s+(?:the|that|this)\s+(?!Agreement\b|SOW\b|Statement)[A-Z]")
#: After a reference, "of this ..." or "to this ...": the attachment is this document's.
THIS_REF = re.compile(r"\s*(?:of|to)\s+this\b")
#: What may follow an attachment's name in its own title ("Exhibit C: Insurance",
#: "Exhibit C - ...", "Exhibit C."), so that "Exhibit C1" is not taken for "Exhibit C".
TITLE_KEY_END = re.compile(r"[\s.:\-]|$")


def exhibit_heading(kind: str, ident: str) -> re.Pattern[str]:
    """The line that heads attachment ``kind ident`` ("EXHIBIT C - INSURANCE"), for when
    the chunker merged it into another section."""
    return re.compile(rf"^[ \t]*{re.escape(kind)}[ \t]+{re.escape(ident)}\b[^\n]{{0,80}}", re.I | re.M)


#: The line that heads the next attachment of any kind (where one found by
#: :func:`exhibit_heading` ends).
NEXT_EXHIBIT_HEADING = re.compile(
    r"^[ \t]*(?:exhibit|schedule|appendix|annex|attachment|addendum|rider)[ \t]+[A-Z0-9]", re.I | re.M
)

# --------------------------------------------------------------------------- obligations
#: The end of a duty's subject: "shall", "agrees to", "is required to", "is responsible for".
_SUBJ_END = (
    r"(?:shall|will|must|(?:agrees?|covenants?|undertakes?)(?:\s*,[^,;]{1,60},\s*|\s+)(?:to|that)|(?:is|are|be|been)\s+(?:required|obligated)\s+to"
    r"|(?:is|are|shall\s+be|will\s+be)\s+(?:solely\s+|fully\s+)?responsible\s+for)"
)
#: A verb of carrying cover: "obtain", "maintain", "carry", "have" (not "have the right"), "provide".
_ACT = (
    r"(?:obtain|maintain|carry|keep|procure|purchase|secure|have(?!\s+(?:the|no|any|a|an|sole)\s+(?:\w+\s+)?(?:right|option|obligation|discretion|duty|power|authority|responsibility|ability|opportunity|meanings?))(?!\s+(?:been|sustained|made|done|given|taken|become|\w+ed)\b)|take\s+out|effect|insure|self[- ]?insure|"
    r"arrange|provide|furnish|continue\s+to\s+(?:maintain|carry|keep|have)|cause\s+to\s+be\s+(?:maintained|insured)|"
    r"obtaining|maintaining|carrying|procuring|keeping|purchasing|securing|providing)"
)
#: "Vendor shall, at its own expense, obtain and maintain ... insurance"
OBLIGATION = _c(
    rf"\b{_SUBJ_END}(?:\s*,\s*|\s+)(?:(?!not\b|no\b|never\b|only\b|have\s+(?:the|no|any)\b)[\w,()'$\[\]*/.&-]+\s+){{0,10}}?{_ACT}\b"
)
#: "Consultant shall be responsible for all taxes ... and for maintaining workers' compensation
#: insurance": a duty verb coordinated with an earlier, non-insurance duty.
COORDINATED_DUTY = _c(
    rf"\b{_SUBJ_END}\b[^.;]{{0,200}}?(?:,\s*|\s)(?:and|or)\s+(?:for\s+|to\s+|shall\s+|will\s+)?{_ACT}\b"
)
#: "VS represents and warrants that it has and will maintain ... insurance"; "is insured".
REPRESENTATION = _c(
    r"\b(?:represents?|warrants?|covenants?|certif(?:y|ies))\b[^.;]{0,120}?\b(?:has|have|maintains?|carries|carry|holds?|is|are)\b"
    r"|\b(?:is|are)\s+(?:and\s+will\s+(?:be|remain)\s+)?(?:adequately\s+|fully\s+|properly\s+)?insured\b"
    r"|\b(?:currently|presently)\s+(?:has|maintains|carries)\b"
    # (the boundary and the look-ahead, zero-width like the look-behinds, come first: most
    # positions fail there, before six look-behinds; see lazyre.boundary_first)
    r"|\b(?=carr|maint)(?<!\bto\s)(?<!\bmay\s)(?<!\bshall\s)(?<!\bwill\s)(?<!\bmust\s)(?<!\bnot\s)(?:carries|carry|maintains|maintain)\b(?:\s*,\s*or\s+(?:is|are)\s+covered\s+by\s*,)?\s+(?:[\w'-]+\s+){0,5}?insurance\b"
    r"|\b(?:shall|will|must)\s+be\s+(?:fully\s+|adequately\s+|properly\s+)?(?:insured|covered\s+(?:by|under))\b"
)
#: An obligation that is negated or a mere option: "shall not be required to maintain",
#: "has no obligation to", "may insure", "will not obtain", "nothing herein requires".
NOT_AN_OBLIGATION = _c(
    r"\b(?:shall|will|must|need|does|do|is|are)\s+not\b[^.;]{0,40}?\b(?:obtain|maintain|carry|keep|procure|purchase|provide|insure|required|obligated|responsible)"
    r"|\b(?:has|have|is\s+under|be\s+under)\s+no\s+(?:obligation|duty|responsibility)"
    r"|\bwithout\s+any\s+obligation|\bnothing\s+(?:herein|in\s+this|contained)[^.;]{0,80}?\b(?:require|obligat)"
    r"|\bno\s+(?:party|one)\s+(?:shall|will)\s+be\s+(?:required|obligated)|\bneither\s+(?:party|of\s+the\s+parties)\b[^.;]{0,20}\b(?:shall|will|is|be)\b[^.;]{0,12}\b(?:required|obligated|obliged)"
    r"|\b(?:should|if|unless|whether|in\s+case)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:jointly\s+|mutually\s+)?(?:agrees?|elects?|decides?|chooses?|wish(?:es)?)\s+to\b"
)
#: A list item that begins with the duty itself, under an intro such as "You must:" or
#: "Licensee shall:" ("5.1.22 maintain, at your expense, insurance of the types ...").
IMPERATIVE_ITEM = _c(
    r"^\s*(?:\(?[\w.]{1,8}\)?\s+)?(?:(?:after|before|during|at\s+all\s+times|throughout|from)\b[^,;]{0,60},?\s*)?"
    r"(?:obtain|maintain|carry|procure|purchase|keep|secure)\b(?:\s+and\s+(?:maintain|keep))?\b"
)
#: Mentions of insurance that are not a duty to carry it: employee benefits, deposit
#: insurance, insurance as the parties' business, insurance as a cost item.
NON_REQUIREMENT_CONTEXT = _c(
    r"\b(?:medical|health|dental|vision|life|disability|unemployment|employment|social|national|group|pension|travel|"
    r"hospitali[sz]ation|income\s+protection|benefit)\s+(?:and\s+\w+\s+)?(?:insurance|assurance)\b"
    r"|\bFDIC\b|\bdeposit\s+insurance|\bFederal\s+Deposit\s+Insurance(?:\s+Corporation)?|\bdeposit\s+accounts?\b[^.;]{0,40}insured"
    r"|\b(?:deposits?|accounts?)\b[^.;]{0,30}\binsured\b|\binsured\s+by\s+the\s+(?:FDIC|Federal\s+Deposit|Savings\s+Association)"
    r"|\b(?:freight|shipping|carriage|transportation|postage|handling|duties|taxes|tax)\s*(?:,\s*\w+\s*)*(?:and|&|,)\s*insurance\b"
    r"|\binsurance\s*(?:,\s*\w+\s*)*(?:and|&)\s*(?:freight|shipping|taxes|duties)\b"
    r"|\b(?:insurance|annuity)\s+(?:products?|agency|agencies|agents?|brokerage|business|regulat\w+|licen[cs]e\w*|commissions?|premiums?\s+(?:written|collected))"
    r"|(?-i:\bInsurance\s+(?:Center|Centre|Company|Corporation|Agency|Group|Holdings|Services|Solutions|Inc|Co|Ltd|Exchange|Department|Commissioner|Code|Act|Law|Subsidiar\w+|Information))"
    r"|(?-i:\bINSURANCE\s+(?:CENTER|CENTRE|COMPANY|CORPORATION|AGENCY|GROUP|HOLDINGS|SERVICES|SUBSIDIAR\w+|INFORMATION))"
    r"|\binsurance\s+(?:laws?|regulations?|regulatory|codes?|statutes?|departments?|commissioners?|regulators?|holding\s+compan\w+|subsidiar\w+|information|quotes?|leads?|customers?|applications?)\b"
    r"|\b(?:no|without)\s+(?:extra\s+|additional\s+|any\s+)?insurance\b|\bwhether\s+or\s+not\b[^.;]{0,60}\binsured\b"
)
#: Insurance-meaning-ensure: "shall insure that the goods ...", "to insure security": the
#: verb "insure" with nothing about risks, value or cover after it.
ENSURE_SENSE = _c(
    r"\binsure\s+(?:that|the\s+(?:accuracy|quality|timely|proper|safety|compliance))\b"
    r"|\binsure\b(?!\s+(?:(?:the|all|such|its|their|any|each|said)\s+)?(?:[\w-]+\s+)?(?:products?|goods|shipments?|equipment|property|properties|premises|cargo|inventory|assets|vehicles?|materials?|tools|buildings?|plant|works|facilit\w+|deliver\w*)\b)"
    r"(?![^.;]{0,80}\b(?:against|losses?|damage|value|insurers?|insurance|polic(?:y|ies)|coverage|risks?|perils?|fire|theft|casualty|liability)\b)"
)

#: "Any of the Parties may at its own expense insure": a mere option.
OPTION_ONLY = _c(
    r"\bmay\s+(?:(?:at\s+its\s+\w+\s+\w+\s*,?\s*)|(?:\w+\s+){0,3}?)(?:insure|obtain|acquire|purchase|carry|maintain|elect)\b"
)
#: A noun of cover other than "insurance" ("Errors & Omissions coverage of at least USD 2
#: million": with a named type it makes a unit about insurance).
COVER_NOUN = _c(r"\b(?:coverages?|cover|polic(?:y|ies))\b")
#: What a weak duty verb ("provide", "furnish", "have") needs as its object to be a duty to
#: carry cover ("will provide to the Insurer a statement" is not one).
COVER_OBJECT = _c(r"\b(?:insurance|self[- ]?insur\w*|coverages?|insured)\b")
#: Deposit insurance of a bank (FDIC, SAIF, BIF, deposit accounts): not cover a party carries.
DEPOSIT_INSURANCE = _c(
    r"\bFDIC\b|\bFederal\s+Deposit\s+Insurance|\bdeposit\s+(?:accounts?|insurance)\b|\bSAIF\b|\bBIF\b"
)
#: What every :data:`DEPOSIT_INSURANCE` match holds, lower-cased (:mod:`.prefilter`).
DEPOSIT_NEEDLES = ("fdic", "deposit", "saif", "bif")
#: More duty verbs chained to the first ("shall obtain ... and maintain", "or procure"): the
#: insurance word may come after the last of them.
ACT_CHAIN = _c(r"(?:[^.;]{0,40}?\b(?:and|or|and/or)\s+(?:obtain|maintain|carry|keep|procure|purchase|secure)\b)+")
#: Cover named within a few words after a duty verb, for a unit under an insurance heading
#: ("Contractor shall carry the coverage set forth in Exhibit C").
COVER_AFTER_DUTY = _c(r"[^.;]{0,40}?\b(?:coverages?|polic(?:y|ies))\b")
#: A duty phrase that ends in a weak verb ("provide", "furnish", "have"): its object must be
#: cover, and close by.
WEAK_DUTY_VERB = _c(r"(?:provid|furnish|hav)\w*$")
#: The duty verb is "insure" or "self-insure" ("shall insure the Premises").
INSURE_VERB = _c(r"\b(?:self[- ]?)?insure\b")
#: Insurance named before the duty verb in the same clause, with no full stop or semicolon
#: between ("the insurance coverage that Vendor shall maintain").
INSURANCE_BEFORE_DUTY = _c(r"\b(?:insurance|coverage|polic(?:y|ies))\b[^.;]{0,160}$")

# --------------------------------------------------------------------------- obligated parties
#: The party a contract calls "you": '"you" ... "Franchisee"' or '"Franchisee" ... "you"'.
YOU_DEFINED = _c(r"\"you\"[^)\n]{0,40}?\"([A-Z][\w ]{2,30})\"|\"([A-Z][\w ]{2,30})\"[^)\n]{0,40}?\"you\"")
#: The subject at the end of the text before a duty verb: "Each Party", "you", or a name of
#: up to six capitalised words, with a parenthesis or an inserted ", ...," after it.
SUBJECT = re.compile(
    r"(?:\b(?:[Ee]ach|[Bb]oth|[Ee]ither)\s+(?:of\s+the\s+)?(?:[Pp]art(?:y|ies))\b"
    r"|\b[Yy]ou\b"
    r"|\b(?:(?:[A-Z][\w&.'-]*|of|the|and|&)\s+){0,5}[A-Z][\w&.'-]*)"
    r"(?:\s*\([^)]{0,40}\))?(?:\s*,[^,;]{0,80},)?\s*(?:each\s+|also\s+|itself\s+)?$"
)
#: Capitalised words that open a sentence or name a thing, not a party.
NOT_A_PARTY = re.compile(
    r"^(?:The|This|Such|Any|All|In|During|Throughout|Upon|If|Before|Prior|At|Each|Both|Either|Notwithstanding|Subject|Except|Without|Term|Agreement|Section|Article|Party|Parties|Services)$"
)
#: A parenthesis in a subject ('Acme Corp. ("Vendor")').
PARENTHETICAL = re.compile(r"\s*\([^)]*\)")
#: An inserted clause after the subject, from its comma on ("Vendor, at its own cost,").
FROM_COMMA = re.compile(r",.*$", re.S)
#: "each", "also" or "itself" after the subject ("Licensee also shall").
SUBJECT_ADVERB = re.compile(r"\s+(?:each|also|itself)$")
#: "Each Party", "Both Parties", "Either of the Parties" as a whole subject.
EACH_PARTY = re.compile(r"(?:[Ee]ach|[Bb]oth|[Ee]ither)\s+(?:of\s+the\s+)?[Pp]art(?:y|ies)")
#: "You" as a whole subject.
YOU = re.compile(r"[Yy]ou")
#: A leading "the" before a name.
LEADING_THE = re.compile(r"^(?:the|The)\s+")
#: A list marker before the subject ("A. Subcontractor", "ii) Vendor", "3. Tenant").
SUBJECT_MARKER = re.compile(r"^(?:[A-Z]|[ivxIVX]{1,4}|\d{1,2})[.)]\s+")
#: "the Parties" or "Both Parties" as a whole subject.
THE_PARTIES = re.compile(r"(?:[Bb]oth\s+)?(?:the\s+)?[Pp]arties")
#: Between names in one subject: "Licensor and Licensee", "A & B", "A, B".
NAME_SEPARATOR = re.compile(r"\s+(?:and|&)\s+|,\s*")
#: A leading "of" or "the" left on a name by the split ("of the Company").
LEADING_OF_THE = re.compile(r"^(?:of\s+|the\s+)+")

# --------------------------------------------------------------------------- policy types
#: Each type with its phrasings, most specific first; an overlapping later match is dropped
#: (so "products liability insurance" is product liability, not generic liability).
POLICY_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "technology_eo",
        _c(
            r"\btechnology\s+(?:errors\s+(?:and|&)\s+omissions|E\s?&\s?O|professional\s+liability)\b|\btech\s+E\s?&\s?O\b"
        ),
    ),
    (
        "cyber",
        _c(
            r"\bcyber\s*(?:security|liability|risk|insurance|coverage)?\b|\bnetwork\s+security\b|\bprivacy\s+(?:and\s+(?:network\s+)?security\s+)?liability\b|\bdata\s+(?:breach|theft|protection\s+liability)\b|\bsecurity\s+and\s+privacy\b|\binformation\s+security\s+and\s+privacy\b"
        ),
    ),
    (
        "clinical_trial",
        _c(
            r"\bclinical\s+(?:trials?|study|studies)\s+(?:liability\s+)?insurance\b|\bclinical\s+trials?\s+(?:liability|coverage)\b"
        ),
    ),
    (
        "d_and_o",
        _c(
            r"\bdirectors'?\s+(?:and|&)\s+officers'?\s+(?:liability\s+)?(?:insurance|coverage|policy|liability)|\bD\s?&\s?O\b"
        ),
    ),
    (
        "media_liability",
        _c(
            r"\b(?:media|broadcast(?:er'?s)?|publishers?'?|advertising\s+agency)\s+liability\b|\bmedia\s+(?:insurance|coverage)\b"
        ),
    ),
    (
        "crime_fidelity",
        _c(
            r"\bfidelity\s+(?:bond|insurance|coverage|policy|guarantee)|\bfidelity\b(?=[^.;]{0,40}\b(?:insurance|coverage|policy|policies)\b)|\b(?:commercial\s+)?crime\s+(?:insurance|coverage|policy)\b|\bemployee\s+dishonesty\b|\bblanket\s+(?:fidelity\s+)?bond\b|\bfidelity\s+or\s+crime\b"
        ),
    ),
    (
        "professional_liability",
        _c(
            r"\bprofessional\s+(?:liability|indemnity|errors)|(?<!acts,\s)(?<!acts\s)\berrors\s+(?:and|&)\s+omissions\b(?!\s+in\s+(?:rendering|performing|the\s+performance))|\bE\s?&\s?O\b|\bmalpractice\b"
        ),
    ),
    (
        "workers_compensation",
        _c(
            r"\bwork(?:er|men|man)'?s?'?\s*(?:'s\s*)?comp(?:ensation)?\b(?!\s+(?:or\s+[\w-]+\s+)?(?:acts?|laws?|statutes?|claims?|benefits?|legislation|boards?|schemes?)\b)"
        ),
    ),
    ("employers_liability", _c(r"\bemployer'?s?'?\s+liability\b")),
    (
        "umbrella_excess",
        _c(
            r"\bumbrella\b|\bexcess\s+(?:(?:general\s+)?liability|insurance|coverage|policy|policies|layer)\b|\bexcess\s*/\s*umbrella\b"
        ),
    ),
    (
        "auto",
        _c(
            r"\b(?:business\s+|commercial\s+|hired\s+and\s+non-owned\s+|non-owned\s+)?(?:auto(?:mobile)?|motor\s+vehicle|vehicle|truck|fleet)s?(?:\s+and\s+truck)?\s+(?:liability|insurance|coverage|policy)\b|\bmotor\s+carrier\b|\bautomobile\b(?=[^.;]{0,60}\b(?:insurance|liability)\b)"
            # liability for "owned, non-owned and hired vehicles" is auto cover, whatever its caption
            r"|\b(?:owned|leased|hired|rented|non-?owned)(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or|and/or)\s+)(?:(?:owned|leased|hired|rented|non-?owned)(?:\s*,\s*(?:(?:and|or)\s+)?|\s+(?:and|or|and/or)\s+))*(?:owned|leased|hired|rented|non-?owned)\s+(?:motor\s+)?(?:vehicles?|autos?|automobiles?)\b"
            r"|\bnon-?owned\s+(?:motor\s+)?(?:vehicles?|autos?|automobiles?)\b"
        ),
    ),
    (
        "product_liability",
        _c(
            r"\bproducts?(?:\s*[-/]\s*|\s+)(?:completed\s+operations\s+)?liability\b|\bproducts?\s*(?:and|&|-|/)\s*completed\s+operations\s+(?:liability|insurance)\b|\bproducts?\s+(?:insurance|coverage)\b"
        ),
    ),
    (
        "property",
        _c(
            r"\bproperty\s+(?:(?:and|&)\s+casualty\s+)?(?:insurance|coverage|policy|policies)\b|\ball[- ]risks?\s+(?:property\s+)?(?:insurance|coverage|polic(?:y|ies))\b|\ball-risks?\b|(?-i:\bAll\s+Risks?\b)|\bagainst\s+all\s+risks?\b|\bbusiness\s+interruption\b|\bbuilder'?s'?\s+risk\b|\bcargo\b(?=[^.;]{0,40}\b(?:insurance|liability|coverage)\b)|\b(?:cargo|transit|marine)\s+(?:insurance|coverage)\b|\bcasualty\s+insurance\b(?<!liability\sand\scasualty\sinsurance)|\binsurance\s+(?:on|of)\s+(?:the|its|all)\s+(?:\w+\s+){0,4}?(?:assets|property|properties|equipment|premises|inventory|tools|facilit\w+|theatres?|goods)\b|\binsure\s+(?:all\s+)?(?:its|the|such)\s+(?:(?!activit|operation|obligation|liabilit)\w+\s+){0,2}?(?:assets|property|properties|equipment|premises|inventory|goods)\b|\b(?:against|for)\s+(?:loss\s+(?:or|and)\s+damage\s+by\s+)?fire\b|\bflood\s+(?:insurance|coverage)\b|\bdisaster\b(?=[^.;]{0,40}insurance)"
        ),
    ),
    (
        "other",
        _c(
            r"\bpollution\s+(?:legal\s+)?(?:liability|insurance|coverage)\b|\bsudden\s+and\s+accidental\s+pollution\b|\bproduct\s+recall\b|\bkey[- ](?:man|person)\s+(?:life\s+)?insurance\b|\benvironmental\s+(?:impairment\s+)?liability\s+(?:insurance|coverage|polic(?:y|ies))\b|\bdisability\s+benefits?\s+insurance\b"
        ),
    ),
    # The generic fallbacks come last so that any named type above wins an overlap.
    (
        "general_liability",
        _c(
            r"\b(?:commercial|comprehensive)\s+(?:general\s+)?(?:public\s+)?liability\b|\bgeneral\s+(?:commercial|comprehensive)\s+liability\b|\bC\.?G\.?L\.?\b|\bgeneral\s+liability\b|\bpublic\s+liability\b|\bspectator\s+liability\b|\bcivil\s+liability\b|\bthird[- ]party\s+liability\b|\bbodily\s+injury\s+(?:and|&)\s+property\s+damage\s+(?:liability|insurance|coverage)\b"
        ),
    ),
]
#: What makes a type named in an insurance clause not a requirement, in the text of its clause
#: before it: a negated duty ("does not and will not maintain any workers' compensation"),
#: cover another party may ask for some day ("may ... require additional kinds of insurance,
#: including excess liability"), an option ("may, at its option, carry"), or insurance as
#: the business of the contract ("proposals for health care liability insurance contracts").
TYPE_NOT_REQUIRED_BEFORE = _c(
    r"\b(?:shall|will|must|need|does|do|is|are)\s+not\b(?:\s+(?:and|or)\s+(?:shall|will|must)\s+not)?\s+(?:(?:be\s+)?(?:required|obligated)\s+to\s+)?(?:obtain|maintain|carry|keep|procure|purchase|provide)\b(?:(?!\b(?:shall|must|will)\b)[^.;]){0,120}$"
    r"|\bneed\s+not\b(?:(?!\b(?:shall|must|will)\b)[^.;]){0,120}$|\b(?:has|have|is\s+under)\s+no\s+(?:obligation|duty)\b(?:(?!\b(?:shall|must|will)\b)[^.;]){0,120}$"
    r"|\bmay\b(?:(?!\b(?:shall|must|will)\b)[^.;]){0,120}?\b(?:require|request)\s+(?:\w+\s+){0,3}?(?:different|additional|other|further|new|increased|higher)\b(?:(?!\b(?:shall|must|will)\b)[^.;]){0,160}$"
    r"|\b(?:may|is\s+permitted\s+to)\s*,?\s*(?:(?:at|in)\s+(?:its|their)\s+(?:sole\s+|own\s+)?(?:option|discretion|election)\s*,?\s*|but\s+(?:need|shall|is)\s+not\s+(?:be\s+required\s+to\s+)?,?\s*)(?:obtain|carry|purchase|maintain|procure|elect)\b(?:(?!\b(?:shall|must|will)\b)[^.;]){0,120}$"
    r"|\b(?:proposals?|applications?|quotes?|quotations?)\s+for\s+(?:[\w-]+\s+){0,3}$|\b(?:sell|solicit|market|underwrite)s?\s+(?:[\w-]+\s+){0,3}$"
)
#: ... or right after it: insurance sold ("liability insurance contracts for which a
#: commission is specified", "... products", "... business").
TYPE_NOT_REQUIRED_AFTER = _c(r"\s+(?:contracts?|products?|business|premiums?|commissions?|agents?|brokers?|agency)\b")
#: Bare "liability insurance": general liability unless a named type just before it
#: qualifies it ("Umbrella (excess) liability coverage", "fidelity or crime liability policy").
GENERIC_LIABILITY = _c(r"\bliability\s+(?:insurance|coverage|policy|policies|cover)\b")
#: What may separate a bare "liability insurance" from a named type just before it when it
#: starts an item of its own (a stop, "and", a comma): then it is general liability.
MENTION_BREAK = re.compile(r"[.;:]|\band\b|,\s")
#: A kind of claim right after a type: "product liability and infringement claims" names
#: claims, not cover.
CLAIM_KIND = _c(r"\s+(?:(?:and|or)\s+[\w-]+\s+)?(?:claims?|actions?|suits?|lawsuits?|exposures?|matters?|litigation)\b")
#: "such insurance", "said policies", "the foregoing coverage": a reference back to a type
#: named before.
SUCH_INSURANCE = _c(
    r"\b(?:such|said|the\s+foregoing|these|this)\s+(?:\w+\s+){0,2}?(?:insurance|polic(?:y|ies)|coverages?)\b"
)
#: Two policy types named together ("commercial general liability and products liability
#: insurance", "automobile, ... public and property liability insurance"): the text between them.
COORDINATED = _c(
    r"[\s,]*(?:insurance|coverage|policy|policies)?[\s,]*(?:(?:[\w'-]+[\s,]+){0,3}?(?:and|or|&|and/or)\s+|/\s*|,\s*)(?:(?:[\w'-]+\s+){0,2})"
)
#: A type named only as part of another: "X insurance, including Y", "X following form over Y"
#: (the text between them ends so).
SUBORDINATE = _c(
    r"(?:\binclud(?:ing|es)|\bincl\.|\bsuch\s+as|\bcovering|\bover|\babove|\bexcess\s+of|\bwith\s+respect\s+to|\bfor|\bunder|\bthan"
    r"|\bwhich\s+(?:shall|will|must)\s+include)(?:\s*,?\s*(?:but\s+not\s+limited\s+to|without\s+limitation)\s*,?)?(?:\s+the|\s+its|\s+any)?\s*$"
)
#: Between two types, words by which the second describes the first ("X, which covers Y").
DESCRIBES = _c(r"\b(?:includ(?:ing|es)|providing|covering|which|that)\b")
#: Between two types, the mark of a new list item ("X; Y", "X, and Y", "X and an Y").
NEW_ITEM = _c(r";|,\s+and\b|\band\s+(?:an?\s+)?$")
#: Where a list item inside a unit starts: a semicolon, "(3) ", a new line with "b. ".
CLAUSE_CUT = re.compile(r";|\(\s*(?:\d{1,2}|[a-z]|[ivx]{1,4})\s*\)\s|\n\s*(?:[a-z]|\d{1,2}|[ivx]{1,4}|[A-Z])[.)]\s")
#: Between an amount and a type named right after it: only punctuation, or "coverage for"
#: ("$5,000,000 umbrella", "$1,000,000 coverage for product liability").
TYPE_AFTER_GAP = re.compile(r"\W*(?:coverage\s+)?for\s+$|\W*$")
#: One amount for every type listed: "in each case", "each of the foregoing", "respectively".
EACH_CASE = _c(r"\bin\s+each\s+case\b|\beach\s+of\s+(?:the\s+)?(?:foregoing|above)|\brespectively\b")

# --------------------------------------------------------------------------- amounts
#: A number word ("five", "twenty", "hundred", "million", "half").
#: (Grouped by first letter, :func:`~.lazyre.first_char_groups`: tried at every word start.)
_WORD_NUMS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty thirty forty fourty fifty sixty seventy eighty ninety hundred thousand "
    "million billion half"
).split()
_WORD_NUM = first_char_groups(_WORD_NUMS)
#: Number words below a hundred and their values.
UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
#: Number words that multiply what comes before them ("two hundred", "five million").
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
#: Magnitudes written after figures: "5 million", "$2m", "USD 1.5 mio", "10k".
MAGNITUDES = {
    "thousand": 1_000,
    "k": 1_000,
    "million": 1_000_000,
    "m": 1_000_000,
    "mm": 1_000_000,
    "mn": 1_000_000,
    "mio": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
}

#: Written currency -> ISO code ("as written"). Longest spellings first in the regex.
CURRENCY_CODES: dict[str, str] = {
    "us$": "USD",
    "u.s.$": "USD",
    "u.s. $": "USD",
    "usd": "USD",
    "us dollars": "USD",
    "u.s. dollars": "USD",
    "united states dollars": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "$": "USD",
    "c$": "CAD",
    "cdn$": "CAD",
    "can$": "CAD",
    "cad": "CAD",
    "canadian dollars": "CAD",
    "a$": "AUD",
    "au$": "AUD",
    "aud": "AUD",
    "australian dollars": "AUD",
    "nz$": "NZD",
    "nzd": "NZD",
    "hk$": "HKD",
    "hkd": "HKD",
    "s$": "SGD",
    "sgd": "SGD",
    "£": "GBP",
    "gbp": "GBP",
    "pounds sterling": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "stg": "GBP",
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "chf": "CHF",
    "swiss francs": "CHF",
    "¥": "JPY",
    "jpy": "JPY",
    "yen": "JPY",
    "rmb": "RMB",
    "cny": "RMB",
    "renminbi": "RMB",
    "yuan": "RMB",
    "inr": "INR",
    "rupees": "INR",
    "rs.": "INR",
}
#: A currency written before figures: "US$", "C$", "USD", "GBP", "£", "€", "Rs.", "$".
#: (Grouped by first character, :func:`~.lazyre.first_char_groups`: :data:`AMOUNT` tries it
#: at every position.)
_CUR_PREFIXES = (
    r"US\$ U\.S\.\s?\$ CDN\$ CAN\$ C\$ AU\$ A\$ NZ\$ HK\$ S\$ USD CAD AUD NZD HKD SGD GBP EUR CHF JPY RMB CNY INR Rs\. "
    r"Euro £ € ¥ \$"
).split()
_CUR_PREFIX = first_char_groups(_CUR_PREFIXES)
#: A currency written after an amount: "dollars", "US dollars", "pounds sterling", "euros", "EUR".
_CUR_SUFFIX = r"(?:United\s+States\s+dollars|U\.?S\.?\s+dollars|US\s+dollars|Canadian\s+dollars|Australian\s+dollars|dollars|pounds\s+sterling|pounds|sterling|euros?|USD|CAD|AUD|GBP|EUR|CHF|RMB|yuan|renminbi|yen|Swiss\s+francs)"
#: 1,000,000 / 1.000.000 / 1 000 000 (thousands by comma, full stop or space) / 2.5
_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?: \d{3}){2,}|\d+(?:\.\d+)?"
#: A blanked-out amount: "[***]", "[*]", "[... * ...]", "[XX]", "[ ]", "[redacted]", "___", "***".
_REDACTION = r"\[\s*(?:\.{2,}\s*)?(?:\*\s*){1,8}(?:\.{2,}\s*)?\]|\[\s*(?:X\s*){2,}\]|\[\s*\]|\[\s*(?:redacted|omitted)\s*\]|_{3,}|\*{3,}"
#: A magnitude after figures: " million", " bn", "m", "k".
_MAG = r"(?:\s*(?:million|billion|thousand|mm|mn|mio|bn)\b|(?:m|k)\b)"
#: An amount in words: "five million", "two hundred and fifty thousand", "one-half".
_WORDS = rf"(?:(?:{_WORD_NUM})(?:[\s-]+(?:and[\s-]+)?(?:{_WORD_NUM}))*)"

#: One money amount, in five forms (named groups): a currency then figures or a redaction
#: ``pre``/``pred`` ("US$ 5,000,000", "$[***]", "EUR 1.000.000", "$5m"); words then a currency
#: ``words``/``wcur`` ("five million dollars", "one million (1,000,000) US dollars"); a
#: redaction then a currency word ``red``/``rcur`` ("[***] dollars"); figures then a currency
#: ``digs``/``dcur`` ("2,000,000 USD"); a bare redaction ``bare`` ("[***]", kept only where
#: the text around it says an amount goes there).
AMOUNT = re.compile(
    rf"(?P<pre>{_CUR_PREFIX})\s?(?P<pred>{_REDACTION}|(?:{_DIGITS}){_MAG}?)"
    rf"|(?P<words>\b{_WORDS})\s+(?:\(\s*(?:{_CUR_PREFIX})?\s?(?:{_DIGITS}|{_REDACTION})\s*\)\s+)?(?P<wcur>{_CUR_SUFFIX})\b"
    rf"|(?P<red>{_REDACTION})\s+(?P<rcur>dollars|euros?|pounds)\b"
    rf"|\b(?P<digs>{_DIGITS}){_MAG}?\s+(?P<dcur>{_CUR_SUFFIX})\b"
    rf"|(?P<bare>{_REDACTION})",
    I,
)
#: What every :data:`AMOUNT` match holds, lower-cased (:mod:`.prefilter`): a currency before
#: it (a symbol, a code, "euro", "rs."), a currency word after it or a redaction ("[", "___",
#: "***"); a text without one holds no amount.
AMOUNT_NEEDLES = (
    *"$£€¥[",
    "___",
    "***",
    *("usd", "cad", "aud", "nzd", "hkd", "sgd", "gbp", "eur", "chf", "jpy", "rmb", "cny", "inr", "rs."),
    *("dollars", "pounds", "sterling", "yuan", "renminbi", "yen", "francs"),
)
#: An amount in words directly followed by the same amount in figures: "one million dollars ($1,000,000)".
PAREN_FIGURES = re.compile(rf"\s*\(\s*(?:{_CUR_PREFIX})?\s?(?:{_DIGITS}|{_REDACTION}){_MAG}?\s*\)", I)
#: The letters of a number in words, one token each ("two hundred fifty thousand").
NUMBER_TOKEN = re.compile(r"[a-z]+")
#: The figures of an amount and the magnitude word after them ("1.000.000,00", "5 million",
#: "2.5m"), read by :func:`amounts.find_amounts`.
DIGITS_VALUE = re.compile(r"\s*(\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?|\d{1,3}(?: \d{3}){2,}|[\d,]+(?:\.\d+)?)\s*([a-zA-Z]*)")
#: Figures with full stops for thousands and a decimal comma ("1.000.000,00").
CONTINENTAL_DIGITS = re.compile(r"\d{1,3}(?:\.\d{3}){2,}(?:,\d+)?")
#: A blanked-out amount, as a whole text: "[***]", "[*]", "[XX]", "[ ]", "[redacted]", "___".
REDACTION = _c(_REDACTION)
#: The currency that opens figures in parentheses after an amount ("(US$5,000,000)"); it
#: wins over the currency written before.
PAREN_CURRENCY = _c(r"\s*\(\s*(" + _CUR_PREFIX + ")")
#: The same inside an amount in words ("five million ($5,000,000) dollars"); case-sensitive,
#: unlike :data:`PAREN_CURRENCY`.
WORDS_PAREN_CURRENCY = re.compile(r"\(\s*(" + _CUR_PREFIX + r")")
#: After a bare redaction, a period or a rate: "[***] days", "[*] (30) business days", "[*]%".
PERIOD_AFTER = _c(
    r"\s*(?:\(\S{0,12}\)\s*)?(?:calendar\s+|business\s+|working\s+)?(?:days?|months?|years?|weeks?|hours?|%|per\s*cent|percent)\b"
)
#: After a bare redaction, what makes it a time: "at least [***] prior to cancellation",
#: "[***] prior written notice", "for [***] after the termination", "[***] in advance".
TIME_AFTER = _c(
    r"[\s\].\u2026]*(?:\(\S{0,12}\)\s*)?(?:(?:prior|advance|previous)\s+(?:written\s+)?(?:notice|notification)\b|prior\s+to\b|before\b|after\b|following\b|thereafter\b|in\s+advance\b|from\s+the\s+(?:date|end|expiration|termination)\b)"
)
#: A declaration that the document's dollars are not US dollars ("all amounts are in
#: Canadian dollars", '"$" means Australian dollars').
DOC_CURRENCY = _c(
    r"(?:\b(?:all\s+)?(?:dollar\s+amounts?|amounts?|sums?|monetary\s+amounts?|references?\s+(?:herein\s+|in\s+this\s+\w+\s+)?to\s+(?:currency|money|\"?dollars\"?|\"?\$\"?))|\"?\$\"?\s+(?:means|refers\s+to))[^.;]{0,80}?\b"
    r"(Canadian|Australian|New\s+Zealand|Hong\s+Kong|Singapore)\s+(?:dollars|funds|currency)"
)
#: A word every :data:`DOC_CURRENCY` match holds (:mod:`.prefilter`).
DOC_CURRENCY_NEEDLES = ("canadian", "australian", "zealand", "hong", "singapore")
#: The currency of each dollar :data:`DOC_CURRENCY` names.
DOC_CURRENCY_CODES = {
    "canadian": "CAD",
    "australian": "AUD",
    "new zealand": "NZD",
    "hong kong": "HKD",
    "singapore": "SGD",
}

#: Redactions count as a limit only where the text says an amount goes there.
LIMIT_CUE_BEFORE = _c(
    r"(?<!not\s)(?<!to\s)(?:limits?\s+(?:of\s+)?(?:liability\s+)?(?:of\s+)?|amounts?\s+of|sums?\s+of|coverage\s+of(?:\s+at\s+least)?|cover\s+of|minimum(?:s|\s+limits?)?\s+(?:of\s+)?|not\s+less\s+than|no\s+less\s+than|at\s+least|in\s+excess\s+of|insurance|policy|occurrence|aggregate|accident|claim|person|employee|disease|CSL|limit:)\W{0,6}$"
)
#: ... or where a currency word or a limit basis follows it ("[***] per occurrence").
BASIS_OR_CUR_AFTER = _c(
    r"^\W{0,4}(?:dollars|euros?|per\b|each\b|in\s+the\s+aggregate|aggregate|combined|single|any\s+one|for\s+(?:each|any|bodily|property)|annual)"
)

#: Amounts that are not insurance limits (deductibles, fees, caps).
NOT_A_LIMIT_BEFORE = _c(
    r"(?:deductibles?|self[- ]insured\s+retentions?|retentions?|SIR|premiums?|fees?|price|cost|costs|pay|paid|payment|"
    r"royalt\w+|compensation|salary|cap|capped|shall\s+not\s+exceed|not\s+to\s+exceed|exceed|liable|liability\s+(?:of|under)\b[^$]{0,60}|"
    r"damages|penalty|purchase|invoice|revenue|sales|net\s+worth|capital|loan|credit|bonus|reimburse\w*)\W{0,25}[^.;$]{0,25}$"
)
#: An amount followed by what makes it a deductible, a rate or a share of sales.
NOT_A_LIMIT_AFTER = _c(
    r"^\W{0,3}(?:deductible|self[- ]insured\s+retention|retention|per\s+(?:month|year|annum|hour|day|unit)|of\s+(?:net\s+)?(?:sales|revenue))"
)
#: Words that make a unit's amounts insurance amounts when no type is found for them:
#: limits, coverage, liability, policies.
INSURANCE_LIKE = _c(r"\b(?:limits?|coverage|liability|polic(?:y|ies))\b")
#: A limit cue right before the amount: it stays a limit even after a word of
#: :data:`NOT_A_LIMIT_BEFORE` ("liability under this Agreement, with limits of at least $1,000,000").
LIMIT_CUE_END = _c(r"(?:limits?|not\s+less\s+than|at\s+least|minimum)\W{0,12}$")
#: A slash alone between two amounts ("$1,000,000 / $2,000,000": per occurrence, then aggregate).
SLASH_ONLY = re.compile(r"\s*/\s*")

# --------------------------------------------------------------------------- basis
#: Basis phrasings, checked after the amount (then just before it for table headers).
BASIS_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("combined_single", _c(r"\bcombined\s+single\b|\bCSL\b|\bsingle\s+limit\b")),
    ("each_accident", _c(r"\b(?:each|per|any\s+one)\s+accident\b")),
    (
        "per_person",
        _c(r"\b(?:each|per|any\s+one)\s+(?:person|employee|individual)\b|\bdisease\s*-\s*each\s+employee\b"),
    ),
    (
        "per_claim",
        _c(
            r"\b(?:each|per|any\s+one|each\s+and\s+every|every)\s+(?:claim|loss|wrongful\s+act)\b|\bper\s+individual\s+claim\b"
        ),
    ),
    (
        "aggregate",
        _c(
            r"\baggregate\b|\bpolicy\s+limit\b|\bper\s+(?:policy\s+)?(?:year|annum|period)\b|\bannual(?:ly)?\b(?!\s+basis)"
        ),
    ),
    (
        "per_occurrence",
        _c(
            r"\b(?:each|per|any\s+one|every|each\s+and\s+every)\s+(?:occurrence|incident|event|accident\s+or\s+occurrence|loss\s+occurrence)\b|\boccurrence\b"
        ),
    ),
]


# --------------------------------------------------------------------------- terms
@dataclass(frozen=True)
class TermRule:
    """A term's positive phrasings and the negations that cancel a match in its clause."""

    positive: re.Pattern[str]
    negative: re.Pattern[str] | None = None  # in the clause before (or around) the match
    exclude: re.Pattern[str] | None = None  # the whole clause is about something else
    after: re.Pattern[str] | None = None  # a condition or option later in the same clause
    #: Statements of the term whose negative word is part of it ("insurers shall have no
    #: right of subrogation", "Client's insurance shall not contribute"): only the clause
    #: before the match is checked, against :data:`CONDITION_NEG`.
    negated_form: re.Pattern[str] | None = None
    #: A negation right after the match, in the same clause ("additional insured status is
    #: not required").
    negative_after: re.Pattern[str] | None = None
    #: Lower-case words of which every match of ``positive`` holds one (:mod:`.prefilter`):
    #: a clause with none is not searched for it. Empty: always searched.
    cues: tuple[str, ...] = ()
    #: The same for ``exclude`` and for ``negated_form``.
    exclude_cues: tuple[str, ...] = ()
    negated_cues: tuple[str, ...] = ()


#: Negations shared by every term: "no obligation to", "not required to", "neither party
#: shall be required", "shall not name", "nothing herein", "in no event", "not ... a waiver".
_GENERIC_NEG = (
    r"\b(?:no|any)\s+(?:obligation|duty|requirement)\s+to\b|\bnot\s+(?:be\s+)?(?:required|obligated|obliged)\s+to\b"
    r"|\bneither\s+(?:party|of\s+the\s+parties|[A-Z]\w+\s+nor\s+[A-Z]\w+)\s+(?:shall|will|is|are|must)\s+(?:be\s+)?(?:required|obliged|obligated|responsible)\b"
    r"|\b(?:shall|will|need|does|do|must)\s+not\s+(?:be\s+)?(?:required\s+to\s+)?(?:name|add|include|provide|waive|deliver|furnish|obtain|give)\b"
    r"|\bnothing\s+(?:herein|in\s+this|contained)|\bin\s+no\s+event\b|\bneither\b[^.;]{0,60}\bnor\b|\bwithout\s+any\s+obligation"
    r"|\bnot\s+(?:operate|constitute|be\s+deemed|be\s+construed)\s+(?:as\s+)?(?:an?\s+)?waiver\b"
)

#: What a cancellation notice may be called: notice, notification, (written) warning.
_NOTICE_WORD = r"(?:notice|notif(?:y|ies|ied|ication)|warning)"
#: What the notice is of: cancellation, non-renewal, lapse, expiry, a material change or
#: reduction (termination only of the cover itself, not of the agreement).
_CANCEL_EVENT = (
    r"(?:cancel\w*|non-?\s?renew\w*|laps(?:e|es|ing)|expir\w*|alteration|modification|reduction|decrease"
    r"|material(?:ly)?\s+(?:adverse\s+)?(?:change|alter|modif|reduc|decreas)\w*"
    r"|terminat\w*(?=\s+of\s+(?:the\s+|such\s+|any\s+|its\s+)?(?:polic|coverage|insurance)))"
)
#: A period of notice: "thirty (30) days", "[***]", "a minimum of 10 business days".
_NOTICE_PERIOD = (
    r"(?:(?:at\s+least|not\s+less\s+than|no\s+less\s+than|a\s+minimum\s+of|minimum)\s+)?"
    r"(?:\d+|[a-z]+(?:[\s-][a-z]+)?|\[[^\]]{0,12}\])\s*(?:\(\d+\)\s*)?(?:calendar\s+|business\s+|working\s+)?(?:days?'?s?'?\s+)?"
)
#: More phrasings of prior notice of cancellation, each a general statement of the term:
#: the cover "shall not lapse or be terminated on less than thirty days' advance written
#: warning", "the insurer shall not cancel ... without notice", "shall not be subject to
#: cancellation unless the insurer delivers notice", "notice of the cancellation at least 30
#: days in advance of its effective date", "the carrier will notify Client in writing at
#: least 30 days prior to cancellation".
_CANCELLATION_MORE = (
    r"|\b(?:shall|will|may|must|can|could|would)\s*not\s+(?:be\s+|otherwise\s+|unilaterally\s+)?"
    r"(?:cancel\w*|terminat\w*|non-?\s?renew\w*|laps\w*|expir\w*|materially\s+(?:change|alter|modif|reduc)\w*|modif\w*|alter\w*|chang\w*|reduc\w*)"
    r"\b[^.;]{0,140}?\b(?:without|except|unless|until|upon|on\s+less\s+than|with\s+less\s+than|before|prior\s+to)\b[^.;]{0,100}?\b"
    + _NOTICE_WORD
    + r"|\b(?:not|only)\s+be\s+subject\s+to\s+(?:cancel|terminat|non-?\s?renew|laps|material|modif|reduc|chang|alter)\w*"
    r"[^.;]{0,160}?\b(?:without|except|unless|until|upon|after)\b[^.;]{0,100}?\b"
    + _NOTICE_WORD
    + r"|\b(?:notice|notification|warning)\s+(?:to\s+[^.;]{0,60}?\s)?(?:of|in\s+the\s+event\s+of|regarding|concerning)\s+(?:the\s+|any\s+|such\s+|a\s+)?(?:proposed\s+|intended\s+)?"
    + _CANCEL_EVENT
    + r"[^.;]{0,120}?\b"
    + _NOTICE_PERIOD
    + r"(?:in\s+advance|prior|before|preceding|ahead)\b"
    r"|\bnotif(?:y|ies|ied|ication)\b[^.;]{0,80}?\b(?:prior\s+to|before|in\s+advance\s+of|preceding)\s+(?:any\s+|the\s+|such\s+|its\s+|a\s+)?"
    r"(?:(?:proposed|intended|effective\s+date\s+of(?:\s+(?:any|the|such))?)\s+)?"
    + _CANCEL_EVENT
    # "no policy shall be cancelled ... until thirty days after written notice", "no
    # cancellation or reduction shall take effect without ... notice"
    + r"|\bno\s+(?:[\w'-]+\s+){0,3}?(?:polic(?:y|ies)|insurance|coverages?)\s+(?:[\w'-]+\s+){0,4}?(?:shall|will|may|can)\s+be\s+"
    r"(?:cancel|terminat|non-?\s?renew|laps|material|modif|reduc|chang|alter)\w*"
    r"[^.;]{0,140}?\b(?:without|except|unless|until|upon|on\s+less\s+than|before|prior\s+to)\b[^.;]{0,100}?\b"
    + _NOTICE_WORD
    + r"|\bno\s+(?:such\s+)?(?:cancel\w*|non-?\s?renewal|termination(?=\s+of\s+(?:the\s+|such\s+|any\s+|its\s+)?(?:polic|coverage|insurance))|(?:reduction|modification|material\s+(?:change|reduction|alteration))(?=\s+(?:of|in|to)\s+(?:the\s+|such\s+|any\s+|its\s+)?(?:polic|coverage|insurance|limits)))\b"
    r"[^.;]{0,160}?\b(?:without|except|unless|until|upon|before|prior\s+to)\b[^.;]{0,100}?\b" + _NOTICE_WORD
)
#: Negations and options that cancel a cancellation-notice match in its clause, beyond the
#: shared ones: "need not notify", "unless requested", "may, at its option, give notice".
_CANCELLATION_NEG = (
    r"|\bneed\s+not\b|\b(?:is|are)\s+not\s+(?:required|obligated|obliged)\b"
    r"|\bunless\s+(?:and\s+until\s+)?(?:so\s+)?(?:requested|asked)\b|\bunless\s+(?:\w+\s+){1,3}?(?:so\s+)?(?:requests?|asks?)\b"
    r"|\bmay\s*,?\s*(?:at\s+(?:its|their|the\s+\w+'s)\s+(?:sole\s+)?(?:option|discretion|election)|but\s+(?:shall|need)\s+not)\b"
)
#: A condition or option after a term's words, in the same clause, that makes it no duty:
#: "... prior notice of cancellation unless Vendor requests otherwise", "... if it so
#: elects", "... at its option".
TERM_CONDITION_AFTER = _c(
    r"\bunless\s+(?:(?:so\s+)?requested|(?:[\w'-]+\s+){1,3}?(?:so\s+|otherwise\s+)?(?:requests?|asks?|elects?|chooses?)\b)"
    r"|\bif\s+(?:[\w'-]+\s+){0,2}?(?:so\s+)?(?:elects?|chooses?|wishes|decides?)\b|\bat\s+(?:its|their|the\s+\w+'s)\s+(?:sole\s+)?(?:option|discretion|election)\b"
)
#: More phrasings of a duty to deliver evidence of cover, each general: "written proof of
#: the existence of such insurance", "proof to the satisfaction of Client that it is
#: insured", "evidence of such inclusion" (as an additional insured), "evidence reasonably
#: satisfactory to Client of the insurance", copies of the endorsements, certificates issued
#: by its broker, the policies made available for inspection.
_CERTIFICATE_MORE = (
    r"|\b(?:proof|evidence|confirmation|verification)\s+(?:\w+\s+){0,2}?of\s+(?:the\s+)?(?:existence|maintenance|effectiveness|placement|renewal|purchase|procurement|validity|currency|continuation)"
    r"\s+of\s+(?:(?:such|the|its|this|that|all|said|any|their|these|those|each)\s+)?(?:[\w'-]+\s+){0,3}?(?:insurance|coverages?|polic(?:y|ies)|self-insurance)"
    r"|\b(?:proof|evidence|confirmation)\s+(?:[\w'-]+\s+){0,6}?that\s+(?:it|they|he|she|each|such|the|\w+)\s+(?:\w+\s+){0,2}?(?:is|are|has|have|maintains?|carries|carry|remains?)\s+(?:\w+\s+){0,3}?(?:insured|insurance|coverage|covered)\b"
    r"|\b(?:proof|evidence|confirmation)\s+(?:[\w'-]+\s+){0,6}?that\s+(?:the|such|its|all|each|their)\s+(?:[\w'-]+\s+){0,2}?(?:insurance|coverages?|polic(?:y|ies))\s+(?:is|are|remains?|has\s+been|have\s+been)\s+(?:in\s+(?:full\s+)?(?:force|effect)|effective|bound|placed|maintained)\b"
    r"|\b(?:proof|evidence|confirmation)\s+of\s+(?:such|the|its|this|that|their)\s+(?:inclusion|endorsements?|designation|naming|additional\s+insured\s+status|insured\s+status)\b"
    r"|\bevidence\s+(?:[\w'-]+\s+){1,5}?of\s+(?:the\s+|such\s+|its\s+|all\s+|said\s+|any\s+|that\s+|this\s+)?(?:required\s+)?(?:insurance|coverages?|self-insurance|polic)"
    r"|\bcop(?:y|ies)\s+of\s+(?:the\s+|all\s+|such\s+|its\s+|each\s+|any\s+)?(?:[\w'-]+\s+){0,2}?(?:endorsements?|declarations?\s+pages?)\b"
    r"|\bcertificat\w+\s+(?:[\w'-]+\s+){0,3}?(?:from|issued\s+by|signed\s+by|executed\s+by)\s+(?:its|the|their|each|an?)\s+(?:[\w'-]+\s+)?(?:insurers?|carriers?|brokers?|underwriters?|insurance\s+compan\w+|agents?)\b"
    r"|\bpolic(?:y|ies)\b[^.;]{0,60}?\bavailable\s+(?:for\s+(?:inspection|review|examination)|to\s+\w+\s+for\s+(?:inspection|review))"
    r"|\bcertificat\w+\s+of\s+(?:its|the|their|each)\s+(?:insurers?|carriers?|brokers?|underwriters?|insurance\s+compan\w+)\b"
    r"|\bmemorand(?:um|a)\s+of\s+insurance\b|\bdeclarations?\s+pages?\b"
)
#: Negations and options that cancel a certificate match in its clause, beyond the shared
#: ones: "need not", "is not required", "may, at its option, provide" (but "may, at its
#: option, request certificates" is the other party's right to ask: a duty on request).
_CERTIFICATE_NEG = (
    r"|\bneed\s+not\b|\b(?:is|are)\s+not\s+(?:required|obligated|obliged)\b"
    r"|\bmay\s*,?\s*(?:at\s+(?:its|their|the\s+\w+'s)\s+(?:sole\s+)?(?:option|discretion|election)|but\s+(?:shall|need)\s+not)(?![\s,]*(?:request|require|demand|ask|call\s+for)\b)"
)

#: A term made optional or negated by a condition, before it in its clause: "need not",
#: "is not required to", "does not have to", "may, at its option", "at its discretion",
#: "may elect to", "may, but need not", "if it so elects", "optional" (but "may, at its
#: option, require Vendor to name Client" is the other party's right to ask: a duty on request).
_OPTION_NEG = (
    r"|\bneed\s+not\b|\b(?:is|are|be|being)\s+not\s+(?:required|obligated|obliged|necessary)\b|\b(?:does|do)\s+not\s+(?:have|need)\s+to\b"
    r"|\bat\s+(?:its|their|his|her|the\s+\w+'?s?)\s+(?:sole\s+|own\s+)?(?:option|discretion|election)\b(?![\s,]*(?:request|require|demand|ask|call\s+for)\b)|\bmay\s*,?\s*but\s+(?:shall|need|will|is)\s+not\b"
    r"|\bmay\s+(?:\w+\s+)?(?:elect|choose|opt)\s+to\b|\bif\s+(?:it|they|\w+)\s+(?:so\s+)?(?:elects?|chooses?|wish(?:es)?)\b|\boptional(?:ly)?\b"
    r"|\bunless\s+(?:and\s+until\s+)?(?:\w+\s+){0,3}?(?:so\s+)?(?:requests?|requested|elects?)\b[^.;]{0,40}\b(?:not|no)\b"
)
#: The negations that cancel a term stated in its negated form (:attr:`TermRule.negated_form`).
CONDITION_NEG = _c(_GENERIC_NEG + _OPTION_NEG)
#: A negation right after a term (matched from its end), before its clause goes on to something else: "...
#: additional insured status is not required", "a waiver of subrogation need not be obtained".
_NEG_AFTER = _c(
    r"(?:(?!\b(?:but|and|or|provided)\b)[^.;,]){0,60}?\b(?:(?:is|are|shall\s+be|will\s+be)\s+(?:not\s+(?:required|necessary|needed)|optional)\b|need\s+not\b|(?:shall|will)\s+not\s+be\s+(?:required|necessary|provided|obtained|given))"
)

#: Who pays a loss under a policy: the insurers, carriers, underwriters or the insurance.
_INSURER = r"(?:insurers?|insurance\s+(?:compan(?:y|ies)|carriers?)|carriers?|underwriters?|insurance|polic(?:y|ies))"
#: What a waiver of subrogation takes from them: a right of subrogation, recovery or recourse.
_RECOVERY = r"(?:rights?\s+(?:of|to)\s+(?:subrogat\w*|recover\w*|recourse)|rights?\s+(?:by\s+way\s+of\s+)?subrogat\w*|subrogat\w*\s+rights?|recourse|claims?\s+(?:of\s+subrogation\s+)?against)"

#: Each term field (:data:`~contract_review.schema.TERM_FIELDS`) with its phrasings.
TERM_RULES: dict[str, TermRule] = {
    "additional_insured": TermRule(
        positive=_c(
            r"\badditional(?:ly)?\s+(?:named\s+)?insureds?\b"
            r"|\bnamed\s+(?:as\s+)?(?:an?\s+)?(?:additional\s+)?(?:named\s+)?insureds?\b"
            r"|\b(?:name|naming|names|named|include|including|includes|included|add|adding|added|covered|cover|covering|endorsed\s+to\s+include)\b[^.;]{0,120}?\bas\s+(?:an?\s+)?(?:additional\s+)?(?:named\s+)?insureds?\b(?!\s+(?:party|parties)\s+to)"
            r"|\bas\s+(?:an?\s+)?insured\s+part(?:y|ies)\b|\binsured\s+parties\b(?=[^.;]{0,40}\b(?:under|on)\b)"
            # a party that "shall be an insured (party) under Contractor's liability policies": it
            # is made an insured of the other's cover (a thing "insured under" a policy is not)
            r"|\b(?:shall|will|must|is\s+to|are\s+to)\s+(?:also\s+|each\s+)?(?:be|become|remain)\s+(?:(?:included|named)\s+as\s+)?"
            r"(?:an?\s+(?:additional\s+)?insured(?:\s+part(?:y|ies))?|insured\s+parties|additional\s+insureds?)\s+"
            r"(?:under|on|of)\s+(?:(?:each|all|any)\s+of\s+)?(?:(?:the|all|such|said|these|those|each|every|any)\s+)?"
            r"(?:[\w-]+['\u2019]s?\s+)?(?:[\w&-]+\s+){0,5}?(?:polic(?:y|ies)|insurance|coverage)\b"
        ),
        negative=_c(
            _GENERIC_NEG
            + _OPTION_NEG
            + r"|\bno\s+(?:additional\s+)?insured\s+status\b|\bno\s+(?:such\s+)?additional(?:ly)?\s+(?:named\s+)?insured"
            r"|\b(?:shall|will|need|must)\s+not\s+(?:be\s+)?(?:required\s+to\s+)?(?:have\s+|cause\s+|be\s+)?(?:(?!(?:and|or|but|shall|will|must|then)\b)[\w'-]+\s+){0,3}?"
            r"(?:named|added|included|covered|listed|designated|endorsed|naming|adding|including|covering|name|add|include|cover|list)\b"
        ),
        negative_after=_NEG_AFTER,
        cues=("insured",),
        exclude=_c(
            r"^(?!.*\badditional).*\bloss\s+payees?\b(?!.*\binsureds?\b)|\balthough\s+named\s+as\s+an?\s+insured"
        ),
        exclude_cues=("payee", "although"),
        after=TERM_CONDITION_AFTER,
    ),
    "waiver_of_subrogation": TermRule(
        positive=_c(
            r"\bwaiv\w*\b[^.;]{0,160}?\bsubrogat\w*"
            r"|\bsubrogation\b[^.;]{0,30}\b(?:waiver|waived|is\s+waived|shall\s+be\s+waived)\b"
            r"|\bwaiv\w*\b[^.;]{0,80}?\b(?:rights?|claims?)\s+of\s+recovery\b"
            r"|\bwaive[sd]?\s+(?:any\s+and\s+)?all\s+(?:rights|claims)\s+against\b[^.;]{0,160}?\b(?:covered|paid|insured)\s+(?:by|under)\s+(?:\w+\s+){0,3}?(?:insurance|polic(?:y|ies)|insurers?)\b"
            r"|\bwaive\w*\b[^.;]{0,60}?\b(?:insurers?|underwriters?|insurance\s+carriers?)\b[^.;]{0,60}?\brights?\b"
            # "shall cause its insurers to waive any rights they may acquire against Landlord", "the
            # carriers shall forgo / relinquish / give up any recovery from Owner"
            r"|\b(?:insurers?|underwriters?|insurance\s+carriers?|carriers?)\b[^.;]{0,30}?\b(?:waive|forgo|forego|relinquish|abandon|surrender|give\s+up|gives\s+up)\w*\b[^.;]{0,40}?\b(?:rights?|claims?|recovery)\b[^.;]{0,60}?\b(?:against|from)\b"
            # "releases Owner from any claims its insurers may have", "... to the extent covered by insurance"
            r"|\breleas\w*\b[^.;]{0,120}?\b(?:from|of)\s+(?:any\s+and\s+all|any|all)\s+(?:claims?|rights?|liabilit\w+)\b[^.;]{0,40}?\b(?:its|their|the|such|any)\s+(?:respective\s+)?(?:insurers?|carriers?|underwriters?)\b"
            r"|\breleas\w*\b[^.;]{0,120}?\b(?:claims?|rights?|liabilit\w+)\b[^.;]{0,80}?\bto\s+the\s+extent\s+(?:of\s+(?:any\s+)?(?:insurance|the\s+(?:insurance\s+)?proceeds)|(?:that\s+)?(?:the\s+|such\s+|any\s+)?(?:loss|damage|claims?)\s+(?:is|are)\s+(?:covered|insured|paid)|(?:covered|insured|paid)\s+(?:by|under))"
        ),
        negative=_c(_GENERIC_NEG + _OPTION_NEG),
        cues=("waiv", "subrogation", "forgo", "forego", "relinquish", "abandon", "surrender", "give", "releas"),
        exclude=_c(r"\bguarant(?:or|ee|y)\b(?![^.;]*\binsur)"),
        exclude_cues=("guarant",),
        negated_form=_c(
            # "neither party's insurers shall have any right of subrogation against the other"
            rf"\b(?:neither|no)\b[^.;]{{0,80}}?\b{_INSURER}\b[^.;]{{0,40}}?\b(?:shall\s+|will\s+|may\s+)?(?:have|has|possess|acquire|retain|be\s+entitled\s+to)\s+any\s+{_RECOVERY}"
            # "Contractor's carriers shall have no recourse against Owner"; "... shall not have any right of subrogation"
            rf"|\b{_INSURER}\b[^.;]{{0,60}}?\b(?:(?:shall|will|may)\s+)?(?:have|has|possess|acquire|retain)\s+no\s+{_RECOVERY}"
            rf"|\b{_INSURER}\b[^.;]{{0,60}}?\b(?:shall|will|may)\s+not\s+(?:have\s+any\s+{_RECOVERY}|be\s+subrogated|subrogate|(?:be\s+entitled\s+to\s+)?(?:seek|claim)\s+(?:recovery|reimbursement|contribution)\s+(?:from|against))"
            # "there shall be no right of subrogation against Client"; "without any right of subrogation"
            r"|\b(?:no\s+|without\s+(?:any\s+)?)rights?\s+(?:of|to)\s+subrogat\w*|\bno\s+subrogation\s+rights?\b|\bnot\s+be\s+subrogated\b"
        ),
        # every branch names a recovery: of _RECOVERY, or "subrogate(d)", or a recovery sought
        negated_cues=("subrogat", "recover", "recourse", "against", "reimbursement", "contribution"),
        after=TERM_CONDITION_AFTER,
    ),
    "primary_noncontributory": TermRule(
        positive=_c(
            r"\bprimary\s*(?:and|&|/|,)\s*non-?\s?contribut\w*|\bnon-?\s?contributory\b|\bnon-?\s?contributing\b"
            r"|\b(?:insurance|coverage|polic(?:y|ies)|it)\b[^.;]{0,80}?\b(?:be|is|are|as|shall\s+be|will\s+be)\s+(?:deemed\s+|considered\s+)?primary\b(?!\s+(?:limits?|layer))"
            r"|\bprimary\s+(?:insurance|coverage)\s+(?:with\s+respect|for|to|and|over)\b|\bprimary\s+to\s+(?:and|any|all)\b|\bon\s+a\s+primary\s+basis\b"
            r"|\brespond\s+(?:first|before\s+any)\b|\bwithout\s+(?:any\s+)?(?:right\s+of\s+)?contribution\s+(?:from|by)\b|\b(?:not|never)\s+(?:seek|call\s+(?:up)?on|be\s+entitled\s+to)\s+contribution\b"
            r"|\b(?:other|any)\s+insurance\s+(?:\w+\s+){0,6}?(?:shall|will)\s+be\s+excess\b"
            # "written as primary policy", "shall be primary insurance", "apply before any other insurance"
            r"|\b(?:as|be|is|are)\s+(?:an?\s+)?primary\s+(?:polic(?:y|ies)|insurance|coverage)\b(?!\s+(?:limits?|layer))"
            r"|\b(?:apply|respond)\s+first\b|\b(?:apply|respond|pay)\s+before\s+(?:any|all)\s+(?:other\s+)?(?:insurance|coverage|polic)"
            r"|\bwithout\s+(?:any\s+)?contribution\s+(?:of|with)\b|\b(?:insurance|coverage|polic(?:y|ies))\b[^.;]{0,60}?\b(?:shall|will)\s+be\s+excess\s+(?:and|,)\s+(?:shall\s+|will\s+)?non-?contribut"
        ),
        negative=_c(_GENERIC_NEG + _OPTION_NEG + r"|\bexcess\s+(?:over|of)\s+(?:any|other)\b"),
        cues=("primary", "contribut", "respond", "first", "before", "excess"),
        negated_form=_c(
            # "primary policy not contributing to", "primary to and not contributing with"
            r"\bprimary\b[^.;]{0,40}?\bnot\s+(?:be\s+)?contribut\w*"
            # "Owner's own insurance shall be excess and shall not contribute"; "shall not be called upon to contribute"
            r"|\b(?:insurance|coverage|polic(?:y|ies)|insurers?)\b[^.;]{0,80}?\b(?:shall|will)\s+not\s+(?:be\s+(?:required|called\s+upon|asked)\s+to\s+)?contribute\b"
            r"|\b(?:insurance|coverage|polic(?:y|ies))\b[^.;]{0,80}?\bnot\s+contributing\s+(?:with|to)\b"
        ),
        negated_cues=("contribut",),
        after=TERM_CONDITION_AFTER,
    ),
    "certificate_of_insurance": TermRule(
        positive=_c(
            r"\bcertificates?\s+of\s+(?:insurance|coverage)\b|\binsurance\s+certificates?\b"
            r"|\bcertificat\w+\s+(?:of\s+insurance\s+)?(?:from\s+(?:its|the|their)\s+insurer|evidencing)\b"
            r"|\bevidence\s+of\s+(?:the\s+|such\s+|its\s+|all\s+|said\s+|any\s+|that\s+)?(?:insurance|coverage|self-insurance|polic)"
            r"|\bevidence\s+of\s+(?:the\s+)?(?:effectiveness|existence|maintenance)\s+of\s+(?:such|the|its)\s+(?:insurance|coverage|polic)"
            r"|\bevidencing\s+(?:such|the|said|that|its|all)\s+(?:insurance|coverage|polic)|\bevidenc\w+\s+that\s+insurance"
            r"|\bcop(?:y|ies)\s+of\s+(?:the\s+|all\s+|such\s+|its\s+|each\s+|any\s+|said\s+)?(?:insurance\s+)?(?:polic(?:y|ies)|certificates?)"
            r"|\bproof\s+of\s+(?:such\s+|the\s+)?(?:insurance|coverage)\b|\bcertification\s+of\s+insurance\b"
            r"|\b(?:produce|provide|supply|deliver|furnish|exhibit)\s+(?:to\s+(?:the\s+)?\w+\s+)?(?:for\s+inspection\s+)?(?:the\s+|each\s+|such\s+|all\s+|its\s+)?(?:relevant\s+)?(?:insurance\s+)?polic(?:y|ies)\b(?!\s+(?:limits?|number))"
            r"|\bbroker'?s'?\s+(?:letter|confirmation|certificate)\b|\bevidence\s+(?:satisfactory\s+to\s+\w+\s+)?that\s+(?:such|the|all|each)\s+(?:insurance|polic(?:y|ies)|coverage)\b"
            + _CERTIFICATE_MORE
        ),
        negative=_c(_GENERIC_NEG + _CERTIFICATE_NEG),
        # a certificate, evidence, proof, confirmation, copies, a memorandum or declarations
        # page, a broker's letter, or the policies produced or made available
        cues=(
            "certificat",
            "evidenc",
            "proof",
            "confirmation",
            "verification",
            "copy",
            "copies",
            "memorand",
            "declaration",
            "broker",
            "produce",
            "provide",
            "supply",
            "deliver",
            "furnish",
            "exhibit",
            "available",
        ),
        exclude=_c(r"\bFDIC\b|\bdeposit\s+accounts?\b"),
        exclude_cues=("fdic", "deposit"),
        after=TERM_CONDITION_AFTER,
    ),
    "cancellation_notice": TermRule(
        positive=_c(
            r"\b(?:prior|advance|advanced|previous)\s+(?:written\s+)?notice\b[^.;]{0,120}?\b(?:cancel\w*|non-?\s?renew\w*|terminat\w*(?=\s+of\s+(?:the\s+|such\s+|any\s+)?(?:polic|coverage|insurance))|material(?:ly)?\s+(?:change|alter|modif|reduc)\w*|expir\w*|alteration|decrease|reduction|modification|lapse)"
            r"|\b(?:cancel\w*|non-?\s?renew\w*|material(?:ly)?\s+(?:change|alter|modif|reduc)\w*|alteration|expiration|modification|decrease)\b[^.;]{0,160}?\b(?:prior|advance|advanced|previous)\s+(?:written\s+)?notice"
            r"|\b(?:\d+|[a-z]+|\[[^\]]{0,12}\])\s*(?:\(\d+\)\s*)?(?:calendar\s+|business\s+)?days'?\s*(?:'s\s+)?(?:prior\s+|advance\s+|advanced\s+)?(?:written\s+)?(?:notice|notification)\s+(?:to\s+[^.;]{0,60}?\s)?(?:of|in\s+the\s+event\s+of|before|prior\s+to)\b[^.;]{0,80}?\b(?:cancel\w*|non-?\s?renew\w*|terminat\w*|material|alteration|change|expir\w*|modification)"
            r"|\b(?:not|only)\s+be\s+(?:subject\s+to\s+)?(?:cancell?ed|cancell?able|cancelable|terminated|materially\s+(?:changed|altered|reduced)|changed|reduced|non-?renewed|modified)\b[^.;]{0,140}?\b(?:without|except|unless|upon|after)\b[^.;]{0,80}?\b(?:notice|notif\w+)"
            r"|\bcancell?able\s+only\s+upon\b[^.;]{0,60}\bnotice|\bnon-?\s?cancell?able\b[^.;]{0,60}\bexcept\b[^.;]{0,60}\bnotice"
            r"|\bnotice\s+(?:to\s+[^.;]{0,60}?\s)?(?:at\s+least\s+)?(?:\d+|[a-z]+|\[[^\]]{0,12}\])\s*(?:\(\d+\)\s*)?days\s+(?:prior\s+to|before|in\s+advance\s+of)\b[^.;]{0,60}?\b(?:cancel\w*|non-?renew\w*|terminat\w*|change|expir\w*|modif\w*)"
            r"|\bnotice\s+prior\s+to\s+(?:any\s+|the\s+)?(?:cancel\w*|non-?renew\w*|terminat\w*|alteration|material|change|expir\w*|modif\w*)"
            r"|\b(?:insurers?|carriers?|underwriters?|insurance\s+compan\w+)\b[^.;]{0,80}?\b(?:give|provide|send|deliver)\b[^.;]{0,60}?\b(?:notice|notif\w+)\s+(?:to\s+\w+\s+)?of\s+(?:any\s+)?(?:cancel\w*|non-?renew\w*|material\s+change|change\s+in\s+coverage|reduction)"
            + _CANCELLATION_MORE
        ),
        negative=_c(_GENERIC_NEG + _CANCELLATION_NEG),
        after=TERM_CONDITION_AFTER,
        cues=("notice", "notif", "warning"),
        exclude=_c(
            # a clause about failing to insure, unless it also gives prior notice of the cover
            # being cancelled ("prior written notice if it is unable to obtain ... or if its
            # coverage is canceled"): that is still notice before the cancellation
            r"\A(?=(?s:.*?)\b(?:unable|fails?|failure)\s+to\s+(?:obtain|maintain|procure|renew|keep)\b)"
            r"(?!(?s:.*?)\b(?:prior|advance)\s+(?:written\s+)?notice\b[^.;]{0,160}?\b(?:coverage|insurance|polic(?:y|ies))\s+(?:is|are|be|has\s+been|have\s+been)\s+(?:cancell?ed|non-?\s?renewed|materially\s+(?:changed|reduced|altered)))"
            r"|\b(?:promptly|immediately)\s+(?:after|upon|following)\b[^.;]{0,40}\b(?:cancel|lapse|termination)|\bwithin\s+\w+\s+(?:\(\d+\)\s+)?days\s+(?:after|following|of)\s+(?:any\s+|the\s+|such\s+)?(?:cancel|lapse|termination|expiration|non-?renewal)"
        ),
        exclude_cues=("unable", "fail", "promptly", "immediately", "within"),
    ),
}

#: Qualifiers that make an otherwise firm term weak (the hybrid extractor double-checks).
WEAK_QUALIFIER = _c(
    r"\b(?:reasonable|best|commercially\s+reasonable)\s+efforts\b|\bendeavou?r\b|\battempt\s+to\b|\bif\s+(?:available|possible|obtainable)\b|\bto\s+the\s+extent\s+(?:available|possible|obtainable|commercially)"
)

# --------------------------------------------------------------------------- vague language
#: A qualitative standard for the amount or scope of cover.
VAGUE_STANDARD = _c(
    r"\b(?:adequate(?:ly)?|sufficient(?:ly)?|appropriate|reasonabl[ey]|customar(?:y|ily)|prudent|"
    r"commercially\s+reasonable|consistent\s+with\s+(?:industry|the\s+industry|normal|standard|good|prudent|sound)|industry[- ]standards?|"
    r"generally\s+accepted|standard\s+(?:in\s+the\s+industry|practice|industry)|similarly\s+situated|"
    r"good\s+(?:industry\s+)?practice|sound\s+business\s+practice)\b"
)
#: What every :data:`VAGUE_STANDARD` match holds, lower-cased (:mod:`.prefilter`).
VAGUE_STANDARD_NEEDLES = (
    "adequate",
    "sufficient",
    "appropriate",
    "reasonabl",
    "customar",
    "prudent",
    "consistent",
    "industry",
    "generally",
    "standard",
    "similarly",
    "good",
    "sound",
)
#: More qualitative standards: what is usual, normal or ordinary ("such other insurance as is
#: normally carried by companies in its line of business", "as is usual in the industry"),
#: or what similar businesses carry ("in line with the insurance maintained by similar companies").
VAGUE_STANDARD_MORE = _c(
    r"\b(?:usual(?:ly)?|normal(?:ly)?|ordinar(?:y|ily)|typical(?:ly)?|common(?:ly)?|generally)\s+(?:\w+\s+)?"
    r"(?:in\s+(?:the|its|their|such|a|that)\s+(?:[\w-]+\s+){0,2}?(?:industry|industries|trade|business|businesses|line|sector|market)"
    r"|carried|maintained|held|obtained|purchased|procured|insured|required\s+(?:of|for|by)\s+(?:companies|businesses|firms|persons|entities))\b"
    r"|\b(?:similar|comparable|like)\s+(?:[\w-]+\s+)?(?:companies|businesses|entities|firms|enterprises|organi[sz]ations|operators|contractors)\b"
    r"|\b(?:usual|normal|ordinary|typical|common|customary)\s+for\s+(?:an?\s+|such\s+|its\s+|similar\s+)?(?:[\w-]+\s+)?(?:business|businesses|companies|company|firms?|enterprises?|operations?|industry)\b"
    r"|\b(?:market|industry|trade)\s+(?:practice|norms?|custom)\b|\bconsistent\s+with\s+(?:its|their)\s+(?:peers|competitors)\b"
    r"|\bcomparable\s+to\s+(?:that|those)\s+(?:of|maintained\s+by|carried\s+by)\b"
)
#: What every :data:`VAGUE_STANDARD_MORE` match holds, lower-cased (:mod:`.prefilter`).
VAGUE_STANDARD_MORE_NEEDLES = (
    "usual",
    "normal",
    "ordinar",
    "typical",
    "common",
    "generally",
    "customary",
    "similar",
    "comparable",
    "like",
    "market",
    "industry",
    "trade",
    "consistent",
)
#: Limits or amounts left to a party's approval: "terms and limits of coverage acceptable to
#: Carrier", "in amounts satisfactory to Owner" (not an insurer acceptable to it).
VAGUE_ACCEPTABLE = _c(
    r"\b(?:limits?|amounts?|levels?|sums?)\s+(?:(?!insurers?\b|carriers?\b|compan\w+|underwriters?\b|forms?\b)[\w'-]+\s+){0,4}?"
    r"(?:reasonably\s+)?(?:acceptable|satisfactory)\s+to\b"
)
#: What every :data:`VAGUE_ACCEPTABLE` match holds, lower-cased (:mod:`.prefilter`).
VAGUE_ACCEPTABLE_NEEDLES = ("acceptable", "satisfactory")
#: Those standards only make a limit vague when they qualify cover, amounts or limits.
VAGUE_TARGET = _c(
    r"\b(?:amounts?|limits?|levels?|coverages?|cover|insurance|insured|insure|polic(?:y|ies)|types?|sums?|self[- ]insur\w*)\b"
)
#: A word, for counting the words between a vague standard and the target before it.
WORD = re.compile(r"[\w'-]+")
#: A target of a standard within three words after it ("adequate (primary) coverage").
TARGET_AFTER = re.compile(r"(?:[\s,()-]+[\w'-]+){0,3}?[\s,()-]+" + VAGUE_TARGET.pattern, re.I)
#: "reasonable", "appropriate", "sufficient" in their ordinary sense, not about cover:
#: reasonable notice, efforts, requests, time; appropriate endorsements; sufficient evidence.
NOT_VAGUE_USE = _c(
    r"\breasonabl[ey]\s+(?:written\s+)?(?:proof|evidence|request\w*|notice)\b|\breasonabl[ey]\s+(?:efforts|time|times|request\w*|notice|opportunity|assistance|cooperation|access|detail|periods?|satisfactory|acceptable)\b"
    r"|\b(?:reasonably|reasonable)\s+(?:be\s+)?request\w*|\bas\s+(?:may\s+be\s+)?reasonably\s+(?:requested|required\s+to\s+evidence)"
    r"|\bcommercially\s+reasonable\s+efforts|\bappropriate\s+(?:endorsements?|certificates?|evidence|notice)\b|\bsufficient\s+(?:evidence|proof)\b"
    r"|\bin\s+the\s+(?:usual|ordinary|normal)\s+course\b|\bnormal\s+wear\b"
)
#: A clause about failing to insure, or about the cover not limiting liability: its
#: standards are not the required cover ("shall not limit", "without limiting").
NOT_A_STANDARD_CLAUSE = _c(
    r"\b(?:unable\s+to|fail(?:s|ure)?\s+to|(?:does|shall|will)\s+not\s+(?:limit|reduce|relieve)|in\s+no\s+way\s+limit|without\s+limiting)\b"
)
#: What every :data:`NOT_A_STANDARD_CLAUSE` match holds, lower-cased (:mod:`.prefilter`).
NOT_A_STANDARD_CLAUSE_NEEDLES = ("unable", "fail", "limit", "reduce", "relieve")
#: A clause whose duty is negated, excused or a mere option: its standard is not a required
#: cover ("Vendor need not keep such other coverage as a prudent firm would carry", "is not
#: required to carry", "may, at its option, keep"). Negation wins.
VAGUE_NEGATED = _c(
    r"\bneed\s+not\b|\b(?:is|are|be)\s+not\s+(?:required|obligated|obliged)\b|\bnot\s+(?:be\s+)?(?:required|obligated|obliged)\s+to\b"
    r"|\bmay\s*,?\s*(?:at\s+(?:its|their|the\s+\w+'s)\s+(?:sole\s+|own\s+)?(?:option|discretion|election|expense)\s*,?\s*)?(?:\w+\s+){0,2}?"
    r"(?:keep|carry|maintain|obtain|purchase|procure|insure|acquire|elect)\b|\bmay\s*,?\s*but\s+(?:shall|need)\s+not\b"
)
#: Standards that describe the insurer or its rating, not the cover: not vague.
NOT_VAGUE_TARGET = _c(
    r"\b(?:insurers?|insurance\s+(?:companies|company|carriers?)|carriers?|underwriters?|companies|company)\s+(?:\w+\s+){0,3}?(?:reasonably\s+)?(?:acceptable|satisfactory|reputable|rated)"
    r"|\b(?:reasonably\s+)?(?:acceptable|satisfactory)\s+to\b|\breputable\b|\b(?:reasonable|prior)\s+(?:written\s+)?notice\b|\breasonably\s+request\w*\s+(?:evidence|certificates?|copies)"
    r"|\breasonable\s+(?:attorneys?'?\s+)?fees|\bas\s+(?:may\s+be\s+)?reasonably\s+requested\b[^.;]{0,20}\b(?:evidence|certificate)"
)
#: Discretion or deferral: "in such amounts as X may require", "as may be requested by",
#: "types and amounts we specify in the Standards", a right to raise limits later.
VAGUE_DISCRETION = _c(
    r"\b(?:in\s+)?(?:such\s+)?(?:types?\s+and\s+(?:in\s+)?)?(?:such\s+)?amounts?\s+(?:and\s+(?:on\s+|against\s+)?(?:such\s+)?(?:terms(?:\s+and\s+conditions)?|perils|coverages?|types?|risks)\s+)?(?:as|that|which)\s+(?:(?:is|are|may\s+be|shall\s+be)\s+)?(?:\w+\s+){0,4}?"
    r"(?:may|shall|will|deems?|determines?|requires?|requests?|specif\w+|reasonably|currently|customarily|consistent|generally|secure|appropriate|adequate|sufficient|necessary|required|recommended|designated|established|approved|acceptable|ordinar(?:y|ily)|usual(?:ly)?|customary|prudent|standard|commercially|has|have|maintains?|carries)"
    r"|\b(?:insurance|coverages?|polic(?:y|ies))\s+(?:\w+\s+){0,3}?as\s+(?:may\s+be\s+)?(?:reasonably\s+)?(?:required|requested|specified|determined|designated|established|recommended|approved)\s+(?:by|in|from)\s+(?!(?:applicable\s+|any\s+|the\s+)?(?:law|laws|statute|regulation))"
    r"|\b(?:insurance|coverages?|polic(?:y|ies)|amounts?|limits?)\s+(?:\w+\s+){0,3}?as\s+(?:we|it|they|(?-i:[A-Z][A-Za-z]+))\s+(?:may|shall|will)\s+(?:\w+\s+){0,2}?(?:require|request|specify|determine|designate|deem|direct|approve)"
    r"|\b(?:types?|amounts?|limits?|coverages?)\s+(?:\w+\s+){0,3}?(?:we|it|they|(?-i:[A-Z][A-Za-z]+))\s+(?:may\s+)?(?:reasonably\s+)?(?:specify|specifies|require|requires|establish|establishes|determine|determines|designate|designates|prescribe|prescribes|request|requests)\b"
    r"|\b(?:higher|additional|increased?|greater|other)\s+(?:policy\s+)?(?:limits?|amounts?|coverages?|types?|insurance)\b[^.;]{0,80}?\b(?:may|might|shall|will)\s+(?:be\s+)?(?:required|requested|specified|established|determined|reasonably\s+require)"
    r"|\b(?:reserves?|retain|retains|shall\s+have|has)\s+the\s+right\s+to\s+(?:\w+\s+){0,4}?(?:require|increase|change|modify|raise|specify|adjust|add|amend|revise|designate|determine)\b[^.;]{0,80}?\b(?:amounts?|limits?|coverages?|types?|insurance)\b"
    r"|\bmay\s+(?:from\s+time\s+to\s+time\s+)?(?:reasonably\s+)?(?:increase|change|modify|raise|require\s+(?:additional|higher|increased|other))\b[^.;]{0,60}?\b(?:amounts?|limits?|coverages?|types?|insurance)\b"
    r"|\bmay\s+(?:\w+\s+){0,2}?require\s+(?:\w+\s+){0,3}?to\s+(?:increase|raise|add\s+to|obtain\s+additional|carry\s+additional|purchase\s+additional|maintain\s+(?:additional|higher))\b[^.;]{0,40}?\b(?:amounts?|limits?|coverages?|insurance)\b"
    r"|\b(?:such\s+(?:other\s+)?amounts?|amounts?|limits?)\s+(?:that\s+)?(?:we|it|(?-i:[A-Z][A-Za-z]+))\s+may\s+(?:establish|specify|require|determine|designate)"
    r"|\bamounts?\s+(?:that|which)\s+(?:secure|cover|protect)\b|\bin\s+(?:the\s+)?amounts?\s+(?:required|specified|set)\s+(?:by|in)\s+(?:the\s+)?(?:Operations\s+)?(?:Manual|Standards|Brand\s+Standards|System\s+Standards|Guidelines|Policies)"
)
#: What every :data:`VAGUE_DISCRETION` match holds, lower-cased (:mod:`.prefilter`): its
#: branches name an amount, a right, or the verb of the discretion (require, request,
#: specify, determine, designate, establish, recommend, approve, deem, direct, prescribe,
#: or a change: increase, change, modify, raise).
VAGUE_DISCRETION_NEEDLES = (
    "amount",
    "right",
    "require",
    "request",
    "specif",
    "determine",
    "designate",
    "establish",
    "recommended",
    "approve",
    "deem",
    "direct",
    "prescribe",
    "increase",
    "change",
    "modify",
    "raise",
)
#: Statutory or regulatory amounts, and formula amounts: not vague (LABELS.md conventions).
_STATUTORY = (
    r"\bstatutor(?:y|ily)\b|\b(?:required|mandated|prescribed|requested)\s+by\s+(?:all\s+)?(?:applicable\s+|local\s+|state\s+|federal\s+|governing\s+|relevant\s+)*(?:law|laws|statutes?|regulations?|legislation)\b"
    r"|\b(?:applicable|state|federal)\s+law\s+requirements\b|\blegally\s+(?:required|mandated)\b|\bby\s+law\b|\bunder\s+(?:applicable\s+)?law\b"
    # "financial responsibility" laws, not the insurers' own ("insurers of recognized financial responsibility")
    r"|(?<!recognized\s)(?<!recognised\s)(?<!sound\s)(?<!good\s)(?<!adequate\s)\bfinancial\s+responsibility\b|\bC\.?F\.?R\.?\b"
)
#: Cover whose amount is fixed by statute or regulation (workers' compensation "as required by law").
STATUTORY = _c(_STATUTORY)
#: An amount that is statutory or a formula (full replacement value, a percentage of): not vague.
NOT_VAGUE_AMOUNT = _c(
    _STATUTORY
    + r"|\bfull\s+(?:insurable\s+|replacement\s+)?(?:replacement\s+)?(?:value|cost)\b|\breplacement\s+(?:cost|value)\b"
    r"|\b\d+\s*%\s+of\b|\bper\s+cent\s+of\b|\binvoice\s+value\b|\bcost\s+of\s+replacement\b"
)
#: Cover whose amount is set out elsewhere ("as set forth in Exhibit C", "the following"):
#: not a type required with no amount.
SET_OUT_ELSEWHERE = _c(r"\b(?:as\s+(?:set\s+forth|specified|described|provided)\s+(?:in|below|above)|following)\b")


#: A figure with no currency, as an LLM quotes a limit: digits (thousands groups or
#: decimals) with an optional magnitude ("2,000,000", "$5M", "1.5 mm", "250k"), or number
#: words before a magnitude ("two million"). Used by :func:`..amounts.figures_in`.
BARE_FIGURE = re.compile(
    r"(?P<num>\d{1,3}(?:[,.\s]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<scale>thousand|million|billion|mm|bn|k|m)?\b"
    r"|(?P<words>(?:[a-z]+[- ])?(?:hundred\s+)?[a-z]+)\s+(?P<wscale>thousand|million|billion)\b",
    re.I,
)
#: Digits that are only thousands groups ("1,000,000", "1.000", "5 000"): the separators go.
GROUPED_DIGITS = re.compile(r"\d{1,3}(?:[,.\s]\d{3})+")
#: The magnitudes a bare figure may carry.
BARE_SCALES = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mm": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9}

# --------------------------------------------------------------------------- per-policy requirements
# (read by extract/rules/requirements.py)

#: An occurrence form required ("written on an occurrence basis", "Occurrence form").
OCCURRENCE_FORM = re.compile(r"\boccurrence[- ](?:basis|form|based|policy)\b|\bon an occurrence\b", re.I)
OCCURRENCE_FORM_NEEDLES = ("occurrence",)  # what every match holds, lower-cased
#: A claims-made form named (allowed, usually with a tail).
CLAIMS_MADE_FORM = re.compile(r"\bclaims[- ]made\b", re.I)
CLAIMS_MADE_NEEDLES = ("claims",)
#: How long cover must last beyond the term: "for at least three (3) years after this SOW ends",
#: "and for two (2) years thereafter", an extended reporting period / tail.
COVER_DURATION = re.compile(
    r"\bfor\s+(?:a\s+period\s+of\s+)?(?:at\s+least\s+|not\s+less\s+than\s+|no\s+less\s+than\s+)?"
    r"(?P<n>\w+)(?:\s*\((?P<d>\d+)\))?\s+(?:full\s+)?years?\s+"
    r"(?:after|following|thereafter|beyond|from)(?:[^.;]{0,80}?(?=[.;]|$))?",
    re.I,
)
COVER_DURATION_NEEDLES = ("year",)
TAIL_WORDS = re.compile(r"\bextended\s+reporting\s+period\b|\btail\s+(?:coverage|policy|endorsement)\b", re.I)
TAIL_NEEDLES = ("extended", "tail")
RETRO_DATE = re.compile(r"\bretroactive\s+date\b[^.;]{0,120}", re.I)
RETRO_DATE_NEEDLES = ("retroactive",)
#: A minimum insurer rating: "rated A- VII or better by A.M. Best", "A.M. Best rating of at least A-, VIII".
RATING = re.compile(
    r"\b(?:rated|rating\s+of|ratings?)\s+(?:of\s+)?(?:at\s+least\s+|not\s+less\s+than\s+|no\s+less\s+than\s+|no\s+lower\s+than\s+)?"
    r"(?P<r>A\+\+|A\+|A-|A|B\+\+|B\+)(?![\w+-])(?:\s*[,/]?\s*(?:Class\s+|FSC\s+)?(?P<c>[IVX]{1,5}|\d{1,2})\b)?",
)
RATING_NEEDLES = ("rat",)  # a case-sensitive pattern: its words are lower-case
BEST = re.compile(r"\bBest\b|\bA\.?\s?M\.?\s?Best\b|\bAM\s+Best\b", re.I)
#: When a certificate is due: "before any Services begin", "prior to the Effective Date", "within ten (10) days after".
CERTIFICATE_DUE = re.compile(
    r"\bon\s+(?:written\s+)?request\b[^.;,]{0,90}"
    r"|\b(?:before|prior\s+to|no\s+later\s+than|not\s+later\s+than|on\s+or\s+before|upon|"
    r"within\s+[^.;]{0,30}?days?\s+(?:after|of|following))\s[^.;,]{3,90}",
    re.I,
)
#: AI and primary wording cannot apply to workers' compensation / employers' liability.
NOT_LIABILITY_TYPES = frozenset({"workers_compensation", "employers_liability"})
