"""contract-review: the lawyer's workspace (Streamlit). Run with ``make app``.

A thin page: every decision is made in :mod:`contract_review` (reviews, checks, tables,
escaping, per-session files in :mod:`contract_review.ui`). Contract and model text is
shown through ``st.text``/``st.code``/``st.dataframe`` or escaped HTML, never as Markdown.
"""

from __future__ import annotations

import streamlit as st

from contract_review import ui
from contract_review.errors import ContractReviewError
from contract_review.settings import Settings
from contract_review.ui.serve import no_external_ip_lookup

no_external_ip_lookup()  # also under a plain `streamlit run app.py` (make app does it before serving)

# No page_icon: a material or emoji favicon is fetched from a CDN, and nothing may leave the machine.
st.set_page_config(page_title="Contract review · insurance", layout="wide")


def workspace() -> ui.Workspace:
    """This browser session's private workspace (uploads, store, results). Each page run
    also deletes the workspaces of sessions that ended (Streamlit has no end-of-session hook)."""
    from streamlit import runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if "workspace" not in st.session_state:
        st.session_state["workspace"] = ui.Workspace(Settings())
        ctx = get_script_run_ctx()
        if ctx is not None:
            ui.WORKSPACES.register(ctx.session_id, st.session_state["workspace"])
    if runtime.exists():
        ui.WORKSPACES.sweep(
            runtime.get_instance().is_active_session, grace=float(st.get_option("server.disconnectedSessionTTL"))
        )
    return st.session_state["workspace"]


def error_message(where: str, e: ContractReviewError) -> None:
    st.error(f"{ui.md_escape(where)}: {ui.md_escape(e.message)}", icon=":material/error:")


# --------------------------------------------------------------------------- sidebar


def sidebar(ws: ui.Workspace):
    """Playbook and extractor choice. Returns (playbook or None, extractor name)."""
    sb = st.sidebar
    sb.header("Review settings")
    choices = ui.playbook_names() + [UPLOAD_PLAYBOOK]
    choice = sb.selectbox(
        "Playbook",
        choices,
        key="playbook_choice",
        help="Which rules run, their severity and the required policies and limits.",
    )
    playbook = None
    if choice == UPLOAD_PLAYBOOK:
        up = sb.file_uploader("Playbook YAML", type=["yaml", "yml"], key="playbook_file")
        if up is None:
            sb.info("Upload a playbook YAML file to review with it.")
        else:
            try:
                playbook = ws.playbook_from_upload(up.name, up.getvalue())
                sb.success(f"Playbook {ui.md_escape(playbook.name)} is valid.")
            except ContractReviewError as e:
                with sb:
                    error_message(up.name, e)
    else:
        try:
            playbook = ui.load_playbook(choice)
        except ContractReviewError as e:
            with sb:
                error_message(choice, e)

    options = ui.extractor_options(ws.settings)
    enabled = [o.name for o in options if o.enabled]
    extractor = sb.radio("Extractor", enabled, key="extractor", captions=[o.reason for o in options if o.enabled])
    endpoint = ui.llm_endpoint(ws.settings)
    if endpoint is None:
        sb.info(
            "Everything runs on this machine: no LLM endpoint is configured, so no contract text leaves it.",
            icon=":material/lock:",
        )
        off = [o for o in options if not o.enabled]
        if off:
            sb.caption("Not available: " + "; ".join(f"{o.name} ({o.reason})" for o in off))
    else:
        sb.warning(
            f"LLM endpoint: {ui.md_code(endpoint)}. With a remote extractor the contract "
            "text is sent there; rules never send anything.",
            icon=":material/cloud_upload:",
        )
    ocr = sb.selectbox(
        "OCR of scanned pages",
        ui.OCR_MODES,
        key="ocr",
        help="auto: PDF pages without a text layer are read with Tesseract; always: every PDF page; never: none.",
    )
    ws.set_ocr(ocr)
    sb.caption(ui.ocr_status(ws.settings))
    return playbook, extractor


UPLOAD_PLAYBOOK = "Upload a YAML playbook…"


# --------------------------------------------------------------------------- review


