#!/usr/bin/env python3
"""NDJSON on stdin into a PostgreSQL table with psycopg2's execute_values,
1000 rows per INSERT and per transaction: the loader homework-style monitors
write. Connection from the PG* environment variables.

usage: pg_execute_values.py TABLE < records.ndjson
"""
import json
import sys

import psycopg2
import psycopg2.extras
from psycopg2 import sql

BATCH = 1000


def main():
    table = sys.argv[1]
    conn = psycopg2.connect("")
    cur = conn.cursor()
    cols = None
    stmt = None
    rows = []

    def flush():
        psycopg2.extras.execute_values(cur, stmt, rows, page_size=BATCH)
        conn.commit()
        rows.clear()

    for line in sys.stdin:
        rec = json.loads(line)
        if cols is None:
            cols = list(rec)
            stmt = sql.SQL("INSERT INTO {} ({}) VALUES %s").format(
                sql.Identifier(table),
                sql.SQL(", ").join(map(sql.Identifier, cols))).as_string(conn)
        rows.append(tuple(psycopg2.extras.Json(v) if isinstance(v, (dict, list))
                          else v for v in (rec.get(c) for c in cols)))
        if len(rows) >= BATCH:
            flush()
    if rows:
        flush()
    conn.close()


if __name__ == "__main__":
    main()
