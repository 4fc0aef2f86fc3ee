/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test helper of the integration suite: a minimal control plane built from the
 * same libraries as sigwall-control (policy compiler + shared-memory helpers), so
 * the dataplane tests do not depend on the daemon.
 *
 *   sw-itest publish INSTANCE RULES SITE GEN [--bad-abi]
 *   sw-itest reload-loop INSTANCE SITE GEN0 COUNT INTERVAL_MS RULES_A RULES_B
 *   sw-itest events INSTANCE          drain every worker's event ring, JSON lines
 *   sw-itest counters INSTANCE        totals of the stats region, one JSON object
 *   sw-itest unlink INSTANCE
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "control/compiler/compiler.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "dataplane/shm/shm.h"

static int
usage(void)
{
	fprintf(stderr, "usage: sw-itest publish INSTANCE RULES SITE GEN [--bad-abi] [--slots N]\n"
			"       sw-itest reload-loop INSTANCE SITE GEN0 COUNT INTERVAL_MS RULES_A "
			"RULES_B\n"
			"       sw-itest events|counters|nic|unlink INSTANCE\n"
			"       sw-itest shadow-publish INSTANCE RULES SITE GEN [SAMPLE]\n"
			"       sw-itest shadow-promote|shadow-drop|shadow-diff INSTANCE\n");
	return 2;
}

static int
publish_one(struct sw_shm_image *m, const char *rules, const char *site, uint64_t gen,
	    bool bad_abi, const char *instance)
{
	struct sw_compiled c;
	struct sw_shm_stats st;
	bool have_stats;
	char err[512];
	int rc;

	rc = sw_compile_files(rules, site, gen, &c, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "sw-itest: %s\n", err);
		return 1;
	}
	if (bad_abi)
		((struct sw_image_hdr *)c.image)->abi = SW_IMAGE_ABI + 100;
	have_stats = sw_shm_stats_attach(instance, false, &st) == 0;
	rc = sw_shm_image_publish(m, have_stats ? &st : NULL, c.image, c.size, gen,
				  ((struct sw_image_hdr *)c.image)->checksum,
				  (uint64_t)(c.compile_ms * 1e6), 5000, err, sizeof(err));
	if (have_stats)
		sw_shm_stats_detach(&st);
	if (rc < 0) {
		fprintf(stderr, "sw-itest: publish generation %" PRIu64 ": %s\n", gen, err);
		sw_compiled_free(&c);
		return 1;
	}
	printf("published generation %" PRIu64 " rules %s size %zu\n", gen, rules, c.size);
	fflush(stdout);
	sw_compiled_free(&c);
	return 0;
}

/* publish INSTANCE RULES SITE GEN [--bad-abi] [--slots N]: --slots other than the object's
 * makes sw_shm_image_create retire and re-create it (what a control of another build does). */
static int
cmd_publish(int argc, char **argv)
{
	struct sw_shm_image m;
	bool reused, bad_abi = false;
	unsigned slots = 3;
	int rc, i;

	if (argc < 6)
		return usage();
	for (i = 6; i < argc; i++) {
		if (strcmp(argv[i], "--bad-abi") == 0)
			bad_abi = true;
		else if (strcmp(argv[i], "--slots") == 0 && i + 1 < argc)
			slots = (unsigned)strtoul(argv[++i], NULL, 10);
		else
			return usage();
	}
	rc = sw_shm_image_create(argv[2], SW_SHM_MIN_SLOT_SIZE, slots, &m, &reused);
	if (rc < 0) {
		fprintf(stderr, "sw-itest: image region: %s\n", strerror(-rc));
		return 1;
	}
	if (!reused)
		printf("created %s with %u slots\n", m.name, slots);
	rc = publish_one(&m, argv[3], argv[4], strtoull(argv[5], NULL, 10), bad_abi, argv[2]);
	sw_shm_image_detach(&m);
	return rc;
}

/*
 * The shadow policy (issue 18 D7): shadow-publish INSTANCE RULES SITE GEN [SAMPLE],
 * shadow-promote INSTANCE, shadow-drop INSTANCE, shadow-diff INSTANCE (one JSON line: the
 * workers' shadow counters and the changed MSUs per candidate rule, by name).
 */
