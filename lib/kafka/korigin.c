/* korigin.c: a line's origin packed into a message opaque (see korigin.h). */
#include "korigin.h"

#include <stdint.h>

#define LINE_MASK (((uint64_t)1 << KORIGIN_LINE_BITS) - 1)
#define FILE_MASK (((uint64_t)1 << KORIGIN_FILE_BITS) - 1)
#define DELIM_BIT ((uint64_t)1 << 63)

void *
korigin_pack(const struct korigin *o)
{
	uint64_t v = (uint64_t)o->lineno & LINE_MASK;

	v |= (uint64_t)o->file << KORIGIN_LINE_BITS;
	if (o->delim)
		v |= DELIM_BIT;
	return (void *)(uintptr_t)v;
}

struct korigin
korigin_unpack(const void *opaque)
{
	uint64_t v = (uintptr_t)opaque;
	struct korigin o;

	o.lineno = (unsigned long)(v & LINE_MASK);
	o.file = (size_t)((v >> KORIGIN_LINE_BITS) & FILE_MASK);
	o.delim = (v & DELIM_BIT) != 0;
	return o;
}
