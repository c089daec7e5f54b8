/* tokenfile: the token file read outside any lock the requests share; a
 * lock held only to look a secret up or to swap the tokens. */
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>

#include "service/log.h"
#include "service/tokenfile.h"
#include "util/buf.h"

void
slg_tokenfile_init(struct slg_tokenfile *tf, const char *token,
    const char *path)
{
	memset(tf, 0, sizeof(*tf));
	tf->token = token;
	tf->path = path;
	pthread_mutex_init(&tf->reload, NULL);
	pthread_mutex_init(&tf->lock, NULL);
}

void
slg_tokenfile_release(struct slg_tokenfile *tf)
{
	slg_tokens_release(&tf->tokens);
	pthread_mutex_destroy(&tf->lock);
	pthread_mutex_destroy(&tf->reload);
}

static void
bad_line(void *cls, size_t line, const char *why)
{
	/* the line's secret is never part of why */
	slg_log_write("slogate: token file '%s' line %zu %s: it grants "
	    "nothing", (const char *)cls, line, why);
}

static int
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_size == b->st_size && a->st_ino == b->st_ino;
}

void
slg_tokenfile_refresh(struct slg_tokenfile *tf)
{
	struct slg_tokens t = { NULL, 0 }, old;
	struct slg_err err = { 0 };
	struct slg_buf text = SLG_BUF_INIT;
	struct stat st = { 0 };

	/* a request that comes while the file is read waits for the new
	 * tokens, as it should; one that only looks up does not */
	pthread_mutex_lock(&tf->reload);
	if (tf->path != NULL && stat(tf->path, &st) != 0)
		memset(&st, 0, sizeof(st));
	if (tf->read && (tf->path == NULL || same_file(&st, &tf->seen))) {
		pthread_mutex_unlock(&tf->reload);
		return;
	}
	tf->read = 1;
	tf->seen = st;
	if (tf->path != NULL) {
		if (slg_buf_read_file(&text, tf->path, (size_t)1 << 20,
		    "token file", &err) != 0) {
			slg_log_write("slogate: %s: it grants nothing", err.msg);
			slg_buf_release(&text);
		}
		if (text.len > 0 && slg_tokens_parse(text.data, text.len, &t,
		    bad_line, (void *)tf->path) != 0)
			slg_log_write("slogate: token file '%s': out of memory",
			    tf->path);
		if (text.data != NULL)
			memset(text.data, 0, text.len);
		slg_buf_release(&text);
	}
	if (tf->token != NULL && slg_tokens_find(&t, tf->token) == NULL &&
	    slg_tokens_add_admin(&t, tf->token, &err) != 0)
		slg_log_write("slogate: %s", err.msg);
	pthread_mutex_lock(&tf->lock);
	old = tf->tokens;
	tf->tokens = t;
	pthread_mutex_unlock(&tf->lock);
	pthread_mutex_unlock(&tf->reload);
	slg_tokens_release(&old);
}

int
slg_tokenfile_lookup(struct slg_tokenfile *tf, const char *secret,
    struct slg_caller *who, int *any)
{
	const struct slg_token *tok;

	pthread_mutex_lock(&tf->lock);
	*any = tf->tokens.n > 0;
	if ((tok = slg_tokens_find(&tf->tokens, secret)) != NULL &&
	    slg_caller_copy(who, &tok->who) != 0)
		tok = NULL;
	pthread_mutex_unlock(&tf->lock);
	return tok != NULL;
}

int
slg_tokenfile_any(struct slg_tokenfile *tf)
{
	int any;

	pthread_mutex_lock(&tf->lock);
	any = tf->tokens.n > 0;
	pthread_mutex_unlock(&tf->lock);
	return any;
}
