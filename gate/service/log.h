/* log: the service's log, one escaped line at a time on stderr.
 * Must not be called with a lock held: stderr may be a file on a slow disk. */
#ifndef SLG_LOG_H
#define SLG_LOG_H

/* Writes one line; a path, a method or an error message from outside
 * cannot start a line of its own or colour it. */
void slg_log_write(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Seconds on the monotonic clock, which the log's durations and the
 * service's timeouts are measured by. */
double slg_log_now(void);

#endif
