/* buf.h: a growable byte buffer, always NUL-terminated after its data. */
#ifndef WEBMON_BUF_H
#define WEBMON_BUF_H

#include <stddef.h>

struct buf {
	char *data;	/* owned; NULL until the first append */
	size_t len, cap;
};

#define BUF_INIT { NULL, 0, 0 }

/* Make room for n more bytes (plus the terminating NUL). */
void buf_grow(struct buf *b, size_t n);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Forget the contents but keep the storage. */
void buf_reset(struct buf *b);
/* Release the storage; b is empty and reusable afterwards. */
void buf_free(struct buf *b);
/* Hand the storage to the caller, who frees it; b is empty afterwards. */
char *buf_detach(struct buf *b, size_t *len);
/*
 * Write the whole buffer to fd, retrying on EINTR and short writes.
 * Returns 0, or -1 with errno set (EPIPE when the reader went away).
 */
int buf_write_fd(const struct buf *b, int fd);
/* Same for any byte range. */
int write_all(int fd, const void *p, size_t n);

#endif
