/* tokenfile: the tokens in force (SLOGATE_TOKEN and the token file, read
 * again when the file changes), and who a bearer secret is. Must not know
 * HTTP, log a secret, or read the file under the tokens' lock. */
#ifndef SLG_TOKENFILE_H
#define SLG_TOKENFILE_H

#include <pthread.h>
#include <sys/stat.h>

#include "service/auth.h"

struct slg_tokenfile {
	const char *token;		/* SLOGATE_TOKEN, or NULL */
	const char *path;		/* the token file, or NULL */
	/* one reader of the file at a time, so a bad line is told once a
	 * change; a request's refresh waits on it while the file is read,
	 * then sees the new tokens */
	pthread_mutex_t reload;
	struct stat seen;		/* the file as last read; reload's */
	int read;			/* read once; reload's */
	pthread_mutex_t lock;		/* tokens: held to look up or swap */
	struct slg_tokens tokens;
};

/* token and path are the caller's and outlive tf; nothing is read yet. */
void slg_tokenfile_init(struct slg_tokenfile *tf, const char *token,
    const char *path);
void slg_tokenfile_release(struct slg_tokenfile *tf);

/* Reads SLOGATE_TOKEN and the token file, again whenever the file
 * changes (its time, size or inode), so a token can be rotated without a
 * restart. A file that cannot be read grants nothing; a bad line is
 * logged and grants nothing. The file is read before the tokens' lock is
 * taken, which is held only to swap the new tokens in. */
void slg_tokenfile_refresh(struct slg_tokenfile *tf);

/* 1 when secret is a token's, with *who a copy of whose it is (the
 * caller's: slg_caller_release); 0 when it is none's, or the copy ran out
 * of memory. *any says whether any token is configured. */
int slg_tokenfile_lookup(struct slg_tokenfile *tf, const char *secret,
    struct slg_caller *who, int *any);

/* 1 when any token is configured. */
int slg_tokenfile_any(struct slg_tokenfile *tf);

#endif
