# Everything installs into the checkout: .venv/ (Python), .tools/ (uv); Debian packages via apt.
SHELL := /bin/bash
UV := .tools/bin/uv
UV_VERSION := 0.13.9
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install system-deps demo run test test-fast test-worlds lint sample clean bench bench-refresh bench-decp bench-dashboard bench-curve \
  bench-reports docs screenshots report-images accessibility-audit

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

## Debian packages: Chromium (browser tests, report charts), Node.js and npm (front-end packages),
## Pango, HarfBuzz and a font for WeasyPrint's PDFs, poppler-utils (the report tests read PDFs
## with pdftotext and docs' page images come from pdftoppm). Only the missing ones are installed.
DEBIAN_PACKAGES := chromium nodejs npm libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
  fonts-dejavu-core poppler-utils
system-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; command -v npm >/dev/null && missing=$$(echo $$missing | sed 's/nodejs//; s/npm//'); \
	[ -z "$$(echo $$missing)" ] || { $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; }

## Front-end packages from the npm lock (never committed): the State design system (DSFR) for the
## dashboard and axe-core for the accessibility tests. --ignore-scripts: the DSFR's preinstall
## script only checks for its own project generator, which a consumer of the CSS does not use.
node_modules/.package-lock.json: package-lock.json | system-deps
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

## The DSFR's CSS, Marianne fonts and icons, copied where Dash serves its assets: its core, then
## only the components the dashboard uses and the one utility icon used (the download link) in
## one file (470 kB of CSS to parse instead of 1.1 MB; three requests instead of eighteen on a
## first visit), numbered so that Dash links them in order; the components' icon paths are
## rewritten for the file's place.
## Its script, for the header's menu that folds on small screens: only the core and the
## header, modal and navigation components (74 kB instead of the whole 115 kB), joined in one
## file that Dash links as a classic script, each part in its own function scope (the parts are
## ES modules' code whose top-level names would clash in one global scope).
DSFR := node_modules/@gouvfr/dsfr/dist
VENDOR := dashboards/assets/vendor/dsfr
DSFR_COMPONENTS := alert button card footer form header link logo modal navigation notice \
  select skiplink summary table tag
DSFR_SCRIPTS := core/core component/modal/modal component/navigation/navigation \
  component/header/header
$(VENDOR)/.installed: node_modules/.package-lock.json Makefile
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/1-core $(VENDOR)/2-component $(VENDOR)/4-script
	cp $(DSFR)/core/core.min.css $(VENDOR)/1-core/
	{ for c in $(DSFR_COMPONENTS); do grep -v '^/\*# sourceMappingURL=' \
	  $(DSFR)/component/$$c/$$c.min.css; echo; done; \
	  grep -o '[^{}]*fr-icon-download-line[^{}]*{-webkit-mask-image[^}]*}' \
	  $(DSFR)/utility/icons/icons.min.css; } | sed 's#url(\.\./\.\./icons/#url(../icons/#g' \
	  > $(VENDOR)/2-component/components.min.css
	cp -r $(DSFR)/fonts $(DSFR)/icons $(VENDOR)/
	for s in $(DSFR_SCRIPTS); do printf '(function(){"use strict";\n'; \
	  grep -v '^//# sourceMappingURL=' $(DSFR)/$$s.module.min.js; printf '\n})();\n'; \
	done > $(VENDOR)/4-script/dsfr.min.js
	touch $@

## plotly.js's basic bundle (bar and scatter traces: all the dashboard draws), served in place of
## the full one Dash would load: 1.2 MB of script to evaluate on a cold page instead of 4.8 MB.
## Outside assets/ so that Dash does not link it on every page; the version matches plotly.py's.
PLOTLY_BASIC := dashboards/static/plotly-basic.min.js
$(PLOTLY_BASIC): node_modules/.package-lock.json
	mkdir -p $(@D) && cp node_modules/plotly.js-basic-dist-min/plotly-basic.min.js $@

## Python environment from the lock file, and the dbt manifest Dagster needs at import.
## Bytecode is compiled here: uv does not by default, and with PYTHONDONTWRITEBYTECODE set
## every process would compile WeasyPrint, Dagster... from source at each start.
install: .tools/bin/uv system-deps $(VENDOR)/.installed $(PLOTLY_BASIC)
	$(UV) sync --frozen --quiet --compile-bytecode
	.venv/bin/python -m compileall -q pipelines dashboards > /dev/null
	cd dbt_project && ../.venv/bin/dbt parse --quiet --profiles-dir .

## The whole job on the bundled synthetic sample, then the dashboard on http://127.0.0.1:8050
demo: install
	.venv/bin/csf run --inbox data/sample
	.venv/bin/csf dashboard --host 127.0.0.1 --port 8050

## Run on $$CSF_HOME/inbox (default data/inbox).
run: install
	.venv/bin/csf run

## Two workers (this machine's and CI's cores), a test file each: the suite is mostly
## subprocesses (csf, dbt, Dagster, Chromium) that wait on one core while the other computes.
test: install
	.venv/bin/pytest -n 2 --dist loadfile

test-fast: install
	.venv/bin/pytest -m "not slow and not worlds"

