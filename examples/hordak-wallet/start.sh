#!/bin/sh
# Start the hordak wallet as an ordinary service: its own Postgres (a throwaway cluster from
# the local server binaries, or the database you give), gunicorn on its own port.
#
#   examples/hordak-wallet/start.sh [--dsn DSN] [--port PORT]
#
# The environment is passed through to the wallet, HORDAK_WALLET_FAULTS included:
#   HORDAK_WALLET_FAULTS=float-amounts examples/hordak-wallet/start.sh
# Other settings: WALLET_PORT (8100), WALLET_RELEASE (2), GOLIVE_PSP_PORT (12111, where the
# stub PSP listens), EXAMPLE_PG_PORT (55442), PG_BIN (the Postgres server binaries),
# GOLIVE_PSP_STRIPE_WEBHOOK_SECRET and GOLIVE_PSP_ADYEN_HMAC_KEY (the webhook secrets).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${WALLET_STATE:-$HERE/.wallet-state}
PORT=${WALLET_PORT:-8100}
RELEASE=${WALLET_RELEASE:-2}
PSP_PORT=${GOLIVE_PSP_PORT:-12111}
PG_PORT=${EXAMPLE_PG_PORT:-55442}
DSN=${WALLET_DATABASE_URL:-}

while [ $# -gt 0 ]; do
    case "$1" in
        --dsn) DSN=$2; shift 2 ;;
        --port) PORT=$2; shift 2 ;;
        *) echo "start.sh: unknown argument $1 (use --dsn DSN, --port PORT)" >&2; exit 2 ;;
    esac
done

mkdir -p "$STATE"
export WALLET_STATE="$STATE"
OPS="$HERE/.venv/bin/python $HERE/ops.py"
if [ -f "$STATE/gunicorn.pid" ] && kill -0 "$(cat "$STATE/gunicorn.pid")" 2>/dev/null; then
    echo "start.sh: the wallet is already running (pid $(cat "$STATE/gunicorn.pid")); run stop.sh first" >&2
    exit 1
fi

# -- the wallet's own virtualenv (Django, django-hordak, gunicorn, psycopg, stripe, Adyen) --
if [ ! -x "$HERE/.venv/bin/gunicorn" ] || [ "$HERE/requirements.txt" -nt "$HERE/.venv/installed" ]; then
    python3 -m venv "$HERE/.venv"
    "$HERE/.venv/bin/pip" install -q -r "$HERE/requirements.txt" >"$STATE/pip.log" 2>&1 \
        || { echo "start.sh: pip install failed, see $STATE/pip.log" >&2; exit 1; }
    touch "$HERE/.venv/installed"
fi

# a start that fails half-way stops what it started
undo() {
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "start.sh: failed (exit $rc); stopping what it started" >&2
        "$HERE/stop.sh" >&2 || true
    fi
    exit "$rc"
}
trap undo EXIT

# -- Postgres ----------------------------------------------------------------------------
if [ -z "$DSN" ]; then
    if [ -z "${PG_BIN:-}" ]; then
        if command -v initdb >/dev/null 2>&1; then
            PG_BIN=$(dirname "$(readlink -f "$(command -v initdb)")")
        else
            PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
        fi
    fi
    [ -x "$PG_BIN/initdb" ] || { echo "start.sh: no Postgres server binaries; set PG_BIN or give --dsn" >&2; exit 2; }
    PGDATA=$(mktemp -d "${TMPDIR:-/tmp}/hordak-wallet-pg.XXXXXX")
    echo "$PGDATA" > "$STATE/pgdata"
    echo "$PG_BIN" > "$STATE/pgbin"
    if [ "$(id -u)" = 0 ]; then  # initdb refuses root: run the server as an unprivileged user
        RUN_AS=${GOLIVE_PG_RUN_AS:-postgres}
        id "$RUN_AS" >/dev/null 2>&1 || RUN_AS=nobody
        chown "$RUN_AS" "$PGDATA"
        as_pg() { runuser -u "$RUN_AS" -- "$@"; }
    else
        as_pg() { "$@"; }
    fi
    as_pg "$PG_BIN/initdb" -D "$PGDATA/data" -U wallet -A trust --no-sync >"$STATE/postgres.log" 2>&1
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA/data" -l "$PGDATA/server.log" -w -t 60 start \
        -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off" >>"$STATE/postgres.log"
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U wallet wallet
    DSN="postgresql://wallet@127.0.0.1:$PG_PORT/wallet"
fi

# -- the wallet's environment, recorded once: every operation runs the wallet with it ---------
rand() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
umask 077
cat >"$STATE/wallet.env" <<ENV
WALLET_DATABASE_URL=$DSN
WALLET_PORT=$PORT
WALLET_RELEASE=$RELEASE
DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$(rand 32)}
WALLET_STRIPE_API_BASE=http://127.0.0.1:$PSP_PORT/stripe
WALLET_STRIPE_SECRET_KEY=${WALLET_STRIPE_SECRET_KEY:-sk_test_$(rand 12)}
WALLET_STRIPE_WEBHOOK_SECRETS=${GOLIVE_PSP_STRIPE_WEBHOOK_SECRET:-whsec_$(rand 24)}
WALLET_ADYEN_API_BASE=http://127.0.0.1:$PSP_PORT/adyen
WALLET_ADYEN_API_KEY=${WALLET_ADYEN_API_KEY:-AQE$(rand 20)}
WALLET_ADYEN_HMAC_KEY=${GOLIVE_PSP_ADYEN_HMAC_KEY:-$(rand 32)}
WALLET_ADYEN_MERCHANT=${WALLET_ADYEN_MERCHANT:-HordakWalletECOM}
HORDAK_WALLET_FAULTS=${HORDAK_WALLET_FAULTS:-}
ENV
umask 022

$OPS migrate --schema "$RELEASE"
$OPS start
trap - EXIT
echo "hordak wallet release $RELEASE on http://127.0.0.1:$PORT (database $DSN)"
