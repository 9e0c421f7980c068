# shellcheck shell=bash
# Shared helpers for scripts/run and scripts/test. Source this file; do not run it.
#
#   section TITLE            print a section header (with the seconds elapsed)
#   info / warn / die MSG    messages (die exits 1)
#   find_python              print the path of a working Python >= 3.12, or die naming the need
#   ensure_venv              create .venv; install requirements.lock only when it changed
#   apt_install PKG[=CMD]…   install missing Debian packages (as root), or die listing them
#   venv_python ARGS…        run the venv's Python

REPO_ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${VENTANILLA_VENV:-$REPO_ROOT/.venv}"
LOCK_FILE="$REPO_ROOT/requirements.lock"

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
    _BOLD=$'\033[1m' _RED=$'\033[31m' _YELLOW=$'\033[33m' _RESET=$'\033[0m'
else
    _BOLD="" _RED="" _YELLOW="" _RESET=""
fi
_APT_UPDATED=""

section() {
    printf '\n%s==> %s%s  (%ss)\n' "$_BOLD" "$*" "$_RESET" "$SECONDS"
}

info() {
    printf '    %s\n' "$*"
}

warn() {
    printf '%swarning:%s %s\n' "$_YELLOW" "$_RESET" "$*" >&2
}

die() {
    printf '%serror:%s %s\n' "$_RED" "$_RESET" "$*" >&2
    exit 1
}

venv_python() {
    "$VENV_DIR/bin/python" "$@"
}

# True when $1 runs and is Python >= 3.12. (The pyenv shims on PATH exit non-zero
# unless PYENV_VERSION is set, so this check skips them.)
_python_ok() {
    "$1" -I -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
    local candidate root=""
    if [[ -n "${VENTANILLA_PYTHON:-}" ]]; then
        _python_ok "$VENTANILLA_PYTHON" \
            || die "VENTANILLA_PYTHON=$VENTANILLA_PYTHON is not a working Python >= 3.12"
        printf '%s\n' "$VENTANILLA_PYTHON"
        return 0
    fi
    for candidate in python3.13 python3.12 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && _python_ok "$candidate"; then
            command -v "$candidate"
            return 0
        fi
    done
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root 2>/dev/null || true)"
    fi
    root="${root:-${PYENV_ROOT:-$HOME/.pyenv}}"
    for candidate in "$root"/versions/3.1[2-9]*/bin/python3.1[2-9]; do
        if [[ -x "$candidate" ]] && _python_ok "$candidate"; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    die "Ventanilla needs Python 3.12 or newer (Django 6), and none was found.
    Tried python3.13, python3.12 and python3 on PATH, and $root/versions/3.1[2-9]*.
    Install one (Debian/Ubuntu: apt-get install python3.12 python3.12-venv; or pyenv install 3.12),
    or point VENTANILLA_PYTHON at it, then run this command again."
}

# pip, with this machine's "Location … is ignored" warnings (one per package, about local
# indexes that do not exist) filtered out. Everything else, errors included, goes through, and
# the pipeline keeps pip's exit status (the callers run with pipefail).
_pip() {
    venv_python -m pip --disable-pip-version-check --no-input "$@" 2>&1 \
        | { grep -v "^WARNING: Location '.*' is ignored" || true; }
}

# pip install --no-deps -e . (setuptools' generic "Editable installation" notice silenced).
_pip_install_self() {
    PYTHONWARNINGS="ignore:Editable installation" \
        _pip install --quiet --progress-bar off --no-deps -e "$REPO_ROOT" \
        || die "pip could not install Ventanilla itself (pip install --no-deps -e .)"
}

_file_sha256() {
    venv_python -c \
        'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' \
        "$1"
}

ensure_venv() {
    local python lock_hash stamp="$VENV_DIR/.lock-hash" started
    if [[ -x "$VENV_DIR/bin/python" ]] && _python_ok "$VENV_DIR/bin/python"; then
        info "using $VENV_DIR ($(venv_python -c 'import platform; print(platform.python_version())'))"
    else
        python="$(find_python)"
        if [[ -e "$VENV_DIR" ]]; then
            warn "$VENV_DIR has no working Python >= 3.12: creating it again"
            rm -rf -- "$VENV_DIR"
        fi
        info "creating $VENV_DIR with $python"
        "$python" -m venv "$VENV_DIR" \
            || die "could not create $VENV_DIR with $python
    (Debian/Ubuntu: apt-get install python3-venv, or python3.X-venv for your version)"
    fi
    lock_hash="$(_file_sha256 "$LOCK_FILE")"
    if [[ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_hash" ]]; then
        started=$SECONDS
        info "installing the packages of requirements.lock (a cold install takes about a minute)"
        rm -f -- "$stamp"
        _pip install --quiet --progress-bar off -r "$LOCK_FILE" \
            || die "pip could not install requirements.lock (see above)"
        _pip_install_self
        printf '%s\n' "$lock_hash" >"$stamp"
        info "packages installed in $((SECONDS - started))s"
    elif ! venv_python -c 'import importlib.metadata as m; m.version("ventanilla")' 2>/dev/null; then
        _pip_install_self
    else
        info "requirements.lock unchanged since the last install"
    fi
}

_dpkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null)" == *"ok installed"* ]]
}

# apt_install PKG[=CMD]…: a package counts as present when CMD (if given) is on PATH or when dpkg
# has it installed. Missing ones are installed when we are root on Debian/Ubuntu; otherwise we stop
# and say what to install.
apt_install() {
    local spec pkg cmd log started missing=()
    for spec in "$@"; do
        pkg="${spec%%=*}"
        cmd=""
        [[ "$spec" == *=* ]] && cmd="${spec#*=}"
        if [[ -n "$cmd" ]] && command -v "$cmd" >/dev/null 2>&1; then
            continue
        fi
        if command -v dpkg-query >/dev/null 2>&1; then
            _dpkg_installed "$pkg" && continue
        elif [[ -z "$cmd" ]]; then
            warn "cannot check for $pkg here (no dpkg): make sure it, or its equivalent, is installed"
            continue
        fi
        missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0

    if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        die "missing system packages: ${missing[*]}
    Install them, then run this command again. On Debian/Ubuntu:
        sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    fi
    started=$SECONDS
    log="$(mktemp)"
    info "installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if [[ -z "$_APT_UPDATED" ]]; then
        apt-get -o DPkg::Lock::Timeout=300 update >"$log" 2>&1 \
            || { cat "$log" >&2; rm -f -- "$log"; die "apt-get update failed"; }
        _APT_UPDATED=1
    fi
    apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}" \
        >"$log" 2>&1 \
        || { cat "$log" >&2; rm -f -- "$log"; die "apt-get install failed for: ${missing[*]}"; }
    rm -f -- "$log"
    info "installed in $((SECONDS - started))s"
}

# Compile the .po catalogues when there are any (needs gettext's msgfmt).
compile_translations() {
    if [[ -n "$(find "$REPO_ROOT/locale" "$REPO_ROOT/ventanilla" -name '*.po' -print -quit 2>/dev/null)" ]]; then
        apt_install gettext=msgfmt
        # compilemessages skips a .mo newer than its .po, and a fresh clone's mtimes are the
        # checkout's order: always compile, so a stale committed .mo never reaches the tests
        find "$REPO_ROOT/locale" "$REPO_ROOT/ventanilla" -name '*.po' -exec touch {} + 2>/dev/null
        (cd "$REPO_ROOT" && venv_python manage.py compilemessages --ignore=.venv --verbosity 0) \
            || die "compilemessages failed"
        info "translations compiled"
    else
        info "no .po files yet: nothing to compile"
    fi
}
