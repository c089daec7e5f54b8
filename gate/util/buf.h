/* buf: a growable, NUL-terminated byte buffer with a size cap.
 * Must not know what the bytes mean. */
#ifndef SLG_BUF_H
#define SLG_BUF_H

#include <stddef.h>

#include "util/err.h"

struct slg_buf {
	char *data;	/* always NUL-terminated once anything was added */
	size_t len;
	size_t cap;	/* bytes allocated */
	size_t max;	/* refuse to grow past this; 0 means 64 MiB */
};

#define SLG_BUF_INIT { NULL, 0, 0, 0 }

/* Appends; returns 0, or SLG_ENOMEM when max would be passed or malloc fails. */
int slg_buf_add(struct slg_buf *b, const void *p, size_t n);
int slg_buf_puts(struct slg_buf *b, const char *s);
int slg_buf_printf(struct slg_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quoted and escaped ("null" for
 * NULL). */
int slg_buf_json(struct slg_buf *b, const char *s);

/* Appends s percent-encoded (all but unreserved characters), for query
 * strings and path segments; nothing for NULL. */
int slg_buf_urlencode(struct slg_buf *b, const char *s);

/* Hands the data to the caller (never NULL: "" for an empty buffer). */
char *slg_buf_detach(struct slg_buf *b);
void slg_buf_release(struct slg_buf *b);

/* Reads a whole file of at most max bytes. what names it in errors. */
int slg_buf_read_file(struct slg_buf *b, const char *path, size_t max,
    const char *what, struct slg_err *err);

/* strdup that returns NULL for NULL. */
char *slg_strdup(const char *s);

#endif
