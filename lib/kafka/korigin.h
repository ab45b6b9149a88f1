/*
 * korigin.h: where a produced line came from (the input's index, the line
 * number, and whether a -K delimiter was cut out of it), packed into the
 * pointer-sized message opaque that librdkafka hands back with a delivery
 * report, so that a failed line can be written back exactly as it was read.
 */
#ifndef WEBMON_KORIGIN_H
#define WEBMON_KORIGIN_H

#include <stddef.h>

#define KORIGIN_LINE_BITS 40
#define KORIGIN_FILE_BITS 22
#define KORIGIN_MAX_FILES (1L << KORIGIN_FILE_BITS)

struct korigin {
	size_t file;		/* input index, below KORIGIN_MAX_FILES */
	unsigned long lineno;	/* kept modulo 2^KORIGIN_LINE_BITS */
	int delim;		/* the line held the -K delimiter */
};

/* Pack o into an opaque pointer value; nothing is allocated. */
void *korigin_pack(const struct korigin *o);
/* Unpack an opaque made by korigin_pack(). */
struct korigin korigin_unpack(const void *opaque);

#endif
