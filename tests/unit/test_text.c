/* test_text: UTF-8 checks of outside text and its escaping for a
 * terminal or a log line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "util/text.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void
test_check(void **state)
{
	static const struct {
		const char *s;
		size_t len;	/* 0: strlen */
		const char *msg;	/* NULL: valid */
	} t[] = {
		{ "plain ascii", 0, NULL },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80", 0, NULL },
		{ "", 0, NULL },
		{ "caf\xe9", 0, "not valid UTF-8 (at byte 3)" },
		{ "\xc0\xaf", 0, "not valid UTF-8 (at byte 0)" },	/* overlong / */
		{ "\xe0\x80\xaf", 0, "not valid UTF-8" },	/* overlong */
		{ "\xed\xa0\x80", 0, "not valid UTF-8" },	/* a surrogate */
		{ "\xf4\x90\x80\x80", 0, "not valid UTF-8" },	/* past U+10FFFF */
		{ "\xe2\x82", 0, "not valid UTF-8 (at byte 0)" },	/* cut short */
		{ "\x80", 0, "not valid UTF-8" },
		{ "a\0b", 3, "holds a NUL byte (at byte 1)" },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(t); i++) {
		struct slg_err err = { 0, "" };
		size_t len = t[i].len ? t[i].len : strlen(t[i].s);
		int rc = slg_text_check(t[i].s, len, "the text", &err);

		if (t[i].msg == NULL && rc != 0)
			fail_msg("case %zu refused: %s", i, err.msg);
		if (t[i].msg != NULL && (rc != SLG_EINPUT ||
		    strstr(err.msg, t[i].msg) == NULL))
			fail_msg("case %zu gave %d '%s', want '%s'", i, rc,
			    err.msg, t[i].msg);
	}
}

static void
test_json_check(void **state)
{
	struct slg_err err = { 0, "" };

	(void)state;
	assert_int_equal(slg_json_check("{\"a\": \"x\\u0041\"}", 16, "the body",
	    &err), 0);
	/* an escaped backslash before u0000 is no NUL */
	assert_int_equal(slg_json_check("{\"a\": \"\\\\u0000\"}", 16, "the body",
	    &err), 0);
	assert_int_equal(slg_json_check("{\"a\": \"x\\u0000y\"}", 17, "the body",
	    &err), SLG_EINPUT);
	assert_contains(err.msg, "the body holds \\u0000 in a string (at byte 8)");
	/* in a key too */
	assert_int_equal(slg_json_check("{\"\\u0000\": 1}", 13, "the body",
	    &err), SLG_EINPUT);
	assert_int_equal(slg_json_check("{\"a\": \"\xff\"}", 10, "the body",
	    &err), SLG_EINPUT);
	assert_contains(err.msg, "the body is not valid UTF-8");
	/* one value, then only white space */
	assert_int_equal(slg_json_check("{\"a\": [1, {}]} \n", 16, "the body",
	    &err), 0);
	assert_int_equal(slg_json_check("{\"a\": \"}\"}", 10, "the body",
	    &err), 0);
	assert_int_equal(slg_json_check("{\"a\": 1}{\"a\": 2}", 16, "the body",
	    &err), SLG_EINPUT);
	assert_contains(err.msg, "the body goes on after its JSON value ends "
	    "(at byte 8)");
	assert_int_equal(slg_json_check("[1] x", 5, "the body", &err),
	    SLG_EINPUT);
}

static void
test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "ok\n\x1b[32mpromote: all clear",
		    "ok\\n\\x1b[32mpromote: all clear" },
		{ "a\tb\rc", "a\\tb\\rc" },
		{ "del\x7f", "del\\x7f" },
		{ "bell\a", "bell\\x07" },
		/* C1 CSI and a right-to-left override, both in UTF-8 */
		{ "\xc2\x9b" "2J", "\\u009b2J" },
		{ "evil\xe2\x80\xae" "txt.exe", "evil\\u202etxt.exe" },
		/* bytes that are not UTF-8 */
		{ "caf\xe9", "caf\\xe9" },
		{ "caf\xc3\xa9", "caf\xc3\xa9" },
		/* characters XML forbids, in a JUnit report */
		{ "a\xef\xbf\xbf" "b\xef\xbf\xbe", "a\\uffffb\\ufffe" },
	};
	struct slg_esc e = SLG_ESC_INIT;
	const char *clean = "main";

	(void)state;
	for (size_t i = 0; i < NELEM(t); i++)
		assert_string_equal(slg_esc(&e, t[i].in), t[i].out);
	/* clean text is not copied; NULL is "" */
	assert_ptr_equal(slg_esc(&e, clean), clean);
	assert_string_equal(slg_esc(&e, NULL), "");
	assert_int_equal(slg_text_needs_escape("release/1.2"), 0);
	assert_int_equal(slg_text_needs_escape("a\nb"), 1);
	slg_esc_release(&e);
	slg_esc_release(&e);	/* twice is fine */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_json_check),
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
