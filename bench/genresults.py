#!/usr/bin/env python3
"""genresults.py N [CSV_FILE]: N result records of DESIGN.md's shape as
NDJSON on stdout, the same every run; with CSV_FILE, the same rows as CSV
there too (psql \\copy ... csv input)."""
import csv
import json
import sys
import uuid

n = int(sys.argv[1])
cw = csv.writer(open(sys.argv[2], "w", newline="")) if len(sys.argv) > 2 else None
w = sys.stdout.write
for i in range(n):
    r = {"id": str(uuid.UUID(int=(0x0190f5c27a3b7000 << 64) + i)),
         "ts": "2026-11-23T%02d:%02d:%02d.%06dZ" % (i // 3600 % 24, i // 60 % 60, i % 60, i % 1000000),
         "url": "https://site%d.example.com/health" % (i % 1000), "name": "site %d" % (i % 1000),
         "method": "GET", "ok": i % 10 != 0, "status": 200 if i % 10 else 503,
         "error": None if i % 10 else "status", "detail": None if i % 10 else "status 503 not in 200-299",
         "time_ms": 123.456, "dns_ms": 1.203, "connect_ms": 10.5, "tls_ms": 20.25, "wait_ms": 80.125,
         "transfer_ms": 11.373, "bytes": 1256 + i % 100, "ip": "192.0.2.%d" % (i % 250),
         "regex": None, "match": None, "matched": None, "cert_expiry": "2027-01-15T23:59:59Z",
         "probe": "probe-1", "tags": {"env": "prod", "team": "web"}}
    w(json.dumps(r, separators=(",", ":")) + "\n")
    if cw:
        cw.writerow(["" if v is None else json.dumps(v) if isinstance(v, dict)
                     else ("true" if v else "false") if isinstance(v, bool) else v
                     for v in r.values()])
