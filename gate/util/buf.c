/* buf: a growable, NUL-terminated byte buffer with a size cap. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define DEFAULT_MAX ((size_t)64 << 20)

static int
grow(struct slg_buf *b, size_t need)
{
	size_t max = b->max ? b->max : DEFAULT_MAX;
	size_t cap;
	char *p;

	if (need > max)
		return SLG_ENOMEM;
	if (need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need + 1)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		return SLG_ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int
slg_buf_add(struct slg_buf *b, const void *p, size_t n)
{
	if (grow(b, b->len + n) != 0)
		return SLG_ENOMEM;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
slg_buf_puts(struct slg_buf *b, const char *s)
{
	return slg_buf_add(b, s, strlen(s));
}

int
slg_buf_printf(struct slg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, b->len + (size_t)n) != 0)
		return SLG_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int
slg_buf_json(struct slg_buf *b, const char *s)
{
	int rc = 0;

	if (s == NULL)
		return slg_buf_puts(b, "null");
	rc |= slg_buf_puts(b, "\"");
	for (; *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			rc |= slg_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			rc |= slg_buf_printf(b, "\\u%04x", c);
		else
			rc |= slg_buf_add(b, s, 1);
	}
	return rc | slg_buf_puts(b, "\"");
}

char *
slg_buf_detach(struct slg_buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

void
slg_buf_release(struct slg_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int
slg_buf_read_file(struct slg_buf *b, const char *path, size_t max,
    const char *what, struct slg_err *err)
{
	char chunk[8192];
	FILE *f;
	size_t n;
	int rc = 0;

	if ((f = fopen(path, "rb")) == NULL)
		return slg_err_set(err, SLG_EIO, "cannot open %s '%s': %s",
		    what, path, strerror(errno));
	b->max = max;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (slg_buf_add(b, chunk, n) != 0) {
			rc = slg_err_set(err, SLG_EIO,
			    "%s '%s' is larger than %zu bytes", what, path, max);
			goto out;
		}
	}
	if (ferror(f)) {
		rc = slg_err_set(err, SLG_EIO, "cannot read %s '%s': %s",
		    what, path, strerror(errno));
		goto out;
	}
	if (b->data == NULL && slg_buf_add(b, "", 0) != 0)
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
out:
	fclose(f);
	return rc;
}

char *
slg_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int
slg_buf_urlencode(struct slg_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int rc = 0;

	for (; s && *s && rc == 0; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c))
			rc = slg_buf_add(b, s, 1);
		else
			rc = slg_buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
	return rc;
}
