# no1window — quick start and test entry points.
#
#   make demo    run the server on its embedded defaults (SQLite + documents
#                under var/) with demo data; HOST=0.0.0.0 PORT=8080 make demo
#   make test    install what the tests need, then: import contracts, the
#                whole suite on SQLite, the server suite on PostgreSQL
#   make clean   remove var/ and the install stamps (the venv itself stays)
#
# Written for Debian 12 with Python 3.11, run as root (or with sudo).
# See docs/development.md.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.ONESHELL:
.NOTPARALLEL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 8000

# Extra arguments for every pytest run, e.g. make test PYTEST_ARGS='-x -k intake'
PYTEST_ARGS ?=

VENV_PY      := $(VENV)/bin/python
STAMP_SERVER := $(VENV)/.no1window-installed-server
STAMP_ALL    := $(VENV)/.no1window-installed-all
PIP          := $(VENV_PY) -m pip --disable-pip-version-check --quiet

# Debian packages the test suite needs:
#  - fonts-noto-cjk: without a CJK font Qt draws Chinese text as boxes;
#  - shared libraries that PySide6's wheels link against and that a bare
#    Debian lacks (offscreen platform plugin, QtGui, QtNetwork);
#  - chromium: browser tests drive /usr/bin/chromium, never a downloaded one;
#  - postgresql: the server suite runs a second time on PostgreSQL.
APT_TEST_PACKAGES := \
	fonts-noto-cjk \
	libegl1 libgl1 libx11-6 libxkbcommon0 libfontconfig1 libfreetype6 \
	libdbus-1-3 libglib2.0-0 libgssapi-krb5-2 \
	chromium \
	postgresql

# PostgreSQL test database (loopback only, recreated on every run).
PG_USER     ?= no1window
PG_PASSWORD ?= no1window-test
PG_DB       ?= no1window_test

heading = printf '\n\033[1m==> %s\033[0m\n' $(1)

# $(call apt_ensure,packages): install the packages that are missing;
# apt-get update only runs when something is missing.
define apt_ensure
missing=""
for p in $(1); do
  dpkg-query -W -f='$${db:Status-Status}' "$$p" 2>/dev/null | grep -qx installed || missing="$$missing $$p"
