/* testutil: assertions the unit and integration tests share (cmocka). */
#ifndef SLG_TESTUTIL_H
#define SLG_TESTUTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/policy.h"

/* Removes a test's temporary folder and everything in it. */
static inline int
t_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void
t_rmrf(const char *dir)
{
	nftw(dir, t_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* SLOGATE_TEST_ONLY=PATTERN runs only the tests whose names match it
 * (cmocka's * and ? globs): one row of a table, reproduced alone. */
__attribute__((constructor)) static void
test_only_filter(void)
{
	const char *only = getenv("SLOGATE_TEST_ONLY");

	if (only != NULL && *only != '\0')
		cmocka_set_test_filter(only);
}

/* Fails the test, showing both, when needle is not in hay. */
#define assert_contains(hay, needle) do {				\
	const char *h_ = (hay), *n_ = (needle);				\
	if (h_ == NULL || strstr(h_, n_) == NULL)			\
		fail_msg("'%s' does not contain '%s'",			\
		    h_ ? h_ : "(null)", n_);				\
} while (0)

/* Fails the test, showing the reason, when verdict v is not want. */
#define assert_verdict(v, want) do {					\
	enum slg_verdict_kind g_ = (v)->verdict, w_ = (want);		\
	if (g_ != w_)							\
		fail_msg("verdict %s (%s), want %s",			\
		    slg_verdict_str(g_), (v)->reason, slg_verdict_str(w_)); \
} while (0)

/* Parses a policy written with ' for " (inline promql only), as name;
 * fails the test when it is refused. The caller frees it. */
static inline struct slg_policy *
test_policy(const char *name, const char *text)
{
	struct slg_err err = { 0, "" };
	struct slg_policy *p = NULL;
	char buf[4096];
	size_t i;

	for (i = 0; text[i] != '\0' && i < sizeof(buf) - 1; i++)
		buf[i] = text[i] == '\'' ? '"' : text[i];
	buf[i] = '\0';
	if (slg_policy_parse(buf, i, name, NULL, NULL, &p, &err) != 0)
		fail_msg("policy refused: %s", err.msg);
	return p;
}

#endif
