/* text: UTF-8 checks for text that comes from outside, and escaping of
 * such text for a terminal or a log line. Must not know what the text
 * means. */
#ifndef SLG_TEXT_H
#define SLG_TEXT_H

#include <stddef.h>

#include "util/err.h"

/* 0 when s[0..len) is valid UTF-8 (no overlong forms, no surrogates,
 * nothing past U+10FFFF) without a NUL byte; else SLG_EINPUT naming what
 * (as "the policy") and the byte offset. */
int slg_text_check(const char *s, size_t len, const char *what,
    struct slg_err *err);

/* As slg_text_check for a JSON text, and also refuses a \u0000 escape in
 * it (a C string would end there, so what was stored or judged would not
 * be what was sent) and anything but white space after an object or an
 * array that opens the text (the parser would leave it unread). */
int slg_json_check(const char *json, size_t len, const char *what,
    struct slg_err *err);

/* Escapes for one line of a terminal or a CI log, so that outside text
 * cannot move the cursor, colour the log or start a line of its own:
 * newline, tab and return become \n \t \r, other C0 controls, DEL and
 * bytes that are not UTF-8 \xHH, C1 controls and Unicode's bidirectional
 * overrides \u0085, \u202e... Returns s itself when nothing needs
 * escaping (the common case), else a copy kept in e until
 * slg_esc_release; "" for NULL, "(out of memory)" when it cannot copy:
 * never NULL, never s unescaped. */
struct slg_esc {
	char **own;
	size_t n, cap;
};

#define SLG_ESC_INIT { NULL, 0, 0 }

const char *slg_esc(struct slg_esc *e, const char *s);
void slg_esc_release(struct slg_esc *e);

/* 1 when slg_esc would change s. */
int slg_text_needs_escape(const char *s);

#endif
