#!/usr/bin/env bash
# make cassettes: record the cassettes again against the simulators.
# CHANNEL=shopee or CHANNEL=lazada records one channel's only.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_odoo
ensure_python_requirements
ensure_postgresql

DB=${CASSETTE_DB:-marketplace_cassettes}
CHANNEL=${CHANNEL:-all}
export VCR_RECORD_MODE=all
simulator_pids=()
trap 'kill "${simulator_pids[@]}" 2>/dev/null || true' EXIT

# record <addon> <simulator module> <port> <cassette files to start from none>
record() {
    local addon=$1 module=$2 port=$3 pattern=$4
    say "Starting $module on http://localhost:$port"
    (cd "$ROOT/simulator" && exec "$PYTHON" -m "$module" --port "$port" --orders 0) &
    simulator_pids+=($!)
    sleep 1
    say "Recording: the tests of $addon run against the simulator"
    # vcrpy's "all" mode appends to an existing cassette: start from none.
    rm -f $pattern
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    # as make test builds its database: a Thai seller, Thai VAT
    create_database "$DB"
    odoo -d "$DB" -i "$(database_addons "$addon")" --test-enable --test-tags="/$addon" \
        --stop-after-init --http-port="$(free_port)" --log-level=test 2>&1 \
        | grep -E " (FAIL|ERROR): |tests when loading|CRITICAL"
    local odoo_rc=${PIPESTATUS[0]}
    dropdb --if-exists "$DB" >/dev/null 2>&1 || true
    [ "$odoo_rc" = 0 ] || die "some tests of $addon failed while recording: the cassettes are incomplete"
}

if [ "$CHANNEL" = all ] || [ "$CHANNEL" = shopee ]; then
    SHOPEE_SIMULATOR_URL="http://localhost:${SIMULATOR_PORT:-8079}" \
        record connector_shopee shopee_simulator "${SIMULATOR_PORT:-8079}" "$ROOT/cassettes/*.yaml"
fi
if [ "$CHANNEL" = all ] || [ "$CHANNEL" = lazada ]; then
    LAZADA_SIMULATOR_URL="http://localhost:${LAZADA_SIMULATOR_PORT:-8089}" \
        record connector_lazada lazada_simulator "${LAZADA_SIMULATOR_PORT:-8089}" "$ROOT/cassettes/lazada/*.yaml"
fi
say "Cassettes written to cassettes/: review them (git diff) before committing"
