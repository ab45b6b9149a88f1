# A throwaway PostgreSQL cluster on a private Unix socket, for one bats file.
# pg_start sets PGHOST/PGPORT/PGUSER/PGDATABASE; pg_stop removes everything.

pg_bindir() {
	local d
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$d" ] || { echo "no PostgreSQL server installed (make deps)" >&2; return 1; }
	echo "$d"
}

# Run a server command as the postgres user when we are root (initdb refuses root).
pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		# From /: the postgres user may not enter the caller's directory
		# (a clone under /root), and pg_ctl would complain of it.
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

pg_start() {
	local bindir
	bindir=$(pg_bindir) || return 1
	# Short path: a Unix socket path must fit in 107 bytes.
	PG_DIR=$(mktemp -d /tmp/wmpg.XXXXXX)
	[ "$(id -u)" -eq 0 ] && chown postgres: "$PG_DIR"
	pg_as_owner "$bindir/initdb" -D "$PG_DIR/data" -U postgres -A trust \
		--no-sync -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_DIR/initdb.log" >&2; return 1; }
	export PG_DIR PG_BINDIR="$bindir"
	export PGHOST="$PG_DIR" PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
	pg_up
}

# Start (or restart) the server of the cluster made by pg_start.
pg_up() {
	pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-k $PG_DIR -p $PGPORT -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
		start >/dev/null || { cat "$PG_DIR/server.log" >&2; return 1; }
}

# Stop the server; mode is fast (default) or immediate (a crash).
pg_down() {
	pg_as_owner "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -m "${1:-fast}" -w stop >/dev/null
}

pg_stop() {
	[ -n "${PG_DIR:-}" ] || return 0
	pg_down immediate 2>/dev/null || true
	rm -rf "$PG_DIR"
	unset PG_DIR
}

# psql with settings that make output easy to compare.
pq() {
	psql -X -q -v ON_ERROR_STOP=1 -At "$@"
}
