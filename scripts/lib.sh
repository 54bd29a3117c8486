# Shared by the project's scripts: choose (or build) the Python that runs
# Odoo 18.0, install the Python requirements, start PostgreSQL, and say
# clearly what is missing and how to get out of it.
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PGHOST=${PGHOST:-localhost}
export PGPORT=${PGPORT:-5432}
export PGUSER=${PGUSER:-odoo}
export PGPASSWORD=${PGPASSWORD:-odoo}

VENV="$ROOT/.venv"
ODOO_DIR="$ROOT/.odoo"
# The official Odoo 18.0 Community source archive (nightly build).
DEFAULT_ODOO_SOURCE=https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mERROR: %s\033[0m\n' "$*" >&2; exit 2; }

# Prints the major version of the Odoo that $1 imports, or fails.
_odoo_version_of() {
    "$1" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null
}

_holds_odoo18() { [ -x "$1" ] && [ "$(_odoo_version_of "$1")" = 18 ]; }

# Sets PYTHON to the interpreter that runs Odoo 18.0, in this order: $PYTHON
# when set; the project's .venv when it holds Odoo 18.0; python3 when it
# imports Odoo 18.0 (unless MARKETPLACE_BUILD_VENV=1); else builds .venv.
require_odoo() {
    if [ -n "${PYTHON:-}" ]; then
        command -v "$PYTHON" >/dev/null || die "PYTHON=$PYTHON is not an executable."
        _holds_odoo18 "$(command -v "$PYTHON")" || die "PYTHON=$PYTHON does not import Odoo 18.0 ($PYTHON -c 'import odoo' fails or gives another version). Unset PYTHON to let the scripts build .venv."
        return
    fi
    if [ -f "$VENV/.odoo-ready" ] && _holds_odoo18 "$VENV/bin/python"; then
        PYTHON="$VENV/bin/python"
        return
    fi
    if [ "${MARKETPLACE_BUILD_VENV:-0}" != 1 ] && _holds_odoo18 "$(command -v python3)"; then
        PYTHON=python3
        return
    fi
    build_venv
    PYTHON="$VENV/bin/python"
}

_step() {  # _step "what" : prints the step and starts its clock
    STEP_NAME=$1
    STEP_START=$(date +%s)
    say "$STEP_NAME"
}

_step_done() { printf '    done in %ss\n' $(( $(date +%s) - STEP_START )); }

_step_failed() {  # _step_failed "way out"
    die "step \"$STEP_NAME\" failed. $1"
}

_need_disk() {  # _need_disk <MiB> <dir>
    local free
    free=$(df -Pm "$2" | awk 'NR == 2 {print $4}')
    [ "${free:-0}" -ge "$1" ] || _step_failed "It needs about $1 MiB of free disk in $2 and only ${free} MiB are free: free some room and run the command again."
}

# Fetches and unpacks ODOO_SOURCE once; prints the directory that holds the
# odoo package.
_odoo_source_dir() {
    local source=${ODOO_SOURCE:-$DEFAULT_ODOO_SOURCE} archive found
    if [ -d "$source" ]; then
        found=$(_find_odoo_root "$source") || _step_failed "ODOO_SOURCE=$source holds no Odoo source (no odoo/release.py in it)."
        echo "$found"
        return
    fi
    mkdir -p "$ODOO_DIR"
    case "$source" in
        https://*|http://*)
            archive="$ODOO_DIR/download/$(basename "${source%%\?*}")"
            if [ ! -f "$archive" ]; then
                _need_disk 200 "$ODOO_DIR"
                mkdir -p "$ODOO_DIR/download"
                echo "    downloading $source (about 100 MB; a few minutes on a slow line)" >&2
                curl -fL --retry 2 --connect-timeout 20 -o "$archive.part" "$source" >&2 \
                    || { rm -f "$archive.part"; _step_failed "Could not download $source (no network?). Download an Odoo 18.0 source archive elsewhere and give its path: ODOO_SOURCE=/path/to/odoo_18.0.tar.gz make run"; }
                mv "$archive.part" "$archive"
            fi
            ;;
        *.tar.gz|*.tgz)
            [ -f "$source" ] || _step_failed "ODOO_SOURCE=$source: no such file."
            archive=$(cd "$(dirname "$source")" && pwd)/$(basename "$source")
            ;;
        *) _step_failed "ODOO_SOURCE=$source is neither a directory, a .tar.gz file nor an https:// URL." ;;
    esac
    # One unpacked tree per archive (name, size and date) and version of the
    # preparation, reused by later runs.
    local key unpacked
    key=$({ stat -c '%n-%s-%Y' "$archive"; cat "$ROOT/scripts/prepare_odoo_source.py"; } | cksum | cut -d' ' -f1)
    unpacked="$ODOO_DIR/src-$key"
    if [ ! -f "$unpacked/.unpacked" ]; then
        _need_disk 600 "$ODOO_DIR"
        echo "    unpacking $archive into ${unpacked#"$ROOT"/}" >&2
        rm -rf "$unpacked" && mkdir -p "$unpacked"
        tar -xzf "$archive" -C "$unpacked" || _step_failed "Could not unpack $archive: is it a complete .tar.gz of the Odoo source?"
        found=$(_find_odoo_root "$unpacked") || _step_failed "$archive holds no Odoo source (no odoo/release.py in it)."
        "$(_base_python || command -v python3)" "$ROOT/scripts/prepare_odoo_source.py" "$found" >&2 \
            || _step_failed "Could not prepare the Odoo source unpacked in $unpacked."
        touch "$unpacked/.unpacked"
    fi
    found=$(_find_odoo_root "$unpacked") || _step_failed "$archive holds no Odoo source (no odoo/release.py in it)."
    echo "$found"
}

