#!/usr/bin/env bash
# make cassettes: record the Shopee cassettes again against the simulator.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_odoo
ensure_python_requirements
ensure_postgresql

DB=${CASSETTE_DB:-marketplace_cassettes}
SIMULATOR_PORT=${SIMULATOR_PORT:-8079}
export SHOPEE_SIMULATOR_URL="http://localhost:$SIMULATOR_PORT"
export VCR_RECORD_MODE=all

say "Starting the Shopee simulator on $SHOPEE_SIMULATOR_URL"
(cd "$ROOT/simulator" && exec "$PYTHON" -m shopee_simulator --port "$SIMULATOR_PORT" --orders 0) &
simulator_pid=$!
trap 'kill "$simulator_pid" 2>/dev/null || true' EXIT
sleep 1

say "Recording: the Shopee tests run against the simulator"
# vcrpy's "all" mode appends to an existing cassette: start from none.
rm -f "$ROOT"/cassettes/*.yaml
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
odoo -d "$DB" -i connector_shopee --test-enable --test-tags=/connector_shopee \
    --stop-after-init --http-port="$(free_port)" --log-level=test 2>&1 \
    | grep -E " (FAIL|ERROR): |tests when loading|CRITICAL"
odoo_rc=${PIPESTATUS[0]}
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
[ "$odoo_rc" = 0 ] || die "some tests failed while recording: the cassettes are incomplete"
say "Cassettes written to cassettes/: review them (git diff) before committing"
