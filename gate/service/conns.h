/* conns: the service's open connections, to shut down those that have not
 * sent a whole request within the header timeout (a client that drips its
 * headers keeps libmicrohttpd's idle timeout from ever firing). Must not
 * know HTTP, or close a socket it was not told is open. */
#ifndef SLG_CONNS_H
#define SLG_CONNS_H

#include <pthread.h>

/* A connection, from accept to close. */
struct slg_conn {
	int fd;
	double started;			/* its current request's first byte */
	int in_request;			/* its headers arrived */
	int cut;			/* shut down already */
	struct slg_conn *prev, *next;
};

struct slg_conns {
	int header_timeout;		/* seconds to send a whole request */
	pthread_mutex_t lock;		/* the list and its members */
	struct slg_conn *head;
};

void slg_conns_init(struct slg_conns *cs, int header_timeout);
/* After every connection has been removed. */
void slg_conns_release(struct slg_conns *cs);

/* Tracks socket fd from now; NULL when out of memory (it is then not
 * tracked). */
struct slg_conn *slg_conns_add(struct slg_conns *cs, int fd);

/* Forgets c and frees it: call before its socket is closed, so a sweep
 * never shuts down a number the kernel gave to another. */
void slg_conns_remove(struct slg_conns *cs, struct slg_conn *c);

/* Marks c as in a request (1: its headers came) or between requests (0:
 * the next one's clock starts now). */
void slg_conns_mark(struct slg_conns *cs, struct slg_conn *c, int in);

/* Shuts down connections that have not sent a whole request within the
 * header timeout (the server then closes them) and logs how many, after
 * its lock is let go. Gives that number. */
int slg_conns_sweep(struct slg_conns *cs);

#endif
