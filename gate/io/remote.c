/* remote: the CLI's client of `slogate serve`. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "io/remote.h"

#define MAX_ANSWER ((size_t)64 << 20)

static size_t
on_write(char *p, size_t size, size_t n, void *arg)
{
	return slg_buf_add(arg, p, size * n) == 0 ? size * n : 0;
}

int
slg_remote_call(const struct slg_remote *r, const char *method,
    const char *path, const char *body, long *status, struct slg_buf *out,
    struct slg_err *err)
{
	struct slg_buf url = SLG_BUF_INIT, auth = SLG_BUF_INIT;
	struct curl_slist *h = NULL;
	char errbuf[CURL_ERROR_SIZE];
	size_t ul = strlen(r->url);
	CURLcode res = CURLE_OK;
	CURL *c = NULL;
	int rc = 0;

	*status = 0;
	while (ul > 0 && r->url[ul - 1] == '/')
		ul--;
	slg_buf_add(&url, r->url, ul);
	slg_buf_puts(&url, path);
	h = curl_slist_append(h, "Accept: application/json");
	if (body != NULL)
		h = curl_slist_append(h, "Content-Type: application/json");
	if (r->token != NULL) {
		slg_buf_printf(&auth, "Authorization: Bearer %s", r->token);
		h = curl_slist_append(h, auth.data);
	}
	for (int attempt = 1; attempt <= 3; attempt++) {
		if ((c = curl_easy_init()) == NULL) {
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
			goto out;
		}
		slg_buf_release(out);
		out->max = MAX_ANSWER;
		errbuf[0] = '\0';
		curl_easy_setopt(c, CURLOPT_URL, url.data);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		if (body != NULL)
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
		/* a service behind a private CA */
		if (r->ca_file != NULL)
			curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
		res = curl_easy_perform(c);
		if (res == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
		curl_easy_cleanup(c);
		c = NULL;
		/* only a request that never arrived is safe to send again */
		if (res != CURLE_COULDNT_CONNECT && res != CURLE_COULDNT_RESOLVE_HOST)
			break;
		if (attempt < 3)
			usleep(250000U << (attempt - 1));
	}
	if (res != CURLE_OK)
		rc = slg_err_set(err, SLG_EREMOTE, "cannot reach the slogate "
		    "service at '%s': %s", r->url, errbuf[0] ? errbuf :
		    curl_easy_strerror(res));
	if (out->data == NULL)
		slg_buf_add(out, "", 0);
out:
	curl_slist_free_all(h);
	slg_buf_release(&url);
	slg_buf_release(&auth);
	return rc;
}
