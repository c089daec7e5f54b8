/* digest: SHA-256 (GnuTLS), for the audit trail's hash chain. Must not
 * know what it hashes. */
#ifndef SLG_DIGEST_H
#define SLG_DIGEST_H

#include <stddef.h>

#include "util/err.h"

struct slg_sha256 {
	void *h;
};

/* Starts a hash; SLG_ENOMEM when it cannot. */
int slg_sha256_init(struct slg_sha256 *s, struct slg_err *err);
void slg_sha256_add(struct slg_sha256 *s, const void *p, size_t n);

/* Ends the hash and writes it as 64 lower-case hex digits and a NUL. */
void slg_sha256_hex(struct slg_sha256 *s, char out[65]);

/* Ends a hash without its value (on an error path). */
void slg_sha256_abort(struct slg_sha256 *s);

#endif