static int
cmd_shadow(int argc, char **argv)
{
	struct sw_shm_image m;
	struct sw_shm_stats st;
	struct sw_compiled c;
	bool reused, have_stats;
	char err[512];
	int rc;

	rc = sw_shm_image_create(argv[2], SW_SHM_MIN_SLOT_SIZE, 3, &m, &reused);
	if (rc < 0) {
		fprintf(stderr, "sw-itest: image region: %s\n", strerror(-rc));
		return 1;
	}
	have_stats = sw_shm_stats_attach(argv[2], false, &st) == 0;
	if (strcmp(argv[1], "shadow-publish") == 0 && argc >= 6) {
		uint64_t gen = strtoull(argv[5], NULL, 10);

		rc = sw_compile_files(argv[3], argv[4], gen, &c, err, sizeof(err));
		if (rc == 0) {
			rc = sw_shm_shadow_publish(&m, have_stats ? &st : NULL, c.image, c.size, gen,
						   ((struct sw_image_hdr *)c.image)->checksum,
						   argc > 6 ? (uint32_t)strtoul(argv[6], NULL, 10) : 0,
						   5000, err, sizeof(err));
			sw_compiled_free(&c);
		}
		if (rc == 0)
			printf("published shadow generation %" PRIu64 " rules %s\n", gen, argv[3]);
	} else if (strcmp(argv[1], "shadow-promote") == 0) {
		rc = sw_shm_shadow_promote(&m, err, sizeof(err));
	} else if (strcmp(argv[1], "shadow-drop") == 0) {
		rc = sw_shm_shadow_drop(&m, err, sizeof(err));
	} else if (strcmp(argv[1], "shadow-diff") == 0 && have_stats) {
		uint64_t g = atomic_load(&m.hdr->shadow_generation), size, t[6] = {0};
		const void *img = sw_shm_shadow_find(&m, g, &size);
		unsigned nw = sw_shm_nworkers(&st), nr = img != NULL ? sw_image_nrules(img) : 0;

		for (unsigned w = 0; w < nw; w++) {
			struct sw_shm_counters *k = &sw_shm_worker(&st, w)->c;
			t[0] += k->shadow_msus, t[1] += k->shadow_changed, t[2] += k->shadow_to_drop;
			t[3] += k->shadow_to_pass, t[4] += k->shadow_default;
			t[5] += k->shadow_images_refused;
		}
		printf("{\"shadow_generation\":%" PRIu64 ",\"msus\":%" PRIu64 ",\"changed\":%" PRIu64
		       ",\"to_drop\":%" PRIu64 ",\"to_pass\":%" PRIu64 ",\"default\":%" PRIu64
		       ",\"refused\":%" PRIu64 ",\"rules\":{", g, t[0], t[1], t[2], t[3], t[4], t[5]);
		for (unsigned r = 0, first = 1; r < nr && r < SW_SHM_MAX_RULES; r++) {
			uint64_t n = 0;
			for (unsigned w = 0; w < nw; w++)
				n += sw_shm_worker(&st, w)->c.shadow_rule[r];
			if (n == 0)
				continue;
			printf("%s\"%s\":%" PRIu64, first ? "" : ",", sw_image_rule_name(img, (int32_t)r),
			       n);
			first = 0;
		}
		printf("}}\n");
	} else {
		rc = -EINVAL;
		snprintf(err, sizeof(err), "bad shadow command");
	}
	if (rc < 0)
		fprintf(stderr, "sw-itest: %s: %s\n", argv[1], err);
	if (have_stats)
		sw_shm_stats_detach(&st);
	sw_shm_image_detach(&m);
	return rc < 0 ? 1 : 0;
}

static int
cmd_reload_loop(int argc, char **argv)
{
	struct sw_shm_image m;
	uint64_t gen, i, count;
	unsigned interval_ms;
	bool reused;
	int rc;

	if (argc < 9)
		return usage();
	gen = strtoull(argv[4], NULL, 10);
	count = strtoull(argv[5], NULL, 10);
	interval_ms = (unsigned)strtoul(argv[6], NULL, 10);
	rc = sw_shm_image_create(argv[2], SW_SHM_MIN_SLOT_SIZE, 3, &m, &reused);
	if (rc < 0) {
		fprintf(stderr, "sw-itest: image region: %s\n", strerror(-rc));
		return 1;
	}
	for (i = 0; i < count; i++) {
		rc = publish_one(&m, argv[7 + (i & 1)], argv[3], gen + i, false, argv[2]);
		if (rc != 0)
			break;
		usleep(interval_ms * 1000u);
	}
	sw_shm_image_detach(&m);
	return rc;
}

static void
json_str(const char *k, const char *v)
{
	if (k != NULL)
		printf(",\"%s\":\"", k);
	else
		putchar('"');
	for (; *v != '\0'; v++)
		if (*v >= 0x20 && *v < 0x7f && *v != '"' && *v != '\\')
			putchar(*v);
	putchar('"');
}

