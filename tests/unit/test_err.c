/* test_err: the error struct, including messages built from themselves. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "util/err.h"

static void
test_set_and_prefix(void **state)
{
	struct slg_err e = { 0, "" };

	(void)state;
	assert_int_equal(slg_err_set(&e, SLG_EPOLICY, "bad '%s'", "x"),
	    SLG_EPOLICY);
	assert_string_equal(e.msg, "bad 'x'");
	assert_int_equal(slg_err_prefix(&e, "policy '%s'", "p.json"),
	    SLG_EPOLICY);
	assert_string_equal(e.msg, "policy 'p.json': bad 'x'");
	assert_int_equal(slg_err_set(NULL, SLG_EIO, "nobody reads"), SLG_EIO);
}

/* A message that wraps the one already there: the arguments overlap
 * the message being written. */
static void
test_set_from_itself(void **state)
{
	struct slg_err e = { 0, "" };

	(void)state;
	slg_err_set(&e, SLG_EUSAGE, "'since': not a time");
	slg_err_set(&e, SLG_EPARSE, "evaluation 7 cannot be run: %s", e.msg);
	assert_int_equal(e.code, SLG_EPARSE);
	assert_string_equal(e.msg, "evaluation 7 cannot be run: 'since': not "
	    "a time");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_prefix),
		cmocka_unit_test(test_set_from_itself),
	};

	return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}
