/* util.h: program name, error reporting and allocation that cannot fail. */
#ifndef WEBMON_UTIL_H
#define WEBMON_UTIL_H

#include <stddef.h>

/* Name used to prefix messages; set once from argv[0] by setprogname(). */
extern const char *progname;
void setprogname(const char *argv0);

/*
 * Print "prog: message" on stderr. A format ending in ':' gets ": strerror(errno)"
 * appended. die() then exits with status 1, dieusage() with status 2.
 */
void warnmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void dieusage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation wrappers: exit with status 1 on failure, never return NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Parse a whole decimal number; returns 0 on success, -1 if junk or out of [min,max]. */
int parse_long(const char *s, long min, long max, long *out);
/* Parse a non-negative decimal number of seconds such as "0.25"; -1 on error. */
int parse_seconds(const char *s, double *out);

/* Ignore SIGPIPE so writes return EPIPE and the program can exit cleanly. */
void ignore_sigpipe(void);
/*
 * Call handler on SIGINT and SIGTERM. No SA_RESTART: a blocking call the
 * signal lands in returns EINTR, so the main loop sees the flag at once.
 */
void catch_stop_signals(void (*handler)(int));

#endif
