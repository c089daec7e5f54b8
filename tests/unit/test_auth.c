/* test_auth: the token file's lines, what each role allows on which
 * services, and the self-approval rule. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/auth.h"
#include "core/promote.h"
#include "testutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define S32 "0123456789abcdef0123456789abcdef"

struct bad {
	size_t line[16];
	char why[16][160];
	size_t n;
};

static void
on_bad(void *cls, size_t line, const char *why)
{
	struct bad *b = cls;

	if (b->n < 16) {
		b->line[b->n] = line;
		snprintf(b->why[b->n], sizeof(b->why[0]), "%s", why);
		b->n++;
	}
}

static void
test_parse_lines(void **state)
{
	static const char file[] =
	    "# token  name  roles  services\n"
	    "   # a comment after blanks is a comment\n"
	    "\n"
	    S32 "A  ci-payments  evaluate  payment-*\n"
	    S32 "B\talice\tapprove\tpayment-gateway,checkout\r\n"
	    S32 "C  platform  admin\n"
	    S32 "D  dashboards  read\n"
	    S32 "E  two-roles  read,approve  checkout\n"
	    "short  shorty  admin\n"				/* 9 */
	    S32 "F  nobody\n"					/* 10 */
	    S32 "G  odd  superuser\n"				/* 11 */
	    S32 "H  many  read  a  b\n"				/* 12 */
	    S32 "I  bad/name  read\n"				/* 13 */
	    S32 "A  copycat  admin\n"				/* 14 */
	    S32 "J  alice  admin\n"				/* 15 */
	    S32 "K  globs  read  pay$ment\n"			/* 16 */
	    S32 "L  emptyrole  read,\n";			/* 17 */
	static const struct {
		size_t line;
		const char *why;
	} want[] = {
		{ 9, "the secret is shorter than 32 characters" },
		{ 10, "needs a secret, a name and roles" },
		{ 11, "unknown role 'superuser'" },
		{ 12, "has more than 4 fields" },
		{ 13, "the name 'bad/name' is not" },
		{ 14, "repeats the secret or the name" },
		{ 15, "repeats the secret or the name" },
		{ 16, "bad service glob 'pay$ment'" },
		{ 17, "unknown role ''" },
	};
	struct slg_tokens t;
	struct bad b = { 0 };
	const struct slg_token *k;

	(void)state;
	assert_int_equal(slg_tokens_parse(file, strlen(file), &t, on_bad, &b),
	    0);
	assert_int_equal(t.n, 5);
	assert_int_equal(b.n, NELEM(want));
	for (size_t i = 0; i < NELEM(want); i++) {
		assert_int_equal(b.line[i], want[i].line);
		assert_contains(b.why[i], want[i].why);
		/* a refusal never repeats the secret */
		assert_null(strstr(b.why[i], S32));
	}
	k = slg_tokens_find(&t, S32 "B");
	assert_non_null(k);
	assert_string_equal(k->who.name, "alice");
	assert_int_equal(k->who.roles, SLG_ROLE_APPROVE);
	assert_int_equal(k->who.nservices, 2);
	assert_string_equal(k->who.services[1], "checkout");
	k = slg_tokens_find(&t, S32 "C");
	assert_string_equal(k->who.name, "platform");
	assert_string_equal(k->who.services[0], "*");
	/* lines that grant nothing are not tokens */
	assert_null(slg_tokens_find(&t, "short"));
	assert_null(slg_tokens_find(&t, S32 "F"));
	assert_null(slg_tokens_find(&t, S32 "G"));
	assert_null(slg_tokens_find(&t, "# a comment after blanks is a comment"));
	/* a prefix or an extension of a secret is not it */
	assert_null(slg_tokens_find(&t, S32));
	assert_null(slg_tokens_find(&t, S32 "AA"));
	assert_null(slg_tokens_find(&t, ""));
	slg_tokens_release(&t);
}

/* A line longer than the limit grants nothing, and its tail is not a line
 * of its own (fgets into a 1024-byte buffer made two of it). */
static void
test_long_line(void **state)
{
	size_t n = SLG_AUTH_MAX_LINE + 200;
	char *file = malloc(n + 200);
	struct slg_tokens t;
	struct bad b = { 0 };
	size_t len;

	(void)state;
	memset(file, 'x', n);
	/* the tail, had it been cut off, reads as a whole admin line */
	len = (size_t)snprintf(file + SLG_AUTH_MAX_LINE - 1, n,
	    " %s  tail  admin", S32 "Z") + SLG_AUTH_MAX_LINE - 1;
	len += (size_t)snprintf(file + len, 200, "\n%s  ok  read\n", S32 "Y");
	assert_int_equal(slg_tokens_parse(file, len, &t, on_bad, &b), 0);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.line[0], 1);
	assert_contains(b.why[0], "is longer than 1023 characters");
	assert_int_equal(t.n, 1);
	assert_null(slg_tokens_find(&t, S32 "Z"));
	assert_non_null(slg_tokens_find(&t, S32 "Y"));
	slg_tokens_release(&t);
	free(file);
}

