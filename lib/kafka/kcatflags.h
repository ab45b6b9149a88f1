/*
 * kcatflags.h: kcat's flags that wm-kafka-pub and wm-kafka-sub map onto
 * properties (-m), and a message for those they do not take.
 */
#ifndef WEBMON_KCATFLAGS_H
#define WEBMON_KCATFLAGS_H

#include <stddef.h>

/* getopt letters of the flags kcatflag_tag() maps, for both programs. */
#define KCATFLAG_OPTS	"m:"

/*
 * kcat's -m SECONDS (how long to wait for the first broker,
 * webmon.connect.timeout.ms) as a tagged -X argument (kconf_tag). Returns
 * it (caller frees), or NULL with errstr set.
 */
char *kcatflag_tag(int opt, const char *arg, char *errstr, size_t errsize);
/*
 * For getopt's unknown option optopt: when it is a kcat flag of the
 * producer (producer != 0) or consumer that this program does not take,
 * a message naming it (static); otherwise NULL.
 */
const char *kcatflag_unsupported(int optopt, int producer);

#endif
