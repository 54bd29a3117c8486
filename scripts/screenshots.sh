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

LOGS="$ROOT/.test-logs"
mkdir -p "$LOGS"

# One fresh database per language: each tour presses every button once.
shoot() {
    local lang=$1
    local db="${SCREENSHOTS_DB:-marketplace_screenshots}_$lang"
    local http_port simulator_port lazada_port simulator_pid lazada_pid odoo_pid rc=0
    http_port=$(free_port)
    simulator_port=$(free_port)
    lazada_port=$(free_port)

    say "[$lang] Building the demo database $db"
    dropdb --if-exists "$db" >/dev/null 2>&1 || true
    create_database "$db"
    odoo -d "$db" -i "$(database_addons connector_shopee,connector_lazada)" --stop-after-init --log-level=warn
    thai_company "$db"
    demo_catalogue "$db"

    say "[$lang] Starting the simulator (port $simulator_port) and Odoo (port $http_port)"
    (cd "$ROOT/simulator" && exec "$PYTHON" -m shopee_simulator --port "$simulator_port") \
        >"$LOGS/screenshots-simulator-$lang.log" 2>&1 &
    simulator_pid=$!
    (cd "$ROOT/simulator" && exec "$PYTHON" -m lazada_simulator --port "$lazada_port") \
        >"$LOGS/screenshots-lazada-simulator-$lang.log" 2>&1 &
    lazada_pid=$!
    odoo -d "$db" --http-port="$http_port" --db-filter="^$db\$" >"$LOGS/screenshots-odoo-$lang.log" 2>&1 &
    odoo_pid=$!

    say "[$lang] Driving the demo path in headless Chromium"
    "$PYTHON" "$ROOT/scripts/screenshots.py" --lang "$lang" \
        --odoo "http://localhost:$http_port" --db "$db" \
        --simulator "http://localhost:$simulator_port" \
        --lazada-simulator "http://localhost:$lazada_port" \
        --out "$ROOT/docs/screenshots" || rc=$?
    # odoo is a shell function: $! is its subshell, Odoo its child.
    pkill -P "$odoo_pid" 2>/dev/null || true
    kill "$odoo_pid" "$simulator_pid" "$lazada_pid" 2>/dev/null || true
    wait "$odoo_pid" "$simulator_pid" "$lazada_pid" 2>/dev/null || true
    [ "$rc" = 0 ] || die "[$lang] the tour stopped (logs: $LOGS/screenshots-*-$lang.log)"
    # The tour is the guide: its normal operation logs no ERROR, no traceback.
    if grep -nE " ERROR |Traceback" "$LOGS/screenshots-odoo-$lang.log"; then
        die "[$lang] the guide's path logged the ERROR or Traceback lines above ($LOGS/screenshots-odoo-$lang.log)"
    fi
}

for lang in ${SCREENSHOTS_LANGS:-en th}; do
    shoot "$lang"
done
say "Screenshots in docs/screenshots/{en,th}/"
