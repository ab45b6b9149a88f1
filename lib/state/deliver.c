/* deliver.c: webhook POSTs through libcurl and commands through sh -c. */
#include "state/deliver.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "timeutil.h"
#include "utf8.h"
#include "util.h"

int
webhook_load(const char *path, char **url, struct curl_slist **headers,
    char *err, size_t errsize)
{
	char *line = NULL, *p;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int first = 1;

	*url = NULL;
	*headers = NULL;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errsize, "'%s': %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		if (first) {
			*url = xstrdup(line);
			first = 0;
			continue;
		}
		if ((p = strchr(line, ':')) == NULL || p == line) {
			snprintf(err, errsize, "'%s': expected 'Name: value' "
			    "header lines after the URL", path);
			goto bad;
		}
		*headers = curl_slist_append(*headers, line);
	}
	fclose(f);
	free(line);
	if (*url == NULL) {
		snprintf(err, errsize, "'%s': no URL in it", path);
		return -1;
	}
	return 0;
bad:
	fclose(f);
	free(line);
	free(*url);
	curl_slist_free_all(*headers);
	*url = NULL, *headers = NULL;
	return -1;
}

int
webhook_init(struct webhook *w, const char *url, struct curl_slist *headers,
    long timeout_ms, char *err, size_t errsize)
{
	memset(w, 0, sizeof *w);
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
		snprintf(err, errsize, "the webhook URL must be http:// or https://");
		curl_slist_free_all(headers);
		return -1;
	}
	w->url = xstrdup(url);
	w->headers = curl_slist_append(headers, "Content-Type: application/json");
	w->headers = curl_slist_append(w->headers, "Expect:");
	w->timeout_ms = timeout_ms;
	if ((w->curl = curl_easy_init()) == NULL) {
		snprintf(err, errsize, "curl_easy_init failed");
		return -1;
	}
	return 0;
}

void
webhook_free(struct webhook *w)
{
	if (w->curl)
		curl_easy_cleanup(w->curl);
	curl_slist_free_all(w->headers);
	free(w->url);
	memset(w, 0, sizeof *w);
}

static size_t
discard(char *p, size_t size, size_t n, void *u)
{
	(void)p, (void)u;
	return size * n;
}

int
webhook_post(struct webhook *w, const char *id, const char *body, char *why,
    size_t whysize)
{
	struct curl_slist *h, *x;
	char hdr[128];
	long code = 0;
	CURLcode rc;

	snprintf(hdr, sizeof hdr, "X-Webmon-Event: %s", id);
	h = curl_slist_append(NULL, hdr);
	for (x = w->headers; x; x = x->next)
		h = curl_slist_append(h, x->data);
	curl_easy_reset(w->curl);
	curl_easy_setopt(w->curl, CURLOPT_URL, w->url);
	curl_easy_setopt(w->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, w->timeout_ms);
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(w->curl, CURLOPT_USERAGENT, "wm-notify/" WEBMON_VERSION);
	rc = curl_easy_perform(w->curl);
	curl_slist_free_all(h);
	if (rc != CURLE_OK) {
		/* The URL may hold a secret: say what failed, not where. */
		snprintf(why, whysize, "webhook: %s", curl_easy_strerror(rc));
		return DELIV_RETRY;
	}
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 200 && code < 300)
		return DELIV_OK;
	snprintf(why, whysize, "webhook: HTTP status %ld", code);
	return code >= 500 || code == 408 || code == 429 ? DELIV_RETRY : DELIV_FAIL;
}

/* Longest value of a WM_* variable, in bytes. */
#define WM_ENV_MAX (64 * 1024)

