# make run: set up and serve the demo on http://127.0.0.1:5000 (or $PORT).  make test: set up and run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test lint fmt translations extract compile chromium nginx bench clean

# The port: PORT, else FLASK_RUN_PORT, else 5000.
PORT ?= $(or $(FLASK_RUN_PORT),5000)

run: $(INSTALLED) compile
	@[ -f instance/app.sqlite ] || $(BIN)/flask --app app demo-data > /dev/null
	@$(BIN)/flask --app app demo-welcome --port $(PORT)
	FLASK_SMS_SENDER=$${FLASK_SMS_SENDER:-file} FLASK_REQUIRE_2FA=$${FLASK_REQUIRE_2FA:-false} $(BIN)/flask --app app run --port $(PORT)

test: $(INSTALLED) compile chromium nginx
	$(BIN)/pytest

$(INSTALLED): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

compile: $(COMPILED)

%.mo: %.po $(INSTALLED)
	$(BIN)/pybabel -q compile -i $< -o $@

# Browser tests drive Debian's Chromium (never a downloaded browser).
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "The browser tests need Debian's Chromium at /usr/bin/chromium: run 'sudo apt-get install -y chromium'." >&2; exit 1; fi; }

# The deployment test runs deploy/nginx/kalender.conf in Debian's nginx.
nginx:
	@test -x /usr/sbin/nginx || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; \
	  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx; \
	  else echo "The deployment test needs Debian's nginx at /usr/sbin/nginx: run 'sudo apt-get install -y nginx'." >&2; exit 1; fi; }

# Extract strings from the code and merge them into the four catalogs.
extract: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --ignore-dirs='.* _* instance tests bench static translations' -o translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations

translations: extract compile

lint: $(INSTALLED)
	$(BIN)/ruff check .

fmt: $(INSTALLED)
	$(BIN)/ruff format .

bench: $(INSTALLED) compile chromium
	$(BIN)/python bench/page_weight.py

clean:
	rm -rf $(VENV) instance/app.sqlite* instance/demo-logins.txt
