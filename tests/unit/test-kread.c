/*
 * test-kread.c: wm-kafka-pub's input split at a delimiter (lib/kafka/
 * kread.c) and kcat's delimiter escapes and headers (lib/kafka/kprod.c).
 */
#include "kafka/kdelim.h"
#include "kafka/kprod.h"
#include "kafka/kread.h"
#include "lines.h"
#include "unit.h"

#include <stdlib.h>
#include <unistd.h>

/* A file holding s[0..n), rewound; -1 on failure. */
static int
file_of(const char *s, size_t n)
{
	FILE *fp = tmpfile();
	int fd;

	if (fp == NULL || fwrite(s, 1, n, fp) != n || fflush(fp) == EOF)
		return -1;
	fd = dup(fileno(fp));
	fclose(fp);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

/* Short inputs: records, the last one without delimiter, CR, empty ones. */
static void
small(void)
{
	static const char in[] = "a\r\nbb\n\nlast\r";
	const char *rec;
	size_t len;
	struct kread r;
	int fd = file_of(in, sizeof(in) - 1);

	kread_init(&r, fd, NULL, 0, 100);
	CHECK(kread_next(&r, &rec, &len) == LINES_OK);
	CHECK_MEM(rec, len, "a");
	CHECK(kread_next(&r, &rec, &len) == LINES_OK);
	CHECK_MEM(rec, len, "bb");
	CHECK(kread_next(&r, &rec, &len) == LINES_OK && len == 0);
	CHECK(kread_next(&r, &rec, &len) == LINES_OK && r.partial);
	CHECK_MEM(rec, len, "last");
	CHECK(r.lineno == 4);
	CHECK(kread_next(&r, &rec, &len) == LINES_EOF);
	kread_free(&r);
	close(fd);

	/* Another delimiter: no CR stripped, a delimiter cut in two. */
	fd = file_of("x\r::y:z::::", 11);
	kread_init(&r, fd, "::", 2, 100);
	CHECK(kread_next(&r, &rec, &len) == LINES_OK);
	CHECK_MEM(rec, len, "x\r");
	CHECK(kread_next(&r, &rec, &len) == LINES_OK);
	CHECK_MEM(rec, len, "y:z");
	CHECK(kread_next(&r, &rec, &len) == LINES_OK && len == 0);
	CHECK(kread_next(&r, &rec, &len) == LINES_EOF);
	kread_free(&r);
	close(fd);
}

/*
 * Megabytes of records of random sizes, some over the limit, with a
 * three-byte delimiter: the same records as a plain split, across block
 * boundaries.
 */
static void
blocks(void)
{
	size_t n = 5 * KREAD_BLOCK, i = 0, len, max = 3000, want, nrec = 0;
	char *in = malloc(n);
	const char *rec, *p, *d;
	struct kread r;
	int fd, rc, bad = 0;

	srandom(14);
	while (i < n) {
		size_t l = (size_t)random() % (random() % 50 ? 200 : 9000);

		for (; l > 0 && i < n; l--)
			in[i++] = "ab:"[random() % 3];
		if (i + 3 <= n)
			memcpy(in + i, ":::", 3), i += 3;
		else
			break;
	}
	n = i;
	fd = file_of(in, n);
	kread_init(&r, fd, ":::", 3, max);
	for (p = in; p < in + n && bad < 3; p = d + 3) {
		d = memmem(p, (size_t)(in + n - p), ":::", 3);
		want = d ? (size_t)(d - p) : (size_t)(in + n - p);
		if (d == NULL)
			d = in + n - 3;	/* the last record, without delimiter */
		rc = kread_next(&r, &rec, &len);
		nrec++;
		if (!CHECK(rc == (want > max ? LINES_TOOLONG : LINES_OK) &&
		    len == (want > max ? max : want) &&
		    memcmp(rec, p, len) == 0) ||
		    !CHECK(r.lineno == nrec)) {
			printf("#   record %zu at %zu: %zu bytes, rc %d len %zu\n",
			    nrec, (size_t)(p - in), want, rc, len);
			bad++;
		}
	}
	CHECK(kread_next(&r, &rec, &len) == LINES_EOF);
	kread_free(&r);
	close(fd);
	free(in);
}

/* Records longer than a block: the buffer grows up to the limit. */
static void
large(void)
{
	size_t a = KREAD_BLOCK + KREAD_BLOCK / 5, b = 3 * KREAD_BLOCK;
	size_t n = a + 1 + b + 1 + 2, len;
	char *in = malloc(n);
	const char *rec;
	struct kread r;
	int fd;

	memset(in, 'a', a);
	in[a] = '\n';
	memset(in + a + 1, 'b', b);
	memcpy(in + a + 1 + b, "\nx\n", 3);
	fd = file_of(in, n);
	kread_init(&r, fd, NULL, 0, KREAD_BLOCK + KREAD_BLOCK / 2);
	CHECK(kread_next(&r, &rec, &len) == LINES_OK && len == a &&
	    rec[0] == 'a' && rec[a - 1] == 'a');
	CHECK(kread_next(&r, &rec, &len) == LINES_TOOLONG &&
	    len == KREAD_BLOCK + KREAD_BLOCK / 2 && rec[0] == 'b' &&
	    rec[len - 1] == 'b');
	CHECK(kread_next(&r, &rec, &len) == LINES_OK);
	CHECK_MEM(rec, len, "x");
	CHECK(r.lineno == 3 && kread_next(&r, &rec, &len) == LINES_EOF);
	kread_free(&r);
	close(fd);
	free(in);
}

static void
delimiters(void)
{
	char err[128], *d;
	size_t len;

	d = kdelim_decode("\\t|\\x41\\n\\x7e", &len, err, sizeof(err));
	CHECK(d != NULL && len == 5 && memcmp(d, "\t|A\n~", 5) == 0);
	free(d);
	d = kdelim_decode(";Sep;", &len, err, sizeof(err));
	CHECK(d != NULL && len == 5 && strcmp(d, ";Sep;") == 0);
	free(d);
	{
		struct kprod kp = { 0 };

		CHECK(kprod_opt(&kp, 'D', "", err, sizeof(err)) < 0 &&
		    strstr(err, "empty") != NULL);
	}
	CHECK(kdelim_decode("a\\xzz", &len, err, sizeof(err)) == NULL &&
	    strstr(err, "hex") != NULL);
	CHECK(kdelim_decode("\\x00", &len, err, sizeof(err)) == NULL);
}

static void
headers(void)
{
	rd_kafka_headers_t *h = NULL;
	const void *v;
	size_t len;
	char err[128];

	CHECK(kprod_header(&h, "a=1", err, sizeof(err)) == 0);
	CHECK(kprod_header(&h, "b", err, sizeof(err)) == 0);
	CHECK(kprod_header(&h, "c=x=y", err, sizeof(err)) == 0);
	CHECK(kprod_header(&h, "=v", err, sizeof(err)) == -1);
	CHECK(kprod_header(&h, "", err, sizeof(err)) == -1);
	if (!CHECK(h != NULL && rd_kafka_header_cnt(h) == 3))
		return;
	CHECK(rd_kafka_header_get_last(h, "a", &v, &len) == 0 && len == 1 &&
	    memcmp(v, "1", 1) == 0);
	CHECK(rd_kafka_header_get_last(h, "b", &v, &len) == 0 && v == NULL);
	CHECK(rd_kafka_header_get_last(h, "c", &v, &len) == 0 && len == 3 &&
	    memcmp(v, "x=y", 3) == 0);
	rd_kafka_headers_destroy(h);
}

int
main(void)
{
	TEST("kread: records, a last one without delimiter, CR before \\n",
	    small());
	TEST("kread: a split as memmem's across 1 MiB blocks, long records cut",
	    blocks());
	TEST("kread: records over a block, and over the limit", large());
	TEST("kprod: -D and -K escapes as kcat decodes them", delimiters());
	TEST("kprod: -H name=value and name", headers());
	return unit_done();
}
