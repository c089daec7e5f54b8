/* tls: certificates for HTTPS, swapped on reload. */
#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "service/tls.h"

#define MAX_CHAIN 8

struct cred {
	gnutls_pcert_st pcert[MAX_CHAIN];
	unsigned int n;
	gnutls_privkey_t key;
	struct cred *older;	/* kept: a handshake may still use them */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct cred *current;

static int
read_file(const char *path, const char *what, gnutls_datum_t *d,
    struct slg_err *err)
{
	struct slg_buf b = SLG_BUF_INIT;
	int rc = slg_buf_read_file(&b, path, (size_t)1 << 20, what, err);

	if (rc != 0) {
		slg_buf_release(&b);
		return rc;
	}
	d->size = (unsigned)b.len;
	d->data = (unsigned char *)slg_buf_detach(&b);
	return d->size > 0 ? 0 : slg_err_set(err, SLG_EINPUT, "%s '%s' is "
	    "empty", what, path);
}

static void
cred_free(struct cred *c)
{
	while (c != NULL) {
		struct cred *o = c->older;

		for (unsigned i = 0; i < c->n; i++)
			gnutls_pcert_deinit(&c->pcert[i]);
		if (c->key)
			gnutls_privkey_deinit(c->key);
		free(c);
		c = o;
	}
}

int
slg_tls_load(const char *cert_file, const char *key_file,
    struct slg_err *err)
{
	gnutls_datum_t cert = { NULL, 0 }, key = { NULL, 0 };
	struct cred *c = calloc(1, sizeof(*c));
	int rc = 0, g;

	if (c == NULL)
		return slg_err_set(err, SLG_ENOMEM, "out of memory");
	if ((rc = read_file(cert_file, "certificate", &cert, err)) != 0 ||
	    (rc = read_file(key_file, "key", &key, err)) != 0)
		goto out;
	c->n = MAX_CHAIN;
	if ((g = gnutls_pcert_list_import_x509_raw(c->pcert, &c->n, &cert,
	    GNUTLS_X509_FMT_PEM, 0)) < 0) {
		c->n = 0;
		rc = slg_err_set(err, SLG_EINPUT, "'%s' is not a PEM certificate "
		    "chain: %s", cert_file, gnutls_strerror(g));
		goto out;
	}
	if ((g = gnutls_privkey_init(&c->key)) < 0 ||
	    (g = gnutls_privkey_import_x509_raw(c->key, &key,
	    GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		rc = slg_err_set(err, SLG_EINPUT, "'%s' is not a PEM private key: "
		    "%s", key_file, gnutls_strerror(g));
		goto out;
	}
	{
		/* a key that is not the certificate's fails every handshake:
		 * refuse it here, where it can be told */
		gnutls_pubkey_t pub = c->pcert[0].pubkey;
		gnutls_datum_t data = { (unsigned char *)"slogate", 7 };
		gnutls_datum_t sig = { NULL, 0 };

		if ((g = gnutls_privkey_sign_data(c->key, GNUTLS_DIG_SHA256, 0,
		    &data, &sig)) < 0 || (g = gnutls_pubkey_verify_data2(pub,
		    gnutls_pk_to_sign(gnutls_pubkey_get_pk_algorithm(pub, NULL),
		    GNUTLS_DIG_SHA256), 0, &data, &sig)) < 0) {
			gnutls_free(sig.data);
			rc = slg_err_set(err, SLG_EINPUT, "key '%s' does not belong "
			    "to certificate '%s'", key_file, cert_file);
			goto out;
		}
		gnutls_free(sig.data);
	}
	pthread_mutex_lock(&lock);
	c->older = current;
	current = c;
	c = NULL;
	pthread_mutex_unlock(&lock);
out:
	if (key.data != NULL)
		memset(key.data, 0, key.size);
	free(key.data);
	free(cert.data);
	cred_free(c);
	return rc;
}

static int
retrieve(gnutls_session_t s, const gnutls_datum_t *req_ca_rdn, int nreqs,
    const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
    gnutls_pcert_st **pcert, unsigned int *pcert_length,
    gnutls_privkey_t *pkey)
{
	(void)s;
	(void)req_ca_rdn;
	(void)nreqs;
	(void)pk_algos;
	(void)pk_algos_length;
	pthread_mutex_lock(&lock);
	if (current == NULL) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	*pcert = current->pcert;
	*pcert_length = current->n;
	*pkey = current->key;
	pthread_mutex_unlock(&lock);
	return 0;
}

void *
slg_tls_callback(void)
{
	return (void *)retrieve;
}

void
slg_tls_free(void)
{
	pthread_mutex_lock(&lock);
	cred_free(current);
	current = NULL;
	pthread_mutex_unlock(&lock);
}
