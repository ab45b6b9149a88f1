/*
 * koffset.h: kcat's -o start offset spec (beginning, end, stored, N, -N,
 * s@ms), its e@ms end, and the librdkafka start offset it asks for.
 */
#ifndef WEBMON_KOFFSET_H
#define WEBMON_KOFFSET_H

#include <stddef.h>
#include <stdint.h>

enum koffkind {
	KOFF_DEFAULT,		/* no -o: the beginning */
	KOFF_BEGIN,
	KOFF_END,
	KOFF_STORED,		/* the consumer group's committed offset */
	KOFF_ABS,		/* N: val is the offset */
	KOFF_TAIL,		/* -N: val is the count from the end */
	KOFF_TIME		/* s@ms: val is the timestamp in ms */
};

struct koffset {
	enum koffkind kind;
	int64_t val;
	int64_t stop_ms;	/* e@ms: stop before this timestamp; 0 none */
};

/*
 * Parse spec s into *ko: e@ms sets stop_ms and leaves the start alone, so
 * -o s@A -o e@B works as in kcat. Returns 0, or -1 with "expected ..." in
 * errstr.
 */
int koffset_parse(struct koffset *ko, const char *s, char *errstr,
    size_t errsize);
/* librdkafka start offset for one partition; not for KOFF_TIME. */
int64_t koffset_start(const struct koffset *ko);

#endif
