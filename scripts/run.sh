#!/usr/bin/env bash
# make run: the demo. PostgreSQL, a demo database with both addons and demo
# data, the Shopee and Lazada simulators, and Odoo with the queue_job runner. Ctrl-C stops.
# The demo's set-up is scripts/demo.sh's, shared with docker-compose.yml.
set -euo pipefail
source "$(dirname "$0")/demo.sh"
cd "$ROOT"

require_odoo
ensure_python_requirements
ensure_postgresql

DB=${RUN_DB:-marketplace_demo}
HTTP_PORT=${HTTP_PORT:-8069}
SIMULATOR_PORT=${SIMULATOR_PORT:-8079}
LAZADA_SIMULATOR_PORT=${LAZADA_SIMULATOR_PORT:-8089}

demo_database "$DB"

say "Starting the Shopee simulator on http://localhost:$SIMULATOR_PORT"
(cd "$ROOT/simulator" && exec "$PYTHON" -m shopee_simulator --port "$SIMULATOR_PORT") &
simulator_pid=$!
say "Starting the Lazada simulator on http://localhost:$LAZADA_SIMULATOR_PORT"
(cd "$ROOT/simulator" && exec "$PYTHON" -m lazada_simulator --port "$LAZADA_SIMULATOR_PORT") &
lazada_pid=$!
trap 'kill "$simulator_pid" "$lazada_pid" 2>/dev/null || true; wait "$simulator_pid" "$lazada_pid" 2>/dev/null || true' EXIT
sleep 1
kill -0 "$simulator_pid" 2>/dev/null || die "the simulator did not start (port $SIMULATOR_PORT busy?)"
kill -0 "$lazada_pid" 2>/dev/null || die "the Lazada simulator did not start (port $LAZADA_SIMULATOR_PORT busy?)"

demo_wiring "$DB" "$HTTP_PORT" "$SIMULATOR_PORT" 10
demo_wiring_lazada "$DB" "$HTTP_PORT" "$LAZADA_SIMULATOR_PORT" 10
demo_banner "$HTTP_PORT" "$SIMULATOR_PORT" "Ctrl-C" "$LAZADA_SIMULATOR_PORT"
say "Starting Odoo with the queue_job runner"
odoo -d "$DB" --http-port="$HTTP_PORT" --db-filter="^$DB\$" || true
