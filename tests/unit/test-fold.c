/* test-fold.c: wm-state's pieces in lib/state: SHA-1/UUIDv5, RFC 3339
 * times, the result scan, the state machine and its saved state. */
#include <stdint.h>
#include <stdio.h>

#include "buf.h"
#include "state/fold.h"
#include "state/rscan.h"
#include "state/uuid5.h"
#include "unit.h"

static void
sha1_and_uuid5(void)
{
	/* The DNS namespace of RFC 9562, appendix; its example of v5. */
	static const unsigned char dns[16] = { 0x6b, 0xa7, 0xb8, 0x10, 0x9d,
	    0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8 };
	unsigned char d[20];
	char hex[41], id[UUID_STRLEN];
	int i;

	sha1("abc", 3, d);
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	CHECK_MEM(hex, 40, "a9993e364706816aba3e25717850c26c9cd0d89d");
	/* Two blocks of padding: 56 bytes. */
	sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, d);
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	CHECK_MEM(hex, 40, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	uuid5_make(id, dns, "www.example.com", 15);
	CHECK_MEM(id, 36, "2ed6657d-e927-568b-95e1-2665a8aea6a2");
}

static void
times(void)
{
	static const struct { const char *s; int64_t us; } ok[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2026-11-23T12:34:56.123456Z", 1795437296123456LL },
		{ "2026-11-23T12:34:56.1Z", 1795437296100000LL },
		{ "2026-11-23T12:34:56.123456789Z", 1795437296123456LL },
		{ "2026-11-23T13:34:56.123456+01:00", 1795437296123456LL },
		{ "2026-11-23 12:34:56+00:00", 1795437296000000LL },
		{ "2024-02-29T00:00:00Z", 1709164800000000LL },
	};
	static const char *const bad[] = { "", "2026-11-23", "2026-13-01T00:00:00Z",
	    "2026-11-23T12:34:56", "2026-11-23T12:34:56.Z", "2026-11-23T12:34:56Zx",
	    "2026-11-23T12:34:56+0100" };
	int64_t us;
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (!CHECK(rfc3339_us(ok[i].s, strlen(ok[i].s), &us) == 0 &&
		    us == ok[i].us))
			printf("#   %s\n", ok[i].s);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (!CHECK(rfc3339_us(bad[i], strlen(bad[i]), &us) < 0))
			printf("#   %s\n", bad[i]);
}

static void
scan(void)
{
	static const char line[] = "{\"id\":\"a\",\"x\":[1,{\"ok\":false}],"
	    "\"ok\":true , \"tags\": {\"a\" : \"b\\\"\"},\"url\":\"u\\u0041\"}";
	struct rscan r;
	const char *why;

	CHECK(rscan_line(&r, line, sizeof line - 1, &why) == 0);
	CHECK_MEM(r.v[RK_OK].p, r.v[RK_OK].n, "true");
	CHECK_MEM(r.v[RK_TAGS].p, r.v[RK_TAGS].n, "{\"a\" : \"b\\\"\"}");
	CHECK_MEM(r.v[RK_URL].p, r.v[RK_URL].n, "\"u\\u0041\"");
	CHECK(r.v[RK_TS].p == NULL && span_null(&r.v[RK_TS]));
	CHECK(rscan_line(&r, "{\"id\":1", 7, &why) < 0);
	CHECK(rscan_line(&r, "[1]", 3, &why) < 0);
	CHECK(rscan_line(&r, "{} x", 4, &why) < 0);
}

static int
feed(struct fold *f, const char *ts, int id, const char *ok)
{
	char line[256];
	const char *why;

	snprintf(line, sizeof line, "{\"id\":\"00000000-0000-7000-8000-%012d\","
	    "\"ts\":\"%s\",\"url\":\"https://a/\",\"ok\":%s,\"probe\":\"p\"}",
	    id, ts, ok);
	return fold_line(f, line, strlen(line), &why);
}

static void
machine_and_save(void)
{
	struct fold_conf c = { 2, 2, 3, 0, 0, { 0 }, 0 };
	struct fold f, g;
	struct buf out = BUF_INIT, out2 = BUF_INIT, saved = BUF_INIT;
	const char *why;

	fold_init(&f, &c, &out);
	CHECK(feed(&f, "2026-11-20T10:00:00Z", 1, "false") == 0);
	/* The state saved after one failure, loaded elsewhere, goes on the same. */
	fold_save(&f, &saved);
	fold_init(&g, &c, &out2);
	CHECK(fold_load(&g, saved.data, saved.len, &why) == 0);
	CHECK(feed(&f, "2026-11-20T10:01:00Z", 2, "false") == 1);
	CHECK(feed(&g, "2026-11-20T10:01:00Z", 2, "false") == 1);
	CHECK(out.len > 0 && out.len == out2.len &&
	    memcmp(out.data, out2.data, out.len) == 0);
	CHECK(strstr(out.data, "\"kind\":\"down\"") != NULL);
	CHECK(strstr(out.data, "\"started\":\"2026-11-20T10:00:00Z\"") != NULL);
	/* Not newer: a replay and a late one change nothing. */
	CHECK(feed(&f, "2026-11-20T10:01:00Z", 2, "true") == -2);
	CHECK(feed(&f, "2026-11-20T09:00:00Z", 9, "true") == -2);
	CHECK(f.dups == 1 && f.late == 1);
	CHECK(feed(&f, "2026-11-20T10:02:00Z", 3, "true") == 0);
	CHECK(feed(&f, "2026-11-20T10:03:00Z", 4, "true") == 1);
	CHECK(strstr(out.data, "\"kind\":\"up\"") != NULL);
	CHECK(fold_load(&g, "X\t1\n", 4, &why) < 0);
	fold_free(&f);
	fold_free(&g);
	buf_free(&out), buf_free(&out2), buf_free(&saved);
}

int
main(void)
{
	TEST("uuid5: SHA-1 and UUIDv5 known answers", sha1_and_uuid5());
	TEST("rscan: RFC 3339 times with any decimals and offsets", times());
	TEST("rscan: members found in one pass, raw", scan());
	TEST("fold: down and up, replays skipped, state saved and loaded", machine_and_save());
	return unit_done();
}
