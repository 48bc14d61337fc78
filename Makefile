# Two commands for a fresh clone:  `make run` (set up, open the app)  and  `make test`.
VENV   ?= .venv
PYTHON ?= python3
STAMP  := $(VENV)/.hw7-installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml constraints.txt scripts/setup_env.py
	$(PYTHON) scripts/setup_env.py
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/hw7-tui

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q

bench: $(STAMP)
	$(VENV)/bin/python bench/run_all.py

clean:
	rm -rf $(VENV)
