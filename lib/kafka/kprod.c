/* kprod.c: kcat's message-shaping producer flags (see kprod.h). */
#include "kafka/kprod.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/kdelim.h"
#include "util.h"

int
kprod_header(rd_kafka_headers_t **hdrs, const char *arg, char *errstr,
    size_t errsize)
{
	const char *eq = strchr(arg, '=');
	rd_kafka_resp_err_t err;

	if (*arg == '\0' || eq == arg) {
		snprintf(errstr, errsize, "-H '%s': expected name=value or "
		    "name", arg);
		return -1;
	}
	if (*hdrs == NULL)
		*hdrs = rd_kafka_headers_new(8);
	err = rd_kafka_header_add(*hdrs, arg, eq ? eq - arg : -1,
	    eq ? eq + 1 : NULL, -1);
	if (err) {
		snprintf(errstr, errsize, "-H '%s': %s", arg,
		    rd_kafka_err2str(err));
		return -1;
	}
	return 0;
}

int
kprod_opt(struct kprod *kp, int opt, const char *arg, char *errstr,
    size_t errsize)
{
	char *d, **to = opt == 'D' ? &kp->delim : &kp->keydelim, why[160];
	size_t len;

	switch (opt) {
	case 'D':
	case 'K':
		if ((d = kdelim_decode(arg, &len, why, sizeof(why))) == NULL ||
		    len == 0) {
			snprintf(errstr, errsize, "-%c: %s", opt, d == NULL ? why :
			    "the delimiter must not be empty");
			free(d);
			return -1;
		}
		free(*to);
		*to = d;
		if (opt == 'D')
			kp->dlen = len;
		return 0;
	case 'H':
		return kprod_header(&kp->hdrs, arg, errstr, errsize);
	case 'T':
		kp->tee = 1;
		return 0;
	case 'Z':
		kp->nulls = 1;
		return 0;
	case 'l':
		return 0;	/* kcat's "lines of a file": always so here */
	}
	snprintf(errstr, errsize, "-%c: not a producer flag of kcat", opt);
	return -1;
}

int
kprod_tee(const struct kprod *kp, const char *line, size_t len)
{
	size_t dlen = kp->delim ? kp->dlen : 1;

	errno = 0;
	if (line == NULL ? fflush(stdout) == EOF :
	    fwrite(line, 1, len, stdout) != len ||
	    fwrite(kp->delim ? kp->delim : "\n", 1, dlen, stdout) != dlen)
		return errno ? errno : EIO;
	return 0;
}

void
kprod_free(struct kprod *kp)
{
	free(kp->delim);
	free(kp->keydelim);
	if (kp->hdrs)
		rd_kafka_headers_destroy(kp->hdrs);
	memset(kp, 0, sizeof(*kp));
}