_find_odoo_root() {
    local release
    release=$(find "$1" -maxdepth 4 -path '*/odoo/release.py' -not -path '*/addons/*' 2>/dev/null | head -n 1)
    [ -n "$release" ] || return 1
    dirname "$(dirname "$release")"
}

# A Python 3.10 to 3.12 of this machine, for the virtualenv.
_base_python() {
    local candidate version
    for candidate in ${MARKETPLACE_VENV_PYTHON:-} python3 python3.12 python3.11 python3.10; do
        command -v "$candidate" >/dev/null || continue
        version=$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || continue
        case "$version" in 3.10|3.11|3.12) command -v "$candidate"; return ;; esac
    done
    return 1
}

_make_venv() {
    local base=$1
    rm -rf "$VENV"
    "$base" -m venv "$VENV" >/dev/null 2>&1 && return
    rm -rf "$VENV"
    # Debian's Python has no ensurepip until python3-venv is installed.
    [ "$(id -u)" = 0 ] || _step_failed "$base cannot create a virtualenv: install Debian's python3-venv (sudo apt-get install python3-venv) and run the command again."
    local version
    version=$("$base" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    echo "    installing Debian's python$version-venv"
    { DEBIAN_FRONTEND=noninteractive apt-get install -y -q "python$version-venv" python3-venv >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "python$version-venv" python3-venv >/dev/null 2>&1; }; } \
        || _step_failed "apt-get could not install python3-venv (no network?)."
    "$base" -m venv "$VENV" || _step_failed "$base still cannot create a virtualenv."
}

