/* copy: what `slogate db copy` moves from one database to another, the
 * same for every backend; only store/ includes this. */
#ifndef SLG_STORE_COPY_H
#define SLG_STORE_COPY_H

#include <stdint.h>

#include "util/err.h"
#include "store/trail.h"

/* One table: its columns in the order given, read in `order`. */
struct slg_copy_table {
	const char *name;
	const char *columns;
	const char *order;
	int ncol;
};

/* One value as it is stored: text points into the reader's row. */
struct slg_copy_value {
	enum slg_trail_type type;
	int64_t i;
	double r;
	const char *t;
};

/* Called for each row read; nonzero stops the read with that code. */
typedef int (*slg_copy_row_fn)(void *ctx, const struct slg_copy_value *v,
    int n, struct slg_err *err);

#endif
