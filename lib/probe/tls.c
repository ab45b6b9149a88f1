/* tls.c: recording the certificate chain and TLS version of a handshake. */
#include "tls.h"

#include <string.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

static int seen_index = -1;

void
tls_seen_reset(struct tls_seen *t)
{
	t->conn = NULL;
	t->expiry = (time_t)-1;
	t->version[0] = '\0';
}

static void
note_cert(struct tls_seen *t, X509 *x)
{
	struct tm tm;
	time_t when;

	if (x == NULL || !ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm))
		return;
	when = timegm(&tm);
	if (t->expiry == (time_t)-1 || when < t->expiry)
		t->expiry = when;
}

/*
 * Called by OpenSSL for each certificate as it verifies the chain, with
 * verification on or off; the verdict (ok) is passed through unchanged.
 */
static int
on_verify(int ok, X509_STORE_CTX *store)
{
	SSL *ssl = X509_STORE_CTX_get_ex_data(store,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	STACK_OF(X509) *chain;
	struct tls_seen *t;
	int i;

	if (ssl == NULL || seen_index < 0 ||
	    (t = SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), seen_index)) == NULL)
		return ok;
	t->conn = ssl;
	snprintf(t->version, sizeof(t->version), "%s", SSL_get_version(ssl));
	/* What the server sent: its certificate and the untrusted chain. */
	note_cert(t, X509_STORE_CTX_get0_cert(store));
	chain = X509_STORE_CTX_get0_untrusted(store);
	for (i = 0; chain != NULL && i < sk_X509_num(chain); i++)
		note_cert(t, sk_X509_value(chain, i));
	return ok;
}

/* libcurl hands each new connection's SSL_CTX here before the handshake. */
static CURLcode
on_ssl_ctx(CURL *e, void *ctx, void *arg)
{
	SSL_CTX *c = ctx;
	struct tls_seen *t = arg;

	/* Each connection (a redirect may make another) starts afresh. */
	tls_seen_reset(t);
	if (SSL_CTX_set_ex_data(c, seen_index, t) != 1)
		return CURLE_OK;	/* nothing recorded, the probe goes on */
	SSL_CTX_set_verify(c, SSL_CTX_get_verify_mode(c), on_verify);
	return CURLE_OK;
}

CURLcode
tls_watch(CURL *e, struct tls_seen *t)
{
	CURLcode rc;

	if (seen_index < 0)
		seen_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (seen_index < 0)
		return CURLE_OUT_OF_MEMORY;
	rc = curl_easy_setopt(e, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	if (rc == CURLE_OK)
		rc = curl_easy_setopt(e, CURLOPT_SSL_CTX_DATA, t);
	return rc;
}
