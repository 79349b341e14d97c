# Everything a fresh machine needs starts here: only Python 3.11+ and make are assumed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Local runs are development runs; production sets its own environment (docker-compose.yml).
export DEBUG ?= 1

.PHONY: install demo test lint format bench-ingest bench-indicators bench-freshness bench-scenarios stop clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: install
	$(BIN)/python manage.py demo

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks empty or fill their tables, so each runs on a database of its own.
bench-ingest: install
	PSI_DB_NAME=psi_bench_ingest $(BIN)/python manage.py migrate --verbosity 0
	PSI_DB_NAME=psi_bench_ingest $(BIN)/python manage.py load_catalogue
	PSI_DB_NAME=psi_bench_ingest $(BIN)/python manage.py bench_ingest

# The servers, workers and beat these two start run as in production, on a Redis database of
# their own (so that no development or test task reaches them), and pseudonymize with the key
# the data was generated with: one as long as production's. BENCH_ARGS=--smoke: seconds.
BENCH_KEY := PSI_PSEUDONYM_KEY=bench-only-pseudonym-key-not-a-secret-0123456789
bench-indicators: install
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	PSI_DB_NAME=psi_bench_indicators $(BENCH_KEY) $(BIN)/python manage.py migrate --verbosity 0
	PSI_DB_NAME=psi_bench_indicators $(BENCH_KEY) $(BIN)/python manage.py load_catalogue
	PSI_DB_NAME=psi_bench_indicators PSI_REDIS_DB=2 $(BENCH_KEY) \
		$(BIN)/python manage.py bench_indicators $(BENCH_ARGS)

# Reuses the chain bench-indicators filled (10M events) when it is there; generates it if not.
bench-scenarios: install
	PSI_DB_NAME=psi_bench_indicators $(BENCH_KEY) $(BIN)/python manage.py migrate --verbosity 0
	PSI_DB_NAME=psi_bench_indicators $(BENCH_KEY) $(BIN)/python manage.py load_catalogue --if-empty
	PSI_DB_NAME=psi_bench_indicators PSI_REDIS_DB=4 $(BENCH_KEY) \
		$(BIN)/python manage.py bench_scenarios $(BENCH_ARGS)

bench-freshness: install
	PSI_DB_NAME=psi_bench_freshness $(BIN)/python manage.py migrate --verbosity 0
	PSI_DB_NAME=psi_bench_freshness $(BIN)/python manage.py load_catalogue
	PSI_DB_NAME=psi_bench_freshness PSI_REDIS_DB=3 $(BENCH_KEY) \
		$(BIN)/python manage.py bench_freshness $(BENCH_ARGS)

stop: install
	$(BIN)/python -c "from devtools.embedded import stop_services; stop_services()"

clean: stop
	rm -rf var staticfiles
