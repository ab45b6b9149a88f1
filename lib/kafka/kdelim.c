/* kdelim.c: kcat's -D and -K delimiters, decoded as kcat does. */
#include "kafka/kdelim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

char *
kdelim_decode(const char *in, size_t *len, char *errstr, size_t errsize)
{
	char *s = xstrdup(in), *t, *end;
	size_t skip;
	unsigned long x;

	/* Each pass decodes the first escape of one kind, as kcat does. */
	for (;;) {
		if ((t = strstr(s, "\\n")) != NULL) {
			*t = '\n';
			skip = 1;
		} else if ((t = strstr(s, "\\t")) != NULL) {
			*t = '\t';
			skip = 1;
		} else if ((t = strstr(s, "\\x")) != NULL) {
			x = strtoul(t + 2, &end, 16) & 0xff;
			if (end == t + 2) {
				snprintf(errstr, errsize, "'%s': \\x expects a hex "
				    "number", t);
				free(s);
				return NULL;
			}
			if (x == 0) {
				snprintf(errstr, errsize, "a NUL byte is not "
				    "supported (kcat cuts the delimiter there)");
				free(s);
				return NULL;
			}
			*t = (char)x;
			skip = (size_t)(end - t) - 1;
		} else
			break;
		memmove(t + 1, t + 1 + skip, strlen(t + 1 + skip) + 1);
	}
	if (len != NULL)
		*len = strlen(s);
	return s;
}
