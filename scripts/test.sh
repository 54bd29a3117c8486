#!/usr/bin/env bash
# make test: a fresh database, every test (the addons' Odoo tests, then the
# repository's tests), one summary line "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 2

require_odoo
ensure_python_requirements
ensure_postgresql
ensure_docker_compose

DB=${TEST_DB:-marketplace_test}
LOGS="$ROOT/.test-logs"
mkdir -p "$LOGS"
rm -f "$LOGS"/odoo.log "$LOGS"/pytest.xml

say "Building a fresh test database ($DB) and running the addons' tests"
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
create_database "$DB"
odoo -d "$DB" -i "$(database_addons connector_marketplace,connector_shopee,connector_lazada)" \
    --test-enable --test-tags=/connector_marketplace,/connector_shopee,/connector_lazada \
    --stop-after-init --http-port="$(free_port)" --log-level=test 2>&1 \
    | tee "$LOGS/odoo.log" \
    | grep --line-buffered -E "Starting [A-Za-z]+\.test_| (FAIL|ERROR): |tests when loading| ERROR |CRITICAL"
odoo_rc=${PIPESTATUS[0]}

# The base's flows through its test channel, with no real channel installed
# (tests/addons/test_marketplace_channel).
say "Running the base's flows through its test channel (${DB}_channel)"
rm -f "$LOGS"/odoo-channel.log
dropdb --if-exists "${DB}_channel" >/dev/null 2>&1 || true
MARKETPLACE_TEST_CHANNEL=1 create_database "${DB}_channel"
MARKETPLACE_TEST_CHANNEL=1 odoo -d "${DB}_channel" \
    -i "$(database_addons connector_marketplace,test_marketplace_channel)" \
    --test-enable --test-tags=/test_marketplace_channel \
    --stop-after-init --http-port="$(free_port)" --log-level=test 2>&1 \
    | tee "$LOGS/odoo-channel.log" \
    | grep --line-buffered -E "Starting [A-Za-z]+\.test_| (FAIL|ERROR): |tests when loading| ERROR |CRITICAL"
channel_rc=${PIPESTATUS[0]}
dropdb --if-exists "${DB}_channel" >/dev/null 2>&1 || true

# As make run does: stock's demo data renamed the main company.
thai_company "$DB" >/dev/null

say "Running the repository's tests (client, simulator, end-to-end)"
MARKETPLACE_TEST_DB="$DB" MARKETPLACE_ADDONS_PATH="$(addons_path)" \
    "$PYTHON" -m pytest "$ROOT/tests" -q -p no:cacheprovider --junitxml="$LOGS/pytest.xml"
pytest_rc=$?

echo "Logs: $LOGS/odoo.log, $LOGS/odoo-channel.log, $LOGS/pytest.xml"
# The verdict: a runner's exit status, a missing result, no test run, or an
# undeclared ERROR line of the Odoo log fails the run, each with its reason.
"$PYTHON" "$ROOT/scripts/test_summary.py" \
    --odoo-log="$LOGS/odoo.log" --odoo-status="$odoo_rc" \
    --odoo-log="$LOGS/odoo-channel.log" --odoo-status="$channel_rc" \
    --junit="$LOGS/pytest.xml" --pytest-status="$pytest_rc"
