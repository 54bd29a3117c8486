# The two commands of the README: `make run` and `make test`.
.PHONY: run test cassettes lint

run:  ## demo: Odoo + Shopee simulator on http://localhost:8069 (admin/admin)
	@scripts/run.sh

test:  ## every test on a fresh database; ends with "N passed, N failed"
	@scripts/test.sh

cassettes:  ## record the Shopee cassettes again against the simulator
	@scripts/record-cassettes.sh

lint:  ## ruff, and pylint-odoo's OCA checks (pip install ruff pylint-odoo)
	@python3 -m ruff check addons tests simulator scripts
	@python3 -m ruff format --check addons tests simulator scripts
	@python3 -m pylint --rcfile=.pylintrc addons/connector_marketplace addons/connector_shopee