/* WM_KEY=value for each string, number or boolean of vars. */
static char **
make_env(const json_t *vars)
{
	extern char **environ;
	size_t n = 0, k = 0, i;
	const char *key;
	json_t *val;
	char **env;
	struct buf b = BUF_INIT;

	while (environ[n])
		n++;
	env = xcalloc(n + json_object_size(vars) + 1, sizeof *env);
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "WM_", 3) != 0)
			env[k++] = xstrdup(environ[i]);
	json_object_foreach((json_t *)vars, key, val) {
		buf_reset(&b);
		buf_puts(&b, "WM_");
		for (i = 0; key[i]; i++)
			buf_putc(&b, (char)toupper((unsigned char)key[i]));
		buf_putc(&b, '=');
		if (json_is_string(val)) {
			const char *v = json_string_value(val);

			/* One environment string may not exceed 128 KiB
			 * (execve fails with E2BIG): the whole text is on
			 * stdin, a variable holds its first 64 KiB. */
			buf_append(&b, v, utf8_cut(v, strlen(v), WM_ENV_MAX));
		} else if (json_is_integer(val))
			buf_printf(&b, "%lld", (long long)json_integer_value(val));
		else if (json_is_boolean(val))
			buf_puts(&b, json_is_true(val) ? "true" : "false");
		else if (json_is_null(val))
			;
		else
			continue;
		env[k++] = xstrdup(b.data);
	}
	buf_free(&b);
	return env;
}

/*
 * Write body and a newline to fd (non-blocking) until done, the reader
 * closed it, or deadline. A command that never reads a body larger than
 * the pipe holds must not keep us past the timeout. Returns 0 when the
 * deadline passed, 1 otherwise.
 */
static int
feed_body(int fd, const char *body, double deadline)
{
	struct buf b = BUF_INIT;
	size_t off = 0;
	int rc = 1;

	buf_puts(&b, body);
	buf_putc(&b, '\n');
	while (off < b.len) {
		struct pollfd pfd = { fd, POLLOUT, 0 };
		ssize_t n;
		double left = deadline - mono_ms();

		if (left <= 0) {
			rc = 0;
			break;
		}
		if (poll(&pfd, 1, left > 100 ? 100 : (int)left + 1) < 0 &&
		    errno != EINTR)
			break;
		n = write(fd, b.data + off, b.len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			break;		/* EPIPE: it did not read */
	}
	buf_free(&b);
	return rc;
}

int
exec_run(const char *cmd, const char *body, const json_t *vars,
    long timeout_ms, char *why, size_t whysize)
{
	char **env = make_env(vars), **e;
	double deadline = mono_ms() + (double)timeout_ms;
	struct timespec ts = { 0, 10 * 1000000L };
	int in[2], status = 0, fed;
	pid_t pid, w;

	if (pipe2(in, O_CLOEXEC) < 0) {
		snprintf(why, whysize, "pipe: %s", strerror(errno));
		goto out;
	}
	if ((pid = fork()) < 0) {
		snprintf(why, whysize, "fork: %s", strerror(errno));
		close(in[0]), close(in[1]);
		goto out;
	}
	if (pid == 0) {
		/* its own process group: a timeout kills what it started too */
		setpgid(0, 0);
		dup2(in[0], 0);
		signal(SIGPIPE, SIG_DFL);
		execle("/bin/sh", "sh", "-c", cmd, (char *)NULL, env);
		_exit(127);
	}
	setpgid(pid, pid);	/* either call wins the race; both are fine */
	close(in[0]);
	fcntl(in[1], F_SETFL, fcntl(in[1], F_GETFL) | O_NONBLOCK);
	fed = feed_body(in[1], body, deadline);
	close(in[1]);
	while (!fed || (w = waitpid(pid, &status, WNOHANG)) == 0) {
		if (!fed || mono_ms() > deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			snprintf(why, whysize, "command timed out");
			goto out;
		}
		nanosleep(&ts, NULL);
	}
	if (w < 0)
		snprintf(why, whysize, "waitpid: %s", strerror(errno));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		for (e = env; *e; e++)
			free(*e);
		free(env);
		return DELIV_OK;
	} else if (WIFEXITED(status))
		snprintf(why, whysize, "command exited with status %d",
		    WEXITSTATUS(status));
	else
		snprintf(why, whysize, "command killed by signal %d",
		    WTERMSIG(status));
out:
	for (e = env; *e; e++)
		free(*e);
	free(env);
	return DELIV_RETRY;
}
