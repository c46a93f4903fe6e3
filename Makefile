# Grantownik's everyday commands. The two that matter:
#   make run    start the web app, the Celery worker and beat with demo data
#   make test   run the test suite (extra pytest arguments: make test ARGS="-k submit")
# Both create the virtualenv and install the project on first use.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# The project pins Python 3.11; prefer that interpreter when it is installed
# under its own name, otherwise take whatever python3 is.
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# Touched after a successful install: pip runs again only when pyproject.toml
# is newer than the last install.
STAMP := $(VENV)/.installed-stamp
ARGS ?=
# Paths makemessages and compilemessages must not walk into (the virtualenv
# carries Django's own catalogues).
I18N_IGNORE := --ignore='.*' --ignore=staticfiles --ignore=var --ignore=private --ignore=bench
APP_STATIC := $(shell find . -path ./.venv -prune -o -path ./staticfiles -prune -o -path '*/static/*' -type f -print 2>/dev/null)

.PHONY: help install run test lint demo messages compilemessages collectstatic dirs clean

help:
	@echo "make run       web on http://127.0.0.1:8000, worker and beat, with demo data (SQLite)"
	@echo "make test      the test suite; pass pytest options with ARGS=\"...\""
	@echo "make lint      ruff check and ruff format --check"
	@echo "make demo      empty the database and load the demo data again"
	@echo "make messages  update and compile the pl and en translation catalogues"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Runtime state of the embedded setup: the filesystem broker's folders, the
# file e-mail backend's outbox, beat's schedule file and private uploads.
dirs:
	@mkdir -p var/broker/out var/broker/processed var/broker/control var/mail private

compilemessages: install
	@if ! command -v msgfmt >/dev/null 2>&1; then \
		echo "msgfmt not found: using the committed .mo files"; \
	elif compgen -G 'locale/*/LC_MESSAGES/*.po' >/dev/null; then \
		$(MANAGE) compilemessages $(I18N_IGNORE); \
	fi

# Static files are served by WhiteNoise, which also finds the apps' own files
# directly; collecting again is needed only when installed packages changed.
staticfiles/.collected: $(STAMP) $(APP_STATIC)
	$(MANAGE) collectstatic --noinput --verbosity 0
	touch $@

collectstatic: staticfiles/.collected

run: install dirs
	$(MANAGE) migrate --noinput
	@$(MAKE) --no-print-directory compilemessages
	$(MANAGE) load_demo
	@$(MAKE) --no-print-directory collectstatic
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

test: install
	$(BIN)/pytest $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

demo: install dirs
	$(MANAGE) migrate --noinput
	$(MANAGE) flush --noinput
	$(MANAGE) load_demo

messages: install
	mkdir -p locale
	$(MANAGE) makemessages --locale=pl --locale=en $(I18N_IGNORE)
	$(MANAGE) compilemessages $(I18N_IGNORE)

clean:
	rm -rf staticfiles var $(STAMP)
