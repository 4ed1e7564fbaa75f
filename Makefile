# PatientCRM: `make run` serves the demo shop, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYTEST_ARGS ?=

.PHONY: run test deps lint format typecheck importlint seed clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed node_modules/.installed

run: deps
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  PatientCRM shop:  http://127.0.0.1:8000/        staff admin: http://127.0.0.1:8000/admin/"
	@echo "  Demo logins (password for all: patience-demo)"
	@echo "    demo-shopper   a registered shopper"
	@echo "    demo-care      customer care staff"
	@echo "    demo-marketer  marketing staff"
	@echo "    demo-admin     superuser"
	@echo "  Try the coupon WELCOME10 (10% off) at checkout."
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:8000

importlint: deps
	$(BIN)/lint-imports

lint: deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: deps
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: deps
	$(BIN)/mypy .

test: deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(PY) manage.py makemigrations --check --dry-run --no-input
	$(BIN)/pytest $(PYTEST_ARGS)
	@# With PostgreSQL configured, the portable (SQLite) pattern SQL is tested here too.
	@if [ -n "$$DATABASE_URL" ] && [ -z "$(PYTEST_ARGS)" ]; then \
		echo "== buying patterns and checkout again on the portable SQLite path"; \
		env -u DATABASE_URL -u REDIS_URL -u REQUIRE_SERVICES $(BIN)/pytest -q -p no:cacheprovider -m "not services" \
			tests/shop/test_patterns.py tests/shop/test_services.py; \
	fi

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 .pytest_cache .ruff_cache .mypy_cache .hypothesis
