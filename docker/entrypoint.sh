#!/usr/bin/env bash
# The odoo service's entrypoint (docker-compose.yml): the demo `make run`
# gives, set up by the same functions (scripts/demo.sh), then Odoo in the
# foreground with the queue_job runner; its arguments go to Odoo.
#
# Environment, as the official odoo image reads it: HOST, PORT, USER,
# PASSWORD (or PASSWORD_FILE) of PostgreSQL; and RUN_DB, HTTP_PORT,
# SIMULATOR_PORT and LAZADA_SIMULATOR_PORT as `make run` reads them. The simulator listens on
# localhost:SIMULATOR_PORT: in compose it shares this container's network, so
# localhost URLs work for the browser and for the server alike.
set -euo pipefail

if [ -n "${PASSWORD_FILE:-}" ]; then
    PASSWORD=$(<"$PASSWORD_FILE")
fi
export PGHOST=${HOST:-db} PGPORT=${PORT:-5432} PGUSER=${USER:-odoo} PGPASSWORD=${PASSWORD:-odoo}
source "$(dirname "$0")/../scripts/demo.sh"
cd "$ROOT"

DB=${RUN_DB:-marketplace_demo}
HTTP_PORT=${HTTP_PORT:-8069}
SIMULATOR_PORT=${SIMULATOR_PORT:-8079}
LAZADA_SIMULATOR_PORT=${LAZADA_SIMULATOR_PORT:-8089}

require_odoo
# The db container takes a few seconds to accept connections.
for _ in $(seq "${PG_WAIT:-60}"); do
    pg_isready -q -h "$PGHOST" -p "$PGPORT" && break
    sleep 1
done
ensure_postgresql

demo_database "$DB"
demo_wiring "$DB" "$HTTP_PORT" "$SIMULATOR_PORT" "${SIMULATOR_WAIT:-120}"
demo_wiring_lazada "$DB" "$HTTP_PORT" "$LAZADA_SIMULATOR_PORT" "${SIMULATOR_WAIT:-120}"
demo_banner "$HTTP_PORT" "$SIMULATOR_PORT" "docker compose down (the database stays for the next start; down -v drops it)" "$LAZADA_SIMULATOR_PORT"
say "Starting Odoo with the queue_job runner"
odoo_command
exec "${ODOO_COMMAND[@]}" -d "$DB" --http-port="$HTTP_PORT" --db-filter="^$DB\$" "$@"
