/* gitmeta: reads commit metadata from a git repository with libgit2, and
 * computes git object ids. Must not touch the store or the network. */
#ifndef SLG_GITMETA_H
#define SLG_GITMETA_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct slg_commit_info {
	char sha[65];		/* full, lower case hex */
	int64_t time;		/* committer time, unix seconds */
	char *author;		/* "Name <email>" */
	char *subject;		/* first line of the message */
	char *branch;		/* the checked-out branch when it points here */
};

/* Finds the repository holding dir (searching parent folders) and resolves
 * rev (a full or abbreviated sha or any revision; NULL for HEAD). Gives
 * SLG_ENOTFOUND when dir is in no repository, SLG_EAMBIGUOUS when an
 * abbreviated rev names several objects, SLG_EGIT when rev does not
 * resolve to a commit. out is the caller's (slg_commit_info_release). */
int slg_git_commit_info(const char *dir, const char *rev,
    struct slg_commit_info *out, struct slg_err *err);

void slg_commit_info_release(struct slg_commit_info *ci);

/* The first-parent ancestors of commit sha (not sha itself), nearest first,
 * at most max of them, from the repository holding dir. *out is an array
 * of *n strings, the caller's (slg_git_list_free). Gives SLG_ENOTFOUND
 * when dir is in no repository, SLG_EGIT when sha is not in it. */
int slg_git_first_parents(const char *dir, const char *sha, size_t max,
    char ***out, size_t *n, struct slg_err *err);

void slg_git_list_free(char **list, size_t n);

/* The git blob id (what `git hash-object` prints) of data, as 40 hex
 * characters and a NUL in out. */
int slg_git_blob_id(const void *data, size_t len, char out[41],
    struct slg_err *err);

/* 1 when s is 4 to 64 hex digits. */
int slg_git_is_sha(const char *s);

int slg_git_global_init(void);
void slg_git_global_cleanup(void);

#endif
