# Shared by the project's scripts: find Odoo, the Python requirements and
# PostgreSQL, and say clearly what is missing. Never installs Odoo.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
export PGHOST=${PGHOST:-localhost}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-odoo}
export PGPASSWORD=${PGPASSWORD:-odoo}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 2; }

require_odoo() {
    local version
    if ! version=$("$PYTHON" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null); then
        cat >&2 <<MSG
ERROR: Odoo 18.0 is not importable by $PYTHON ("$PYTHON -c 'import odoo'" fails).

This project does not install Odoo; get Odoo 18.0 in one of these ways:
  * Docker (no local Python needed): docker-compose up --build
    (official odoo:18.0 image plus the OCA wheels, see README.md)
  * From source, into the Python that runs the tests:
      git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git ~/odoo18
      $PYTHON -m pip install -r ~/odoo18/requirements.txt
      $PYTHON -m pip install -e ~/odoo18     # or: export PYTHONPATH=~/odoo18
    then run this command again (set PYTHON=/path/to/python to use another one).
MSG
        exit 2
    fi
    [ "$version" = "18" ] || die "Odoo $version found, this project needs Odoo 18.0."
}

# Odoo's core addons: inside the odoo package (Debian/Docker/wheel layouts) or
# next to it (git checkout), plus this repository's addons.
addons_path() {
    local odoo_root
    odoo_root=$("$PYTHON" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
    local path="$ROOT/addons"
    if [ -d "$odoo_root/addons/web" ]; then
        path="$path,$odoo_root/addons"
    fi
    echo "$path"
}

ensure_python_requirements() {
    if "$PYTHON" "$ROOT/scripts/check_requirements.py" "$ROOT/requirements.txt" "$ROOT/test-requirements.txt"; then
        return
    fi
    say "Installing the pinned Python requirements (OCA wheels without dependency resolution)"
    # The OCA wheels require an "odoo" distribution that a source or Docker
    # Odoo does not register: their own dependencies are listed by hand.
    "$PYTHON" -m pip install --no-deps -r "$ROOT/requirements.txt" \
        && "$PYTHON" -m pip install -r "$ROOT/test-requirements.txt" \
        || die "pip could not install requirements.txt and test-requirements.txt"
}

_pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

_install_postgresql() {
    if [ "$(id -u)" != 0 ]; then
        die "PostgreSQL is not installed. Install it (sudo apt-get install postgresql) or point PGHOST/PGPORT/PGUSER/PGPASSWORD at a server."
    fi
    say "Installing PostgreSQL (Debian package)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; } \
        || die "apt-get could not install postgresql"
}

_start_postgresql() {
    [ "$(id -u)" = 0 ] || die "PostgreSQL is not running on $PGHOST:$PGPORT; start it (sudo service postgresql start)."
    say "Starting PostgreSQL"
    if command -v pg_lsclusters >/dev/null; then
        local version
        if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
            version=$(basename "$(dirname "$(_pg_bin)")")
            pg_createcluster "$version" main >/dev/null
        fi
        pg_lsclusters -h | while read -r ver name _rest; do
            pg_ctlcluster "$ver" "$name" start 2>/dev/null || true
        done
    else
        service postgresql start >/dev/null
    fi
}

ensure_postgresql() {
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT" 2>/dev/null; then
        case "$PGHOST" in
            localhost|127.0.0.1|/*) ;;
            *) die "PostgreSQL at $PGHOST:$PGPORT does not answer." ;;
        esac
        [ -n "$(_pg_bin)" ] || _install_postgresql
        _start_postgresql
        for _ in $(seq 30); do
            pg_isready -q -h "$PGHOST" -p "$PGPORT" && break
            sleep 1
        done
        pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "PostgreSQL did not start on $PGHOST:$PGPORT."
    fi
    if ! psql -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
        # Odoo refuses to run as the "postgres" role: use a superuser of our own.
        [ "$(id -u)" = 0 ] || die "Cannot log in to PostgreSQL as $PGUSER; create that role (superuser, password) or set PGUSER/PGPASSWORD."
        say "Creating the PostgreSQL role $PGUSER"
        su postgres -c "psql -q -v ON_ERROR_STOP=1" <<SQL >/dev/null || die "could not create the role $PGUSER"
DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER') THEN
    CREATE ROLE "$PGUSER" LOGIN SUPERUSER PASSWORD '$PGPASSWORD';
  ELSE
    ALTER ROLE "$PGUSER" LOGIN SUPERUSER PASSWORD '$PGPASSWORD';
  END IF;
END\$\$;
SQL
        psql -d postgres -Atqc 'SELECT 1' >/dev/null || die "still cannot log in to PostgreSQL as $PGUSER"
    fi
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# odoo with the project's configuration and the right addons path
odoo() {
    "$PYTHON" -m odoo -c "$ROOT/odoo.conf" --addons-path="$(addons_path)" \
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD" "$@"
}
