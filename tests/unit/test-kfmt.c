/* test-kfmt.c: kcat's -f formats, -K/-D delimiters and -Z (lib/kafka/kfmt.c). */
#include <stdlib.h>

#include "buf.h"
#include "kafka/kdelim.h"
#include "kafka/kfmt.h"
#include "unit.h"

static const struct kfmt_msg msg = {
	"top", 2, 41, 1700000000123, "k1", "hello", 2, 5, NULL
};

/* fmt rendered for m, as a C string in a static buffer; NULL if refused. */
static const char *
render(const char *fmt, const struct kfmt_msg *m, size_t *len)
{
	static struct buf out;
	struct kfmt f;
	char err[256];

	buf_reset(&out);
	if (kfmt_parse(&f, fmt, err, sizeof(err)) < 0)
		return NULL;
	kfmt_render(&f, &out, m);
	kfmt_free(&f);
	if (len)
		*len = out.len;
	return out.data ? out.data : "";
}

/* The format kfmt_from_flags() makes of fl, rendered for msg; "plain"
 * when there is none, "error: ..." when refused. */
static const char *
flags(const struct kfmt_flags *fl)
{
	static struct buf out;
	static char err[256];
	struct kfmt f;
	int rc;

	buf_reset(&out);
	if ((rc = kfmt_from_flags(&f, fl, err + 7, sizeof(err) - 7)) < 0) {
		memcpy(err, "error: ", 7);
		return err;
	}
	if (rc == 0)
		return f.n == 0 && f.toks == NULL ? "plain" : "plain, not empty";
	if (fl->json)
		kfmt_lead(&f, &out);
	else
		kfmt_render(&f, &out, &msg);
	kfmt_free(&f);
	return out.data ? out.data : "";
}

static void
tokens(void)
{
	const char *s;
	size_t n;

	s = render("%t [%p] at %o: %k=%s (%K/%S) @%T%%\n", &msg, NULL);
	CHECK(s && strcmp(s, "top [2] at 41: k1=hello (2/5) @1700000000123%\n") == 0);
	/* %R: the payload length as a big-endian 32-bit integer. */
	s = render("%R", &msg, &n);
	CHECK(s && n == 4 && memcmp(s, "\0\0\0\5", 4) == 0);
	CHECK(render("", &msg, &n) != NULL && n == 0);
	CHECK(render("no tokens", &msg, NULL) != NULL);
}

static void
nulls(void)
{
	struct kfmt_msg m = msg;
	struct kfmt f;
	struct buf out = BUF_INIT;
	const char *s;
	size_t n;
	char err[256];

	/* A NULL key or payload has length -1, an empty one 0. */
	m.key = NULL;
	m.keylen = 0;
	m.payload = "";
	m.len = 0;
	s = render("[%k][%s] %K %S|%R", &m, &n);
	CHECK(s && n == 14 && memcmp(s, "[][] -1 0|\0\0\0\0", 14) == 0);
	m.payload = NULL;
	s = render("%S|%R", &m, &n);
	CHECK(s && n == 7 && memcmp(s, "-1|\377\377\377\377", 7) == 0);
	/* -Z: an empty or NULL key or payload prints NULL. */
	CHECK(kfmt_parse(&f, "%k|%s\n", err, sizeof(err)) == 0);
	f.null = 1;
	kfmt_render(&f, &out, &m);
	CHECK_MEM(out.data, out.len, "NULL|NULL\n");
	kfmt_free(&f);
	buf_free(&out);
}

static void
escapes(void)
{
	const char *s;
	char err[256];
	struct kfmt f;

	CHECK(strcmp(render("a\\tb\\rc\\\\d\\e\\n", &msg, NULL), "a\tb\rc\\de\n") == 0);
	/* \x reads hex only from a digit on: \xab is "ab", as in kcat. */
	CHECK(strcmp(render("\\x41\\x42\\xab\\x7a", &msg, NULL), "ABabz") == 0);
	CHECK(strcmp(render("\\x4142", &msg, NULL), "B") == 0);
	/* \NNN is a C number: decimal, or octal after a 0. */
	CHECK(strcmp(render("\\101\\0123", &msg, NULL), "eS") == 0);
	/* A backslash at the end of a text (before a token) is kept. */
	CHECK(strcmp(render("a\\%s\\", &msg, NULL), "a\\hello\\") == 0);
	/* A NUL byte is refused: kcat cuts the text there. */
	CHECK(kfmt_parse(&f, "x\\x00y%s", err, sizeof(err)) < 0);
	CHECK(strstr(err, "NUL byte") != NULL);
	CHECK(kfmt_parse(&f, "\\0%s", err, sizeof(err)) < 0);
	CHECK(kfmt_parse(&f, "%sab\\x", err, sizeof(err)) < 0);
	CHECK(kfmt_parse(&f, "\\x%s", err, sizeof(err)) < 0);
	/* \x then no digit: the x goes, the character stays. */
	s = render("\\xg%s", &msg, NULL);
	CHECK(s && strcmp(s, "ghello") == 0);
	CHECK(kfmt_parse(&f, "%s%", err, sizeof(err)) < 0);
	CHECK(strstr(err, "at the end") != NULL);
	CHECK(kfmt_parse(&f, "%z", err, sizeof(err)) < 0);
	CHECK(strstr(err, "'%z'") != NULL);
}

