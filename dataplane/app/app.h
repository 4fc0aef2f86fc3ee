/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-dataplane's process state, shared by main.c (options, setup, main loop), nic.c (mbuf
 * sizing, NIC counters into the stats region), report.c (counter names, final report) and
 * telemetry.c (/sigwall/stats, /sigwall/status). The packet path is worker.c.
 */
#ifndef SW_APP_APP_H
#define SW_APP_APP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "dataplane/shm/shm_assoc.h"
#include "worker.h"

/* Exit codes of every sigwall program (README "Exit codes"). */
enum sw_exit {
	SW_EXIT_OK = 0,
	SW_EXIT_RUNTIME = 1, /* the run failed: a device, memory, the system */
	SW_EXIT_USAGE = 2,   /* the command line or an input it names is wrong */
};

#define SW_APP_MAX_VDEVS 16

struct sw_nic_port; /* nic.c */

struct app {
	/* options */
	enum sw_mode mode;
	const char *ports_arg;
	char port_name[SW_PORTS][RTE_ETH_NAME_MAX_LEN];
	unsigned nports;
	const char *instance;
	bool non_sctp_pass;
	enum sw_act def_action;
	unsigned burst;
	bool no_repair;
	bool walk_all; /* --walk-all: conf.no_decide (issue 20 D2) */
	bool repair_fail_open; /* --repair-fail open (enforce: sw_enforce_set_fail_open) */
	/* --repair-fail-link NAME=open|closed: classes 1.. of the enforcer (enforce_dp.h) */
	unsigned nrepair_links;
	const char *repair_link[15];
	bool repair_link_open[15];
	struct sw_shm_assoc assoc; /* enforce: /sigwall.INSTANCE.assoc (inline), hdr NULL: none */
	bool events;
	uint64_t exit_on_idle_ms;
	uint64_t max_packets;
	uint64_t nic_interval_ms; /* NIC counters into the stats region every so often */
	unsigned mbufs;           /* --mbufs: 0 = computed (nic.c, sw_mbuf_need) */
	unsigned ip_frag_entries; /* reasm: --ip-frag-entries (0: IP fragments not joined) */
	unsigned ip_frag_timeout_ms; /* reasm: --ip-frag-timeout */
	unsigned sctp_reasm;      /* reasm: --sctp-reasm (enum sw_sctp_reasm, 0: the default) */
	bool have_mode;
	/* --vdev arguments, taken before rte_eal_init (which may reorder argv) */
	const char *vdev[SW_APP_MAX_VDEVS];
	unsigned nvdev;

	/* set up */
	uint16_t port[SW_PORTS];
	uint16_t nrxd, ntxd;
	unsigned nworkers;
	struct sw_worker *workers;
	struct sw_rl_table *rl;    /* rate limits: one table for every worker (issue 18 D6) */
	struct sw_rl_table *rl_shadow; /* the shadow policy's (issue 18 D7): never the active's */
	uint32_t rl_entries;       /* --rl-entries, 0: SW_RL_DEFAULT_ENTRIES */
	bool rl_per_worker;        /* --rl-per-worker: the old per-worker tables (comparison) */
	struct rte_mempool *pool;
	unsigned pool_size;
	struct sw_image_watch watch;
	struct sw_shm_image *maps[64]; /* every image mapping attached, unmapped at exit */
	unsigned nmaps;
	struct sw_shm_stats stats;
	bool have_stats;
	struct sw_shm_worker *local_blocks; /* when there is no stats region */
	struct sw_nic_port *nic;            /* per port, nic.c */
	uint64_t start_real_ns;
};

/* Leaves with code after one log line (never returns). */
void sw_app_die(enum sw_exit code, const char *fmt, ...) __attribute__((format(printf, 2, 3)))
	__attribute__((noreturn));

/* nic.c: mbufs the ports, workers and virtual devices need at once (sw_mbuf_need), and the
 * NIC counters of every port written into the stats region's NIC sections (sw_nic_*). */
unsigned sw_mbuf_need(const struct app *a, unsigned *vdev_frames);
void sw_nic_setup(struct app *a);
void sw_nic_update(struct app *a);
void sw_nic_print(struct app *a, FILE *f);
void sw_nic_fini(struct app *a);

/* report.c: the named counters of struct sw_shm_counters, totals over workers, final report. */
struct sw_ctr_desc {
	const char *name;
	size_t off; /* offsetof(struct sw_shm_counters, ...) */
};
extern const struct sw_ctr_desc sw_ctr_desc[];
extern const unsigned sw_ctr_count;

static inline uint64_t
sw_ctr_get(const struct sw_shm_counters *c, unsigned k)
{
	return atomic_load_explicit((const _Atomic uint64_t *)((const uint8_t *)c +
							      sw_ctr_desc[k].off),
				    memory_order_relaxed);
}

void sw_app_totals(const struct app *a, struct sw_shm_counters *total);
void sw_app_print_final(struct app *a, double secs);

/* telemetry.c: /sigwall/stats and /sigwall/status on the DPDK telemetry socket. */
void sw_telemetry_register(struct app *a);
void sw_telemetry_unregister(void);

#endif /* SW_APP_APP_H */
