/* auth: tokens, roles and service globs. */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/auth.h"

static const struct {
	const char *name;
	enum slg_role role;
} roles[] = {
	{ "read", SLG_ROLE_READ },
	{ "evaluate", SLG_ROLE_EVALUATE },
	{ "approve", SLG_ROLE_APPROVE },
	{ "admin", SLG_ROLE_ADMIN },
};

const char *
slg_role_name(enum slg_role role)
{
	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		if (roles[i].role == role)
			return roles[i].name;
	}
	return "?";
}

void
slg_caller_release(struct slg_caller *who)
{
	for (size_t i = 0; i < who->nservices; i++)
		free(who->services[i]);
	free(who->services);
	free(who->name);
	memset(who, 0, sizeof(*who));
}

void
slg_tokens_release(struct slg_tokens *t)
{
	for (size_t i = 0; i < t->n; i++) {
		/* a secret does not linger in freed memory */
		if (t->t[i].secret != NULL)
			memset(t->t[i].secret, 0, strlen(t->t[i].secret));
		free(t->t[i].secret);
		slg_caller_release(&t->t[i].who);
	}
	free(t->t);
	t->t = NULL;
	t->n = 0;
}

static int
add_service(struct slg_caller *who, const char *s, size_t len)
{
	char **ns = realloc(who->services, (who->nservices + 1) *
	    sizeof(*ns));

	if (ns == NULL)
		return -1;
	who->services = ns;
	if ((ns[who->nservices] = strndup(s, len)) == NULL)
		return -1;
	who->nservices++;
	return 0;
}

int
slg_caller_copy(struct slg_caller *out, const struct slg_caller *who)
{
	memset(out, 0, sizeof(*out));
	out->roles = who->roles;
	if ((out->name = strdup(who->name)) == NULL)
		goto oom;
	for (size_t i = 0; i < who->nservices; i++) {
		if (add_service(out, who->services[i],
		    strlen(who->services[i])) != 0)
			goto oom;
	}
	return 0;
oom:
	slg_caller_release(out);
	return SLG_ENOMEM;
}

static int
push(struct slg_tokens *t, const char *secret, size_t slen,
    struct slg_caller *who)
{
	struct slg_token *nt = realloc(t->t, (t->n + 1) * sizeof(*nt));

	if (nt == NULL)
		return -1;
	t->t = nt;
	if ((nt[t->n].secret = strndup(secret, slen)) == NULL)
		return -1;
	nt[t->n].who = *who;
	memset(who, 0, sizeof(*who));
	t->n++;
	return 0;
}

int
slg_tokens_add_admin(struct slg_tokens *t, const char *secret,
    struct slg_err *err)
{
	struct slg_caller who = { 0 };

	if (strlen(secret) < 16)
		return slg_err_set(err, SLG_EINPUT, "SLOGATE_TOKEN is shorter "
		    "than 16 characters, so it is not used");
	who.roles = SLG_ROLE_ADMIN;
	if ((who.name = strdup("SLOGATE_TOKEN")) == NULL ||
	    add_service(&who, "*", 1) != 0 ||
	    push(t, secret, strlen(secret), &who) != 0) {
		slg_caller_release(&who);
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	}
	return 0;
}

static int
blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits [s, e) at blanks into at most max fields; returns how many, or
 * max + 1 when there are more. */
static size_t
fields(const char *s, const char *e, const char **f, size_t *flen, size_t max)
{
	size_t n = 0;

	while (s < e) {
		const char *w;

		while (s < e && blank(*s))
			s++;
		if (s == e)
			break;
		if (n == max)
			return max + 1;
		for (w = s; s < e && !blank(*s); s++)
			;
		f[n] = w;
		flen[n++] = (size_t)(s - w);
	}
	return n;
}

static int
name_ok(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._@+-", s[i]))
			return 0;
	}
	return len > 0 && len <= 64;
}

/* Reads one line's fields into who; 0, or 1 with why set. */
static int
read_line(const char *const *f, const size_t *flen, size_t n,
    struct slg_caller *who, char *why, size_t wn)
{
	const char *p, *e;

