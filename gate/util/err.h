/* err: error codes and the caller-owned error struct every fallible call takes.
 * Must not print: only the CLI and the server turn an error into output. */
#ifndef SLG_ERR_H
#define SLG_ERR_H

enum slg_errcode {
	SLG_OK = 0,
	SLG_EUSAGE = -1,	/* bad flags or arguments */
	SLG_EPOLICY = -2,	/* policy or template is wrong */
	SLG_EPROM = -3,		/* Prometheus could not answer the query */
	SLG_EPARSE = -4,	/* an answer could not be decoded */
	SLG_ESTORE = -5,	/* the database failed or refused */
	SLG_EGIT = -6,		/* repository could not be read */
	SLG_EIO = -7,		/* file system */
	SLG_ENOMEM = -8,
	SLG_ENOTFOUND = -9,
	SLG_EINPUT = -10,	/* bad value given by a person (time, number) */
	SLG_EAMBIGUOUS = -11,	/* an abbreviated commit names several */
	SLG_ECONFLICT = -12,	/* the recorded state forbids the change:
				 * approving a pass, revoking twice, a
				 * watch that has ended */
	SLG_EREMOTE = -13,	/* the slogate service cannot be reached */
	SLG_EFORBIDDEN = -14	/* the caller's roles or services do not
				 * allow it */
};

#define SLG_ERR_MSG 1024

struct slg_err {
	int code;
	char msg[SLG_ERR_MSG];
};

/* Sets err (when not NULL) and returns code, so callers can write
 * `return slg_err_set(err, SLG_EIO, "...")`. */
int slg_err_set(struct slg_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Puts "prefix: " in front of the message already in err; returns err->code. */
int slg_err_prefix(struct slg_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void slg_err_clear(struct slg_err *err);

#endif