## The long random-world runs (200 worlds: 54 min measured as two processes of 100), run before closing an issue that touches
## the pipeline: the end-to-end robustness of CSF_WORLDS_E2E (default 200) worlds drawn by
## hypothesis from CSF_WORLDS_SEED (default 2026) (tests/test_worlds.py), and the secrecy audit on
## CSF_WORLDS (default 12) small worlds (tests/test_disclosure_worlds.py) with every recorded one
## (the default suite replays the three latest), the attack on CSF_WORLDS random waiting series
## (tests/test_disclosure_attente.py) and the 20-kill SIGKILL drill (tests/test_operations.py; the
## default suite kills 6 times). A failing world is added to tests/fixtures/mondes_robustesse.json
## or mondes_secret.json.
test-worlds: install
	.venv/bin/pytest -m worlds -o session_timeout= -o timeout=3600 tests/test_worlds.py tests/test_disclosure_worlds.py \
	  tests/test_disclosure_attente.py tests/test_operations.py

lint: install
	.venv/bin/ruff check pipelines dashboards tests bench
	.venv/bin/ruff format --check pipelines dashboards tests bench
	cd dbt_project && ../.venv/bin/sqlfluff lint models macros tests

## Regenerate the committed demo sample (a test checks it matches the generator byte for byte).
sample: install
	rm -rf data/sample && .venv/bin/csf sample --scale demo --out data/sample

clean:
	rm -rf .venv .tools .docs-home node_modules dashboards/assets/vendor dashboards/static dbt_project/target data/inbox data/warehouse data/dagster data/keys

## dbt's documentation of every model and column (French descriptions), as one static page
## built on the demo sample: docs/dbt/index.html (committed, so the README can link to it).
DOCS_HOME := $(CURDIR)/.docs-home
docs: install
	rm -rf $(DOCS_HOME) && mkdir -p $(DOCS_HOME)
	CSF_HOME=$(DOCS_HOME) .venv/bin/csf run --inbox data/sample
	cd dbt_project && ../.venv/bin/dbt docs generate --static --quiet --profiles-dir . \
	  --vars '{build_db: $(DOCS_HOME)/warehouse/build.duckdb}' --target-path $(DOCS_HOME)/target
	mkdir -p docs/dbt && cp $(DOCS_HOME)/target/static_index.html docs/dbt/index.html

## Screenshots of every dashboard page on the demo sample: docs/captures/*.png (committed).
screenshots: install
	rm -rf $(DOCS_HOME) && mkdir -p $(DOCS_HOME)
	CSF_HOME=$(DOCS_HOME) .venv/bin/csf run --inbox data/sample
	CSF_HOME=$(DOCS_HOME) .venv/bin/python -m dashboards.screenshots --out docs/captures

## The automated accessibility check of every dashboard page (axe-core in Chromium, at 1400 and
## 390 px, without and with a filter) on the demo sample: docs/accessibilite/audit-axe.json
## (committed: the accessibility statement quotes it).
accessibility-audit: install
	rm -rf $(DOCS_HOME) && mkdir -p $(DOCS_HOME)
	CSF_HOME=$(DOCS_HOME) .venv/bin/csf run --inbox data/sample
	CSF_HOME=$(DOCS_HOME) .venv/bin/python -m dashboards.audit_accessibilite

## Page images of the national report, and of the first pages of the largest buyer's report, on
## the demo sample: docs/rapports/*.png (committed, so that a reviewer can look at the reports
## without running anything).
report-images: install
	rm -rf $(DOCS_HOME) && mkdir -p $(DOCS_HOME)
	CSF_HOME=$(DOCS_HOME) .venv/bin/csf run --inbox data/sample
	rm -rf docs/rapports && mkdir -p docs/rapports
	pdftoppm -png -r 60 $(DOCS_HOME)/reports/national/rapport-national-*.pdf docs/rapports/page
	cp $(DOCS_HOME)/reports/national/rapport-national-*.pdf docs/rapports/
	pdftoppm -png -r 60 -f 1 -l 3 "$$(ls -S $(DOCS_HOME)/reports/acheteurs/*.pdf | head -1)" \
	  docs/rapports/acheteur-page

## Every measure, M1 to M6, at national scale (the sample is generated once under
## $$CSF_BENCH_DIR, default /tmp/csf-bench): bench/results.json and bench/results.md.
bench: install
	.venv/bin/python -m bench --scale national --runs 3

## M2, M3 and M6: full refresh, incremental refresh after one monthly MLDS export, GX's share.
bench-refresh: install
	.venv/bin/python -m bench.refresh --scale national --runs 3

## The cost curve: M2 and M3 on samples of 0.1, 0.3, 1 and 3 times the national volume, the
## growth fitted (fixed + b × factor^k) and drawn in bench/scale_curve.png.
bench-curve: install
	.venv/bin/python -m bench.scale_curve --factors 0.1 0.3 1 3

## M1: DECP ingest at national scale (1.5 M contracts, > 1.6 GB) against DuckDB's own read.
bench-decp: install
	.venv/bin/python -m bench.decp_ingest --contracts 1500000 --runs 5

## M4: the dashboard on the national-scale sample (generated and run once under
## $$CSF_BENCH_DIR, default /tmp/csf-bench): 10 concurrent clients, cold pages, Chromium visits.
bench-dashboard: install
	.venv/bin/python -m bench.dashboard_load --scale national --clients 10 --requests 40 \
	  --cold-loads 3

## M5: the national report's PDF and every buyer's reports on the national-scale sample.
bench-reports: install
	.venv/bin/python -m bench.reports --scale national --runs 3 --buyer-runs 3
