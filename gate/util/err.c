/* err: error codes and the caller-owned error struct. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/err.h"

int
slg_err_set(struct slg_err *err, int code, const char *fmt, ...)
{
	va_list ap;
	char msg[SLG_ERR_MSG];

	if (err == NULL)
		return code;
	/* through a copy: the arguments may be err->msg itself */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err->code = code;
	memcpy(err->msg, msg, sizeof(msg));
	return code;
}

int
slg_err_prefix(struct slg_err *err, const char *fmt, ...)
{
	char joined[2 * SLG_ERR_MSG + 2];
	va_list ap;
	int n;

	if (err == NULL)
		return SLG_OK;
	va_start(ap, fmt);
	n = vsnprintf(joined, SLG_ERR_MSG, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n >= SLG_ERR_MSG)
		n = SLG_ERR_MSG - 1;
	memcpy(joined + n, ": ", 2);
	memcpy(joined + n + 2, err->msg, strlen(err->msg) + 1);
	memcpy(err->msg, joined, SLG_ERR_MSG - 1);
	err->msg[SLG_ERR_MSG - 1] = '\0';
	return err->code;
}

void
slg_err_clear(struct slg_err *err)
{
	if (err != NULL) {
		err->code = SLG_OK;
		err->msg[0] = '\0';
	}
}
