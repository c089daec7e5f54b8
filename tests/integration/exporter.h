/* exporter: a small Prometheus exporter on a loopback port, whose gauges
 * the test sets while slogate waits, for a real Prometheus to scrape twice
 * a second (h_prom_scrape_start): availability, latency and a request rate
 * of the services "svc" and "quick". */
#ifndef SLG_EXPORTER_H
#define SLG_EXPORTER_H

#include "harness.h"

/* Starts it with healthy values; returns its port, or -1. */
int h_exporter_start(void);
void h_exporter_set(double avail, double latency);
void h_exporter_stop(void);

/* Starts prometheus scraping the exporter (again) and waits until it has
 * scraped it steadily for secs seconds, so a window of that length ending
 * now has every point. 0 when it has. */
int h_exporter_prom_up(struct prom_server *p, int secs);

#endif
