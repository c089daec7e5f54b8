/* test_tls: `slogate serve --tls-cert --tls-key` with a CA and
 * certificates the test makes (openssl): curl and the remote CLI trust it
 * through the CA file, nothing else does, and SIGHUP loads a rotated
 * certificate (a broken one is refused and the one before stays). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "testutil.h"

#define TOKEN "tls-token-0123456789abcdef-0123456789"

static struct serve srv;
static char *dir, ca[4096], cert[4096], key[4096], db[4096];

/* A certificate for 127.0.0.1 signed by the test's CA, as NAME.pem and
 * NAME.key in dir. */
static int
issue(const char *name)
{
	return h_sh("set -e; cd '%s'; "
	    "openssl req -new -newkey rsa:2048 -nodes -keyout %s.key -subj "
	    "'/CN=%s' -out %s.csr 2>/dev/null; "
	    "printf 'subjectAltName=IP:127.0.0.1\\n' > %s.ext; "
	    "openssl x509 -req -in %s.csr -CA ca.pem -CAkey ca.key "
	    "-CAcreateserial -days 2 -extfile %s.ext -out %s.pem 2>/dev/null",
	    dir, name, name, name, name, name, name, name);
}

/* The subject's CN of the certificate the service presents now. */
static char *
served_cn(void)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/served.txt", dir);
	h_sh("openssl s_client -connect 127.0.0.1:%d -CAfile '%s' </dev/null "
	    "2>/dev/null | openssl x509 -noout -subject > '%s' 2>/dev/null",
	    srv.port, ca, path);
	return h_read(path);
}

static int
group_setup(void **state)
{
	const char *args[] = { "--db", db, "--prometheus",
	    "http://127.0.0.1:1", "--tls-cert", cert, "--tls-key", key, NULL };
	const char *env[] = { "SLOGATE_TOKEN=" TOKEN, NULL };

	(void)state;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((dir = h_tmpdir()) == NULL)
		return -1;
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);
	snprintf(cert, sizeof(cert), "%s/server.pem", dir);
	snprintf(key, sizeof(key), "%s/server.key", dir);
	if (h_db_new(db, sizeof(db), dir, "tls") != 0)
		return -1;
	if (h_sh("cd '%s' && openssl req -x509 -newkey rsa:2048 -nodes -keyout "
	    "ca.key -subj '/CN=slogate test CA' -days 2 -out ca.pem 2>/dev/null",
	    dir) != 0 || issue("server") != 0 || issue("rotated") != 0)
		return -1;
	setenv("SLOGATE_TEST_CA", ca, 1);
	return h_serve_start(&srv, dir, args, env);
}

static int
group_teardown(void **state)
{
	(void)state;
	h_serve_stop(&srv);
	if (getenv("SLOGATE_TEST_KEEP") == NULL)
		h_rmrf(dir);
	free(dir);
	curl_global_cleanup();
	return 0;
}

static void
https_with_the_ca_only(void **state)
{
	char url[256], plain[256], *out = NULL;
	const char *status[] = { "status", "--server", srv.url, "--commit",
	    "0000000000000000000000000000000000000000", "--service", "svc",
	    "--environment", "staging", NULL };
	const char *with_ca[] = { "SLOGATE_TOKEN=" TOKEN, NULL, NULL };
	char ca_env[4200];
	struct run r;

	(void)state;
	assert_non_null(strstr(srv.url, "https://"));
	snprintf(url, sizeof(url), "%s/healthz", srv.url);
	assert_int_equal(h_http("GET", url, NULL, NULL, &out), 200);
	free(out);
	/* plain HTTP to the port gets no answer */
	snprintf(plain, sizeof(plain), "http://127.0.0.1:%d/healthz", srv.port);
	assert_int_equal(h_http("GET", plain, NULL, NULL, &out), 0);
	free(out);

	/* the remote CLI: untrusted without the CA file, a refusal */
	h_slogate(&r, status, with_ca);
	assert_int_equal(r.code, 4);
	assert_contains(r.err, "cannot reach the slogate service");
	h_run_free(&r);
	/* with SLOGATE_CA_FILE it talks to the service: no verdict, exit 1 */
	snprintf(ca_env, sizeof(ca_env), "SLOGATE_CA_FILE=%s", ca);
	with_ca[1] = ca_env;
	h_slogate(&r, status, with_ca);
	assert_int_equal(r.code, 1);
	assert_contains(r.out, "no verdict recorded");
	h_run_free(&r);
}

static void
sighup_loads_a_rotated_certificate(void **state)
{
	char url[256], *out = NULL, *cn, *log;

	(void)state;
	cn = served_cn();
	assert_non_null(cn);
	assert_contains(cn, "CN = server");
	free(cn);

	/* a broken pair: refused, logged, the one before stays */
	assert_int_equal(h_sh("cd '%s' && cp rotated.pem server.pem && "
	    "openssl genrsa -out server.key 2048 2>/dev/null", dir), 0);
	kill(srv.pid, SIGHUP);
	usleep(500000);
	cn = served_cn();
	assert_contains(cn, "CN = server");
	free(cn);
	log = h_read_until(srv.log, "does not belong to certificate");
	assert_contains(log, "does not belong to certificate");
	free(log);

	/* the rotated pair */
	assert_int_equal(h_sh("cd '%s' && cp rotated.key server.key", dir), 0);
	kill(srv.pid, SIGHUP);
	usleep(500000);
	cn = served_cn();
	assert_contains(cn, "CN = rotated");
	free(cn);
	snprintf(url, sizeof(url), "%s/healthz", srv.url);
	assert_int_equal(h_http("GET", url, NULL, NULL, &out), 200);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(https_with_the_ca_only),
		cmocka_unit_test(sighup_loads_a_rotated_certificate),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
