/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * DPDK telemetry endpoints of sigwall-dataplane (issue 19), for dpdk-telemetry.py users:
 *
 *   /sigwall/stats            counters summed over the workers, malformed reasons, rule hits
 *   /sigwall/stats,W          the same for worker W
 *   /sigwall/status           version, pid, instance, mode, workers and the image generation
 *                             each runs, ports, mbuf pool, uptime
 *
 * The callbacks run on the EAL's telemetry thread: they only read counters (relaxed atomics)
 * and fields fixed at set-up; a mutex keeps them off the process state while it is torn down.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_telemetry.h>
#include <rte_version.h>

#include "app.h"
#include "log.h"

#ifndef SW_VERSION
#define SW_VERSION "unknown"
#endif

static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct app *tel_app;

static void
add_counters(struct rte_tel_data *d, const struct sw_shm_counters *c)
{
	struct rte_tel_data *mal = rte_tel_data_alloc(), *rules = rte_tel_data_alloc();
	unsigned k, nrules = 0;

	for (k = 0; k < sw_ctr_count; k++)
		rte_tel_data_add_dict_u64(d, sw_ctr_desc[k].name, sw_ctr_get(c, k));
	if (mal != NULL) {
		rte_tel_data_start_dict(mal);
		for (k = 1; k < SW_MAL_COUNT; k++)
			if (c->mal[k] != 0)
				rte_tel_data_add_dict_u64(mal, sw_mal_name((enum sw_mal)k),
							  (uint64_t)c->mal[k]);
		rte_tel_data_add_dict_container(d, "malformed_reasons", mal, 0);
	}
	if (rules != NULL) {
		char id[16];

		/* Rule index -> hits, the rules that were hit (a telemetry dict holds 256). */
		rte_tel_data_start_dict(rules);
		for (k = 0; k < SW_SHM_MAX_RULES && nrules < RTE_TEL_MAX_DICT_ENTRIES; k++) {
			if (c->rule_hits[k] == 0)
				continue;
			snprintf(id, sizeof(id), "%u", k);
			rte_tel_data_add_dict_u64(rules, id, (uint64_t)c->rule_hits[k]);
			nrules++;
		}
		rte_tel_data_add_dict_container(d, "rule_hits", rules, 0);
	}
}

static int
cb_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct sw_shm_counters *c;
	int rc = 0;

	(void)cmd;
	c = malloc(sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&tel_lock);
	if (tel_app == NULL) {
		rc = -ENODEV;
	} else if (params != NULL && params[0] != '\0') {
		char *end;
		unsigned long w = strtoul(params, &end, 10);

		if (*end != '\0' || end == params || w >= tel_app->nworkers) {
			rc = -EINVAL;
		} else {
			const _Atomic uint64_t *s = (const _Atomic uint64_t *)tel_app->workers[w].c;
			uint64_t *t = (uint64_t *)c;

			for (size_t k = 0; k < sizeof(*c) / sizeof(uint64_t); k++)
				t[k] = atomic_load_explicit(&s[k], memory_order_relaxed);
			rte_tel_data_start_dict(d);
			rte_tel_data_add_dict_u64(d, "worker", w);
			add_counters(d, c);
		}
	} else {
		sw_app_totals(tel_app, c);
		rte_tel_data_start_dict(d);
		rte_tel_data_add_dict_u64(d, "workers", tel_app->nworkers);
		add_counters(d, c);
	}
	pthread_mutex_unlock(&tel_lock);
	free(c);
	return rc;
}

static int
cb_status(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct app *a;
	struct rte_tel_data *gens, *ports;
	unsigned i;

	(void)cmd;
	(void)params;
	pthread_mutex_lock(&tel_lock);
	a = tel_app;
	if (a == NULL) {
		pthread_mutex_unlock(&tel_lock);
		return -ENODEV;
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "program", "sigwall-dataplane");
	rte_tel_data_add_dict_string(d, "version", SW_VERSION);
	rte_tel_data_add_dict_string(d, "dpdk", rte_version());
	rte_tel_data_add_dict_int(d, "pid", (int)getpid());
	rte_tel_data_add_dict_string(d, "instance", a->instance);
	rte_tel_data_add_dict_string(d, "mode", a->mode == SW_MODE_INLINE ? "inline" : "monitor");
	rte_tel_data_add_dict_string(d, "default_action",
				     a->def_action == SW_ACT_DROP ? "drop" : "pass");
	rte_tel_data_add_dict_string(d, "non_sctp", a->non_sctp_pass ? "pass" : "drop");
	rte_tel_data_add_dict_u64(d, "workers", a->nworkers);
	rte_tel_data_add_dict_u64(d, "uptime_s", (sw_shm_real_ns() - a->start_real_ns) / 1000000000u);
	rte_tel_data_add_dict_u64(d, "mbufs", a->pool_size);
	rte_tel_data_add_dict_u64(d, "mbufs_free", rte_mempool_avail_count(a->pool));
	rte_tel_data_add_dict_u64(d, "stats_region", a->have_stats ? 1 : 0);
	rte_tel_data_add_dict_u64(d, "image_validated",
				  atomic_load_explicit(&a->watch.ok_gen, memory_order_relaxed));
	gens = rte_tel_data_alloc();
	if (gens != NULL) {
		/* The generation each worker last started a burst with (its epoch). */
		rte_tel_data_start_array(gens, RTE_TEL_U64_VAL);
		for (i = 0; i < a->nworkers; i++)
			rte_tel_data_add_array_u64(gens, atomic_load_explicit(
				&a->workers[i].sw->epoch, memory_order_acquire));
		rte_tel_data_add_dict_container(d, "worker_generation", gens, 0);
	}
	ports = rte_tel_data_alloc();
	if (ports != NULL) {
		rte_tel_data_start_array(ports, RTE_TEL_STRING_VAL);
		for (i = 0; i < a->nports; i++) {
			char name[RTE_ETH_NAME_MAX_LEN] = "?";

			rte_eth_dev_get_name_by_port(a->port[i], name);
			rte_tel_data_add_array_string(ports, name);
		}
		rte_tel_data_add_dict_container(d, "ports", ports, 0);
	}
	pthread_mutex_unlock(&tel_lock);
	return 0;
}

void
sw_telemetry_register(struct app *a)
{
	pthread_mutex_lock(&tel_lock);
	tel_app = a;
	pthread_mutex_unlock(&tel_lock);
	if (rte_telemetry_register_cmd("/sigwall/stats", cb_stats,
				       "sigwall counters (total, or of worker N). Parameters: "
				       "int worker (optional)") != 0 ||
	    rte_telemetry_register_cmd("/sigwall/status", cb_status,
				       "sigwall-dataplane status: mode, workers, generations, "
				       "ports. Takes no parameters") != 0)
		SW_LOG_WARNING("cannot register the /sigwall telemetry commands");
}

void
sw_telemetry_unregister(void)
{
	/* DPDK 22.11 cannot unregister a command: it answers -ENODEV from now on. */
	pthread_mutex_lock(&tel_lock);
	tel_app = NULL;
	pthread_mutex_unlock(&tel_lock);
}
