/* exporter: see exporter.h. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exporter.h"

static struct {
	pthread_mutex_t lock;
	double avail, latency, rate;
	int fd, port;
	volatile int stop;
	pthread_t thread;
} X = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

void
h_exporter_set(double avail, double latency)
{
	pthread_mutex_lock(&X.lock);
	X.avail = avail;
	X.latency = latency;
	X.rate = 50;
	pthread_mutex_unlock(&X.lock);
}

static void *
serve(void *arg)
{
	(void)arg;
	while (!X.stop) {
		struct pollfd p = { X.fd, POLLIN, 0 };
		char req[2048], body[1024], head[256];
		int c, hl, bl = 0;

		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((c = accept(X.fd, NULL, NULL)) < 0)
			continue;
		(void)read(c, req, sizeof(req));
		pthread_mutex_lock(&X.lock);
		bl += snprintf(body + bl, sizeof(body) - (size_t)bl,
		    "# TYPE slogate_test_availability gauge\n"
		    "slogate_test_availability{service=\"svc\"} %.6f\n"
		    "slogate_test_availability{service=\"quick\"} %.6f\n"
		    "# TYPE slogate_test_latency_seconds gauge\n"
		    "slogate_test_latency_seconds{service=\"svc\"} %.6f\n"
		    "slogate_test_latency_seconds{service=\"quick\"} %.6f\n"
		    "# TYPE slogate_test_request_rate gauge\n"
		    "slogate_test_request_rate{service=\"svc\"} %.1f\n"
		    "slogate_test_request_rate{service=\"quick\"} %.1f\n",
		    X.avail, X.avail, X.latency, X.latency, X.rate, X.rate);
		pthread_mutex_unlock(&X.lock);
		hl = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
		    "Content-Type: text/plain; version=0.0.4\r\n"
		    "Content-Length: %d\r\nConnection: close\r\n\r\n", bl);
		(void)write(c, head, (size_t)hl);
		(void)write(c, body, (size_t)bl);
		close(c);
	}
	return NULL;
}

int
h_exporter_start(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int one = 1;

	h_exporter_set(0.9999, 0.08);
	X.stop = 0;
	X.fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(X.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(X.fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(X.fd, 16) != 0 ||
	    getsockname(X.fd, (struct sockaddr *)&a, &len) != 0 ||
	    pthread_create(&X.thread, NULL, serve, NULL) != 0)
		return -1;
	X.port = ntohs(a.sin_port);
	return X.port;
}

void
h_exporter_stop(void)
{
	if (X.fd < 0)
		return;
	X.stop = 1;
	pthread_join(X.thread, NULL);
	close(X.fd);
	X.fd = -1;
}

int
h_exporter_prom_up(struct prom_server *p, int secs)
{
	char url[256], *out = NULL;

	if (h_prom_scrape_start(p, X.port) != 0)
		return -1;
	/* twice a second, all but a few of them */
	snprintf(url, sizeof(url), "%s/api/v1/query?query=count_over_time("
	    "slogate_test_availability%%7Bservice%%3D%%22svc%%22%%7D[%ds])%%3E%%3D%d", p->url, secs,
	    secs * 2 - 2);
	for (int i = 0; i < 10 * (secs + 30); i++) {
		int ok = h_http("GET", url, NULL, NULL, &out) == 200 &&
		    strstr(out, "\"result\":[]") == NULL;

		free(out);
		out = NULL;
		if (ok)
			return 0;
		usleep(100000);
	}
	fprintf(stderr, "prometheus did not scrape the exporter steadily for "
	    "%d s\n", secs);
	return -1;
}
