/* tls: the service's certificate and key for HTTPS (GnuTLS, through
 * libmicrohttpd), loaded at start and again on SIGHUP, handed to each
 * handshake. Must not know HTTP. */
#ifndef SLG_TLS_H
#define SLG_TLS_H

#include "util/err.h"

/* Reads the PEM certificate chain and key and makes them the ones new
 * handshakes get; on failure the ones before stay. SLG_EIO for a file
 * that cannot be read, SLG_EINPUT for one that is not a certificate or a
 * key, or a key that does not match. */
int slg_tls_load(const char *cert_file, const char *key_file,
    struct slg_err *err);

/* libmicrohttpd's MHD_OPTION_HTTPS_CERT_CALLBACK (a GnuTLS
 * gnutls_certificate_retrieve_function2), as a plain pointer. */
void *slg_tls_callback(void);

/* Frees every certificate loaded (at exit, when no handshake runs). */
void slg_tls_free(void);

#endif
