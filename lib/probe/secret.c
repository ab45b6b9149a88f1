/* secret.c: resolving ${NAME} and ${file:PATH} references. */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "util.h"

/* Append the contents of path, without its final newline, to b. */
static int
read_secret_file(const char *path, struct buf *b, char *errstr,
    size_t errsize)
{
	char chunk[4096];
	size_t start = b->len, n;
	struct stat st;
	ssize_t r;
	int fd;

	/* Non-blocking: a FIFO or a terminal named by mistake cannot hang us. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
		snprintf(errstr, errsize, "${file:%.200s}: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(errstr, errsize, "${file:%.200s}: not a regular file",
		    path);
		close(fd);
		return -1;
	}
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(errstr, errsize, "${file:%.200s}: %s", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		if (b->len - start + (size_t)r > SECRET_FILE_MAX) {
			snprintf(errstr, errsize, "${file:%.200s}: larger than "
			    "%d bytes", path, SECRET_FILE_MAX);
			close(fd);
			return -1;
		}
		buf_append(b, chunk, (size_t)r);
	}
	close(fd);
	n = b->len - start;
	if (n > 0 && b->data[b->len - 1] == '\n') {
		b->len--, n--;
		if (n > 0 && b->data[b->len - 1] == '\r')
			b->len--, n--;
	}
	if (n == 0) {
		snprintf(errstr, errsize, "${file:%.200s}: empty file", path);
		return -1;
	}
	if (memchr(b->data + start, '\0', n) != NULL) {
		snprintf(errstr, errsize, "${file:%.200s}: contains a NUL byte",
		    path);
		return -1;
	}
	b->data[b->len] = '\0';
	return 0;
}

static int
is_name(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return 0;
	return 1;
}

int
secret_expand(const char *s, size_t len, char **out, size_t *outlen,
    char *errstr, size_t errsize)
{
	struct buf b = BUF_INIT;
	const char *p = s, *end = s + len, *q, *close;
	char *ref, *v;
	int found = 0;

	while (p < end) {
		q = memchr(p, '$', (size_t)(end - p));
		if (q == NULL || q + 1 >= end) {
			buf_append(&b, p, (size_t)(end - p));
			break;
		}
		if (q[1] == '$' && q + 2 < end && q[2] == '{') {
			buf_append(&b, p, (size_t)(q - p));
			buf_puts(&b, "${");	/* "$${" is a literal "${" */
			p = q + 3;
			found = 1;
			continue;
		}
		if (q[1] != '{') {
			buf_append(&b, p, (size_t)(q - p + 1));
			p = q + 1;
			continue;
		}
		buf_append(&b, p, (size_t)(q - p));
		close = memchr(q + 2, '}', (size_t)(end - q - 2));
		if (close == NULL) {
			snprintf(errstr, errsize, "unterminated ${ reference");
			goto bad;
		}
		ref = xstrndup(q + 2, (size_t)(close - q - 2));
		if (strlen(ref) != (size_t)(close - q - 2)) {
			snprintf(errstr, errsize, "NUL byte in a ${ reference");
			free(ref);
			goto bad;
		}
		if (strncmp(ref, "file:", 5) == 0) {
			if (ref[5] == '\0') {
				snprintf(errstr, errsize, "${file:} names no file");
				free(ref);
				goto bad;
			}
			if (read_secret_file(ref + 5, &b, errstr, errsize) < 0) {
				free(ref);
				goto bad;
			}
		} else if (!is_name(ref, strlen(ref))) {
			snprintf(errstr, errsize, "bad reference ${%.100s}: want "
			    "${NAME} or ${file:PATH}", ref);
			free(ref);
			goto bad;
		} else if ((v = getenv(ref)) == NULL || *v == '\0') {
			snprintf(errstr, errsize, "${%.100s}: environment variable "
			    "%s", ref, v == NULL ? "not set" : "empty");
			free(ref);
			goto bad;
		} else
			buf_puts(&b, v);
		free(ref);
		found = 1;
		p = close + 1;
	}
	if (!found) {
		buf_free(&b);
		return 0;
	}
	if (b.data == NULL) {
		buf_grow(&b, 0);
		b.data[0] = '\0';
	}
	*out = buf_detach(&b, outlen);
	return 1;
bad:
	/* The buffer may hold resolved secrets: wipe before freeing. */
	if (b.data != NULL)
		memset(b.data, 0, b.cap);
	buf_free(&b);
	return -1;
}
