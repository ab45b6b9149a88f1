/* kfmt.c: kcat's consumer output formats (see kfmt.h). */
#include "kafka/kfmt.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "kafka/kdelim.h"
#include "util.h"

static void
add(struct kfmt *f, int type, char *text, size_t len)
{
	/* Adjacent text is one token: the output is the same. */
	if (type == KFMT_TEXT && f->n > 0 && f->toks[f->n - 1].type == KFMT_TEXT) {
		struct kfmt_tok *t = &f->toks[f->n - 1];

		t->text = xrealloc(t->text, t->len + len + 1);
		memcpy(t->text + t->len, text, len);
		t->len += len;
		t->text[t->len] = '\0';
		free(text);
		return;
	}
	f->toks = xreallocarray(f->toks, f->n + 1, sizeof(*f->toks));
	f->toks[f->n++] = (struct kfmt_tok){ type, text, len };
}

/*
 * Add text s[0..n) with kcat's escapes decoded: \t \n \r, \xHH (hex) and
 * \NNN (C notation: decimal, 0 octal, 0x hex), the number read as far as
 * it goes and kept to a byte; before anything else, or a \x not followed
 * by a digit, the backslash (and the x) is dropped. s[n] must be '%' or
 * NUL, so that no number reads past the text.
 */
static int
add_text(struct kfmt *f, const char *s, size_t n, char *errstr, size_t errsize)
{
	char *d = xmalloc(n + 1), *end;
	size_t i, j = 0;
	unsigned char v;
	int base;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\' || i + 1 >= n) {
			d[j++] = s[i];
			continue;
		}
		base = 0;
		switch (s[++i]) {
		case 't':
			d[j++] = '\t';
			continue;
		case 'n':
			d[j++] = '\n';
			continue;
		case 'r':
			d[j++] = '\r';
			continue;
		case 'x':
			base = 16;
			i++;
			break;
		}
		if (i < n && !isdigit((unsigned char)s[i])) {
			d[j++] = s[i];
			continue;
		}
		/* kcat ends its text at a NUL byte, or at a \x with no digit
		 * after it at the end of the text (reading past it). */
		v = i < n ? (unsigned char)strtoul(s + i, &end, base) : 0;
		if (v == 0) {
			snprintf(errstr, errsize, "'%.*s': a NUL byte is not "
			    "supported (kcat cuts the text there)", (int)n, s);
			free(d);
			return -1;
		}
		d[j++] = (char)v;
		i = (size_t)(end - s) - 1;
	}
	d[j] = '\0';
	add(f, KFMT_TEXT, d, j);
	return 0;
}

int
kfmt_flag(struct kfmt_flags *fl, int opt, const char *arg)
{
	switch (opt) {
	case 'f':
		fl->fmt = arg;
		return 1;
	case 'K':
		fl->keydelim = arg;
		return 1;
	case 'D':
		fl->delim = arg;
		return 1;
	case 'Z':
		fl->null = 1;
		return 1;
	case 'u':
		fl->unbuffered = 1;
		return 1;
	case 'J':
		fl->json = 1;
		return 1;
	}
	return 0;
}

int
kfmt_parse(struct kfmt *f, const char *fmt, char *errstr, size_t errsize)
{
	static const char tokens[] = "sSRkKtpoTh";
	const char *s = fmt, *t, *p;

	memset(f, 0, sizeof(*f));
	while (*s != '\0') {
		if ((t = strchr(s, '%')) == NULL)
			t = s + strlen(s);
		if (t > s && add_text(f, s, (size_t)(t - s), errstr, errsize) < 0)
			goto fail;
		if (*t == '\0')
			break;
		s = t + 1;
		if (*s == '%')
			add(f, KFMT_TEXT, xstrdup("%"), 1);
		else if (*s != '\0' && (p = strchr(tokens, *s)) != NULL)
			add(f, KFMT_PAYLOAD + (int)(p - tokens), NULL, 0);
		else {
			if (*s == '\0')
				snprintf(errstr, errsize, "'%%' at the end: "
				    "write %%%% for a percent sign");
			else
				snprintf(errstr, errsize, "unsupported token "
				    "'%%%c' (kcat has %%s %%S %%R %%k %%K %%t "
				    "%%p %%o %%T %%h)", *s);
			goto fail;
		}
		s++;
	}
	return 0;
fail:
	kfmt_free(f);
	return -1;
}

int
kfmt_one_line(const struct kfmt *f)
{
	const struct kfmt_tok *last = f->n ? &f->toks[f->n - 1] : NULL;
	size_t i, nl = 0;

	for (i = 0; i < f->n; i++) {
		const char *p = f->toks[i].text, *e;

		if (f->toks[i].type != KFMT_TEXT)
			continue;
		for (e = p + f->toks[i].len; (p = memchr(p, '\n',
		    (size_t)(e - p))) != NULL; p++)
			nl++;
	}
	return nl == 1 && last->type == KFMT_TEXT && last->len > 0 &&
	    last->text[last->len - 1] == '\n';
}

/* What -f (or -K, -D, -Z) became, to name it in a message. */
static void
built_error(const struct kfmt_flags *fl, const char *built, const char *why,
    char *errstr, size_t errsize)
{
	if (fl->fmt)
		snprintf(errstr, errsize, "-f '%s': %s", fl->fmt, why);
	else
		snprintf(errstr, errsize, "-K/-D: kcat's format from them "
		    "'%s': %s", built, why);
}

int
kfmt_from_flags(struct kfmt *f, const struct kfmt_flags *fl, char *errstr,
    size_t errsize)
{
	struct buf b = BUF_INIT;
	char *delim = NULL, *key = NULL, why[256];
	int nl, rc = -1;

	memset(f, 0, sizeof(*f));
	if (fl->fmt && fl->json) {
		snprintf(errstr, errsize, "-f and -J: give one (kcat -J "
		    "writes the envelope and ignores the format)");
		return -1;
	}
	if (fl->delim && (delim = kdelim_decode(fl->delim, NULL, why,
	    sizeof(why))) == NULL) {
		snprintf(errstr, errsize, "-D '%s': %s", fl->delim, why);
		return -1;
	}
	if (fl->keydelim && !fl->fmt && !fl->json && (key = kdelim_decode(
	    fl->keydelim, NULL, why, sizeof(why))) == NULL) {
		snprintf(errstr, errsize, "-K '%s': %s", fl->keydelim, why);
		goto out;
	}
	nl = delim == NULL || strcmp(delim, "\n") == 0;
	if (fl->json && !nl && fl->ack) {
		snprintf(errstr, errsize, "-D with --ack: only \\n (a line is "
		    "what the sink acknowledges)");
		goto out;
	}
	/* kcat's own format for -K and -D: "%k<K>%s<D>" or "%s<D>". */
	if (fl->fmt)
		buf_puts(&b, fl->fmt);
	else if (fl->json && !nl)
		buf_puts(&b, delim);
	else if (!fl->json && (key || fl->null || !nl))
		buf_printf(&b, "%s%s%%s%s", key ? "%k" : "", key ? key : "",
		    delim ? delim : "\n");
	else {
		rc = 0;		/* the plain output */
		goto out;
	}
	if (kfmt_parse(f, b.data ? b.data : "", why, sizeof(why)) < 0) {
		built_error(fl, b.data, why, errstr, errsize);
		goto out;
	}
	f->null = fl->null;
	rc = 1;
	if (fl->ack && !fl->json && !kfmt_one_line(f)) {
		if (fl->fmt)
			built_error(fl, b.data, "with --ack the format must end "
			    "in \\n and hold no other newline (a line is what "
			    "the sink acknowledges)", errstr, errsize);
		else if (!nl)
			snprintf(errstr, errsize, "-D with --ack: only \\n (a "
			    "line is what the sink acknowledges)");
		else
			snprintf(errstr, errsize, "-K with --ack: the delimiter "
			    "must not hold a newline (a line is what the sink "
			    "acknowledges)");
		kfmt_free(f);
		rc = -1;
	}
out:
	free(delim);
	free(key);
	buf_free(&b);
	return rc;
}

