/* koffset.c: kcat's -o start offset spec (see koffset.h). */
#include "koffset.h"

#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "util.h"

int
koffset_parse(struct koffset *ko, const char *s, char *errstr, size_t errsize)
{
	long v;

	if (strcmp(s, "beginning") == 0)
		ko->kind = KOFF_BEGIN;
	else if (strcmp(s, "end") == 0)
		ko->kind = KOFF_END;
	else if (strcmp(s, "stored") == 0)
		ko->kind = KOFF_STORED;
	else if (strncmp(s, "s@", 2) == 0) {
		if (parse_long(s + 2, 0, INT64_MAX, &v) < 0) {
			snprintf(errstr, errsize,
			    "expected s@ followed by milliseconds");
			return -1;
		}
		ko->kind = KOFF_TIME;
		ko->val = v;
	} else if (strncmp(s, "e@", 2) == 0) {
		if (parse_long(s + 2, 1, INT64_MAX, &v) < 0) {
			snprintf(errstr, errsize,
			    "expected e@ followed by milliseconds");
			return -1;
		}
		ko->stop_ms = v;
	} else if (parse_long(s, -INT64_MAX, INT64_MAX, &v) == 0) {
		ko->kind = v < 0 ? KOFF_TAIL : KOFF_ABS;
		ko->val = v < 0 ? -v : v;
	} else {
		snprintf(errstr, errsize,
		    "expected beginning, end, stored, N, -N, s@ms or e@ms");
		return -1;
	}
	return 0;
}

int64_t
koffset_start(const struct koffset *ko)
{
	switch (ko->kind) {
	case KOFF_END:
		return RD_KAFKA_OFFSET_END;
	case KOFF_STORED:
		return RD_KAFKA_OFFSET_STORED;
	case KOFF_ABS:
		return ko->val;
	case KOFF_TAIL:
		return RD_KAFKA_OFFSET_TAIL(ko->val);
	default:
		return RD_KAFKA_OFFSET_BEGINNING;
	}
}