def show_review(item: ui.Reviewed, n: int) -> None:
    r = item.result
    key = f"{n}-{r.sha256 or r.file}"
    with st.container(border=True, key=f"review-{key}"):
        st.subheader(ui.md_escape(r.file))
        if r.status == "error":
            st.error(
                f"Could not review {ui.error_summary(r)}",
                icon=":material/error:",
            )
            return
        st.caption(f"{r.pages} page(s) · extractor {r.extractor} · playbook {ui.md_escape(r.playbook or '')}")
        if r.ocr_pages:
            st.warning(ui.md_escape(ui.ocr_notice(r)), icon=":material/document_scanner:")

        findings = r.sorted_findings()
        st.markdown(f"#### Findings ({len(findings)})")
        st.caption(ui.severity_summary(r))
        if not findings:
            st.success("No findings for this playbook.")
        for f in findings:
            st.html(ui.finding_html(f))
            if f.suggestion:
                st.caption("Suggested clause (copy button at its top right):")
                st.code(f.suggestion, language=None, wrap_lines=True)

        choices = ui.citation_choices(r)
        if choices and item.doc is not None:
            picked = st.selectbox(
                "Show a quote in its page",
                range(len(choices)),
                key=f"cite-{key}",
                format_func=lambda i: choices[i].label,
            )
            st.html(ui.highlight_html(item.doc, choices[picked].citation))

        st.markdown("#### Policies")
        rows = ui.policy_rows(r)
        if rows:
            st.dataframe(rows, hide_index=True, key=f"policies-{key}")
        else:
            st.text("No required policy found.")

        st.markdown("#### Endorsements and terms")
        st.dataframe(ui.term_rows(r), hide_index=True, key=f"terms-{key}")

        searched = ui.searched_rows(r)
        with st.expander(f"Sections searched ({len(searched)})", key=f"searched-exp-{key}"):
            st.dataframe(searched, hide_index=True, key=f"searched-{key}")

        st.markdown("#### Take it to Word")
        w1, w2, w3 = st.columns([2, 2, 2], vertical_alignment="bottom")
        audience = w1.selectbox(
            "Comments for",
            ["internal", "counterparty"],
            key=f"audience-{key}",
            help="internal: each rule's reasoning; counterparty: polite requests, no internal notes.",
        )
        author = w2.text_input("Author of the changes", value="contract-review", key=f"author-{key}", max_chars=80)
        label, filename = ui.word_download(r, item.data)
        w3.download_button(
            label,
            lambda: ui.word_bytes(r, item.data, author, "counterparty" if audience == "counterparty" else "internal"),
            ui.safe_filename(filename),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            key=f"dl-docx-{key}",
            on_click="ignore",
            help="A Word draft comes back with a comment per finding and the suggested clauses as tracked changes; "
            "a PDF or text contract gets a review memo.",
        )

        d1, d2, _ = st.columns([1, 1, 3])
        stem = ui.safe_filename(r.file).rsplit(".", 1)[0]
        d1.download_button(
            "Report (Markdown)",
            lambda: ui.report_markdown(r),
            f"{stem}-review.md",
            "text/markdown",
            key=f"dl-md-{key}",
            on_click="ignore",
        )
        d2.download_button(
            "Result (JSON)",
            lambda: ui.jsonl_bytes([r]),
            f"{stem}-review.json",
            "application/json",
            key=f"dl-json-{key}",
            on_click="ignore",
        )

        dropped = ui.ungrounded_rows(r)
        if dropped:
            st.warning(
                f"{len(dropped)} quote(s) proposed by the extractor were not found verbatim in the "
                "document and were dropped.",
                icon=":material/warning:",
            )
            st.dataframe(dropped, hide_index=True, key=f"ungrounded-{key}")


def review_tab(ws: ui.Workspace, playbook, extractor: str, limit_mb: int) -> None:
    files = st.file_uploader(
        "Contracts to review",
        type=ui.upload_types(),
        accept_multiple_files=True,
        key="review_files",
        max_upload_size=limit_mb,
        help=f"PDF, DOCX, TXT or MD, up to {limit_mb} MB per file. Files stay in this browser "
        "session's private folder and are deleted when it ends.",
    )
    if not files:
        st.info("Upload one or more contracts to see their insurance findings.")
        return
    if playbook is None:
        st.warning("Choose a valid playbook in the sidebar first.")
        return
    for n, f in enumerate(files):
        with st.spinner(f"Reviewing {ui.md_escape(f.name)}…"):
            try:
                item = ws.review_upload(f.name, f.getvalue(), extractor, playbook)
            except ContractReviewError as e:
                error_message(f.name, e)
                continue
            except Exception as e:  # a bug must not hide the other files' reviews
                st.error(
                    f"Could not review {ui.md_escape(f.name)}: {ui.md_escape(ui.crash_message(e))}",
                    icon=":material/bug_report:",
                )
                continue
        show_review(item, n)


