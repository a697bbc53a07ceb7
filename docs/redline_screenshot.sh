#!/usr/bin/env bash
# Render docs/screenshot-redline.png: sample 13 reviewed as a Word draft (technology-services
# playbook), converted by headless LibreOffice and rasterised by pdftoppm. Needs soffice and
# pdftoppm (Debian: libreoffice-writer-nogui, poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
.venv/bin/contract-review review sample_contracts/13_pilot_agreement_insurance_as_required.docx --no-index \
  --playbook technology-services --redline "$out/reviewed.docx" --author "Jane Roe (Driftwood Legal)" >/dev/null
soffice -env:UserInstallation="file://$out/profile" --headless \
  --convert-to 'pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}' --outdir "$out" "$out/reviewed.docx" >/dev/null
pdftoppm -png -r 110 -f 2 -l 2 -x 90 -y 300 -W 780 -H 540 "$out/reviewed.pdf" "$out/page"
cp "$out"/page-*.png docs/screenshot-redline.png
rm -rf "$out"
echo "wrote docs/screenshot-redline.png"
