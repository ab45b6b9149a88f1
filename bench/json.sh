#!/bin/sh
# Parse rate of jansson, json-c and cJSON on the same result records.
# Needs libjansson-dev, libjson-c-dev and libcjson-dev. N records (default
# 1000000, about 400 bytes each) are generated into a temporary file, read
# into memory once, then parsed by each library in turn, alternating, twice.
set -eu
N=${N:-1000000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

python3 - "$N" >"$tmp/in.ndjson" <<'PY'
import json, sys, uuid
n = int(sys.argv[1])
for i in range(n):
    print(json.dumps({"id": str(uuid.UUID(int=i)), "ts": "2026-11-23T12:34:%02d.%06dZ" % (i % 60, i % 1000000),
        "url": "https://site%d.example.com/health" % (i % 1000), "name": "site %d" % (i % 1000), "method": "GET",
        "ok": i % 10 != 0, "status": 200 if i % 10 else 503, "error": None if i % 10 else "status",
        "detail": None if i % 10 else "status 503 not in 200-299", "time_ms": 123.456, "dns_ms": 1.203,
        "connect_ms": 10.5, "tls_ms": 20.25, "wait_ms": 80.125, "transfer_ms": 11.373, "bytes": 1256 + i % 100,
        "ip": "192.0.2.%d" % (i % 250), "regex": None, "match": None, "matched": None,
        "cert_expiry": "2027-01-15T23:59:59Z", "probe": "probe-1", "tags": {"env": "prod", "team": "web"}},
        separators=(",", ":")))
PY

# One program per library: jansson and json-c export clashing symbols.
cat >"$tmp/jb.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include LIBHDR

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }

int main(int argc, char **argv) {
	FILE *f = fopen(argv[1], "rb"); long sz; char *data, *p, *e; size_t n = 0, ok = 0; double t0;
	fseek(f, 0, SEEK_END); sz = ftell(f); rewind(f);
	data = malloc(sz + 1); if (fread(data, 1, sz, f) != (size_t)sz) return 1; data[sz] = 0;
	for (p = data; (p = memchr(p, '\n', data + sz - p)); p++) { *p = 0; n++; }
	t0 = now();
	for (p = data, e = data + sz; p < e; p += strlen(p) + 1) { PARSE }
	printf("%-8s %9.0f records/s (%zu/%zu parsed)\n", NAME, ok / (now() - t0), ok, n);
	return 0;
}
C
cc -O2 -o "$tmp/jansson" -DNAME='"jansson"' -DLIBHDR='<jansson.h>' \
    -D'PARSE=json_t *j = json_loads(p, 0, NULL); ok += j != NULL; json_decref(j);' \
    "$tmp/jb.c" $(pkg-config --cflags --libs jansson)
cc -O2 -o "$tmp/json-c" -DNAME='"json-c"' -DLIBHDR='<json-c/json.h>' \
    -D'PARSE=json_object *j = json_tokener_parse(p); ok += j != NULL; json_object_put(j);' \
    "$tmp/jb.c" $(pkg-config --cflags --libs json-c)
cc -O2 -o "$tmp/cJSON" -DNAME='"cJSON"' -DLIBHDR='<cjson/cJSON.h>' \
    -D'PARSE=cJSON *j = cJSON_Parse(p); ok += j != NULL; cJSON_Delete(j);' \
    "$tmp/jb.c" $(pkg-config --cflags --libs libcjson)
echo "$N records, $(($(wc -c <"$tmp/in.ndjson") / N)) bytes each on average"
for round in 1 2; do
	for lib in jansson json-c cJSON; do "$tmp/$lib" "$tmp/in.ndjson"; done
done
