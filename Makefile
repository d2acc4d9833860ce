# Relay: `make run` to use it, `make test` to test it. Both are safe to run again and again.

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint format bench topology check-install system-packages clean

run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py refresh_results
	$(PY) manage.py load_default_bank
	$(PY) manage.py seed_demo
	@echo "Relay is starting at http://127.0.0.1:$(PORT)/  (Ctrl+C stops it)"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.installed-test system-packages
	$(PY) -m pytest

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-test
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: $(VENV)/.installed
	@missing=""; command -v wrk >/dev/null 2>&1 || missing="wrk"; \
	ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then echo "Installing Debian packages for the load tests: $$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	$(PY) manage.py bench
	$(PY) manage.py bench --load-on-postgres

# Two gunicorn app servers, a worker, PostgreSQL and Redis on this machine, checked end to end
# (devtools/topology.py; .ci/run runs it too).
topology: $(VENV)/.installed system-packages
	@missing=""; \
	command -v wrk >/dev/null 2>&1 || missing="$$missing wrk"; \
	ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages for the topology test:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	$(PY) -m devtools.topology

# `pip install .` into a fresh virtualenv, then run Relay far from the checkout (CI does too).
check-install:
	.ci/check-install

# The virtualenv and its packages, reinstalled only when pyproject.toml changes.
$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[test]"
	touch $@ $(VENV)/.installed

system-packages:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	ls /usr/lib/*/libcairo.so.2 >/dev/null 2>&1 || missing="$$missing libcairo2"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts
