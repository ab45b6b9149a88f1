/*
 * kfmt.h: kcat's consumer output formats: -f FORMAT with its % tokens and
 * backslash escapes, and the formats kcat builds from -K, -D and -Z, with
 * kcat 1.7's meaning byte for byte (see wm-kafka-sub(1), FORMAT).
 */
#ifndef WEBMON_KFMT_H
#define WEBMON_KFMT_H

#include <stddef.h>
#include <stdint.h>
#include <librdkafka/rdkafka.h>

#include "buf.h"

enum {
	KFMT_TEXT,		/* literal bytes */
	KFMT_PAYLOAD,		/* %s */
	KFMT_PAYLOAD_LEN,	/* %S */
	KFMT_PAYLOAD_LEN_BE32,	/* %R */
	KFMT_KEY,		/* %k */
	KFMT_KEY_LEN,		/* %K */
	KFMT_TOPIC,		/* %t */
	KFMT_PARTITION,		/* %p */
	KFMT_OFFSET,		/* %o */
	KFMT_TIMESTAMP,		/* %T */
	KFMT_HEADERS		/* %h */
};

struct kfmt_tok {
	int type;		/* KFMT_ */
	char *text;		/* owned; KFMT_TEXT only */
	size_t len;
};

struct kfmt {
	struct kfmt_tok *toks;	/* owned */
	size_t n;
	int null;		/* -Z: an empty key or payload prints "NULL" */
};

/* One message's fields, as the renderer reads them; nothing is owned. */
struct kfmt_msg {
	const char *topic;
	int32_t partition;
	int64_t offset;
	int64_t ts;			/* -1: none */
	const void *key, *payload;	/* NULL: a NULL key or payload */
	size_t keylen, len;
	const rd_kafka_headers_t *hdrs;	/* NULL: no headers */
};

/* kcat's consumer output flags, as given (NULL or 0 when absent). */
struct kfmt_flags {
	const char *fmt;	/* -f */
	const char *keydelim;	/* -K */
	const char *delim;	/* -D */
	int null;		/* -Z */
	int json;		/* -J */
	int ack;		/* --ack: one line per message */
	int unbuffered;		/* -u: not a format; written per message */
};

/*
 * Take kcat's output flag opt (-f, -J, -K, -D, -Z, -u; arg for those with one)
 * into fl. Returns 1, or 0 when opt is none of them.
 */
int kfmt_flag(struct kfmt_flags *fl, int opt, const char *arg);
/*
 * Parse kcat's -f FORMAT into f (kfmt_free() it). Returns 0, or -1 with
 * errstr set ("unsupported token %x", a NUL byte from an escape...).
 */
int kfmt_parse(struct kfmt *f, const char *fmt, char *errstr, size_t errsize);
/*
 * The format for fl into *f, or 0 with f->n == 0 and f->toks NULL when the
 * plain output applies (payload lines, or -J's envelope and a newline).
 * With -J a format is only -D's delimiter after each envelope. Refuses
 * -f with -J, and with fl->ack any format that is not one line per
 * message. Returns 0, or -1 with errstr set (a usage error).
 */
int kfmt_from_flags(struct kfmt *f, const struct kfmt_flags *fl, char *errstr,
    size_t errsize);
/*
 * 1 when every message renders as at most one line: the format's text ends
 * in its only newline (a field may still hold one: check the output).
 */
int kfmt_one_line(const struct kfmt *f);
/* Append m rendered through f to out. */
void kfmt_render(const struct kfmt *f, struct buf *out, const struct kfmt_msg *m);
/* Append what kcat writes after a -J envelope: f's leading text, if any. */
void kfmt_lead(const struct kfmt *f, struct buf *out);
/* m's fields from a Kafka message (which must outlive km). */
void kfmt_message(struct kfmt_msg *km, const rd_kafka_message_t *m);
/* Free f's tokens; f is empty afterwards. */
void kfmt_free(struct kfmt *f);

#endif
