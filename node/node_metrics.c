/* node_metrics.c - the loop's counters, copied once a second for /metrics. */
#include <pthread.h>
#include <stdlib.h>

#include "node/node_impl.h"
#include "node/node_metrics.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct node_metrics_snap snap;

void
node_metrics_publish(const struct node_server *s)
{
	pthread_mutex_lock(&lock);
	/* Peers and groups are fixed for the node's life: sized once. */
	if (snap.peers == NULL && s->npeers > 0)
		snap.peers = calloc(s->npeers, sizeof(*snap.peers));
	if (snap.groups == NULL && s->ngroups > 0)
		snap.groups = calloc(s->ngroups, sizeof(*snap.groups));
	snap.npeers = snap.peers != NULL ? s->npeers : 0;
	snap.ngroups = snap.groups != NULL ? s->ngroups : 0;
	snap.published = true;
	snap.started = (int64_t)s->started;
	snap.batches = s->batches;
	snap.rows_in = s->rows_in;
	snap.queries = s->queries_served;
	snap.sensor_streams = s->nst;
	for (size_t i = 0; i < snap.npeers; i++) {
		const struct node_peer *p = &s->peers[i];
		snap.peers[i] = (struct node_metrics_peer){
			p->cfg->name, p->batches, p->rows, p->dups, p->resyncs, p->snapshots,
			p->refused, p->future, p->throttled };
	}
	for (size_t i = 0; i < snap.ngroups; i++) {
		const struct node_group *g = &s->groups[i];
		struct node_metrics_group *m = &snap.groups[i];
		m->name = g->cfg->name;
		m->batches = g->batches;
		m->rows = g->rows;
		m->replays = g->replays;
		m->snapshots = g->snapshots;
		m->below = g->below;
		for (size_t v = 0; v < NODE_EXPORT_VERDICTS; v++)
			m->withheld[v] = g->withheld[v];
	}
	pthread_mutex_unlock(&lock);
}

void
node_metrics_read(void (*fn)(void *arg, const struct node_metrics_snap *m), void *arg)
{
	pthread_mutex_lock(&lock);
	fn(arg, &snap);
	pthread_mutex_unlock(&lock);
}
