/* gitmeta: commit metadata with libgit2. */
#include <ctype.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "io/gitmeta.h"

int
slg_git_global_init(void)
{
	return git_libgit2_init() > 0 ? 0 : SLG_EGIT;
}

void
slg_git_global_cleanup(void)
{
	git_libgit2_shutdown();
}

int
slg_git_is_sha(const char *s)
{
	size_t n = strlen(s);

	return n >= 4 && n <= 64 && strspn(s, "0123456789abcdefABCDEF") == n;
}

static const char *
git_msg(void)
{
	const git_error *e = git_error_last();

	return e && e->message ? e->message : "unknown libgit2 error";
}

/* The branch HEAD is on, when HEAD is the given commit. */
static char *
head_branch(git_repository *repo, const git_oid *id)
{
	git_reference *head = NULL;
	char *name = NULL;

	if (git_repository_head(&head, repo) == 0 && git_reference_is_branch(head) &&
	    git_reference_target(head) != NULL &&
	    git_oid_equal(git_reference_target(head), id))
		name = slg_strdup(git_reference_shorthand(head));
	git_reference_free(head);
	return name;
}

int
slg_git_commit_info(const char *dir, const char *rev,
    struct slg_commit_info *out, struct slg_err *err)
{
	git_repository *repo = NULL;
	git_object *obj = NULL;
	git_commit *c = NULL;
	const git_signature *a;
	const char *summary;
	int rc = 0, r;

	memset(out, 0, sizeof(*out));
	r = git_repository_open_ext(&repo, dir ? dir : ".", 0, NULL);
	if (r == GIT_ENOTFOUND) {
		rc = slg_err_set(err, SLG_ENOTFOUND, "'%s' is not in a git "
		    "repository", dir ? dir : ".");
		goto out;
	}
	if (r != 0) {
		rc = slg_err_set(err, SLG_EGIT, "cannot open the git repository "
		    "at '%s': %s", dir ? dir : ".", git_msg());
		goto out;
	}
	if ((r = git_revparse_single(&obj, repo, rev ? rev : "HEAD")) ==
	    GIT_EAMBIGUOUS) {
		rc = slg_err_set(err, SLG_EAMBIGUOUS, "commit '%s' is ambiguous "
		    "in the git repository at '%s': give more digits", rev,
		    dir ? dir : ".");
		goto out;
	}
	if (r != 0 ||
	    git_object_peel((git_object **)&c, obj, GIT_OBJECT_COMMIT) != 0) {
		rc = slg_err_set(err, SLG_EGIT, "commit '%s' not found in the "
		    "git repository at '%s': %s", rev ? rev : "HEAD",
		    dir ? dir : ".", git_msg());
		goto out;
	}
	git_oid_tostr(out->sha, sizeof(out->sha), git_commit_id(c));
	out->time = (int64_t)git_commit_time(c);
	if ((a = git_commit_author(c)) != NULL) {
		struct slg_buf b = SLG_BUF_INIT;

		slg_buf_printf(&b, "%s <%s>", a->name ? a->name : "",
		    a->email ? a->email : "");
		out->author = slg_buf_detach(&b);
	}
	if ((summary = git_commit_summary(c)) != NULL)
		out->subject = strdup(summary);
	out->branch = head_branch(repo, git_commit_id(c));
out:
	git_commit_free(c);
	git_object_free(obj);
	git_repository_free(repo);
	return rc;
}

int
slg_git_first_parents(const char *dir, const char *sha, size_t max,
    char ***out, size_t *n, struct slg_err *err)
{
	git_repository *repo = NULL;
	git_commit *c = NULL, *parent = NULL;
	git_object *obj = NULL;
	char **list = NULL;
	size_t cnt = 0;
	int rc = 0, r;

	*out = NULL;
	*n = 0;
	r = git_repository_open_ext(&repo, dir ? dir : ".", 0, NULL);
	if (r != 0) {
		rc = slg_err_set(err, r == GIT_ENOTFOUND ? SLG_ENOTFOUND : SLG_EGIT,
		    "no git repository at '%s' to walk ancestors in",
		    dir ? dir : ".");
		goto out;
	}
	if (git_revparse_single(&obj, repo, sha) != 0 ||
	    git_object_peel((git_object **)&c, obj, GIT_OBJECT_COMMIT) != 0) {
		rc = slg_err_set(err, SLG_EGIT, "commit '%.12s' is not in the git "
		    "repository at '%s'", sha, dir ? dir : ".");
		goto out;
	}
	if ((list = calloc(max ? max : 1, sizeof(*list))) == NULL) {
		rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
		goto out;
	}
	/* first parent only: a merge compares with the branch it landed on */
	while (cnt < max && git_commit_parentcount(c) > 0) {
		char hex[GIT_OID_HEXSZ + 1];

		if (git_commit_parent(&parent, c, 0) != 0) {
			rc = slg_err_set(err, SLG_EGIT, "cannot read a parent of "
			    "'%.12s': %s", sha, git_msg());
			goto out;
		}
		git_commit_free(c);
		c = parent;
		parent = NULL;
		git_oid_tostr(hex, sizeof(hex), git_commit_id(c));
		if ((list[cnt] = strdup(hex)) == NULL) {
			rc = slg_err_set(err, SLG_ENOMEM, "out of memory");
			goto out;
		}
		cnt++;
	}
	*out = list;
	*n = cnt;
	list = NULL;
out:
	slg_git_list_free(list, cnt);
	git_commit_free(c);
	git_object_free(obj);
	git_repository_free(repo);
	return rc;
}

void
slg_git_list_free(char **list, size_t n)
{
	for (size_t i = 0; list != NULL && i < n; i++)
		free(list[i]);
	free(list);
}

void
slg_commit_info_release(struct slg_commit_info *ci)
{
	free(ci->author);
	free(ci->subject);
	free(ci->branch);
	memset(ci, 0, sizeof(*ci));
}

int
slg_git_blob_id(const void *data, size_t len, char out[41],
    struct slg_err *err)
{
	git_oid id;

	if (git_odb_hash(&id, data, len, GIT_OBJECT_BLOB) != 0)
		return slg_err_set(err, SLG_EGIT, "cannot hash: %s", git_msg());
	git_oid_tostr(out, 41, &id);
	return 0;
}
