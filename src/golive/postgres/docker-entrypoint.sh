#!/bin/sh
# Entrypoint of golive's air-gapped Postgres image (golive postgres build-image).
# Honours the official image's contract: POSTGRES_USER (default postgres), POSTGRES_PASSWORD,
# POSTGRES_DB (default $POSTGRES_USER), POSTGRES_INITDB_ARGS, POSTGRES_HOST_AUTH_METHOD,
# /docker-entrypoint-initdb.d/*.sql|*.sh; arguments starting with '-' go to postgres.
set -eu

want_help() {
	for arg in "$@"; do
		case "$arg" in -V | --version | --help | '-?' | --describe-config | -C) return 0 ;; esac
	done
	return 1
}

if [ "$#" -eq 0 ] || [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi

if [ "$1" = postgres ] && ! want_help "$@"; then
	PGDATA="${PGDATA:-/var/lib/postgresql/data}"
	export PGDATA
	mkdir -p "$PGDATA"
	chmod 700 "$PGDATA" 2>/dev/null || true
	if [ ! -s "$PGDATA/PG_VERSION" ]; then
		POSTGRES_USER="${POSTGRES_USER:-postgres}"
		POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
		auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
		if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
			echo "error: the database is uninitialized and POSTGRES_PASSWORD is not set." >&2
			echo "  Set POSTGRES_PASSWORD (or POSTGRES_HOST_AUTH_METHOD=trust)." >&2
			exit 1
		fi
		pwfile="/tmp/.golive-initdb-pw.$$"
		pwopt=""
		if [ -n "${POSTGRES_PASSWORD:-}" ]; then
			(umask 077 && printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile")
			pwopt="--pwfile=$pwfile"
		fi
		# shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of words, as upstream
		initdb --username="$POSTGRES_USER" $pwopt --auth-local=trust --auth-host="$auth" \
			--encoding=UTF8 --no-locale ${POSTGRES_INITDB_ARGS:-} -D "$PGDATA"
		rm -f "$pwfile"
		printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
		printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"

		sock=/var/run/postgresql
		pg_ctl -D "$PGDATA" -w -t 120 \
			-o "-c listen_addresses='' -c unix_socket_directories=$sock" start
		if [ "$POSTGRES_DB" != postgres ]; then
			PGHOST="$sock" PGUSER="$POSTGRES_USER" psql -v ON_ERROR_STOP=1 --no-psqlrc \
				--dbname=postgres --set db="$POSTGRES_DB" <<-'EOSQL'
				CREATE DATABASE :"db";
			EOSQL
		fi
		for f in /docker-entrypoint-initdb.d/*; do
			case "$f" in
			*.sh) echo "running $f" && . "$f" ;;
			*.sql)
				echo "running $f"
				PGHOST="$sock" PGUSER="$POSTGRES_USER" psql -v ON_ERROR_STOP=1 --no-psqlrc \
					--dbname="$POSTGRES_DB" -f "$f"
				;;
			esac
		done
		pg_ctl -D "$PGDATA" -m fast -w stop
		echo "PostgreSQL init process complete; ready for start up."
	fi
fi

exec "$@"
