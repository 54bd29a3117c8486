# The demo's set-up, shared by `make run` (scripts/run.sh) and the odoo
# service of docker-compose.yml (docker/entrypoint.sh), so that both ways give
# the same demo: a Thai seller with both addons, their demo data and the demo
# catalogue, its public URL pinned and the simulator's pushes wired to it.
# Sourced after lib.sh's require_odoo and ensure_postgresql.
# shellcheck shell=bash
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A database this set-up is building says so (a comment on the database):
# only such a one, left half-built by a start stopped meanwhile, is dropped.
DEMO_BUILDING="marketplace demo: being built"

# Creates the demo database, or upgrades the addons of the one a previous
# start made (what the user did in it stays).
demo_database() {
    local db=$1
    if psql -d postgres -Atqc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
        case "$(_demo_state "$db")" in
            built)
                say "Upgrading the demo database $db"
                # -i: a demo database made before the Lazada addon gets it
                odoo -d "$db" -u connector_marketplace,connector_shopee,connector_lazada \
                    -i connector_lazada --stop-after-init --log-level=warn \
                    || die "Odoo could not upgrade the addons of $db (see the lines above)."
                return
                ;;
            building)
                # A start stopped while it built the database (a few minutes,
                # long enough to be taken for a hang) left it without the demo.
                say "The demo database $db was left half-built: building it again"
                dropdb "$db" || die "could not drop the half-built database $db."
                ;;
            *)
                die "the database $db exists but this set-up did not make it: it is left as it is. Drop it (dropdb $db) or choose another name."
                ;;
        esac
    fi
    say "Creating the demo database $db (a Thai seller, both addons, demo data; takes a few minutes)"
    createdb "$db" || die "could not create the database $db."
    _demo_comment "$db" "'$DEMO_BUILDING'"
    create_database "$db"
    odoo -d "$db" -i "$(database_addons connector_shopee,connector_lazada)" --stop-after-init --log-level=warn \
        || die "Odoo could not install the addons into $db (see the lines above)."
    thai_company "$db"
    demo_catalogue "$db"
    _demo_comment "$db" NULL
}

_demo_comment() {
    psql -d postgres -qc "COMMENT ON DATABASE \"$1\" IS $2" >/dev/null \
        || die "could not mark the database $1."
}

# "building" (this set-up did not finish it), "built" (the addons are there,
# even half-way through an upgrade that was stopped), or "other". A database
# it cannot read stops the set-up: it is never dropped.
_demo_state() {
    local db=$1 comment modules state
    comment=$(psql -d postgres -Atqc "SELECT shobj_description(oid, 'pg_database')
        FROM pg_database WHERE datname = '$db'") || die "could not read the database $db."
    if [ "$comment" = "$DEMO_BUILDING" ]; then
        echo building
        return
    fi
    modules=$(psql -d "$db" -Atqc "SELECT to_regclass('public.ir_module_module')") \
        || die "could not read the database $db."
    if [ -n "$modules" ]; then
        state=$(psql -d "$db" -Atqc "SELECT state FROM ir_module_module WHERE name = 'connector_shopee'") \
            || die "could not read the database $db."
        case "$state" in
            installed|"to upgrade") echo built; return ;;
        esac
    fi
    echo other
}

# Wires the demo account to the simulator on localhost:<simulator port>, both
# ways: Odoo calls the simulator there, and the simulator pushes order changes
# to the account's callback URL on localhost:<http port>. Shopee signs a push
# with that URL, so Odoo's public URL is pinned to verify the same one.
# Waits up to <wait> seconds for the simulator (another container's start).
demo_wiring() {
    local db=$1 http_port=$2 simulator_port=$3 wait=${4:-30}
    local odoo_url="http://localhost:$http_port" simulator_url="http://localhost:$simulator_port"
    local account_id
    psql -d "$db" -qc "INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
        VALUES ('connector_marketplace.public_base_url', '$odoo_url', 1, 1, now(), now())
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value" >/dev/null
    account_id=$(psql -d "$db" -Atqc "SELECT res_id FROM ir_model_data
        WHERE module = 'connector_shopee' AND name = 'demo_account_simulator'")
    [ -n "$account_id" ] || die "$db has no demo account (connector_shopee's demo data)."
    # The demo data says localhost:8079: the simulator may be on another port.
    psql -d "$db" -qc "UPDATE marketplace_account SET shopee_simulator_url = '$simulator_url'
        WHERE id = $account_id" >/dev/null
    DEMO_WEBHOOK_URL="$odoo_url/marketplace/shopee/webhook/$account_id"
    "$PYTHON" "$ROOT/scripts/simulator_push_url.py" "$simulator_url" "$DEMO_WEBHOOK_URL" "$wait" \
        || say "(pushes stay off: the simulator did not take the callback URL)"
}

# The same for the Lazada demo account and the Lazada simulator. Lazada
# signs a push with the app secret only, so no URL needs pinning here.
demo_wiring_lazada() {
    local db=$1 http_port=$2 simulator_port=$3 wait=${4:-30}
    local simulator_url="http://localhost:$simulator_port"
    local account_id
    account_id=$(psql -d "$db" -Atqc "SELECT res_id FROM ir_model_data
        WHERE module = 'connector_lazada' AND name = 'demo_account_simulator'")
    [ -n "$account_id" ] || die "$db has no Lazada demo account (connector_lazada's demo data)."
    psql -d "$db" -qc "UPDATE marketplace_account SET lazada_simulator_url = '$simulator_url'
        WHERE id = $account_id" >/dev/null
    DEMO_LAZADA_WEBHOOK_URL="http://localhost:$http_port/marketplace/lazada/webhook/$account_id"
    "$PYTHON" "$ROOT/scripts/simulator_push_url.py" "$simulator_url" "$DEMO_LAZADA_WEBHOOK_URL" "$wait" \
        || say "(Lazada pushes stay off: the simulator did not take the callback URL)"
}

# What to open and try, once the demo is set up (after demo_wiring).
demo_banner() {
    local http_port=$1 simulator_port=$2 stop=$3 lazada_port=${4:-8089}
    cat <<MSG

  Odoo:      http://localhost:$http_port   (login admin, password admin)
  Simulators: Shopee http://localhost:$simulator_port, Lazada http://localhost:$lazada_port
  Try it:    Marketplace > Configuration > Accounts > "Shopee Thailand (Simulator)"
             (or "Lazada Thailand (Simulator)") > Connect shop, authorize on the
             simulator's page, then on the shop press "Import orders now" and
             open Marketplace > Orders (the README's "Demo" section goes on:
             products, sale orders, stock, pushes, dashboard).
  Pushes:    the simulators push order changes to $DEMO_WEBHOOK_URL
             and ${DEMO_LAZADA_WEBHOOK_URL:-}
  Stop:      $stop

MSG
}
