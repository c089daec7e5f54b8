/* text: UTF-8 checks and escaping of outside text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/text.h"

/* Length of the UTF-8 sequence at s (at most n bytes) and its code point
 * in *cp; 0 when it is not one. */
static size_t
utf8(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, past the last code point */
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	*cp = c;
	return len;
}

int
slg_text_check(const char *s, size_t len, const char *what,
    struct slg_err *err)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	for (size_t i = 0; i < len;) {
		size_t l = utf8(p + i, len - i, &cp);

		if (l == 0)
			return slg_err_set(err, SLG_EINPUT, "%s is not valid "
			    "UTF-8 (at byte %zu)", what, i);
		if (cp == 0)
			return slg_err_set(err, SLG_EINPUT, "%s holds a NUL "
			    "byte (at byte %zu)", what, i);
		i += l;
	}
	return 0;
}

int
slg_json_check(const char *json, size_t len, const char *what,
    struct slg_err *err)
{
	int in_string = 0, depth = 0, done = 0;

	if (slg_text_check(json, len, what, err) != 0)
		return err ? err->code : SLG_EINPUT;
	for (size_t i = 0; i < len; i++) {
		if (done && !in_string && strchr(" \t\r\n", json[i]) == NULL)
			return slg_err_set(err, SLG_EINPUT, "%s goes on after "
			    "its JSON value ends (at byte %zu)", what, i);
		if (json[i] == '"') {
			in_string = !in_string;
		} else if (!in_string && (json[i] == '{' || json[i] == '[')) {
			depth++;
		} else if (!in_string && (json[i] == '}' || json[i] == ']')) {
			done = --depth == 0;
		} else if (in_string && json[i] == '\\' && i + 1 < len) {
			/* \u0000 (any case of hex digits: all zeros) */
			if (json[i + 1] == 'u' && i + 5 < len &&
			    strncmp(json + i + 2, "0000", 4) == 0)
				return slg_err_set(err, SLG_EINPUT, "%s holds "
				    "\\u0000 in a string (at byte %zu): a NUL "
				    "cannot be stored or shown", what, i);
			i++;	/* the escaped character, a quote maybe */
		}
	}
	return 0;
}

/* Unicode's controls a terminal or a viewer may act on: C1, and the
 * bidirectional embeddings, overrides and isolates; and U+FFFE and
 * U+FFFF, which XML forbids (a JUnit report would not read). */
static int
unicode_control(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f ||
	    cp == 0x061c || cp == 0xfffe || cp == 0xffff;
}

int
slg_text_needs_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = s ? strlen(s) : 0;
	uint32_t cp;

	for (size_t i = 0; i < n;) {
		size_t l = utf8(p + i, n - i, &cp);

		if (l == 0 || cp < 0x20 || cp == 0x7f || unicode_control(cp))
			return 1;
		i += l;
	}
	return 0;
}

static char *
escaped(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	struct slg_buf b = SLG_BUF_INIT;
	size_t n = strlen(s);
	uint32_t cp;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0;) {
		size_t l = utf8(p + i, n - i, &cp);

		if (l == 0) {
			rc = slg_buf_printf(&b, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (cp == '\n')
			rc = slg_buf_puts(&b, "\\n");
		else if (cp == '\t')
			rc = slg_buf_puts(&b, "\\t");
		else if (cp == '\r')
			rc = slg_buf_puts(&b, "\\r");
		else if (cp < 0x20 || cp == 0x7f)
			rc = slg_buf_printf(&b, "\\x%02x", (unsigned)cp);
		else if (unicode_control(cp))
			rc = slg_buf_printf(&b, "\\u%04x", (unsigned)cp);
		else
			rc = slg_buf_add(&b, s + i, l);
		i += l;
	}
	if (rc != 0) {
		slg_buf_release(&b);
		return NULL;
	}
	return slg_buf_detach(&b);
}

const char *
slg_esc(struct slg_esc *e, const char *s)
{
	char *copy, **own;

	if (s == NULL)
		return "";
	if (!slg_text_needs_escape(s))
		return s;
	if (e->n == e->cap) {
		size_t cap = e->cap ? e->cap * 2 : 8;

		if ((own = realloc(e->own, cap * sizeof(*own))) == NULL)
			return "(out of memory)";
		e->own = own;
		e->cap = cap;
	}
	if ((copy = escaped(s)) == NULL)
		return "(out of memory)";
	e->own[e->n++] = copy;
	return copy;
}

void
slg_esc_release(struct slg_esc *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->own[i]);
	free(e->own);
	e->own = NULL;
	e->n = e->cap = 0;
}