done
if [ -n "$$missing" ]; then
  echo "installing:$$missing"
  if [ "$$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $$SUDO apt-get update
  $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing
else
  echo "all present: $(strip $(1))"
fi
endef

.PHONY: help
help:
	@echo "make demo   run the server with demo data on http://$(HOST):$(PORT)"
	@echo "make test   the whole test suite (SQLite, then PostgreSQL)"
	@echo "make bench  run the benchmarks (bench/)"
	@echo "make clean  remove var/ and the install stamps"

# ---------------------------------------------------------------- venv ----

$(VENV_PY):
	@$(call heading,"Creating $(VENV) with $(PYTHON)")
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is required, found " + sys.version'
	if ! $(PYTHON) -c 'import ensurepip' 2>/dev/null; then
	  # Debian's python3 ships venv support separately.
	  $(call apt_ensure,python3-venv)
	fi
	$(PYTHON) -m venv --clear $(VENV)

$(STAMP_SERVER): pyproject.toml | $(VENV_PY)
	@$(call heading,"Installing no1window[server] into $(VENV)")
	echo "(a few minutes the first time; quick when pyproject.toml has not changed)"
	$(PIP) install -e '.[server]'
	touch $@

$(STAMP_ALL): pyproject.toml | $(VENV_PY)
	@$(call heading,"Installing no1window with the server + desktop + dev extras into $(VENV)")
	echo "(a few minutes the first time; quick when pyproject.toml has not changed)"
	$(PIP) install -e '.[server,desktop,dev]'
	touch $@ $(STAMP_SERVER)

.PHONY: venv
venv: $(STAMP_ALL)

# ---------------------------------------------------------------- demo ----

.PHONY: demo
demo: $(STAMP_SERVER)
	@$(call heading,"Loading demo data")
	$(VENV)/bin/no1window-server demo
	$(call heading,"Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops)")
	exec $(VENV)/bin/no1window-server serve --host '$(HOST)' --port '$(PORT)'

# ---------------------------------------------------------------- test ----

.PHONY: test system-deps check-env lint test-sqlite test-postgres

test: system-deps $(STAMP_ALL) check-env lint test-sqlite test-postgres
	@$(call heading,"All tests passed")

system-deps:
	@$(call heading,"Debian packages for the tests")
	$(call apt_ensure,$(APT_TEST_PACKAGES))

check-env: $(STAMP_ALL)
	@$(call heading,"Checking the test environment")
	# Debian's chromium starts headless and renders a page (stderr is dbus noise).
	profile=$$(mktemp -d)
	trap 'rm -rf "$$profile"' EXIT
	/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	  --disable-background-networking --disable-component-update --disable-sync \
	  --user-data-dir="$$profile" --dump-dom 'data:text/html,<p>chromium-ok</p>' 2>/dev/null \
	  | grep -q chromium-ok || { echo "/usr/bin/chromium does not start headless"; exit 1; }
	echo "$$(/usr/bin/chromium --version 2>/dev/null): starts headless"
	# PySide6 on the offscreen platform, with a Simplified Chinese font.
	QT_QPA_PLATFORM=offscreen $(VENV_PY) -c '
	import sys, PySide6
	from PySide6.QtGui import QFontDatabase
	from PySide6.QtWidgets import QApplication
	app = QApplication([])
	cjk = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
	print("Qt", PySide6.__version__, "platform:", app.platformName())
	cjk or sys.exit("Qt finds no Simplified Chinese font (fonts-noto-cjk)")
	print("Chinese font:", next((f for f in cjk if f.endswith(" SC")), cjk[0]))
	'

lint: $(STAMP_ALL)
	@$(call heading,"Import contracts (lint-imports)")
	$(VENV)/bin/lint-imports --no-logo --no-cache

# pytest's exit code 5 (no tests collected) counts as a failure like any other.
define run_pytest
rc=0
echo "+ $(strip $(1)) pytest $(strip $(2) $(PYTEST_ARGS))"
$(1) $(VENV)/bin/pytest $(2) $(PYTEST_ARGS) || rc=$$?
if [ "$$rc" -eq 5 ]; then echo "pytest collected no tests: failing"; fi
exit "$$rc"
endef

test-sqlite: $(STAMP_ALL)
	@$(call heading,"pytest on the embedded SQLite database")
	$(call run_pytest,env -u NO1WINDOW_TEST_DATABASE_URL -u NO1WINDOW_DATABASE_URL QT_QPA_PLATFORM=offscreen,)

test-postgres: $(STAMP_ALL)
	@$(call heading,"Starting PostgreSQL")
	if [ "$$(id -u)" -eq 0 ]; then SUDO=""; AS_PG="runuser -u postgres --"; else SUDO="sudo"; AS_PG="sudo -u postgres"; fi
	# cluster VERSION FIELD: a field of pg_lsclusters' line for VERSION/main (3 port, 4 status)
	cluster() { pg_lsclusters --no-header | awk -v v="$$1" -v f="$$2" '$$1 == v && $$2 == "main" { print $$f }'; }
	ver=$$(pg_lsclusters --no-header | awk '$$2 == "main" { print $$1 }' | sort -V | tail -n1)
	if [ -z "$$ver" ]; then
	  ver=$$(ls /usr/lib/postgresql | sort -V | tail -n1)
	  $$SUDO pg_createcluster "$$ver" main
	fi
	case "$$(cluster "$$ver" 4)" in
	  online*) echo "cluster $$ver/main already running" ;;
	  *) $$SUDO pg_ctlcluster "$$ver" main start ;;
	esac
	port=$$(cluster "$$ver" 3)
	for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p "$$port" && break; sleep 1; done
	pg_isready -h 127.0.0.1 -p "$$port"
	$(call heading,"Creating role $(PG_USER) and a fresh database $(PG_DB) on port $$port")
	(cd / && $$AS_PG psql -X -q -v ON_ERROR_STOP=1 -p "$$port" -d postgres) <<-'SQL'
		SET client_min_messages = warning;
		SELECT 'CREATE ROLE $(PG_USER)' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$(PG_USER)') \gexec
		ALTER ROLE $(PG_USER) WITH LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '$(PG_PASSWORD)';
		DROP DATABASE IF EXISTS $(PG_DB) WITH (FORCE);
		CREATE DATABASE $(PG_DB) OWNER $(PG_USER) ENCODING 'UTF8' LOCALE 'C' TEMPLATE template0;
	SQL
	export NO1WINDOW_TEST_DATABASE_URL="postgresql+psycopg://$(PG_USER):$(PG_PASSWORD)@127.0.0.1:$$port/$(PG_DB)"
	$(VENV_PY) -c 'import os, psycopg; url = os.environ["NO1WINDOW_TEST_DATABASE_URL"].replace("+psycopg", "", 1); psycopg.connect(url).close()'
	echo "NO1WINDOW_TEST_DATABASE_URL=$$NO1WINDOW_TEST_DATABASE_URL"
	$(call heading,"pytest tests/server on PostgreSQL")
	$(call run_pytest,env -u NO1WINDOW_DATABASE_URL QT_QPA_PLATFORM=offscreen,tests/server)

# --------------------------------------------------------------- bench ----

.PHONY: bench
bench: $(STAMP_ALL)
	@$(call heading,"Debian packages for the benchmarks")
	# wrk: bench.server_load's closed-loop scenarios are driven by it (an httpx client saturates first).
	$(call apt_ensure,wrk)
	$(call heading,"Benchmarks")
	if [ -f bench/__main__.py ]; then $(VENV_PY) -m bench; else echo "no benchmarks yet (bench/__main__.py)"; fi

# --------------------------------------------------------------- clean ----

.PHONY: clean
clean:
	rm -rf var/
	rm -f $(STAMP_SERVER) $(STAMP_ALL)
