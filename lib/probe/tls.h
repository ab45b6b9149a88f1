/*
 * tls.h: what a probe learns from its TLS handshakes through OpenSSL (the
 * TLS library of libcurl here): the version negotiated and the earliest
 * notAfter of the certificates the server sent, also when verification
 * fails, so that an expired certificate's date is recorded.
 */
#ifndef WEBMON_TLS_H
#define WEBMON_TLS_H

#include <time.h>
#include <curl/curl.h>

struct tls_seen {
	const void *conn;	/* the last handshake seen (opaque) */
	time_t expiry;		/* earliest notAfter; (time_t)-1: none seen */
	char version[16];	/* "TLSv1.3", or "" */
};

/* Forget what an earlier probe saw. */
void tls_seen_reset(struct tls_seen *t);
/*
 * Make every TLS handshake of easy handle e record into t (which must
 * outlive the transfer). Returns CURLE_OK or libcurl's error (a libcurl
 * built on another TLS library gives CURLE_NOT_BUILT_IN; t stays empty).
 */
CURLcode tls_watch(CURL *e, struct tls_seen *t);

#endif