static int
cmd_events(const char *instance)
{
	struct sw_shm_stats st;
	struct sw_shm_event ev;
	unsigned w, i;
	int rc;

	rc = sw_shm_stats_attach(instance, true, &st);
	if (rc < 0) {
		fprintf(stderr, "sw-itest: stats region: %s\n", strerror(-rc));
		return 1;
	}
	for (w = 0; w < st.geo.max_workers; w++) {
		struct sw_shm_ring *r = sw_shm_ring(&st, w);

		while (sw_shm_events_pop(&st, w, &ev, 1) == 1) {
			printf("{\"worker\":%u,\"generation\":%" PRIu64 ",\"rule\":%" PRId32
			       ",\"kind\":%u,\"action\":%u,\"direction\":%u,\"mal\":%u,\"opc\":%u,"
			       "\"dpc\":%u,\"opcode\":%" PRId32 ",\"pkt_len\":%u",
			       ev.worker, ev.generation, ev.rule, ev.kind, ev.action, ev.direction,
			       ev.mal, ev.opc, ev.dpc, ev.opcode, ev.pkt_len);
			json_str("cgpa", ev.cgpa);
			json_str("cdpa", ev.cdpa);
			json_str("imsi", ev.imsi);
			printf(",\"pkt\":\"");
			for (i = 0; i < ev.cap_len && i < SW_SHM_EVENT_SNAP; i++)
				printf("%02x", ev.pkt[i]);
			printf("\"}\n");
		}
		if (atomic_load_explicit(&r->lost, memory_order_relaxed) != 0)
			fprintf(stderr, "sw-itest: worker %u lost %" PRIu64 " events\n", w,
				(uint64_t)atomic_load_explicit(&r->lost, memory_order_relaxed));
	}
	sw_shm_stats_detach(&st);
	return 0;
}

static int
cmd_counters(const char *instance)
{
	struct sw_shm_stats st;
	uint64_t t[8] = {0};
	unsigned w, nw;
	int rc;

	rc = sw_shm_stats_attach(instance, false, &st);
	if (rc < 0) {
		fprintf(stderr, "sw-itest: stats region: %s\n", strerror(-rc));
		return 1;
	}
	nw = sw_shm_nworkers(&st);
	for (w = 0; w < nw; w++) {
		struct sw_shm_counters *c = &sw_shm_worker(&st, w)->c;

		t[0] += c->rx_pkts;
		t[1] += c->msus;
		t[2] += c->allowed;
		t[3] += c->dropped;
		t[4] += c->alerted;
		t[5] += c->malformed;
		t[6] += c->events;
		t[7] += c->gen_switches;
	}
	printf("{\"workers\":%u,\"rx_pkts\":%" PRIu64 ",\"msus\":%" PRIu64 ",\"allowed\":%" PRIu64
	       ",\"dropped\":%" PRIu64 ",\"alerted\":%" PRIu64 ",\"malformed\":%" PRIu64
	       ",\"events\":%" PRIu64 ",\"gen_switches\":%" PRIu64 "}\n",
	       nw, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
	sw_shm_stats_detach(&st);
	return 0;
}

/* The NIC sections the dataplane writes (shm.h struct sw_shm_nic), one JSON line per port:
 * the rte_eth_stats fields and every xstat by name. */
static int
cmd_nic(const char *instance)
{
	static struct sw_shm_nic n;
	struct sw_shm_stats st;
	unsigned p, k;
	int rc;

	rc = sw_shm_stats_attach(instance, false, &st);
	if (rc < 0) {
		fprintf(stderr, "sw-itest: stats region: %s\n", strerror(-rc));
		return 1;
	}
	for (p = 0; p < SW_SHM_MAX_PORTS; p++) {
		rc = sw_shm_nic_read(&st, p, &n);
		if (rc == -ENOENT)
			continue;
		if (rc < 0) {
			fprintf(stderr, "sw-itest: NIC section %u: %s\n", p, strerror(-rc));
			sw_shm_stats_detach(&st);
			return 1;
		}
		printf("{\"slot\":%u,\"port\":%u,\"role\":%u,\"update_ns\":%" PRIu64
		       ",\"ipackets\":%" PRIu64 ",\"opackets\":%" PRIu64 ",\"imissed\":%" PRIu64
		       ",\"ierrors\":%" PRIu64 ",\"oerrors\":%" PRIu64 ",\"rx_nombuf\":%" PRIu64
		       ",\"nxstats\":%u",
		       p, n.port_id, n.role, (uint64_t)atomic_load(&n.update_ns), n.ipackets,
		       n.opackets, n.imissed, n.ierrors, n.oerrors, n.rx_nombuf, n.nxstats);
		json_str("name", n.name);
		printf(",\"xstats\":{");
		for (k = 0; k < n.nxstats; k++) {
			printf("%s", k ? "," : "");
			json_str(NULL, n.xname[k]);
			printf(":%" PRIu64, n.xvalue[k]);
		}
		printf("}}\n");
	}
	printf("{\"corrupt\":%" PRIu64 "}\n", (uint64_t)atomic_load(&st.corrupt));
	sw_shm_stats_detach(&st);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	if (strcmp(argv[1], "publish") == 0)
		return cmd_publish(argc, argv);
	if (strncmp(argv[1], "shadow-", 7) == 0)
		return cmd_shadow(argc, argv);
	if (strcmp(argv[1], "reload-loop") == 0)
		return cmd_reload_loop(argc, argv);
	if (strcmp(argv[1], "events") == 0)
		return cmd_events(argv[2]);
	if (strcmp(argv[1], "counters") == 0)
		return cmd_counters(argv[2]);
	if (strcmp(argv[1], "nic") == 0)
		return cmd_nic(argv[2]);
	if (strcmp(argv[1], "unlink") == 0) {
		sw_shm_unlink(argv[2]);
		return 0;
	}
	return usage();
}
