#!/usr/bin/env python3
"""genhistory.py SITES DAYS PER_DAY END_EPOCH: result records of DESIGN.md's
shape as NDJSON on stdout, in time order, for bench/history.sh: SITES sites
each probed PER_DAY times a day for DAYS days ending at END_EPOCH (UTC
seconds), spread evenly over each interval. Times are log-normal around a
per-site median (30..300 ms); 2% of results fail at random (timeout,
connect, status) and about once a week a site has an outage of 3 to 10
failures in a row; 1% of the ok ones are degraded (slow). The same every run."""
import datetime
import json
import random
import sys
import uuid

sites, days, per_day, end = (int(a) for a in sys.argv[1:5])
step = 86400 / per_day
start = end - days * 86400
rnd = random.Random(7)
median = [rnd.uniform(30, 300) for _ in range(sites)]
outage = [0] * sites
w = sys.stdout.write
for k in range(days * per_day):
    for s in range(sites):
        t = start + k * step + s * step / sites
        ts = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
        if outage[s] == 0 and rnd.random() < 1 / (7 * per_day):
            outage[s] = rnd.randint(3, 10)
        if outage[s] > 0:
            outage[s] -= 1
            err = "timeout"
        else:
            err = rnd.choice(("timeout", "connect", "status")) if rnd.random() < 0.02 else None
        ok = err is None
        ms = round(rnd.lognormvariate(0, 0.3) * median[s], 3) if ok else (10000.0 if err == "timeout" else 3.5)
        w(json.dumps({
            "id": str(uuid.UUID(int=(0x0190f5c27a3b7000 << 64) + k * sites + s)),
            "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "url": "https://site%d.example.com/health" % s, "name": "site %d" % s,
            "method": "GET", "ok": ok, "status": 503 if err == "status" else (200 if ok else None),
            "error": err, "detail": None if ok else err + " after 10 s" if err == "timeout" else err,
            "degraded": "slow" if ok and rnd.random() < 0.01 else None,
            "time_ms": ms, "dns_ms": 1.203, "connect_ms": 10.5, "tls_ms": 20.25,
            "wait_ms": round(ms * 0.6, 3) if ok else None, "transfer_ms": round(ms * 0.1, 3) if ok else None,
            "bytes": 1256 + s % 100 if ok else 0, "ip": "192.0.2.%d" % (s % 250),
            "http_version": "1.1", "tls_version": "TLSv1.3",
            "regex": None, "match": None, "matched": None,
            "cert_expiry": "2027-01-15T23:59:59Z", "probe": "probe-1",
            "tags": {"env": "prod", "team": "web"}}, separators=(",", ":")) + "\n")
