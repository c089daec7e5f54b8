/* pages: the SLO history as server-rendered HTML (no script, no external
 * asset): services, a service's history with a chart per objective, a
 * commit's evaluations. Must not do HTTP or change anything. */
#ifndef SLG_PAGES_H
#define SLG_PAGES_H

#include <stddef.h>
#include <stdint.h>

#include "service/auth.h"
#include "store/store.h"

struct slg_page_req {
	const char *path;
	const char *(*arg)(void *cls, const char *name);
	void *arg_cls;
	struct slg_store *store;
	const char *prometheus_url;	/* for links to the graph page */
	const char *version;
	int64_t now;
	const struct slg_caller *who;	/* NULL: anonymous; else only the
					 * services its token covers */
};

struct slg_page {
	int status;
	char *body;			/* HTML; the caller frees */
	size_t len;
};

/* 1 for "/", "/services/...", "/commits/..." and "/audit". */
int slg_pages_owns(const char *path);

void slg_pages_handle(const struct slg_page_req *req, struct slg_page *out);

#endif
