/* utf8.h: UTF-8 validation and safe truncation. */
#ifndef WEBMON_UTF8_H
#define WEBMON_UTF8_H

#include <stddef.h>

/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0 if the bytes at s do not
 * start a valid, shortest-form, non-surrogate sequence within n bytes.
 */
size_t utf8_seqlen(const unsigned char *s, size_t n);
/* Returns 1 if s[0..n) is entirely valid UTF-8, else 0. */
int utf8_valid(const char *s, size_t n);
/* Largest length <= max that does not split a UTF-8 sequence of s[0..n). */
size_t utf8_cut(const char *s, size_t n, size_t max);

#endif
