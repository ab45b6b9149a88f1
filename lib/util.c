/* util.c: program name, error reporting and allocation that cannot fail. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *progname = "webmon";
static const char *usage_text;
void (*progress_hook)(int fd);

void
setprogname(const char *argv0)
{
	const char *slash = strrchr(argv0, '/');

	progname = slash ? slash + 1 : argv0;
}

void
setusage(const char *synopsis)
{
	usage_text = synopsis;
}

/*
 * One write(2) per message: the programs of a pipeline share one stderr
 * (a terminal, a log file, the journal), and a message written in pieces
 * can be cut in two by another program's line.
 */
static void
vmsg(const char *pre, const char *fmt, va_list ap)
{
	int saved = errno;
	size_t len = strlen(fmt), n = 0;
	char line[4096];
	int r;

	r = snprintf(line, sizeof(line), "%s: %s", progname, pre);
	n = r < 0 ? 0 : (size_t)r;
	if (n < sizeof(line)) {
		r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
		n += r < 0 ? 0 : (size_t)r;
	}
	if (n < sizeof(line) && len > 0 && fmt[len - 1] == ':') {
		r = snprintf(line + n, sizeof(line) - n, " %s", strerror(saved));
		n += r < 0 ? 0 : (size_t)r;
	}
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;	/* cut an overlong message, keep the newline */
	line[n++] = '\n';
	fflush(stderr);		/* anything stdio still holds goes first */
	if (progress_hook)
		progress_hook(STDERR_FILENO);
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, line, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		memmove(line, line + w, n - (size_t)w);
		n -= (size_t)w;
	}
	errno = saved;
}

void
warnmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void
statsmsg(const char *kind, const char *fmt, ...)
{
	char pre[64], ts[32];
	struct tm tm;
	time_t t = time(NULL);
	va_list ap;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(ts, sizeof(ts), "-");
	snprintf(pre, sizeof(pre), "%s %s: ", ts, kind);
	va_start(ap, fmt);
	vmsg(pre, fmt, ap);
	va_end(ap);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	exit(1);
}

void
dieusage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	if (usage_text)
		fputs(usage_text, stderr);
	else
		fprintf(stderr, "usage: see %s --help\n", progname);
	exit(2);
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		die("out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		die("out of memory");
	return p;
}

void *
xreallocarray(void *p, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		die("out of memory");
	return xrealloc(p, nmemb * size);
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		die("out of memory");
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (p == NULL)
		die("out of memory");
	return p;
}

int
parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

int
parse_size(const char *s, size_t *out)
{
	char num[32];
	size_t n = s ? strlen(s) : 0, mult = 1;
	long v;

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'k': case 'K': mult = 1024; num[--n] = '\0'; break;
	case 'm': case 'M': mult = 1024 * 1024; num[--n] = '\0'; break;
	case 'g': case 'G': mult = 1024 * 1024 * 1024; num[--n] = '\0'; break;
	}
	if (parse_long(num, 1, 1L << 40, &v) < 0 || (size_t)v > SIZE_MAX / mult)
		return -1;
	*out = (size_t)v * mult;
	return 0;
}

void
ignore_sigpipe(void)
{
	signal(SIGPIPE, SIG_IGN);
}

void
catch_stop_signals(void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
