/* conns: a list of open connections under a lock of its own. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "service/conns.h"
#include "service/log.h"

void
slg_conns_init(struct slg_conns *cs, int header_timeout)
{
	cs->header_timeout = header_timeout;
	cs->head = NULL;
	pthread_mutex_init(&cs->lock, NULL);
}

void
slg_conns_release(struct slg_conns *cs)
{
	pthread_mutex_destroy(&cs->lock);
}

struct slg_conn *
slg_conns_add(struct slg_conns *cs, int fd)
{
	struct slg_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->started = slg_log_now();
	pthread_mutex_lock(&cs->lock);
	c->next = cs->head;
	if (cs->head)
		cs->head->prev = c;
	cs->head = c;
	pthread_mutex_unlock(&cs->lock);
	return c;
}

void
slg_conns_remove(struct slg_conns *cs, struct slg_conn *c)
{
	pthread_mutex_lock(&cs->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		cs->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&cs->lock);
	free(c);
}

void
slg_conns_mark(struct slg_conns *cs, struct slg_conn *c, int in)
{
	pthread_mutex_lock(&cs->lock);
	c->in_request = in;
	c->started = slg_log_now();
	pthread_mutex_unlock(&cs->lock);
}

int
slg_conns_sweep(struct slg_conns *cs)
{
	double now = slg_log_now();
	int n = 0;

	/* shutdown() under the lock: removal takes it before the socket is
	 * closed, so the number is still this connection's */
	pthread_mutex_lock(&cs->lock);
	for (struct slg_conn *c = cs->head; c != NULL; c = c->next) {
		if (c->in_request || c->cut ||
		    now - c->started < cs->header_timeout)
			continue;
		shutdown(c->fd, SHUT_RDWR);
		c->cut = 1;
		n++;
	}
	pthread_mutex_unlock(&cs->lock);
	if (n > 0)
		slg_log_write("slogate: closed %d connections that sent no "
		    "whole request in %d s", n, cs->header_timeout);
	return n;
}
