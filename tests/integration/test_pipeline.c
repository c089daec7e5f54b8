/* test_pipeline: the GitLab CI templates in a real pipeline runner.
 * gitlab-ci-local (pinned, installed into .tools/ when missing) runs
 * ci-templates/examples/.gitlab-ci.yml with its shell executor in a git
 * repository made here, against a real `slogate serve` and a real
 * Prometheus loaded with test data. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* the pipeline's token evaluates; the release managers' approves */
#define TOKEN "pipeline-token-0123456789abcdef-ci"
#define RM_TOKEN "release-token-0123456789abcdef-rm"
#define GCL_VERSION "4.60.1"

static struct prom_server prom;
static struct serve srv;
static char *dir, repo[4096], db[4096], gcl[4096], bin[4096], tokens[4096];
static char policies[4096];

static const char payment[] =
    "{\"service\": \"payment-gateway\", \"environment\": \"staging\",\n"
    " \"guard\": {\"query\": \"request_rate\", \"min\": 100},\n"
    " \"objectives\": [\n"
    "  {\"name\": \"availability\", \"query\": \"availability\",\n"
    "   \"pass\": \">= 99.95%\", \"warn\": \">= 99.9%\", \"sustained\": true},\n"
    "  {\"name\": \"latency_p95\", \"query\": \"latency_p95\",\n"
    "   \"pass\": \"<= 120ms\", \"sustained\": true}]}\n";

static const char checkout[] =
    "{\"service\": \"checkout\", \"environment\": \"staging\",\n"
    " \"objectives\": [{\"name\": \"availability\", \"query\": "
    "\"availability\", \"pass\": \">= 99.95%\", \"warn\": \">= 99.9%\"}]}\n";

static int
group_setup(void **state)
{
	const char *top = h_top();
	char tools[3000];
	const char *args[] = { "--db", db, "--prometheus", NULL, "--workers",
	    "2", "--token-file", tokens, "--policies", policies,
	    /* the test data's healthy hour ended an hour ago */
	    "--max-window-age", "3h", NULL };

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(tools, sizeof(tools), "%s/.tools/gitlab-ci-local", top);
	snprintf(gcl, sizeof(gcl), "%s/node_modules/.bin/gitlab-ci-local", tools);
	if (access(gcl, X_OK) != 0) {
		fprintf(stderr, "installing gitlab-ci-local %s into %s\n",
		    GCL_VERSION, tools);
		if (h_sh("npm install --no-audit --no-fund --silent --prefix '%s' "
		    "gitlab-ci-local@%s >&2", tools, GCL_VERSION) != 0)
			return -1;
	}
	if (bin[0] == '\0' && realpath(h_bin(), bin) == NULL)
		return -1;
	if ((dir = h_tmpdir()) == NULL || h_prom_start(&prom) != 0)
		return -1;
	/* only the service opens it: the jobs ask the service */
	if (h_db_new(db, sizeof(db), dir, "pipeline") != 0)
		return -1;
	snprintf(repo, sizeof(repo), "%s/project", dir);
	args[3] = prom.url;
	/* the service's own policies: the ones that judge */
	snprintf(policies, sizeof(policies), "%s/registered", dir);
	snprintf(tokens, sizeof(tokens), "%s/tokens", dir);
	free(h_write(dir, "tokens", TOKEN " ci-pipeline evaluate "
	    "payment-gateway,checkout\n" RM_TOKEN " release-approvals approve\n"));
	h_sh("mkdir -p '%s'", policies);
	free(h_write(policies, "payment-gateway.json", payment));
	free(h_write(policies, "checkout.json", checkout));
	if (h_serve_start(&srv, dir, args, NULL) != 0)
		return -1;
	/* a project that includes the templates, as a team's would */
	if (h_sh("set -e; mkdir -p '%s/policies'; cd '%s'; git init -q -b main; "
	    "cp -r '%s/ci-templates' '%s/queries' .; "
	    "cp ci-templates/examples/.gitlab-ci.yml .gitlab-ci.yml",
	    repo, repo, top, top) != 0)
		return -1;
	free(h_write(repo, "policies/payment-gateway.json", payment));
	free(h_write(repo, "policies/checkout.json", checkout));
	return h_sh("cd '%s' && git add -A && git -c user.name=Dev -c "
	    "user.email=dev@example.com commit -q -m 'first'", repo);
}

static int
group_teardown(void **state)
{
	(void)state;
	h_serve_stop(&srv);
	h_prom_stop(&prom);
	h_rmrf(dir);
	free(dir);
	curl_global_cleanup();
	return 0;
}

