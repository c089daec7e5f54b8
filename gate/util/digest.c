/* digest: SHA-256 through GnuTLS. */
#include <gnutls/crypto.h>
#include <stdio.h>

#include "util/digest.h"

int
slg_sha256_init(struct slg_sha256 *s, struct slg_err *err)
{
	gnutls_hash_hd_t h;

	s->h = NULL;
	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) != 0)
		return slg_err_set(err, SLG_ENOMEM, "cannot start SHA-256");
	s->h = h;
	return 0;
}

void
slg_sha256_add(struct slg_sha256 *s, const void *p, size_t n)
{
	if (s->h != NULL && n > 0)
		gnutls_hash((gnutls_hash_hd_t)s->h, p, n);
}

void
slg_sha256_hex(struct slg_sha256 *s, char out[65])
{
	unsigned char d[32] = { 0 };

	if (s->h != NULL)
		gnutls_hash_deinit((gnutls_hash_hd_t)s->h, d);
	s->h = NULL;
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void
slg_sha256_abort(struct slg_sha256 *s)
{
	if (s->h != NULL)
		gnutls_hash_deinit((gnutls_hash_hd_t)s->h, NULL);
	s->h = NULL;
}
