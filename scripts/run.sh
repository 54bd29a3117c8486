#!/usr/bin/env bash
# make run: the demo. PostgreSQL, a demo database with both addons and demo
# data, the Shopee simulator, and Odoo with the queue_job runner. Ctrl-C stops.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_odoo
ensure_python_requirements
ensure_postgresql

DB=${RUN_DB:-marketplace_demo}
HTTP_PORT=${HTTP_PORT:-8069}
SIMULATOR_PORT=${SIMULATOR_PORT:-8079}

if psql -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    say "Upgrading the demo database $DB"
    odoo -d "$DB" -u connector_marketplace,connector_shopee --stop-after-init --log-level=warn
else
    say "Creating the demo database $DB (a Thai seller, both addons, demo data; takes a few minutes)"
    create_database "$DB"
    odoo -d "$DB" -i "$(database_addons connector_shopee)" --stop-after-init --log-level=warn
    thai_company "$DB"
    demo_catalogue "$DB"
fi

say "Starting the Shopee simulator on http://localhost:$SIMULATOR_PORT"
(cd "$ROOT/simulator" && exec "$PYTHON" -m shopee_simulator --port "$SIMULATOR_PORT") &
simulator_pid=$!
trap 'kill "$simulator_pid" 2>/dev/null || true; wait "$simulator_pid" 2>/dev/null || true' EXIT
sleep 1
kill -0 "$simulator_pid" 2>/dev/null || die "the simulator did not start (port $SIMULATOR_PORT busy?)"

# Shopee pushes order changes to the demo account's callback URL, signed with
# that URL: Odoo's public URL is pinned so that it verifies the same one.
ODOO_URL="http://localhost:$HTTP_PORT"
psql -d "$DB" -qc "INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
    VALUES ('connector_marketplace.public_base_url', '$ODOO_URL', 1, 1, now(), now())
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value" >/dev/null
account_id=$(psql -d "$DB" -Atqc "SELECT res_id FROM ir_model_data
    WHERE module = 'connector_shopee' AND name = 'demo_account_simulator'")
WEBHOOK_URL="$ODOO_URL/marketplace/shopee/webhook/$account_id"
"$PYTHON" - "http://localhost:$SIMULATOR_PORT" "$WEBHOOK_URL" <<'PY' || say "(pushes stay off: the simulator did not take the callback URL)"
import json
import sys
import urllib.request

simulator, url = sys.argv[1:]
request = urllib.request.Request(
    f"{simulator}/_simulator/push",
    data=json.dumps({"url": url, "enabled": True}).encode(),
    headers={"Content-Type": "application/json"},
)
urllib.request.urlopen(request, timeout=10).read()
PY

cat <<MSG

  Odoo:      http://localhost:$HTTP_PORT   (login admin, password admin)
  Simulator: http://localhost:$SIMULATOR_PORT
  Try it:    Marketplace > Configuration > Accounts > "Shopee Thailand (Simulator)"
             > Connect shop, authorize on the simulator's page, then on the shop
             press "Import orders now" and open Marketplace > Orders
             (the README's "Demo" section goes on: products, sale orders,
             stock, pushes, dashboard).
  Pushes:    the simulator pushes order changes to $WEBHOOK_URL
  Stop:      Ctrl-C

MSG
say "Starting Odoo with the queue_job runner"
odoo -d "$DB" --http-port="$HTTP_PORT" --db-filter="^$DB\$" || true