	if (n < 3) {
		snprintf(why, wn, "needs a secret, a name and roles, then "
		    "services if not all");
		return 1;
	}
	if (n > 4) {
		snprintf(why, wn, "has more than 4 fields (services are "
		    "separated by commas, without blanks)");
		return 1;
	}
	if (flen[0] < SLG_AUTH_MIN_SECRET) {
		snprintf(why, wn, "the secret is shorter than %d characters",
		    SLG_AUTH_MIN_SECRET);
		return 1;
	}
	if (!name_ok(f[1], flen[1])) {
		snprintf(why, wn, "the name '%.*s' is not 1 to 64 letters, "
		    "digits or ._@+-", (int)(flen[1] > 64 ? 64 : flen[1]), f[1]);
		return 1;
	}
	if ((who->name = strndup(f[1], flen[1])) == NULL)
		return -1;
	for (p = f[2], e = f[2] + flen[2]; p <= e;) {
		const char *c = memchr(p, ',', (size_t)(e - p));
		size_t len = (size_t)((c ? c : e) - p), k;

		for (k = 0; k < sizeof(roles) / sizeof(roles[0]); k++) {
			if (strlen(roles[k].name) == len &&
			    strncmp(roles[k].name, p, len) == 0)
				break;
		}
		if (k == sizeof(roles) / sizeof(roles[0])) {
			snprintf(why, wn, "unknown role '%.*s' (read, evaluate, "
			    "approve, admin)", (int)(len > 32 ? 32 : len), p);
			return 1;
		}
		who->roles |= roles[k].role;
		p += len + 1;
	}
	if (n == 3)
		return add_service(who, "*", 1) != 0 ? -1 : 0;
	for (p = f[3], e = f[3] + flen[3]; p <= e;) {
		const char *c = memchr(p, ',', (size_t)(e - p));
		size_t len = (size_t)((c ? c : e) - p);

		/* a glob of the characters service names have, and * ? [ ] */
		if (len == 0 || len > 128 || strspn(p, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-*?[]!") < len) {
			snprintf(why, wn, "bad service glob '%.*s'",
			    (int)(len > 64 ? 64 : len), p);
			return 1;
		}
		if (add_service(who, p, len) != 0)
			return -1;
		p += len + 1;
	}
	return 0;
}

static int
taken(const struct slg_tokens *t, const char *secret, size_t slen,
    const char *name)
{
	for (size_t i = 0; i < t->n; i++) {
		if ((strlen(t->t[i].secret) == slen &&
		    memcmp(t->t[i].secret, secret, slen) == 0) ||
		    strcmp(t->t[i].who.name, name) == 0)
			return 1;
	}
	return 0;
}

int
slg_tokens_parse(const char *text, size_t len, struct slg_tokens *out,
    void (*bad)(void *cls, size_t line, const char *why), void *cls)
{
	const char *p = text, *end = text + len;
	size_t lineno = 0;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end, *s = p, *f[5];
		struct slg_caller who = { 0 };
		size_t flen[5], n;
		char why[160];
		int rc;

		lineno++;
		p = nl ? nl + 1 : end;
		if ((size_t)(p - s) > SLG_AUTH_MAX_LINE) {
			/* the rest of a long line is not a line of its own */
			snprintf(why, sizeof(why), "is longer than %d characters",
			    SLG_AUTH_MAX_LINE - 1);
			bad(cls, lineno, why);
			continue;
		}
		if (e > s && e[-1] == '\r')
			e--;
		while (s < e && blank(*s))
			s++;
		if (s == e || *s == '#')
			continue;
		if (memchr(s, '\0', (size_t)(e - s)) != NULL) {
			bad(cls, lineno, "holds a NUL byte");
			continue;
		}
		n = fields(s, e, f, flen, 4);
		rc = read_line(f, flen, n, &who, why, sizeof(why));
		if (rc == 0 && taken(out, f[0], flen[0], who.name)) {
			snprintf(why, sizeof(why), "repeats the secret or the "
			    "name of an earlier line");
			rc = 1;
		}
		if (rc == 0 && push(out, f[0], flen[0], &who) != 0)
			rc = -1;
		slg_caller_release(&who);
		if (rc < 0) {
			slg_tokens_release(out);
			return SLG_ENOMEM;
		}
		if (rc > 0)
			bad(cls, lineno, why);
	}
	return 0;
}

/* Compares in time that depends only on the lengths. */
static int
same(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return d == 0;
}

const struct slg_token *
slg_tokens_find(const struct slg_tokens *t, const char *bearer)
{
	const struct slg_token *found = NULL;

	/* no early exit: the time does not tell which line matched */
	for (size_t i = 0; i < t->n; i++) {
		if (same(bearer, t->t[i].secret))
			found = &t->t[i];
	}
	return found;
}

int
slg_caller_may(const struct slg_caller *who, enum slg_role role,
    const char *service)
{
	int covered = 0;

	if (who == NULL)
		return 0;
	if (!(who->roles & SLG_ROLE_ADMIN) && !(who->roles & role) &&
	    role != SLG_ROLE_READ)
		return 0;
	/* approvers read what they approve; so do CI jobs */
	if (role == SLG_ROLE_READ && who->roles == 0)
		return 0;
	for (size_t i = 0; i < who->nservices && !covered; i++) {
		covered = strcmp(who->services[i], "*") == 0 ||
		    (service != NULL &&
		    fnmatch(who->services[i], service, 0) == 0);
	}
	return covered;
}
