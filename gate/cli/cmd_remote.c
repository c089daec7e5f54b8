/* cmd_remote: what the commands share in remote mode (--server). */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cmd.h"
#include "report/jsonin.h"
#include "io/remote.h"

int
slg_remote_from(const char *flag, struct slg_remote *r, long timeout_ms)
{
	r->url = flag ? flag : slg_env("SLOGATE_SERVER");
	r->token = slg_env("SLOGATE_TOKEN");
	r->ca_file = slg_env("SLOGATE_CA_FILE");
	r->timeout_ms = timeout_ms;
	return r->url != NULL;
}

int
slg_remote_json(const char *cmd, const struct slg_remote *r,
    const char *method, const char *path, const char *body, long want,
    struct slg_buf *out)
{
	struct slg_err err = { 0 };
	long status;

	if (slg_remote_call(r, method, path, body, &status, out, &err) != 0) {
		slg_say_error(cmd, "%s", err.msg);
		return SLG_EXIT_ERROR;
	}
	if (status == want)
		return 0;
	return slg_remote_refused(cmd, status, out);
}

int
slg_remote_refused(const char *cmd, long status, const struct slg_buf *out)
{
	char *why;
	int code;

	why = slg_jsonin_error(out->data, out->len);
	switch (status) {
	case 401:
	case 403:
		slg_say_error(cmd, "the slogate service refused the request "
		    "(HTTP %ld): %s; check SLOGATE_TOKEN", status, why ? why :
		    "no detail");
		code = SLG_EXIT_ERROR;
		break;
	case 404:
	case 409:
		slg_say_error(cmd, "%s", why ? why : "not found");
		code = SLG_EXIT_REFUSED;
		break;
	default:
		slg_say_error(cmd, "the slogate service answered HTTP %ld: %s",
		    status, why ? why : "no detail");
		code = SLG_EXIT_ERROR;
	}
	free(why);
	return code;
}
