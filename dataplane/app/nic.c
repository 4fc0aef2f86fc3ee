/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-dataplane's ports beyond the packet path: how many mbufs they need (sw_mbuf_need), and
 * their counters (rte_eth_stats and every rte_eth_xstat) written by the main lcore into the
 * stats region's NIC sections (shm.h, struct sw_shm_nic) for control's metrics, and printed at
 * exit.
 */
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "app.h"
#include "log.h"

#define MBUF_CACHE 256

struct sw_nic_port {
	uint16_t port;
	unsigned n;                      /* xstats the port has */
	struct rte_eth_xstat_name *names;
	struct rte_eth_xstat *vals;
	struct rte_eth_stats st;         /* last read, for the report */
	bool have_st;
};

/* Frames in a capture (pcap or pcapng); 0 if it cannot be read. */
static unsigned
pcap_frames(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p = pcap_open_offline(path, err);
	unsigned n = 0;

	if (p == NULL)
		return 0;
	while (pcap_next_ex(p, &h, &d) == 1)
		n++;
	pcap_close(p);
	return n;
}

/*
 * What a virtual device keeps in mbufs of our pool for the whole run: net_pcap with
 * infinite_rx=1 copies every frame of each rx_pcap capture into mbufs when its RX queue is set
 * up ("Not enough mbufs to accommodate packets in pcap file" otherwise).
 */