/* A new commit, as a new build of the project. */
static void
new_commit(const char *msg)
{
	assert_int_equal(h_sh("cd '%s' && git -c user.name=Dev -c "
	    "user.email=dev@example.com commit -q --allow-empty -m '%s'", repo,
	    msg), 0);
}

static char *
head(void)
{
	static char sha[41];
	char cmd[4200];
	FILE *p;

	snprintf(cmd, sizeof(cmd), "git -C '%s' rev-parse HEAD", repo);
	p = popen(cmd, "r");
	if (p == NULL || fgets(sha, sizeof(sha), p) == NULL)
		sha[0] = '\0';
	if (p)
		pclose(p);
	return sha;
}

/* Runs gitlab-ci-local in the project with the slogate variables (token,
 * policy, window end) and more arguments (NULL-terminated). */
static int
pipeline(char **out, const char *token, const char *policy, int64_t at, ...)
{
	char cmd[16384], log[4200];
	const char *a;
	va_list ap;
	int n, st;

	snprintf(log, sizeof(log), "%s/gcl.log", dir);
	n = snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' --no-color "
	    "--variable 'SLOGATE_BIN=%s' --variable 'SLOGATE_SERVER=%s' "
	    "--variable 'SLOGATE_TOKEN=%s' --variable 'SLOGATE_POLICY=%s' "
	    "--variable 'GITLAB_USER_LOGIN=release-manager'", repo, gcl, bin,
	    srv.url, token, policy);
	/* at 0: the window is placed by the arguments (SLOGATE_SINCE) */
	if (at != 0)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " --variable "
		    "'SLOGATE_CHECK_ARGS=--at %lld --build-time %lld'",
		    (long long)at, (long long)at);
	va_start(ap, at);
	while ((a = va_arg(ap, const char *)) != NULL)
		n += snprintf(cmd + n, sizeof(cmd) - (size_t)n, " %s", a);
	va_end(ap);
	snprintf(cmd + n, sizeof(cmd) - (size_t)n, " > '%s' 2>&1", log);
	st = system(cmd);
	*out = h_read(log);
	if (getenv("SLOGATE_TEST_VERBOSE"))
		fprintf(stderr, "%s\n", *out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int
count(const char *s, const char *needle)
{
	int n = 0;

	for (; s && (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

static void
healthy_build_is_promoted(void **state)
{
	char *out, *junit, path[4200];

	(void)state;
	new_commit("healthy build");
	assert_int_equal(pipeline(&out, TOKEN, "policies/payment-gateway.json",
	    prom.end - 3600, NULL), 0);
	assert_non_null(strstr(out, "verdict: pass (exit 0)"));
	assert_non_null(strstr(out, "promote: "));
	assert_non_null(strstr(out, "deploying"));
	assert_non_null(strstr(out, "to production"));
	/* the JUnit report: one test case per objective (and the guard) */
	snprintf(path, sizeof(path), "%s/.gitlab-ci-local/artifacts/"
	    "validate-slo/slogate-junit.xml", repo);
	junit = h_read(path);
	assert_non_null(junit);
	assert_int_equal(count(junit, "<testcase "), 3);
	assert_non_null(strstr(junit, "name=\"availability\""));
	assert_non_null(strstr(junit, "name=\"latency_p95\""));
	assert_int_equal(count(junit, "<failure"), 0);
	free(junit);
	free(out);
	assert_string_equal(h_db_text(db, "SELECT verdict FROM verdicts ORDER "
	    "BY id DESC LIMIT 1"), "pass");
	assert_string_equal(h_db_text(db, "SELECT commit_sha FROM verdicts "
	    "ORDER BY id DESC LIMIT 1"), head());
}

/* SLOGATE_SINCE and SLOGATE_WAIT reach check: a deploy long enough ago
 * that its window is whole is judged at once, with its progress line. */
static void
waiting_build_is_judged_from_its_deploy(void **state)
{
	char *out, since[64], built[96];
	char wait_var[] = "--variable 'SLOGATE_WAIT=true'";

	(void)state;
	new_commit("deployed an hour and a half ago");
	snprintf(since, sizeof(since), "--variable 'SLOGATE_SINCE=%lld'",
	    (long long)(prom.end - 5400));
	/* built just before that deploy */
	snprintf(built, sizeof(built), "--variable 'SLOGATE_CHECK_ARGS="
	    "--build-time %lld'", (long long)(prom.end - 5500));
	assert_int_equal(pipeline(&out, TOKEN, "policies/payment-gateway.json",
	    0, since, wait_var, built, NULL), 0);
	assert_non_null(strstr(out, "verdict: pass (exit 0)"));
	assert_non_null(strstr(out, "deployed at "));
	assert_non_null(strstr(out, "to production"));
	free(out);
	assert_int_equal(h_db_int(db, "SELECT window_start FROM verdicts "
	    "ORDER BY id DESC LIMIT 1"), prom.end - 5400);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts WHERE "
	    "id = watch_id AND id = (SELECT max(id) FROM verdicts)"), 1);
}

static void
regressed_build_is_blocked_then_approved(void **state)
{
	char *out, sql[256];

	(void)state;
	new_commit("regressed build");
	assert_int_not_equal(pipeline(&out, TOKEN,
	    "policies/payment-gateway.json", prom.end, NULL), 0);
	assert_non_null(strstr(out, "verdict: fail (exit 1)"));
	assert_non_null(strstr(out, "do not promote"));
	assert_null(strstr(out, "to production"));
	free(out);

	/* the pipeline's own token cannot approve */
	pipeline(&out, TOKEN, "policies/payment-gateway.json", prom.end,
	    "--manual", "approve-release", "--variable",
	    "'SLOGATE_APPROVAL_REASON=ship it'", "approve-release", NULL);
	assert_non_null(strstr(out, "HTTP 403"));
	free(out);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM approvals"), 0);
	/* the release manager runs the manual job with a reason, with the
	 * approve token of its environment */
	assert_int_equal(pipeline(&out, RM_TOKEN, "policies/payment-gateway.json",
	    prom.end, "--manual", "approve-release", "--variable",
	    "'SLOGATE_APPROVAL_REASON=p95 regression accepted for the card "
	    "vault migration'", "approve-release", NULL), 0);
	assert_non_null(strstr(out, "approval 1 recorded"));
	free(out);
	/* then the promote job again: now it passes */
	assert_int_equal(pipeline(&out, TOKEN, "policies/payment-gateway.json",
	    prom.end, "promote", NULL), 0);
	assert_non_null(strstr(out, "approved by release-manager via "
	    "release-approvals"));
	free(out);
	snprintf(sql, sizeof(sql), "SELECT reason FROM approvals WHERE "
	    "commit_sha = '%s'", head());
	assert_string_equal(h_db_text(db, sql), "p95 regression accepted for "
	    "the card vault migration");
	assert_string_equal(h_db_text(db, "SELECT approved_by FROM approvals"),
	    "release-approvals");
	assert_string_equal(h_db_text(db, "SELECT named_by FROM approvals"),
	    "release-manager");
}

static void
approval_needs_a_reason(void **state)
{
	char *out;

	(void)state;
	/* a manual job may fail without failing the pipeline; it says why
	 * and records nothing */
	pipeline(&out, RM_TOKEN, "policies/payment-gateway.json", prom.end,
	    "--manual", "approve-release", "approve-release", NULL);
	assert_non_null(strstr(out, "set SLOGATE_APPROVAL_REASON"));
	assert_non_null(strstr(out, "WARN 64"));
	free(out);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM approvals"), 1);
}

static void
warn_build_goes_on_with_a_warning(void **state)
{
	char *out;

	(void)state;
	new_commit("warn build");
	assert_int_equal(pipeline(&out, TOKEN, "policies/checkout.json",
	    prom.end, NULL), 0);
	assert_non_null(strstr(out, "verdict: warn (exit 2)"));
	assert_non_null(strstr(out, "WARN"));
	assert_non_null(strstr(out, "to production"));
	free(out);
}

static void
wrong_token_blocks_and_records_nothing(void **state)
{
	long long before = h_db_int(db, "SELECT count(*) FROM verdicts");
	char *out;

	(void)state;
	new_commit("build with a bad token");
	assert_int_not_equal(pipeline(&out, "not-the-service-token-000000",
	    "policies/payment-gateway.json", prom.end - 3600, NULL), 0);
	assert_non_null(strstr(out, "refused the request (HTTP 403)"));
	assert_non_null(strstr(out, "check SLOGATE_TOKEN"));
	assert_null(strstr(out, "to production"));
	free(out);
	assert_int_equal(h_db_int(db, "SELECT count(*) FROM verdicts"), before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthy_build_is_promoted),
		cmocka_unit_test(waiting_build_is_judged_from_its_deploy),
		cmocka_unit_test(regressed_build_is_blocked_then_approved),
		cmocka_unit_test(approval_needs_a_reason),
		cmocka_unit_test(warn_build_goes_on_with_a_warning),
		cmocka_unit_test(wrong_token_blocks_and_records_nothing),
	};

	return cmocka_run_group_tests_name("gitlab ci templates (gitlab-ci-local, "
	    "real service)", tests, group_setup, group_teardown);
}
