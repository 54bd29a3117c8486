#!/usr/bin/env bash
# make screenshots: the demo path in headless Chromium, in English and in
# Thai, as PNGs in docs/screenshots/{en,th}/. Its own database, Odoo and
# simulator on free ports: a running `make run` is left alone.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_odoo
ensure_python_requirements
ensure_postgresql

if ! command -v chromium >/dev/null || [ ! -d /usr/share/fonts/truetype/tlwg ]; then
    [ "$(id -u)" = 0 ] || die "Install Chromium and Thai fonts first: sudo apt-get install chromium fonts-thai-tlwg"
    say "Installing Chromium and Thai fonts (Debian packages)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-thai-tlwg >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-thai-tlwg >/dev/null; } \
        || die "apt-get could not install chromium and fonts-thai-tlwg"
fi
if ! "$PYTHON" "$ROOT/scripts/check_requirements.py" "$ROOT/scripts/screenshots-requirements.txt"; then
    say "Installing Playwright (drives the machine's Chromium; downloads no browser)"
    _quietly "$PYTHON" -m pip install --disable-pip-version-check -r "$ROOT/scripts/screenshots-requirements.txt" \
        || die "pip could not install scripts/screenshots-requirements.txt"
fi

DB=${SCREENSHOTS_DB:-marketplace_screenshots}
HTTP_PORT=$(free_port)
SIMULATOR_PORT=$(free_port)
LOGS="$ROOT/.test-logs"
mkdir -p "$LOGS"

say "Building the demo database $DB"
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
create_database "$DB"
odoo -d "$DB" -i "$(database_addons connector_shopee)" --stop-after-init --log-level=warn
thai_company "$DB"

say "Starting the simulator (port $SIMULATOR_PORT) and Odoo (port $HTTP_PORT)"
(cd "$ROOT/simulator" && exec "$PYTHON" -m shopee_simulator --port "$SIMULATOR_PORT") \
    >"$LOGS/screenshots-simulator.log" 2>&1 &
simulator_pid=$!
odoo -d "$DB" --http-port="$HTTP_PORT" --db-filter="^$DB\$" >"$LOGS/screenshots-odoo.log" 2>&1 &
odoo_pid=$!
# odoo is a shell function: $! is its subshell, Odoo its child.
trap 'pkill -P "$odoo_pid" 2>/dev/null; kill "$odoo_pid" "$simulator_pid" 2>/dev/null || true; wait 2>/dev/null || true' EXIT

say "Driving the demo path in headless Chromium"
"$PYTHON" "$ROOT/scripts/screenshots.py" \
    --odoo "http://localhost:$HTTP_PORT" --db "$DB" \
    --simulator "http://localhost:$SIMULATOR_PORT" --out "$ROOT/docs/screenshots"
