#!/bin/sh
# Stop what start.sh started: the wallet, then the throwaway Postgres cluster (removed).
# A database given with --dsn is left as it is.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${WALLET_STATE:-$HERE/.wallet-state}

[ -d "$STATE" ] || { echo "stop.sh: nothing to stop ($STATE does not exist)"; exit 0; }
if [ -x "$HERE/.venv/bin/python" ]; then
    WALLET_STATE="$STATE" "$HERE/.venv/bin/python" "$HERE/ops.py" stop
fi
rm -f "$STATE/wallet.env"  # it holds the DSN, the keys and the webhook secrets

if [ -f "$STATE/pgdata" ]; then
    PGDATA=$(cat "$STATE/pgdata")
    if [ -f "$PGDATA/data/postmaster.pid" ]; then
        PG_CTL="$(cat "$STATE/pgbin")/pg_ctl"
        if [ "$(id -u)" = 0 ]; then
            runuser -u "$(stat -c %U "$PGDATA")" -- "$PG_CTL" -D "$PGDATA/data" -m fast -w -t 60 stop
        else
            "$PG_CTL" -D "$PGDATA/data" -m fast -w -t 60 stop
        fi
    fi
    rm -rf "$PGDATA"
    rm -f "$STATE/pgdata" "$STATE/pgbin"
    echo "Postgres stopped and removed"
fi
