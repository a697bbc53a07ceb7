#!/usr/bin/env python
"""Coarse labels from CUAD for ``contract-review eval``.

    python eval/cuad_to_labels.py master_clauses.csv > cuad_coarse.jsonl
    python eval/cuad_to_labels.py /work/shared/data/cuad/cuad_insurance.csv \
        --exclude /work/shared/data/cuad/dev_subset.txt > cuad_rest.jsonl

The code lives in :mod:`contract_review.evaluation.cuad` (tested there).
"""

import sys

from contract_review.evaluation.cuad import main

if __name__ == "__main__":
    sys.exit(main())
