# contract-review: `make demo` or `make app` to try it, `make test` to test it.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
# CPU build of torch; the bundled MiniLM model needs nothing more.
TORCH_SPEC ?= torch==2.13.0
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

# Every install takes the versions the tests passed with (constraints.txt, made by `make lock`).
CONSTRAINTS ?= constraints.txt

.PHONY: install lint test app demo docs bench lock clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml $(CONSTRAINTS)
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) "$(TORCH_SPEC)"
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e ".[dev,ray]"
	touch $@

# Style, format and types: what CI runs before the tests.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: install
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

app: install
	$(BIN)/python -m contract_review.ui.serve

demo: install
	$(BIN)/contract-review review "sample_contracts/11_model_evaluation_agreement_prompt_injection.pdf" --playbook technology-services

docs: install
	$(BIN)/python -m contract_review.docs > docs/rules.md

bench: install
	$(BIN)/python eval/bench_screen.py

# Re-pin after changing dependencies: the versions installed now become the constraints.
lock:
	{ echo '# The versions the test suite passed with (make lock). make install uses them as pip constraints.'; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^contract-review' | sed 's/+cpu$$//'; } > $(CONSTRAINTS)

clean:
	rm -rf $(VENV) .pytest_cache build src/*.egg-info