static unsigned
vdev_frames(const char *vdev)
{
	char buf[1024], *save = NULL, *kv;
	unsigned n = 0;
	bool infinite = false;

	if (strncmp(vdev, "net_pcap", 8) != 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", vdev);
	for (kv = strtok_r(buf, ",", &save); kv != NULL; kv = strtok_r(NULL, ",", &save))
		if (strcmp(kv, "infinite_rx=1") == 0)
			infinite = true;
	if (!infinite)
		return 0;
	snprintf(buf, sizeof(buf), "%s", vdev);
	for (kv = strtok_r(buf, ",", &save); kv != NULL; kv = strtok_r(NULL, ",", &save))
		if (strncmp(kv, "rx_pcap=", 8) == 0)
			n += pcap_frames(kv + 8);
	return n;
}

/*
 * Every RX descriptor filled and every TX descriptor in flight on every queue of every port,
 * a burst in each worker's hands plus the SACKs it generates, the mempool caches of every
 * lcore (up to 1.5x their size), what virtual devices preload, and some slack.
 */
unsigned
sw_mbuf_need(const struct app *a, unsigned *preload)
{
	uint64_t n;
	unsigned i;

	*preload = 0;
	for (i = 0; i < a->nvdev; i++)
		*preload += vdev_frames(a->vdev[i]);
	n = (uint64_t)a->nports * a->nworkers * (a->nrxd + a->ntxd);
	n += (uint64_t)a->nworkers * 2 * SW_BURST_MAX;
	n += (uint64_t)rte_lcore_count() * MBUF_CACHE * 3 / 2;
	n += *preload + 1024;
	return n > (1u << 24) ? 1u << 24 : (unsigned)n;
}

void
sw_nic_setup(struct app *a)
{
	unsigned i;

	a->nic = rte_zmalloc("sw_nic", sizeof(*a->nic) * a->nports, 0);
	if (a->nic == NULL)
		sw_app_die(SW_EXIT_RUNTIME, "out of memory for NIC counters; give the EAL more "
			   "memory (-m)");
	for (i = 0; i < a->nports; i++) {
		struct sw_nic_port *p = &a->nic[i];
		int n;

		p->port = a->port[i];
		n = rte_eth_xstats_get_names(p->port, NULL, 0);
		if (n <= 0)
			continue;
		p->names = calloc((size_t)n, sizeof(*p->names));
		p->vals = calloc((size_t)n, sizeof(*p->vals));
		if (p->names == NULL || p->vals == NULL ||
		    rte_eth_xstats_get_names(p->port, p->names, (unsigned)n) != n) {
			SW_LOG_WARNING("port %u: cannot read the names of its %d xstats", p->port, n);
			continue;
		}
		p->n = (unsigned)n;
	}
	if (a->have_stats) {
		unsigned np = a->nports < SW_SHM_MAX_PORTS ? a->nports : SW_SHM_MAX_PORTS;

		for (i = 0; i < np; i++)
			atomic_store_explicit(&sw_shm_nic(&a->stats, i)->update_ns, 0,
					      memory_order_relaxed);
		atomic_store_explicit(&a->stats.hdr->nic_ports, np, memory_order_release);
	}
	sw_nic_update(a);
}

static void
nic_publish(struct app *a, unsigned i, const struct sw_nic_port *p, unsigned nx)
{
	struct sw_shm_nic *s = sw_shm_nic(&a->stats, i);
	char name[RTE_ETH_NAME_MAX_LEN] = "";
	unsigned k, keep = nx < SW_SHM_MAX_XSTATS ? nx : SW_SHM_MAX_XSTATS;

	rte_eth_dev_get_name_by_port(p->port, name);
	sw_shm_nic_write_begin(s);
	s->port_id = p->port;
	s->role = (uint16_t)i;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->ipackets = p->st.ipackets;
	s->opackets = p->st.opackets;
	s->ibytes = p->st.ibytes;
	s->obytes = p->st.obytes;
	s->imissed = p->st.imissed;
	s->ierrors = p->st.ierrors;
	s->oerrors = p->st.oerrors;
	s->rx_nombuf = p->st.rx_nombuf;
	for (k = 0; k < keep; k++) {
		snprintf(s->xname[k], sizeof(s->xname[k]), "%s", p->names[k].name);
		s->xvalue[k] = p->vals[k].value;
	}
	s->nxstats = keep;
	s->xstats_dropped = nx - keep;
	atomic_store_explicit(&s->update_ns, sw_shm_real_ns(), memory_order_relaxed);
	sw_shm_nic_write_end(s);
}

/* Main lcore, every --nic-interval and once at exit. */
void
sw_nic_update(struct app *a)
{
	unsigned i;

	if (a->nic == NULL)
		return;
	for (i = 0; i < a->nports; i++) {
		struct sw_nic_port *p = &a->nic[i];
		unsigned nx = 0;

		p->have_st = rte_eth_stats_get(p->port, &p->st) == 0;
		if (p->n != 0) {
			int r = rte_eth_xstats_get(p->port, p->vals, p->n);

			/* The port's set of xstats does not change while it runs; a different
			 * count means the names no longer match the values: keep none. */
			nx = r == (int)p->n ? p->n : 0;
		}
		if (a->have_stats && i < SW_SHM_MAX_PORTS)
			nic_publish(a, i, p, nx);
	}
}

void
sw_nic_print(struct app *a, FILE *f)
{
	unsigned i;

	if (a->nic == NULL)
		return;
	for (i = 0; i < a->nports; i++) {
		const struct sw_nic_port *p = &a->nic[i];

		if (!p->have_st)
			continue;
		fprintf(f, "port %c (%u): ipackets %" PRIu64 " opackets %" PRIu64 " imissed %" PRIu64
			" ierrors %" PRIu64 " oerrors %" PRIu64 " rx_nombuf %" PRIu64 " xstats %u\n",
			'A' + i, p->port, p->st.ipackets, p->st.opackets, p->st.imissed,
			p->st.ierrors, p->st.oerrors, p->st.rx_nombuf, p->n);
	}
}

void
sw_nic_fini(struct app *a)
{
	unsigned i;

	if (a->nic == NULL)
		return;
	/* The sections keep the last values (update_ns says when) for control after we exit. */
	for (i = 0; i < a->nports; i++) {
		free(a->nic[i].names);
		free(a->nic[i].vals);
	}
	rte_free(a->nic);
	a->nic = NULL;
}
