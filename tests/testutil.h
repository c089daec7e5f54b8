/* testutil: assertions the unit and integration tests share (cmocka). */
#ifndef SLG_TESTUTIL_H
#define SLG_TESTUTIL_H

#include <string.h>

/* Fails the test, showing both, when needle is not in hay. */
#define assert_contains(hay, needle) do {				\
	const char *h_ = (hay), *n_ = (needle);				\
	if (h_ == NULL || strstr(h_, n_) == NULL)			\
		fail_msg("'%s' does not contain '%s'",			\
		    h_ ? h_ : "(null)", n_);				\
} while (0)

#endif
