/* trail: the audit trail's rules every backend keeps alike, so a trail
 * written on one database verifies on another: what an entry of each kind
 * records, how values and entries are hashed, the one-line "what" of each
 * entry, and the checks for rows written around slogate. The backends
 * read the rows; only store/ includes this. */
#ifndef SLG_STORE_TRAIL_H
#define SLG_STORE_TRAIL_H

#include <stddef.h>
#include <stdint.h>

#include "util/digest.h"
#include "util/err.h"
#include "core/verdict.h"

#define SLG_TRAIL_ZERO_HASH \
    "0000000000000000000000000000000000000000000000000000000000000000"

/* The kinds of value a column gives, as they are hashed. */
enum slg_trail_type { SLG_TV_INT, SLG_TV_REAL, SLG_TV_NULL, SLG_TV_TEXT };

/* One value in a form that cannot be read two ways: a type letter, then
 * the value, text with its length in front. */
void slg_trail_hash_value(struct slg_sha256 *h, enum slg_trail_type type,
    long long i, double r, const char *t, size_t tl);

/* What a backend gives the trail: hash_rows adds to h every row that sql
 * (with $1 the subject's id) gives, each value by slg_trail_hash_value and
 * a newline after each row, and sets *rows. */
struct slg_trail_reader {
	void *ctx;
	int (*hash_rows)(void *ctx, const char *sql, int64_t id,
	    struct slg_sha256 *h, int *rows, struct slg_err *err);
};

/* The SHA-256 of what an entry of kind records about id; *found 0 when
 * the subject is gone. */
int slg_trail_content_hash(const struct slg_trail_reader *r,
    const char *kind, int64_t id, char out[65], int *found,
    struct slg_err *err);

/* Fills e's content_hash, id, prev_hash and hash to follow the last entry
 * (last_id 0 and last_hash NULL for the first one); the backend then
 * inserts it in the subject's transaction. */
int slg_trail_seal(const struct slg_trail_reader *r,
    struct slg_audit_entry *e, int64_t last_id, const char *last_hash,
    struct slg_err *err);

/* The entries of each change; what is a buffer of size n for e->what. */
void slg_trail_of_verdict(struct slg_audit_entry *e,
    const struct slg_verdict *v, char *what, size_t n);
void slg_trail_of_baseline(struct slg_audit_entry *e,
    const struct slg_stored_baseline *b, int64_t id, char *what, size_t n);
void slg_trail_of_approval(struct slg_audit_entry *e,
    const struct slg_approval *a, char *what, size_t n);
void slg_trail_of_revocation(struct slg_audit_entry *e,
    const struct slg_approval *a, const char *by, const char *reason,
    int64_t at, char *what, size_t n);
void slg_trail_of_invalidation(struct slg_audit_entry *e,
    const struct slg_verdict *v, int64_t id, const char *by,
    const char *reason, int64_t at, char *what, size_t n);

/* Walking the trail, oldest entry first, in one snapshot. */
struct slg_trail_walk {
	const struct slg_trail_reader *r;
	const char *expect_head;
	int seen;
	int64_t expect;
	char prev[65];
};

void slg_trail_walk_start(struct slg_trail_walk *w,
    const struct slg_trail_reader *r, const char *expect_head,
    struct slg_audit_check *c);

/* Checks the next entry; c->ok is 0 (and c->why says why) at the first
 * that does not hold, then the walk stops. The return is for a database
 * that cannot be read. */
int slg_trail_walk_step(struct slg_trail_walk *w,
    const struct slg_audit_entry *e, struct slg_audit_check *c,
    struct slg_err *err);

/* After the last entry: a head noted elsewhere that no entry had. */
void slg_trail_walk_end(struct slg_trail_walk *w, struct slg_audit_check *c);

/* Queries whose first row is a row newer than the trail's start with no
 * entry of its kind (the first: the start itself was moved; the last,
 * whose what is NULL: a verdict out of the trail's order). */
struct slg_trail_unrecorded {
	const char *sql;
	const char *what;
};
extern const struct slg_trail_unrecorded slg_trail_unrecorded[];
extern const size_t slg_trail_nunrecorded;

/* Fills c->why for row id that query i found. */
void slg_trail_unrecorded_why(size_t i, int64_t id,
    struct slg_audit_check *c);

#define SLG_TRAIL_OLDER_SQL "SELECT verdicts + approvals + baselines + " \
    "invalidations FROM audit_start"

#endif