# Builds .venv: Odoo 18.0 from ODOO_SOURCE, its requirements, the project's.
build_venv() {
    local started base source_dir site
    started=$(date +%s)
    say "Setting up Odoo 18.0 in .venv (first run only: about 2 to 5 minutes, more on a slow line)"

    _step "Getting the Odoo 18.0 source from ${ODOO_SOURCE:-$DEFAULT_ODOO_SOURCE}"
    source_dir=$(_odoo_source_dir) || exit 2
    [ -f "$source_dir/requirements.txt" ] || _step_failed "$source_dir has no requirements.txt."
    _step_done

    _step "Creating .venv"
    base=$(_base_python) || _step_failed "No Python 3.10, 3.11 or 3.12 found (Odoo 18.0 runs on those): install one (sudo apt-get install python3) or set MARKETPLACE_VENV_PYTHON=/path/to/python3.x."
    echo "    with $base ($("$base" --version 2>&1))"
    _need_disk 1500 "$ROOT"
    _make_venv "$base"
    _quietly "$VENV/bin/python" -m pip install --disable-pip-version-check --upgrade pip wheel || true
    _step_done

    _step "Installing Odoo's Python requirements (about 300 MB downloaded on the first run)"
    "$VENV/bin/python" "$ROOT/scripts/install_odoo_requirements.py" "$source_dir/requirements.txt" \
        || _step_failed "pip could not install Odoo's requirements (no network? set PIP_INDEX_URL to a reachable index, or see the package named above)."
    _step_done

    _step "Making Odoo importable from .venv"
    site=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$source_dir" > "$site/odoo-source.pth"
    [ "$(_odoo_version_of "$VENV/bin/python")" = 18 ] || _step_failed "$source_dir is not an Odoo 18.0 source (import odoo fails or gives another version)."
    _step_done

    PYTHON="$VENV/bin/python"
    _step "Installing the project's Python requirements"
    _install_project_requirements
    _step_done

    echo "$source_dir" > "$VENV/.odoo-ready"
    say "Odoo 18.0 is set up in .venv in $(( $(date +%s) - started ))s; the next runs reuse it"
}

_install_project_requirements() {
    # The OCA wheels require an "odoo" distribution that a source or Docker
    # Odoo does not register: their own dependencies are listed by hand.
    _quietly "$PYTHON" -m pip install --disable-pip-version-check --no-deps -r "$ROOT/requirements.txt" \
        && _quietly "$PYTHON" -m pip install --disable-pip-version-check -r "$ROOT/test-requirements.txt" \
        || die "pip could not install requirements.txt and test-requirements.txt into $PYTHON (no network? the lines above say why)."
}

# Runs a command with its output kept aside; shows the end of it on failure.
_quietly() {
    local log
    log=$(mktemp)
    if "$@" >"$log" 2>&1; then
        rm -f "$log"
        return 0
    fi
    grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -n 25 >&2
    rm -f "$log"
    return 1
}

# Odoo's core addons: inside the odoo package (Debian/Docker/wheel layouts) or
# next to it (git checkout), plus this repository's addons.
addons_path() {
    local odoo_root
    odoo_root=$("$PYTHON" -c 'import odoo, os; print(os.path.dirname(os.path.dirname(odoo.__file__)))')
    local path="$ROOT/addons"
    # make test's second run: the base's test channel, never on a real database
    if [ -n "${MARKETPLACE_TEST_CHANNEL:-}" ]; then
        path="$path,$ROOT/tests/addons"
    fi
    if [ -d "$odoo_root/addons/web" ]; then
        path="$path,$odoo_root/addons"
    fi
    echo "$path"
}

