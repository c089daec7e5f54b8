/* log: one line of the log on stderr, escaped. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "service/log.h"
#include "util/text.h"

void
slg_log_write(const char *fmt, ...)
{
	struct slg_esc esc = SLG_ESC_INIT;
	char line[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", slg_esc(&esc, line));
	slg_esc_release(&esc);
}

double
slg_log_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}