static void
hdrs(void)
{
	struct kfmt_msg m = msg;
	rd_kafka_headers_t *h = rd_kafka_headers_new(4);

	CHECK(strcmp(render("[%h]", &m, NULL), "[]") == 0);
	rd_kafka_header_add(h, "a", -1, "1", -1);
	rd_kafka_header_add(h, "b", -1, NULL, 0);
	rd_kafka_header_add(h, "c", -1, "", 0);
	rd_kafka_header_add(h, "a", -1, "x y", -1);
	m.hdrs = h;
	CHECK(strcmp(render("[%h]", &m, NULL), "[a=1,b=NULL,c=,a=x y]") == 0);
	rd_kafka_headers_destroy(h);
}

static void
delims(void)
{
	static const char *cases[][2] = {
		{ "", "" }, { "\\n", "\n" }, { "\\t\\n\\n", "\t\n\n" },
		{ "\\x54!\\x45\\x53T", "T!EST" }, { "\\x30", "0" },
		{ "a|b", "a|b" }, { "\\x5cn", "\n" },	/* decoded again */
	};
	char err[256], *d;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = kdelim_decode(cases[i][0], NULL, err, sizeof(err));
		if (!CHECK(d != NULL && strcmp(d, cases[i][1]) == 0))
			printf("#   case %zu: '%s'\n", i, cases[i][0]);
		free(d);
	}
	CHECK(kdelim_decode("\\xzz", NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "hex number") != NULL);
	CHECK(kdelim_decode("a\\x00", NULL, err, sizeof(err)) == NULL);
}

static void
from_flags(void)
{
	struct kfmt_flags fl;

	memset(&fl, 0, sizeof(fl));
	CHECK(strcmp(flags(&fl), "plain") == 0);
	fl.delim = "\\n";
	CHECK(strcmp(flags(&fl), "plain") == 0);
	fl.json = 1;
	CHECK(strcmp(flags(&fl), "plain") == 0);
	fl.delim = "|";
	CHECK(strcmp(flags(&fl), "|") == 0);	/* after each envelope */
	fl.keydelim = ":";			/* -J ignores -K, as kcat */
	CHECK(strcmp(flags(&fl), "|") == 0);
	fl.ack = 1;
	CHECK(strncmp(flags(&fl), "error: -D with --ack", 20) == 0);
	fl.fmt = "%s\n";
	CHECK(strncmp(flags(&fl), "error: -f and -J", 16) == 0);

	memset(&fl, 0, sizeof(fl));
	fl.keydelim = ":";
	CHECK(strcmp(flags(&fl), "k1:hello\n") == 0);
	fl.delim = ";";
	CHECK(strcmp(flags(&fl), "k1:hello;") == 0);
	fl.ack = 1;
	CHECK(strncmp(flags(&fl), "error: -D with --ack", 20) == 0);
	fl.delim = NULL;
	fl.keydelim = "\\n";
	CHECK(strncmp(flags(&fl), "error: -K with --ack", 20) == 0);
	/* kcat builds "%k<K>%s<D>" and parses it: a % in -K is a token. */
	fl.ack = 0;
	fl.keydelim = "%";
	CHECK(strcmp(flags(&fl), "k1%s\n") == 0);
	fl.keydelim = NULL;
	fl.delim = "%";
	CHECK(strncmp(flags(&fl), "error: -K/-D", 12) == 0);

	/* -f wins over -K and -D; with --ack it must be one line. */
	memset(&fl, 0, sizeof(fl));
	fl.fmt = "%k=%s\n";
	fl.keydelim = ":";
	fl.delim = ";";
	CHECK(strcmp(flags(&fl), "k1=hello\n") == 0);
	fl.ack = 1;
	CHECK(strcmp(flags(&fl), "k1=hello\n") == 0);
	fl.fmt = "%s";
	CHECK(strncmp(flags(&fl), "error: -f '%s': with --ack", 26) == 0);
	fl.fmt = "a\\nb%s\n";
	CHECK(strncmp(flags(&fl), "error: -f", 9) == 0);
	fl.fmt = "%s\n%%";
	CHECK(strncmp(flags(&fl), "error: -f", 9) == 0);

	/* -Z alone: kcat's "%s\n" with NULL for empty payloads. */
	memset(&fl, 0, sizeof(fl));
	fl.null = 1;
	CHECK(strcmp(flags(&fl), "hello\n") == 0);
}

int
main(void)
{
	TEST("kfmt: every token of kcat -f", tokens());
	TEST("kfmt: NULL and empty keys and payloads, -Z", nulls());
	TEST("kfmt: backslash escapes as kcat decodes them", escapes());
	TEST("kfmt: %h is kcat's name=value list", hdrs());
	TEST("kfmt: -K and -D delimiters decoded as kcat does", delims());
	TEST("kfmt: -f, -K, -D, -Z, -J and --ack together", from_flags());
	return unit_done();
}
