#!/usr/bin/env bash
# make test: a fresh database, every test (the addons' Odoo tests, then the
# repository's tests), one summary line "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 2

require_odoo
ensure_python_requirements
ensure_postgresql

DB=${TEST_DB:-marketplace_test}
LOGS="$ROOT/.test-logs"
mkdir -p "$LOGS"
rm -f "$LOGS"/odoo.log "$LOGS"/pytest.xml

say "Building a fresh test database ($DB) and running the addons' tests"
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
create_database "$DB"
odoo -d "$DB" -i "$(database_addons connector_marketplace,connector_shopee)" \
    --test-enable --test-tags=/connector_marketplace,/connector_shopee \
    --stop-after-init --http-port="$(free_port)" --log-level=test 2>&1 \
    | tee "$LOGS/odoo.log" \
    | grep --line-buffered -E "Starting [A-Za-z]+\.test_| (FAIL|ERROR): |tests when loading|CRITICAL"
odoo_rc=${PIPESTATUS[0]}
read -r odoo_total odoo_failed < <("$PYTHON" "$ROOT/scripts/test_summary.py" odoo "$LOGS/odoo.log")
if [ "$odoo_rc" != 0 ] && [ "$odoo_failed" = 0 ]; then
    odoo_failed=1  # Odoo itself failed (install error...): see the log
fi

# As make run does: stock's demo data renamed the main company.
thai_company "$DB" >/dev/null

say "Running the repository's tests (client, simulator, end-to-end)"
MARKETPLACE_TEST_DB="$DB" MARKETPLACE_ADDONS_PATH="$(addons_path)" \
    "$PYTHON" -m pytest "$ROOT/tests" -q -p no:cacheprovider --junitxml="$LOGS/pytest.xml"
read -r py_total py_failed < <("$PYTHON" "$ROOT/scripts/test_summary.py" junit "$LOGS/pytest.xml")

passed=$(( odoo_total - odoo_failed + py_total - py_failed ))
failed=$(( odoo_failed + py_failed ))
echo "Logs: $LOGS/odoo.log, $LOGS/pytest.xml"
echo "$passed passed, $failed failed"
if [ "$failed" != 0 ] || [ "$passed" = 0 ]; then
    exit 1
fi
