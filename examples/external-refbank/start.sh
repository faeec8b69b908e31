#!/bin/sh
# Start refbank as an ordinary external service: its own Postgres (a throwaway cluster from
# the local server binaries, or the database you give), its own process, its own port.
#
#   examples/external-refbank/start.sh [--dsn DSN] [--port PORT]
#
# The environment is passed through to the platform, GOLIVE_PLATFORM_FAULTS included:
#   GOLIVE_PLATFORM_FAULTS=hold-double-burn examples/external-refbank/start.sh
# Other settings: REFBANK_PORT (8000), REFBANK_RELEASE (2), GOLIVE_PSP_PORT (12111, where the
# stub PSP listens), EXAMPLE_PG_PORT (55432), PG_BIN (the Postgres server binaries).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${GOLIVE_PLATFORM_STATE:-$HERE/.golive-platform}
PORT=${REFBANK_PORT:-8000}
RELEASE=${REFBANK_RELEASE:-2}
PSP_PORT=${GOLIVE_PSP_PORT:-12111}
PG_PORT=${EXAMPLE_PG_PORT:-55432}
DSN=${REFBANK_DSN:-}

while [ $# -gt 0 ]; do
    case "$1" in
        --dsn) DSN=$2; shift 2 ;;
        --port) PORT=$2; shift 2 ;;
        *) echo "start.sh: unknown argument $1 (use --dsn DSN, --port PORT)" >&2; exit 2 ;;
    esac
done

if command -v golive >/dev/null 2>&1; then GOLIVE=golive; else GOLIVE="python3 -m golive"; fi
export GOLIVE_PLATFORM_STATE="$STATE"  # where `golive platform` keeps the platform's state
platform() { $GOLIVE platform "$@"; }

mkdir -p "$STATE"
if [ -f "$STATE/platform.pid" ] && kill -0 "$(cat "$STATE/platform.pid")" 2>/dev/null; then
    echo "start.sh: refbank is already running (pid $(cat "$STATE/platform.pid")); run stop.sh first" >&2
    exit 1
fi
rm -f "$STATE/platform.env"  # a fresh start records the environment given now

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
    PGDATA=$(mktemp -d "${TMPDIR:-/tmp}/golive-external-refbank.XXXXXX")
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
    echo "$PG_PORT" > "$STATE/pgport"
    as_pg "$PG_BIN/initdb" -D "$PGDATA/data" -U golive -A trust --no-sync >"$STATE/postgres.log" 2>&1
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA/data" -l "$PGDATA/server.log" -w -t 60 start \
        -o "-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c fsync=off" >>"$STATE/postgres.log"
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U golive refbank
    DSN="postgresql://golive@127.0.0.1:$PG_PORT/refbank"
fi

# -- refbank, wired to golive's stub PSP ----------------------------------------------------
# The webhook secrets are placeholders until golive hands over its own (set_webhook_secrets),
# unless the ones the stub uses are given (GOLIVE_PSP_STRIPE_WEBHOOK_SECRET, …_ADYEN_HMAC_KEY).
export REFBANK_STRIPE_API_BASE="http://127.0.0.1:$PSP_PORT/stripe"
export REFBANK_ADYEN_API_BASE="http://127.0.0.1:$PSP_PORT/adyen"
export REFBANK_STRIPE_API_KEY="${REFBANK_STRIPE_API_KEY:-sk_test_$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')}"
export REFBANK_ADYEN_API_KEY="${REFBANK_ADYEN_API_KEY:-AQE$(od -An -N20 -tx1 /dev/urandom | tr -d ' \n')}"
export REFBANK_ADYEN_MERCHANT_ACCOUNT="${REFBANK_ADYEN_MERCHANT_ACCOUNT:-GoLiveCanaryECOM}"
export REFBANK_STRIPE_WEBHOOK_SECRETS="${GOLIVE_PSP_STRIPE_WEBHOOK_SECRET:-whsec_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')}"
export REFBANK_ADYEN_HMAC_KEY="${GOLIVE_PSP_ADYEN_HMAC_KEY:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}"

platform migrate --dsn "$DSN" --schema "$RELEASE"
platform start --port "$PORT" --release "$RELEASE"
trap - EXIT
