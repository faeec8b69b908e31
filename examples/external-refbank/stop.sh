#!/bin/sh
# Stop what start.sh started: refbank, then the throwaway Postgres cluster (removed).
# A database given with --dsn is left as it is.
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
STATE=${GOLIVE_PLATFORM_STATE:-$HERE/.golive-platform}
if command -v golive >/dev/null 2>&1; then GOLIVE=golive; else GOLIVE="python3 -m golive"; fi

[ -d "$STATE" ] || { echo "stop.sh: nothing to stop ($STATE does not exist)"; exit 0; }
GOLIVE_PLATFORM_STATE="$STATE" $GOLIVE platform stop
rm -f "$STATE/platform.env"  # it holds the DSN and the webhook secrets

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
    rm -f "$STATE/pgdata" "$STATE/pgport" "$STATE/pgbin"
    echo "Postgres stopped and removed"
fi
