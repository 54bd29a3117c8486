# The two commands of the README: `make run` and `make test`.
.PHONY: run test cassettes lint screenshots bench

run:  ## demo: Odoo + the Shopee and Lazada simulators on http://localhost:8069 (admin/admin)
	@scripts/run.sh

test:  ## every test on a fresh database; ends with "N passed, N failed"
	@scripts/test.sh

screenshots:  ## the demo path in headless Chromium, English and Thai, into docs/screenshots/
	@scripts/screenshots.sh

bench:  ## every benchmark on a fresh database, one table with floors (README, Benchmarks)
	@scripts/bench.sh

cassettes:  ## record the cassettes again against the simulators (CHANNEL=shopee|lazada for one)
	@scripts/record-cassettes.sh

# The Python the commands set up (.venv), else the machine's.
LINT_PYTHON ?= $(shell [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3)

lint:  ## ruff, and pylint-odoo's OCA checks (installed by make test / make run)
	@$(LINT_PYTHON) -m ruff check addons tests simulator scripts bench
	@$(LINT_PYTHON) -m ruff format --check addons tests simulator scripts bench
	@# models are split by feature, one file each, as Odoo's own addons do:
	@# several classes inherit the same model on purpose
	@$(LINT_PYTHON) -m pylint --rcfile=.pylintrc --disable=consider-merging-classes-inherited \
		addons/connector_marketplace addons/connector_shopee addons/connector_lazada
	@$(LINT_PYTHON) -m pylint --rcfile=.pylintrc tests/addons/test_marketplace_channel
