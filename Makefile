# The two front-door commands are `make demo` and `make test`; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ADDRESS ?= 127.0.0.1:8000

.PHONY: demo test install lint

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

.env: | $(STAMP)
	$(BIN)/python scripts/write_env.py $@

demo: install .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py ensure_admin_user
	@echo "Serving the admin on http://$(DEMO_ADDRESS)/admin/ (Ctrl-C stops it)."
	$(BIN)/python manage.py runserver --noreload $(DEMO_ADDRESS)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
