#!/usr/bin/env bash
# make bench: every benchmark of issue 13 on a fresh database, one table
# (README, "Benchmarks"). Its own database (BENCH_DB, default
# marketplace_bench), simulator and Odoo servers on free ports: a running
# `make run` or `make test` is left alone. About 12 minutes on 2 cores.
# BENCH_SCALE=0.1 runs every benchmark on a tenth of the data (a try).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

require_odoo
ensure_python_requirements
ensure_postgresql

if ! "$PYTHON" "$ROOT/scripts/check_requirements.py" "$ROOT/bench/requirements.txt" >/dev/null; then
    say "Installing matplotlib (the growth plot)"
    _quietly "$PYTHON" -m pip install --disable-pip-version-check -r "$ROOT/bench/requirements.txt" \
        || die "pip could not install bench/requirements.txt"
fi

DB=${BENCH_DB:-marketplace_bench}
case "$DB" in
    mpdev|marketplace_test|marketplace_demo) die "BENCH_DB=$DB: the benchmark drops its database; choose another name." ;;
esac
LOGS="$ROOT/.test-logs"
mkdir -p "$LOGS"
rm -f "$LOGS"/bench-*.log

started=$(date +%s)
say "Building a fresh benchmark database ($DB)"
dropdb --if-exists "$DB" >/dev/null 2>&1 || true
create_database "$DB"
odoo -d "$DB" -i "$(database_addons connector_shopee,connector_lazada)" --stop-after-init --log-level=warn \
    >"$LOGS/bench-install.log" 2>&1 || die "installing the addons failed: see $LOGS/bench-install.log"
thai_company "$DB"
printf '    done in %ss\n' $(( $(date +%s) - started ))

say "Running the benchmarks (logs: $LOGS/bench-*.log)"
"$PYTHON" "$ROOT/bench/run.py" --db "$DB" --addons-path "$(addons_path)" \
    --scale "${BENCH_SCALE:-1}" --plot "${BENCH_PLOT:-$ROOT/docs/bench/growth.png}" "$@"