# --------------------------------------------------------------------------- batch


def batch_tab(ws: ui.Workspace, playbook, extractor: str, limit_mb: int) -> None:
    source = st.radio("Contracts", ["Upload files", "Folder on the server"], key="batch_source", horizontal=True)
    if source == "Upload files":
        uploads = st.file_uploader(
            "Contracts to screen",
            type=ui.upload_types(),
            accept_multiple_files=True,
            key="batch_files",
            max_upload_size=limit_mb,
            help=f"PDF, DOCX, TXT or MD, up to {limit_mb} MB per file.",
        )
        folder = None
    else:
        uploads = None
        folder = st.text_input(
            "Folder path on the server",
            key="batch_folder",
            help="Searched recursively for PDF, DOCX, TXT and MD files.",
        )
    run = st.button("Screen", key="batch_run", type="primary", disabled=playbook is None)
    if run:
        try:
            files = (
                ws.folder_files(folder)
                if folder is not None
                else ws.batch_files((u.name, u.getvalue()) for u in uploads or [])
            )
        except ContractReviewError as e:
            error_message("Batch", e)
            files = []
        if files:
            bar = st.progress(0.0, text=f"0 of {len(files)}")
            results = []
            try:
                for i, result in enumerate(ws.screen(files, extractor, playbook), 1):
                    results.append(result)
                    bar.progress(i / len(files), text=f"{i} of {len(files)}: {ui.md_escape(result.file)}")
            except ContractReviewError as e:  # e.g. the extractor cannot start: no file would pass
                error_message("Batch", e)
            ws.batch_results = results
        elif folder is None:
            st.warning("Upload at least one contract.")

    results = ws.batch_results
    if not results:
        return
    errors = [r for r in results if r.status == "error"]
    st.markdown(f"**{len(results)} contract(s), {len(results) - len(errors)} reviewed, {len(errors)} error(s)**")
    for r in errors:
        st.error(ui.error_summary(r), icon=":material/error:")

    rows = ui.summary_rows(results)
    flags = ui.rule_flag_columns(results)
    c1, c2, c3, c4 = st.columns(4)
    chosen = c1.multiselect("Has every flag", flags, key="batch_filter_flags")
    status = c2.selectbox("Status", ["any", "ok", "error"], key="batch_filter_status")
    severity = c3.selectbox(
        "Worst finding at least", ["any", "high", "medium", "low", "info"], key="batch_filter_severity"
    )
    name = c4.text_input("File name contains", key="batch_filter_name")
    shown = ui.filter_rows(
        rows,
        flags=chosen,
        status=None if status == "any" else status,
        name_contains=name,
        min_severity=None if severity == "any" else severity,
    )
    st.caption(f"{len(shown)} of {len(rows)} row(s)")
    st.dataframe(shown, hide_index=True, key="batch_table")

    # Files are built when a button is clicked; a click does not rerun the page.
    d1, d2, d3 = st.columns(3)
    d1.download_button(
        "Download CSV", lambda: ui.csv_bytes(results), "screening.csv", "text/csv", key="dl_csv", on_click="ignore"
    )
    d2.download_button(
        "Download XLSX",
        lambda: ui.xlsx_bytes(results),
        "screening.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="dl_xlsx",
        on_click="ignore",
    )
    d3.download_button(
        "Download JSONL",
        lambda: ui.jsonl_bytes(results),
        "screening.jsonl",
        "application/x-ndjson",
        key="dl_jsonl",
        on_click="ignore",
    )


# --------------------------------------------------------------------------- certificates