static void
test_roles_and_services(void **state)
{
	static const char file[] =
	    S32 "A  ci  evaluate  payment-*\n"
	    S32 "B  rm  approve  payment-gateway,checkout\n"
	    S32 "C  platform  admin\n"
	    S32 "D  dash  read\n";
	static const struct {
		char tok;
		enum slg_role role;
		const char *service;
		int may;
	} t[] = {
		{ 'A', SLG_ROLE_EVALUATE, "payment-gateway", 1 },
		{ 'A', SLG_ROLE_EVALUATE, "checkout", 0 },
		{ 'A', SLG_ROLE_APPROVE, "payment-gateway", 0 },
		{ 'A', SLG_ROLE_ADMIN, "payment-gateway", 0 },
		{ 'A', SLG_ROLE_READ, "payment-gateway", 1 },
		{ 'A', SLG_ROLE_READ, NULL, 0 },	/* every service */
		{ 'B', SLG_ROLE_APPROVE, "checkout", 1 },
		{ 'B', SLG_ROLE_APPROVE, "checkout-v2", 0 },
		{ 'B', SLG_ROLE_EVALUATE, "checkout", 0 },
		{ 'C', SLG_ROLE_ADMIN, "anything", 1 },
		{ 'C', SLG_ROLE_APPROVE, "anything", 1 },
		{ 'C', SLG_ROLE_EVALUATE, NULL, 1 },
		{ 'D', SLG_ROLE_READ, "x", 1 },
		{ 'D', SLG_ROLE_READ, NULL, 1 },
		{ 'D', SLG_ROLE_EVALUATE, "x", 0 },
		{ 'D', SLG_ROLE_APPROVE, "x", 0 },
	};
	struct slg_tokens tk;
	struct bad b = { 0 };
	char secret[64];

	(void)state;
	assert_int_equal(slg_tokens_parse(file, strlen(file), &tk, on_bad, &b),
	    0);
	assert_int_equal(b.n, 0);
	for (size_t i = 0; i < NELEM(t); i++) {
		const struct slg_token *k;

		snprintf(secret, sizeof(secret), S32 "%c", t[i].tok);
		k = slg_tokens_find(&tk, secret);
		assert_non_null(k);
		if (slg_caller_may(&k->who, t[i].role, t[i].service) != t[i].may)
			fail_msg("row %zu: %c %s %s: want %d", i, t[i].tok,
			    slg_role_name(t[i].role), t[i].service ?
			    t[i].service : "(none)", t[i].may);
	}
	assert_int_equal(slg_caller_may(NULL, SLG_ROLE_READ, "x"), 0);
	slg_tokens_release(&tk);
}

static void
test_quick_start_token(void **state)
{
	struct slg_tokens t = { NULL, 0 };
	struct slg_err err = { 0, "" };
	const struct slg_token *k;

	(void)state;
	assert_int_equal(slg_tokens_add_admin(&t, "too-short", &err),
	    SLG_EINPUT);
	assert_int_equal(slg_tokens_add_admin(&t, "quick-start-token-1234", &err),
	    0);
	k = slg_tokens_find(&t, "quick-start-token-1234");
	assert_non_null(k);
	assert_int_equal(slg_caller_may(&k->who, SLG_ROLE_ADMIN, "any"), 1);
	slg_tokens_release(&t);
}

static void
test_self_approval(void **state)
{
	static const struct {
		const char *author, *by, *named;
		int refused;
	} t[] = {
		{ "J. Doe <j.doe@example.com>", "release-bot", "j.doe", 1 },
		{ "J. Doe <j.doe@example.com>", "release-bot", "J.DOE@example.com",
		    1 },
		{ "J. Doe <j.doe@example.com>", "release-bot", "j. doe", 1 },
		{ "J. Doe <j.doe@example.com>", "j.doe", NULL, 1 },
		{ "J. Doe <j.doe@example.com>", "release-bot", "alice", 0 },
		{ "J. Doe <j.doe@example.com>", "alice", NULL, 0 },
		{ "J. Doe <j.doe@example.com>", "alice", "j.do", 0 },
		{ "J. Doe <j.doe@example.com>", "alice", "J. Doe <", 0 },
		{ NULL, "alice", NULL, 1 },	/* unknown author: cannot tell */
		{ " <>", "alice", NULL, 1 },
	};

	(void)state;
	for (size_t i = 0; i < NELEM(t); i++) {
		struct slg_err err = { 0, "" };
		int rc = slg_approval_self(t[i].author, t[i].by, t[i].named, &err);

		if ((rc != 0) != t[i].refused)
			fail_msg("row %zu: %s / %s: got %d (%s)", i, t[i].by,
			    t[i].named ? t[i].named : "-", rc, err.msg);
		if (rc != 0)
			assert_int_equal(rc, SLG_EFORBIDDEN);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_roles_and_services),
		cmocka_unit_test(test_quick_start_token),
		cmocka_unit_test(test_self_approval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
