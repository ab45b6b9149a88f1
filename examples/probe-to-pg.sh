#!/bin/sh
# webmon without Kafka: probe the sites every interval and store every result
# straight into PostgreSQL. The connection comes from libpq's PG* variables
# and ~/.pgpass (PGHOST, PGDATABASE, PGUSER...), never from the command line.
# Usage: probe-to-pg.sh SITES_FILE [TABLE]
set -eu
sites=${1:?usage: probe-to-pg.sh SITES_FILE [TABLE]}
table=${2:-wm_results}
wm-probe --watch "$sites" | wm-pg-copy -t "$table" --key id
