/* remote: the CLI's client of `slogate serve` (libcurl): one JSON request,
 * its status and answer. Must not print or decide exit codes. */
#ifndef SLG_REMOTE_H
#define SLG_REMOTE_H

#include "util/buf.h"
#include "util/err.h"

struct slg_remote {
	const char *url;	/* base, e.g. https://slogate.example:8080 */
	const char *token;	/* bearer token, or NULL */
	const char *ca_file;	/* a private CA's certificates, or NULL */
	long timeout_ms;
};

/* Sends method path (with its query string) and body (JSON, or NULL) and
 * puts the answer in out and its status in *status. Connection errors are
 * tried 3 times; any HTTP answer is returned as it is. Gives SLG_EREMOTE
 * (a transport failure) with a message naming the server. */
int slg_remote_call(const struct slg_remote *r, const char *method,
    const char *path, const char *body, long *status, struct slg_buf *out,
    struct slg_err *err);


#endif