def certificates_tab(ws: ui.Workspace, limit_mb: int) -> None:
    import datetime as dt

    reviewed = ws.reviewed()
    if not reviewed:
        st.info("Review a contract in the Review tab first: certificates are checked against its requirements.")
        return
    names = [f"{i + 1}. {r.result.file}" for i, r in enumerate(reviewed)]
    pick = st.selectbox("Contract", names, key="coi_contract", help="A contract reviewed in this session.")
    item = reviewed[names.index(pick)] if pick in names else reviewed[0]
    as_of = st.date_input("Check as of", value=dt.date.today(), key="coi_as_of")
    files = st.file_uploader(
        "Certificates of insurance (ACORD 25 PDF)",
        type=["pdf"],
        accept_multiple_files=True,
        key="coi_files",
        max_upload_size=limit_mb,
        help="Filled, flattened or scanned ACORD 25 certificates (a scan is read by OCR when Tesseract is installed).",
    )
    if not files:
        st.caption("Upload certificates to see, per required policy, the requirement against the certificate.")
        return
    with st.spinner("Checking certificates…"):
        try:
            results = ws.check_certificates(item, [(f.name, f.getvalue()) for f in files], as_of)
        except ContractReviewError as e:
            error_message("Certificates", e)
            return
    for n, res in enumerate(results):
        st.subheader(ui.md_escape(res.file))
        if res.status == "error" and res.error:
            st.error(
                f"{ui.md_escape(res.file)} ({res.error.code}): {ui.md_escape(res.error.message)}",
                icon=":material/error:",
            )
            continue
        st.dataframe(ui.coi_table_rows(res), hide_index=True, key=f"coi-table-{n}")
        rows = ui.coi_finding_rows(res)
        if rows:
            st.dataframe(rows, hide_index=True, key=f"coi-findings-{n}")
        else:
            st.success("No gap found.", icon=":material/check_circle:")
        for note in res.notes:
            st.caption(note)
    d1, d2 = st.columns(2)
    d1.download_button(
        "Download XLSX",
        lambda: ui.coi_xlsx_bytes(results),
        "certificates.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="coi_dl_xlsx",
        on_click="ignore",
    )
    d2.download_button(
        "Download JSON",
        lambda: ui.coi_json_bytes(results),
        "certificates.json",
        "application/json",
        key="coi_dl_json",
        on_click="ignore",
    )


# --------------------------------------------------------------------------- search


def indexing_status(ws: ui.Workspace) -> None:
    """Which uploads are still being indexed (refreshed every two seconds while any is)."""
    busy = ws.indexing()
    if busy:
        st.info(
            f"Still indexing {ui.md_escape(', '.join(busy))} for search: until it is done, "
            "search does not find it. Its findings are on the Review tab already.",
            icon=":material/hourglass_top:",
        )
    for problem in ws.indexer.errors:
        st.warning(f"Could not index for search: {ui.md_escape(problem)}", icon=":material/warning:")


def search_tab(ws: ui.Workspace) -> None:
    # While uploads are being indexed, the status refreshes on its own (no rerun of the page).
    st.fragment(indexing_status, run_every=2.0 if ws.indexing() else None)(ws)
    with st.form("search_form", border=False):
        query = st.text_input(
            "Search indexed contracts",
            key="search_query",
            placeholder="e.g. waiver of subrogation in favour of the customer",
        )
        top_k = st.number_input("Results", min_value=1, max_value=50, value=5, key="search_top_k")
        go = st.form_submit_button("Search", key="search_run")
    if not (go and query.strip()):
        st.caption(
            "Searches the contracts reviewed in this session and the shared index (`contract-review index PATH`)."
        )
        return
    with st.spinner("Searching…"):
        rows = ws.search(query, int(top_k))
    if not rows:
        st.info(
            "No indexed contract matches. Review a contract here, or index a folder with `contract-review index PATH`."
        )
        return
    st.caption(f"{len(rows)} best match(es)")
    for row in rows:
        st.html(ui.search_hit_html(row))


# --------------------------------------------------------------------------- page


def main() -> None:
    ws = workspace()
    st.title("Contract review: insurance terms")
    playbook, extractor = sidebar(ws)
    limit_mb = ui.upload_limit_mb(ws.settings, st.get_option("server.maxUploadSize"))
    review, batch, certificates, search = st.tabs(["Review", "Batch", "Certificates", "Search"], key="tabs")
    with review:
        review_tab(ws, playbook, extractor, limit_mb)
    with batch:
        batch_tab(ws, playbook, extractor, limit_mb)
    with certificates:
        certificates_tab(ws, limit_mb)
    with search:
        search_tab(ws)


main()