ensure_python_requirements() {
    if "$PYTHON" "$ROOT/scripts/check_requirements.py" "$ROOT/requirements.txt" "$ROOT/test-requirements.txt"; then
        return
    fi
    say "Installing the pinned Python requirements into $PYTHON"
    _install_project_requirements
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

# docker-compose (Debian's, v1): it validates docker-compose.yml without a
# Docker engine, for the tests of the compose file.
ensure_docker_compose() {
    command -v docker-compose >/dev/null && return
    if [ "$(id -u)" != 0 ]; then
        die "docker-compose is not installed (the tests validate docker-compose.yml with it): sudo apt-get install docker-compose"
    fi
    say "Installing docker-compose (Debian package, to validate docker-compose.yml; no engine needed)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null \
        || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-compose >/dev/null; } \
        || die "apt-get could not install docker-compose"
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
    psql -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1 || _create_role
}

# Odoo refuses to run as the "postgres" role: the scripts use a superuser
# role of their own (PGUSER, default odoo), created here as root.
_create_role() {
    local sql="CREATE ROLE \"$PGUSER\" LOGIN SUPERUSER PASSWORD '$PGPASSWORD'"
    local by_hand="sudo -u postgres psql -p $PGPORT -c \"CREATE ROLE $PGUSER LOGIN SUPERUSER PASSWORD '$PGPASSWORD'\""
    if [ "$(id -u)" != 0 ]; then
        die "Cannot log in to PostgreSQL as $PGUSER. Create the role once with:
    $by_hand
or set PGUSER and PGPASSWORD to a superuser role you have."
    fi
    say "Creating the PostgreSQL role $PGUSER"
    # As the postgres system user over the local socket: without the PG*
    # variables of the role being created, which would make psql log in as it.
    (cd / && runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD -u PGDATABASE \
        psql -p "$PGPORT" -d postgres -q -v ON_ERROR_STOP=1) <<SQL >/dev/null || die "could not create the role $PGUSER as the postgres user; create it by hand: $by_hand"
DO \$\$BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER') THEN
    $sql;
  ELSE
    ALTER ROLE "$PGUSER" LOGIN SUPERUSER PASSWORD '$PGPASSWORD';
  END IF;
END\$\$;
SQL
    psql -d postgres -Atqc 'SELECT 1' >/dev/null || die "the role $PGUSER exists but logging in to PostgreSQL at $PGHOST:$PGPORT as $PGUSER with PGPASSWORD still fails: check pg_hba.conf allows password logins there."
}

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The addons a database gets: ours, and Thailand's localization (chart of
# accounts, VAT 7%) when this Odoo has it.
database_addons() {
    local addons=$1 core dir
    core=$("$PYTHON" -c 'import odoo, os; print(os.path.join(os.path.dirname(odoo.__file__), "addons"))')
    for dir in $(addons_path | tr ',' ' ') "$core"; do
        if [ -d "$dir/l10n_th" ]; then
            echo "$addons,l10n_th"
            return
        fi
    done
    echo "$addons"
}

# A fresh database: base with Thai loaded, its main company made a Thai seller
# (before account is installed: Odoo picks the chart of accounts from the
# company's country then), ready for the addons to be installed.
create_database() {
    local db=$1
    # English stays the source language; Thai is loaded for every addon.
    odoo -d "$db" -i base --load-language=en_US,th_TH --stop-after-init --log-level=warn \
        || die "Odoo could not create the database $db (see the lines above)."
    thai_company "$db"
}

# (Again after the addons: stock's demo data renames the main company.)
thai_company() {
    "$PYTHON" "$ROOT/scripts/thai_company.py" -c "$ROOT/odoo.conf" \
        --addons-path="$(addons_path)" --db_host="$PGHOST" --db_port="$PGPORT" \
        --db_user="$PGUSER" --db_password="$PGPASSWORD" --log-level=warn -d "$1" \
        || die "could not make the company of $1 a Thai seller."
}

# The demo seller's products (SKUs of the simulator's shop) with stock.
demo_catalogue() {
    "$PYTHON" "$ROOT/scripts/demo_catalogue.py" -c "$ROOT/odoo.conf" \
        --addons-path="$(addons_path)" --db_host="$PGHOST" --db_port="$PGPORT" \
        --db_user="$PGUSER" --db_password="$PGPASSWORD" --log-level=warn -d "$1" \
        || die "could not create the demo catalogue of $1."
}

# The odoo command with the project's configuration and the right addons
# path, in the array ODOO_COMMAND (docker/entrypoint.sh execs it).
odoo_command() {
    ODOO_COMMAND=("$PYTHON" -m odoo -c "$ROOT/odoo.conf" --addons-path="$(addons_path)"
        --db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER" --db_password="$PGPASSWORD")
}

# odoo with the project's configuration and the right addons path
odoo() {
    odoo_command
    "${ODOO_COMMAND[@]}" "$@"
}