/* A key or payload: its bytes, or with -Z "NULL" when empty, as kcat. */
static void
field(struct buf *out, const void *p, size_t len, int null)
{
	if (len > 0)
		buf_append(out, p, len);
	else if (null)
		buf_append(out, "NULL", 4);
}

/* kcat's %h: name=value pairs joined by commas, "NULL" for a NULL value. */
static void
headers(struct buf *out, const rd_kafka_headers_t *hdrs)
{
	const char *name;
	const void *val;
	size_t size, i;

	for (i = 0; hdrs != NULL && rd_kafka_header_get_all(hdrs, i, &name,
	    &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
		buf_printf(out, "%s%s=", i > 0 ? "," : "", name);
		if (val == NULL)
			buf_append(out, "NULL", 4);
		else
			buf_append(out, val, size);
	}
}

void
kfmt_render(const struct kfmt *f, struct buf *out, const struct kfmt_msg *m)
{
	size_t i;
	uint32_t be;
	unsigned char b4[4];

	for (i = 0; i < f->n; i++) {
		switch (f->toks[i].type) {
		case KFMT_TEXT:
			buf_append(out, f->toks[i].text, f->toks[i].len);
			break;
		case KFMT_PAYLOAD:
			field(out, m->payload, m->len, f->null);
			break;
		case KFMT_PAYLOAD_LEN:
			buf_printf(out, "%zd", m->payload ? (ssize_t)m->len : -1);
			break;
		case KFMT_PAYLOAD_LEN_BE32:
			be = m->payload ? (uint32_t)m->len : UINT32_MAX;
			b4[0] = (unsigned char)(be >> 24);
			b4[1] = (unsigned char)(be >> 16);
			b4[2] = (unsigned char)(be >> 8);
			b4[3] = (unsigned char)be;
			buf_append(out, b4, 4);
			break;
		case KFMT_KEY:
			field(out, m->key, m->keylen, f->null);
			break;
		case KFMT_KEY_LEN:
			buf_printf(out, "%zd", m->key ? (ssize_t)m->keylen : -1);
			break;
		case KFMT_TOPIC:
			buf_puts(out, m->topic);
			break;
		case KFMT_PARTITION:
			buf_printf(out, "%" PRId32, m->partition);
			break;
		case KFMT_OFFSET:
			buf_printf(out, "%" PRId64, m->offset);
			break;
		case KFMT_TIMESTAMP:
			buf_printf(out, "%" PRId64, m->ts);
			break;
		case KFMT_HEADERS:
			headers(out, m->hdrs);
			break;
		}
	}
}

void
kfmt_lead(const struct kfmt *f, struct buf *out)
{
	if (f->n > 0 && f->toks[0].type == KFMT_TEXT)
		buf_append(out, f->toks[0].text, f->toks[0].len);
}

void
kfmt_message(struct kfmt_msg *km, const rd_kafka_message_t *m)
{
	rd_kafka_headers_t *hdrs;
	rd_kafka_timestamp_type_t tstype;

	km->topic = rd_kafka_topic_name(m->rkt);
	km->partition = m->partition;
	km->offset = m->offset;
	km->ts = rd_kafka_message_timestamp(m, &tstype);
	km->key = m->key;
	km->keylen = m->key_len;
	km->payload = m->payload;
	km->len = m->len;
	km->hdrs = rd_kafka_message_headers(m, &hdrs) ==
	    RD_KAFKA_RESP_ERR_NO_ERROR ? hdrs : NULL;
}

void
kfmt_free(struct kfmt *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->toks[i].text);
	free(f->toks);
	f->toks = NULL;
	f->n = 0;
}
