/* auth: the service's tokens (who a bearer is, its roles and the services
 * it covers) read from the token file, and what a role allows. Pure: must
 * not read files, know HTTP, or log a secret. */
#ifndef SLG_AUTH_H
#define SLG_AUTH_H

#include <stddef.h>

#include "util/err.h"

#define SLG_AUTH_MIN_SECRET 32		/* shorter secrets can be guessed */
#define SLG_AUTH_MAX_LINE 1024		/* a line of the file, its newline too */

enum slg_role {
	SLG_ROLE_READ = 1,		/* every GET */
	SLG_ROLE_EVALUATE = 2,		/* POST evaluations of registered policies */
	SLG_ROLE_APPROVE = 4,		/* approve and revoke */
	SLG_ROLE_ADMIN = 8		/* everything */
};

/* Who made a request: the token's name, roles and service globs. The
 * service's single SLOGATE_TOKEN is "admin", covering "*". */
struct slg_caller {
	char *name;
	unsigned roles;			/* enum slg_role bits */
	char **services;		/* globs; "*" when the line gave none */
	size_t nservices;
};

struct slg_token {
	char *secret;
	struct slg_caller who;
};

struct slg_tokens {
	struct slg_token *t;
	size_t n;
};

/* Reads a token file's text: one token a line, "SECRET NAME ROLES
 * [SERVICES]" separated by blanks, ROLES and SERVICES comma-separated; a
 * line whose first non-blank is '#', or that is blank, says nothing. A
 * malformed line (too few or too many fields, an unknown role, a secret
 * shorter than SLG_AUTH_MIN_SECRET, a bad name or glob, a line longer than
 * SLG_AUTH_MAX_LINE, a secret or name given twice) grants nothing, and is
 * told to bad(cls, line number, why) without its secret. Gives SLG_ENOMEM
 * only; out is the caller's (slg_tokens_release). */
int slg_tokens_parse(const char *text, size_t len, struct slg_tokens *out,
    void (*bad)(void *cls, size_t line, const char *why), void *cls);

/* Adds the quick-start token (SLOGATE_TOKEN): admin on every service.
 * SLG_EINPUT when it is shorter than 16 characters. */
int slg_tokens_add_admin(struct slg_tokens *t, const char *secret,
    struct slg_err *err);

void slg_tokens_release(struct slg_tokens *t);

/* The token whose secret is bearer, or NULL; every secret is compared in
 * full, in time that depends only on the lengths. */
const struct slg_token *slg_tokens_find(const struct slg_tokens *t,
    const char *bearer);

/* 1 when who holds role (admin holds every role; every role may read) for
 * service (NULL: the request names none, which needs a token that covers
 * every service, "*"). */
int slg_caller_may(const struct slg_caller *who, enum slg_role role,
    const char *service);

/* Copies who into out (out is the caller's: slg_caller_release). */
int slg_caller_copy(struct slg_caller *out, const struct slg_caller *who);
void slg_caller_release(struct slg_caller *who);

/* "read", "evaluate", "approve", "admin". */
const char *slg_role_name(enum slg_role role);

#endif
