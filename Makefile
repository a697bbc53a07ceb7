# contract-review: `make demo` or `make app` to try it, `make test` to test it.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
# CPU build of torch; the bundled MiniLM model needs nothing more.
TORCH_SPEC ?= torch==2.13.0
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install test app demo docs bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -e ".[dev,ray]"
	touch $@

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

app: install
	$(BIN)/streamlit run app.py --server.address 127.0.0.1

demo: install
	$(BIN)/contract-review review "sample_contracts/11_model_evaluation_agreement_prompt_injection.pdf" --playbook technology-services

docs: install
	$(BIN)/python -m contract_review.docs > docs/rules.md

bench: install
	$(BIN)/python eval/bench_screen.py

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
