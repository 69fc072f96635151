#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster on 127.0.0.1 and TEST_DATABASE_URL set to
# it; the cluster is stopped and deleted afterwards, whatever the command's outcome.
#   bash scripts/with-postgres.sh npm test
# Needs PostgreSQL's server binaries (Debian: apt-get install postgresql).
#
# Where PgBouncer is installed (Debian: apt-get install pgbouncer) it also starts one in front of
# the cluster in transaction mode — what hosted databases put behind their "pooled" connection
# string (Supabase's pooler, Neon's, PgBouncer as most providers run it) — with a server pool of 4,
# and exports TEST_POOLED_DATABASE_URL. Any database name is passed through, so a test's private
# database works through it too. WITH_PGBOUNCER=required makes a missing PgBouncer an error (CI).
set -euo pipefail

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  PGBIN=$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")
fi
if [ ! -x "$PGBIN/initdb" ]; then
  echo "with-postgres: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi

PORT=${TEST_PG_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
PGDIR=$(mktemp -d)
as_pg() {
  # initdb refuses to run as root; use the postgres account when we are root.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$PGDIR"

PGBOUNCER=$(command -v pgbouncer || ls /usr/sbin/pgbouncer 2>/dev/null || true)
if [ -z "$PGBOUNCER" ] && [ "${WITH_PGBOUNCER:-}" = required ]; then
  echo "with-postgres: PgBouncer not found (apt-get install pgbouncer)" >&2
  exit 1
fi

stop() {
  [ -f "$PGDIR/pgbouncer.pid" ] && kill "$(cat "$PGDIR/pgbouncer.pid")" 2>/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDIR"
}
trap stop EXIT

as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -k $PGDIR -c max_connections=200 -c fsync=off" start >/dev/null

export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
# The binaries too, for a test that stops a cluster of its own (packages/wix-app-backend/src/testing/postgres-cluster.ts).
export TEST_PG_BIN="$PGBIN"
echo "with-postgres: PostgreSQL on 127.0.0.1:$PORT" >&2

if [ -n "$PGBOUNCER" ]; then
  POOL_PORT=${TEST_PGBOUNCER_PORT:-$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')}
  # auth_type any: the pooler logs in to PostgreSQL as the user named in [databases] (trust on
  # loopback here). max_client_conn is far above what the tests open: clients wait for one of
  # the 4 server connections, as they do on a hosted pooler.
  cat >"$PGDIR/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PORT user=postgres
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $POOL_PORT
unix_socket_dir =
auth_type = any
pool_mode = transaction
default_pool_size = 4
max_client_conn = 1000
max_db_connections = 0
server_reset_query =
ignore_startup_parameters = extra_float_digits,options
logfile = $PGDIR/pgbouncer.log
pidfile = $PGDIR/pgbouncer.pid
INI
  [ "$(id -u)" = 0 ] && chown postgres "$PGDIR/pgbouncer.ini"
  # PgBouncer refuses to run as root.
  as_pg "$PGBOUNCER" -d -q "$PGDIR/pgbouncer.ini"
  for _ in $(seq 50); do
    node -e 'require("net").connect(+process.argv[1],"127.0.0.1").on("connect",()=>process.exit(0)).on("error",()=>process.exit(1))' "$POOL_PORT" && break
    sleep 0.1
  done
  export TEST_POOLED_DATABASE_URL="postgres://postgres@127.0.0.1:$POOL_PORT/postgres"
  echo "with-postgres: PgBouncer (transaction mode, pool of 4) on 127.0.0.1:$POOL_PORT" >&2
fi
set +e
"$@"
status=$?
exit $status
