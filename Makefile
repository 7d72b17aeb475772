# The two front-door commands are `make demo` and `make test`; see README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_ADDRESS ?= 127.0.0.1:8000

.PHONY: demo test install lint serve bench

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
	$(BIN)/python manage.py gitops_demo
	$(BIN)/python manage.py ensure_admin_user
	@echo "Serving the admin on http://$(DEMO_ADDRESS)/admin/ (Ctrl-C stops it)."
	$(BIN)/python manage.py runserver --noreload $(DEMO_ADDRESS)

# Production-style serving: settings come from the environment only, because the
# .env that `make demo` writes turns DEBUG on. Set TINYFORGE_ENV_FILE to read a file.
serve: export TINYFORGE_ENV_FILE ?=
serve: install
	@test -n "$$DATABASE_URL" || { echo "make serve: DATABASE_URL is not set. Set it to the PostgreSQL database to serve, for example postgres://tinyforge@127.0.0.1:5432/tinyforge; docs/operations.md explains the settings." >&2; exit 2; }
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	exec $(BIN)/gunicorn --config gunicorn.conf.py

test: install
	bash scripts/ensure_chromium.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

# Run every benchmark script (bench/bench_*.py); the other modules there are
# their helpers. Each script prints a Markdown table. docs/benchmarks.md
# records the figures with the machine they were measured on. bench_sync.py
# needs Redis on 127.0.0.1:6379 and takes about ten minutes.
bench: install
	@for script in bench/bench_*.py; do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done
