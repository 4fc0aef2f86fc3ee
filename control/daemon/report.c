/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What operators see: `sigwallctl status`, `sigwallctl stats` (text and --json) and the
 * Prometheus text exposition, all read from the shared memory and the daemon's own state.
 */
#include <inttypes.h>
#include <stddef.h>
#include <signal.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "control/cluster/cluster.h"
#include "log.h"
#include "dataplane/policy/policy.h"
#include "proxy_status.h"

#define LD(x) atomic_load_explicit(&(x), memory_order_relaxed)

/* Workers worth showing: what the dataplane says it uses, at least every alive one. */
unsigned
sw_report_nworkers(const struct sw_ctl *c)
{
	unsigned n = LD(c->stats.hdr->nworkers);

	for (unsigned w = 0; w < c->stats.geo.max_workers; w++)
		if (LD(sw_shm_worker(&c->stats, w)->alive) || LD(sw_shm_worker(&c->stats, w)->c.bursts))
			if (w + 1 > n)
				n = w + 1;
	return n > c->stats.geo.max_workers ? c->stats.geo.max_workers : n;
}

static const struct sw_names *
active_names(const struct sw_ctl *c)
{
	uint64_t g = atomic_load(&c->image.hdr->generation);

	for (unsigned i = 0; i < SW_NAMES_KEEP; i++)
		if (c->names[i].generation == g && g != 0)
			return &c->names[i];
	return NULL;
}

void
sw_snap_take(struct sw_ctl *c)
{
	struct sw_snap *s = c->snap_prev;
	const struct sw_names *nm = active_names(c);
	unsigned nw = sw_report_nworkers(c), nr = nm != NULL ? nm->nrules : 0;

	if (nr > SW_SHM_MAX_RULES)
		nr = SW_SHM_MAX_RULES;
	c->snap_prev = c->snap_cur;
	c->snap_cur = s;
	memset(s, 0, sizeof(*s));
	s->t_ns = sw_shm_mono_ns();
	for (unsigned w = 0; w < nw; w++) {
		struct sw_shm_worker *wk = sw_shm_worker(&c->stats, w);

		s->rx_pkts[w] = LD(wk->c.rx_pkts);
		s->msus[w] = LD(wk->c.msus);
		s->dropped[w] = LD(wk->c.dropped);
		for (unsigned r = 0; r < nr; r++)
			s->rule[r] += LD(wk->c.rule_hits[r]);
	}
}

static double
rate(const struct sw_ctl *c, uint64_t cur, uint64_t prev)
{
	double dt = (double)(c->snap_cur->t_ns - c->snap_prev->t_ns) / 1e9;

	if (c->snap_prev->t_ns == 0 || dt <= 0 || cur < prev)
		return 0;
	return (double)(cur - prev) / dt;
}

static const char *
dataplane_state(const struct sw_ctl *c)
{
	int32_t pid = LD(c->stats.hdr->dataplane_pid);

	if (pid <= 0)
		return "none";
	return (kill(pid, 0) == 0 || errno != ESRCH) ? "running" : "gone";
}

/* The last SW_RELOAD_HIST reloads, oldest first. */
static void
history(const struct sw_ctl *c, struct sw_buf *b, bool json)
{
	unsigned n = c->hist_next < SW_RELOAD_HIST ? c->hist_next : SW_RELOAD_HIST;

	for (unsigned i = c->hist_next - n, k = 0; i != c->hist_next; i++, k++) {
		const struct sw_reload_rec *h = &c->hist[i % SW_RELOAD_HIST];
		char t[48];

		sw_fmt_time(t, sizeof(t), h->real_ns);
		if (json) {
			sw_buf_printf(b, "%s{\"time\":\"%s\",\"generation\":%" PRIu64 ",\"ok\":%s,"
				      "\"picked_up\":%s,\"total_ms\":%.3f,\"error\":", k ? "," : "", t,
				      h->generation, h->ok ? "true" : "false",
				      h->picked_up ? "true" : "false", h->total_ms);
			sw_buf_json_str(b, h->ok ? NULL : h->err);
			sw_buf_printf(b, "}");
		} else {
			sw_buf_printf(b, "  %s generation %" PRIu64 " %s, %.1f ms%s%s\n", t,
				      h->generation, h->ok ? (h->picked_up ? "ok" : "ok, late pick-up")
				      : "FAILED", h->total_ms, h->ok ? "" : ": ", h->ok ? "" : h->err);
		}
	}
}

char *
sw_report_status(struct sw_ctl *c, bool json)
{
	const struct sw_shm_image_hdr *h = c->image.hdr;
	struct sw_buf b = {0};
	uint64_t gen = atomic_load_explicit(&h->generation, memory_order_acquire);
	unsigned slot = atomic_load(&h->active_slot), nw = sw_report_nworkers(c);
	const struct sw_shm_slot *s = &h->slot[slot < h->nslots ? slot : 0];
	const struct sw_names *nm = active_names(c);
	char pub[48] = "", err_t[48] = "";
	uint64_t now = sw_shm_mono_ns();

	if (gen != 0)
		sw_fmt_time(pub, sizeof(pub), s->publish_ns);
	if (c->last_error_ns != 0)
		sw_fmt_time(err_t, sizeof(err_t), c->last_error_ns);
	if (json) {
		sw_buf_printf(&b, "{\"instance\":");
		sw_buf_json_str(&b, c->instance);
		sw_buf_printf(&b, ",\"generation\":%" PRIu64 ",\"published\":\"%s\","
			      "\"compile_ms\":%.3f,\"reload_ms\":%.3f,\"image_size\":%" PRIu64
			      ",\"checksum\":\"%016" PRIx64 "\",\"rules\":%u,\"slot\":%u,"
			      "\"slots\":%u,\"slot_size\":%" PRIu64 ",\"rules_file\":",
			      gen, pub, (double)s->compile_ns / 1e6, c->last_total_ms, s->size,
			      s->checksum, nm != NULL ? nm->nrules : 0, slot, h->nslots,
			      h->slot_size);
		sw_buf_json_str(&b, c->rules);
		sw_buf_printf(&b, ",\"site_file\":");
		sw_buf_json_str(&b, c->site);
		sw_buf_printf(&b, ",\"reloads_ok\":%" PRIu64 ",\"reloads_failed\":%" PRIu64
			      ",\"last_error\":", c->reloads_ok, c->reloads_failed);
		sw_buf_json_str(&b, c->last_error[0] != '\0' ? c->last_error : NULL);
		sw_buf_printf(&b, ",\"history\":[");
		history(c, &b, true);
		sw_buf_printf(&b, "]");
		sw_buf_printf(&b, ",\"control_pid\":%d,\"dataplane_pid\":%d,\"dataplane\":\"%s\","
			      "\"workers\":[", (int)getpid(), (int)LD(c->stats.hdr->dataplane_pid),
			      dataplane_state(c));
		for (unsigned w = 0; w < nw; w++) {
			struct sw_shm_worker *wk = sw_shm_worker(&c->stats, w);
			uint64_t hb = LD(wk->heartbeat_ns);

			sw_buf_printf(&b, "%s{\"worker\":%u,\"lcore\":%u,\"epoch\":%" PRIu64
				      ",\"alive\":%s,\"live\":%s,\"heartbeat_age_ms\":%.1f}",
				      w ? "," : "", w, LD(wk->lcore), LD(wk->epoch),
				      LD(wk->alive) ? "true" : "false",
				      sw_shm_worker_live(&c->stats, w) ? "true" : "false",
				      hb != 0 && now > hb ? (double)(now - hb) / 1e6 : 0.0);
		}
		sw_buf_printf(&b, "]");
		sw_ctl_proxy_json(&b, c->instance); /* proxy: issue 21 D5 */
		sw_buf_printf(&b, "}\n");
	} else {
		sw_buf_printf(&b, "instance %s\n", c->instance);
		sw_buf_printf(&b, "generation %" PRIu64 "\n", gen);
		if (gen != 0) {
			sw_buf_printf(&b, "  published %s, compiled in %.1f ms, last reload %.1f ms "
				      "(command to active)\n", pub, (double)s->compile_ns / 1e6,
				      c->last_total_ms);
			sw_buf_printf(&b, "  image %" PRIu64 " bytes, checksum %016" PRIx64
				      ", %u rules, slot %u of %u (%" PRIu64 " MiB each)\n", s->size,
				      s->checksum, nm != NULL ? nm->nrules : 0, slot, h->nslots,
				      h->slot_size >> 20);
		}
		sw_buf_printf(&b, "  rules %s\n  site %s\n", c->rules, c->site);
		sw_buf_printf(&b, "reloads %" PRIu64 " ok, %" PRIu64 " failed\n", c->reloads_ok,
			      c->reloads_failed);
		if (c->last_error[0] != '\0')
			sw_buf_printf(&b, "  last error (%s): %s\n", err_t, c->last_error);
		history(c, &b, false);
		sw_buf_printf(&b, "dataplane pid %d (%s), %u workers\n",
			      (int)LD(c->stats.hdr->dataplane_pid), dataplane_state(c), nw);
		for (unsigned w = 0; w < nw; w++) {
			struct sw_shm_worker *wk = sw_shm_worker(&c->stats, w);
			uint64_t hb = LD(wk->heartbeat_ns), ep = LD(wk->epoch);

			sw_buf_printf(&b, "  worker %u lcore %u epoch %" PRIu64 " %s%s, heartbeat "
				      "%.1f ms ago\n", w, LD(wk->lcore), ep,
				      sw_shm_worker_live(&c->stats, w) ? "live" : "not live",
				      ep == gen ? "" : " (behind)",
				      hb != 0 && now > hb ? (double)(now - hb) / 1e6 : 0.0);
		}
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/*
 * One copy of every shown worker's counters, and their sum, taken together so that the totals
 * printed agree with the rows (the workers keep counting meanwhile).
 */
static struct sw_shm_counters snap_w[SW_SHM_MAX_WORKERS];

static void
sum_counters(const struct sw_ctl *c, unsigned nw, struct sw_shm_counters *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned w = 0; w < nw; w++) {
		const _Atomic uint64_t *src = (const _Atomic uint64_t *)&sw_shm_worker(&c->stats,
										       w)->c;
		_Atomic uint64_t *cp = (_Atomic uint64_t *)&snap_w[w];
		_Atomic uint64_t *dst = (_Atomic uint64_t *)t;

		for (size_t i = 0; i < sizeof(struct sw_shm_counters) / sizeof(uint64_t); i++) {
			uint64_t v = LD(src[i]);

			atomic_store_explicit(&cp[i], v, memory_order_relaxed);
			atomic_store_explicit(&dst[i], LD(dst[i]) + v, memory_order_relaxed);
		}
	}
}

static double
hit_rate(uint64_t hits, uint64_t misses)
{
	return hits + misses == 0 ? 0.0 : 100.0 * (double)hits / (double)(hits + misses);
}

static uint64_t
ring_lost(const struct sw_ctl *c, unsigned w)
{
	return LD(sw_shm_ring(&c->stats, w)->lost);
}

/* ---- tables: state (the instance's shm object) and reassembly (per worker) ---- */

static const char *const state_table_names[SW_STATE_NTABLES] = {"dialogue", "sms", "location"};

/* The state object, attached when the dataplane has made it (re-attached when re-created), with
 * its live entries counted at most every second (every 10 s over 1M entries: a full scan). */
static const struct sw_state *
state_view(struct sw_ctl *c)
{
	uint64_t now = sw_shm_mono_ns(), cap = 0;

	if (c->state.base != NULL && sw_state_retired(&c->state))
		sw_state_close(&c->state);
	if (c->state.base == NULL) {
		if (now < c->state_retry_ns)
			return NULL;
		if (sw_state_attach(c->instance, &c->state) < 0) {
			c->state_retry_ns = now + 1000000000ull;
			return NULL;
		}
		c->state_count_ns = 0;
	}
	if (now >= c->state_count_ns) {
		for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
			c->state_entries[t] = sw_state_count(&c->state, (enum sw_state_table)t,
							     sw_shm_real_ns());
			cap += sw_state_capacity(&c->state, (enum sw_state_table)t);
		}
		c->state_count_ns = now + (cap > (1u << 20) ? 10000000000ull : 1000000000ull);
	}
	return &c->state;
}

struct table_row {
	const char *table;
	int worker; /* -1: the instance's (state) */
	uint64_t entries, capacity, inserts, evictions, expired, full;
};

/* Every table's row: the three state tables, then each worker's reassembly table. */
static unsigned
table_rows(struct sw_ctl *c, unsigned nw, struct table_row *row, unsigned max)
{
	const struct sw_state *st = state_view(c);
	unsigned n = 0;

	for (unsigned t = 0; st != NULL && t < SW_STATE_NTABLES && n < max; t++) {
		struct sw_state_counters k;

		sw_state_stats(st, (enum sw_state_table)t, &k);
		row[n++] = (struct table_row){state_table_names[t], -1, c->state_entries[t],
			sw_state_capacity(st, (enum sw_state_table)t), LD(k.inserts),
			LD(k.evictions), LD(k.expired), LD(k.full)};
	}
	for (unsigned w = 0; w < nw && n < max; w++) {
		const struct sw_shm_counters *k = &snap_w[w];

		if (LD(k->reasm_capacity) == 0)
			continue;
		row[n++] = (struct table_row){"reasm", (int)w, LD(k->reasm_entries),
			LD(k->reasm_capacity), LD(k->reasm_pieces), LD(k->reasm_reclaimed),
			LD(k->reasm_expired), 0};
	}
	return n;
}

static void
table_labels(struct sw_buf *b, const char *metric, const char *in, const struct table_row *r)
{
	sw_buf_printf(b, "%s{instance=\"%s\",table=\"%s\"", metric, in, r->table);
	if (r->worker >= 0)
		sw_buf_printf(b, ",worker=\"%d\"", r->worker);
	sw_buf_printf(b, "}");
}

/* sigwall_table_* (issue 19 D3): fill and evictions of every table. */
static void
metrics_tables(struct sw_ctl *c, unsigned nw, struct sw_buf *b)
{
	struct table_row row[SW_STATE_NTABLES + SW_SHM_MAX_WORKERS];
	unsigned n = table_rows(c, nw, row, sizeof(row) / sizeof(row[0]));
	static const struct {
		const char *name, *type, *help;
		size_t off;
	} m[] = {
		{"sigwall_table_entries", "gauge", "Live entries (state: dialogue, sms, location; "
		 "reasm: messages held, per worker).", offsetof(struct table_row, entries)},
		{"sigwall_table_capacity", "gauge", "Entries the table holds.",
		 offsetof(struct table_row, capacity)},
		{"sigwall_table_inserts_total", "counter", "New entries (reasm: segments seen).",
		 offsetof(struct table_row, inserts)},
		{"sigwall_table_evictions_total", "counter", "Live entries replaced before their "
		 "time (reasm: judged messages forgotten).", offsetof(struct table_row, evictions)},
		{"sigwall_table_expired_total", "counter", "Expired entries reclaimed (reasm: "
		 "incomplete messages timed out).", offsetof(struct table_row, expired)},
		{"sigwall_table_full_total", "counter", "Inserts refused: both buckets full of "
		 "higher-ranked entries (state).", offsetof(struct table_row, full)},
	};

	for (unsigned k = 0; k < sizeof(m) / sizeof(m[0]); k++) {
		sw_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", m[k].name, m[k].help, m[k].name,
			      m[k].type);
		for (unsigned i = 0; i < n; i++) {
			table_labels(b, m[k].name, c->instance, &row[i]);
			sw_buf_printf(b, " %" PRIu64 "\n",
				      *(const uint64_t *)(const void *)((const char *)&row[i] +
									 m[k].off));
		}
	}
	sw_buf_printf(b, "# HELP sigwall_table_fill_ratio entries / capacity.\n"
		      "# TYPE sigwall_table_fill_ratio gauge\n");
	for (unsigned i = 0; i < n; i++) {
		table_labels(b, "sigwall_table_fill_ratio", c->instance, &row[i]);
		sw_buf_printf(b, " %.6f\n", row[i].capacity != 0 ? (double)row[i].entries /
						(double)row[i].capacity : 0.0);
	}
}

/* The tables of `sigwallctl stats`: text lines or a JSON array. */
static void
stats_tables(struct sw_ctl *c, unsigned nw, struct sw_buf *b, bool json)
{
	struct table_row row[SW_STATE_NTABLES + SW_SHM_MAX_WORKERS];
	unsigned n = table_rows(c, nw, row, sizeof(row) / sizeof(row[0]));

	if (!json)
		sw_buf_printf(b, "tables:\n  %-10s %6s %12s %12s %7s %12s %12s\n", "table",
			      "worker", "entries", "capacity", "fill", "evictions", "expired");
	for (unsigned i = 0; i < n; i++) {
		const struct table_row *r = &row[i];
		double fill = r->capacity != 0 ? 100.0 * (double)r->entries / (double)r->capacity
					       : 0.0;

		if (json) {
			sw_buf_printf(b, "%s{\"table\":\"%s\"", i ? "," : "", r->table);
			if (r->worker >= 0)
				sw_buf_printf(b, ",\"worker\":%d", r->worker);
			sw_buf_printf(b, ",\"entries\":%" PRIu64 ",\"capacity\":%" PRIu64
				      ",\"inserts\":%" PRIu64 ",\"evictions\":%" PRIu64
				      ",\"expired\":%" PRIu64 ",\"full\":%" PRIu64 "}", r->entries,
				      r->capacity, r->inserts, r->evictions, r->expired, r->full);
		} else {
			char wk[16] = "-";

			if (r->worker >= 0)
				snprintf(wk, sizeof(wk), "%d", r->worker);
			sw_buf_printf(b, "  %-10s %6s %12" PRIu64 " %12" PRIu64 " %6.1f%% %12" PRIu64
				      " %12" PRIu64 "\n", r->table, wk, r->entries, r->capacity, fill,
				      r->evictions, r->expired);
		}
	}
}

char *
sw_report_stats(struct sw_ctl *c, bool json)
{
	static struct sw_shm_counters t;
	struct sw_buf b = {0};
	const struct sw_names *nm = active_names(c);
	unsigned nw = sw_report_nworkers(c), nr = nm != NULL ? nm->nrules : 0;
	uint64_t lost = 0;
	const char *sep = "";

	if (nr > SW_SHM_MAX_RULES)
		nr = SW_SHM_MAX_RULES;
	sum_counters(c, nw, &t);
	for (unsigned w = 0; w < nw; w++)
		lost += ring_lost(c, w);
	if (json) {
		sw_buf_printf(&b, "{\"instance\":");
		sw_buf_json_str(&b, c->instance);
		sw_buf_printf(&b, ",\"generation\":%" PRIu64 ",\"workers\":[",
			      atomic_load(&c->image.hdr->generation));
		for (unsigned w = 0; w < nw; w++) {
			const struct sw_shm_counters *k = &snap_w[w];

			sw_buf_printf(&b, "%s{\"worker\":%u,\"rx_pkts\":%" PRIu64 ",\"rx_bytes\":%"
				      PRIu64 ",\"tx_pkts\":%" PRIu64 ",\"tx_bytes\":%" PRIu64
				      ",\"msus\":%" PRIu64 ",\"allowed\":%" PRIu64 ",\"dropped\":%"
				      PRIu64 ",\"alerted\":%" PRIu64 ",\"malformed\":%" PRIu64
				      ",\"non_sctp\":%" PRIu64 ",\"cache_hits\":%" PRIu64
				      ",\"cache_misses\":%" PRIu64 ",\"events\":%" PRIu64
				      ",\"events_lost\":%" PRIu64 ",\"pps\":%.1f,\"msu_per_s\":%.1f}",
				      w ? "," : "", w, LD(k->rx_pkts), LD(k->rx_bytes),
				      LD(k->tx_pkts), LD(k->tx_bytes), LD(k->msus), LD(k->allowed),
				      LD(k->dropped), LD(k->alerted), LD(k->malformed),
				      LD(k->non_sctp), LD(k->cache_hits), LD(k->cache_misses),
				      LD(k->events), ring_lost(c, w),
				      rate(c, c->snap_cur->rx_pkts[w], c->snap_prev->rx_pkts[w]),
				      rate(c, c->snap_cur->msus[w], c->snap_prev->msus[w]));
		}
		sw_buf_printf(&b, "],\"total\":{\"rx_pkts\":%" PRIu64 ",\"msus\":%" PRIu64
			      ",\"allowed\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"alerted\":%"
			      PRIu64 ",\"malformed\":%" PRIu64 ",\"default\":%" PRIu64
			      ",\"no_image\":%" PRIu64 ",\"non_m3ua\":%" PRIu64
			      ",\"non_sctp_ip\":%" PRIu64
			      ",\"cache_hit_rate\":%.2f,\"events_lost\":%" PRIu64 "},\"rules\":[",
			      LD(t.rx_pkts), LD(t.msus), LD(t.allowed), LD(t.dropped),
			      LD(t.alerted), LD(t.malformed), LD(t.default_hits), LD(t.no_image),
			      LD(t.non_m3ua), LD(t.non_sctp_ip),
			      hit_rate(LD(t.cache_hits), LD(t.cache_misses)), lost);
		for (unsigned r = 0; r < nr; r++) {
			sw_buf_printf(&b, "%s{\"rule\":", r ? "," : "");
			sw_buf_json_str(&b, nm->name[r]);
			/* "id": the rule's `id` (issue 18 D4) or null, "index": its position */
			if (nm->id != NULL && nm->id[r] != 0)
				sw_buf_printf(&b, ",\"id\":%" PRIu32, nm->id[r]);
			else
				sw_buf_printf(&b, ",\"id\":null");
			sw_buf_printf(&b, ",\"index\":%u,\"hits\":%" PRIu64 ",\"rate\":%.1f}", r,
				      LD(t.rule_hits[r]),
				      rate(c, c->snap_cur->rule[r], c->snap_prev->rule[r]));
		}
		sw_buf_printf(&b, "],\"malformed\":{");
		for (unsigned m = 1; m < SW_MAL_COUNT; m++) {
			if (LD(t.mal[m]) == 0)
				continue;
			sw_buf_printf(&b, "%s\"%s\":%" PRIu64, sep, sw_mal_name((enum sw_mal)m),
				      LD(t.mal[m]));
			sep = ",";
		}
		sw_buf_printf(&b, "}");
		sw_shadow_stats(c, &b, true); /* issue 18 D7 */
		sw_buf_printf(&b, ",\"tables\":[");
		stats_tables(c, nw, &b, true);
		sw_buf_printf(&b, "]}\n");
	} else {
		sw_buf_printf(&b, "instance %s generation %" PRIu64 ", %u workers\n", c->instance,
			      atomic_load(&c->image.hdr->generation), nw);
		sw_buf_printf(&b, "%-7s %12s %10s %12s %10s %10s %10s %10s %10s %7s %8s\n",
			      "worker", "rx pkts", "pkts/s", "msus", "msus/s", "allowed",
			      "dropped", "alerted", "malformed", "cache%", "ev lost");
		for (unsigned w = 0; w < nw; w++) {
			const struct sw_shm_counters *k = &snap_w[w];

			sw_buf_printf(&b, "%-7u %12" PRIu64 " %10.0f %12" PRIu64 " %10.0f %10"
				      PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
				      " %6.1f%% %8" PRIu64 "\n", w, LD(k->rx_pkts),
				      rate(c, c->snap_cur->rx_pkts[w], c->snap_prev->rx_pkts[w]),
				      LD(k->msus),
				      rate(c, c->snap_cur->msus[w], c->snap_prev->msus[w]),
				      LD(k->allowed), LD(k->dropped), LD(k->alerted),
				      LD(k->malformed),
				      hit_rate(LD(k->cache_hits), LD(k->cache_misses)),
				      ring_lost(c, w));
		}
		sw_buf_printf(&b, "%-7s %12" PRIu64 " %10s %12" PRIu64 " %10s %10" PRIu64 " %10"
			      PRIu64 " %10" PRIu64 " %10" PRIu64 " %6.1f%% %8" PRIu64 "\n",
			      "total", LD(t.rx_pkts), "", LD(t.msus), "", LD(t.allowed),
			      LD(t.dropped), LD(t.alerted), LD(t.malformed),
			      hit_rate(LD(t.cache_hits), LD(t.cache_misses)), lost);
		sw_buf_printf(&b, "rules (generation %" PRIu64 "):\n  %-40s %12s %10s\n",
			      nm != NULL ? nm->generation : 0, "rule", "hits", "hits/s");
		for (unsigned r = 0; r < nr; r++)
			sw_buf_printf(&b, "  %-40s %12" PRIu64 " %10.1f\n", nm->name[r],
				      LD(t.rule_hits[r]),
				      rate(c, c->snap_cur->rule[r], c->snap_prev->rule[r]));
		sw_buf_printf(&b, "  %-40s %12" PRIu64 "\n", "(default)", LD(t.default_hits));
		sw_buf_printf(&b, "fail closed: no image %" PRIu64 ", non-M3UA chunks %" PRIu64
			      ", non-SCTP IP %" PRIu64 "\n", LD(t.no_image), LD(t.non_m3ua),
			      LD(t.non_sctp_ip));
		sw_buf_printf(&b, "malformed by reason:\n");
		for (unsigned m = 1; m < SW_MAL_COUNT; m++)
			if (LD(t.mal[m]) != 0)
				sw_buf_printf(&b, "  %-40s %12" PRIu64 "\n",
					      sw_mal_name((enum sw_mal)m), LD(t.mal[m]));
		sw_shadow_stats(c, &b, false); /* issue 18 D7 */
		stats_tables(c, nw, &b, false);
	}
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

static const char *
rule_action(uint8_t action, uint8_t monitor)
{
	static const char *const names[] = {"allow", "drop", "alert", "rate-limit"};

	if (monitor && action != 0)
		return "alert";
	return action < 4 ? names[action] : "unknown";
}

void
sw_prom_label(struct sw_buf *b, const char *s)
{
	sw_buf_printf(b, "\"");
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			sw_buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			sw_buf_printf(b, "\\n");
		else
			sw_buf_printf(b, "%c", *s);
	}
	sw_buf_printf(b, "\"");
}

/* Prometheus metric names: [a-zA-Z_:][a-zA-Z0-9_:]*; xstat names are mostly that already. */
static void
prom_name(struct sw_buf *b, const char *s, size_t max)
{
	for (size_t i = 0; i < max && s[i] != '\0'; i++) {
		char ch = s[i];

		sw_buf_printf(b, "%c", (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
					       (ch >= '0' && ch <= '9') || ch == '_' ? ch : '_');
	}
}

/* The dataplane's NIC sections: rte_eth_stats and every xstat per port (the seqlock read
 * validates counts and names, shm.c). */
static void
nic_metrics(struct sw_ctl *c, struct sw_buf *b)
{
	static struct sw_shm_nic n;
	static const char *const ports[2] = {"A", "B"};
	const char *in = c->instance;
	bool head = false;

	for (unsigned p = 0; p < c->stats.geo.max_ports; p++) {
		char name[sizeof(n.name) + 1];
		const char *role;

		if (sw_shm_nic_read(&c->stats, p, &n) < 0)
			continue;
		memcpy(name, n.name, sizeof(n.name));
		name[sizeof(n.name)] = '\0';
		role = n.role < 2 ? ports[n.role] : "?";
		if (!head) {
			sw_buf_printf(b, "# HELP sigwall_nic_stat NIC counters per port "
				      "(rte_eth_stats).\n# TYPE sigwall_nic_stat counter\n");
			head = true;
		}
#define NIC(field)                                                                                 \
	do {                                                                                       \
		sw_buf_printf(b, "sigwall_nic_stat{instance=\"%s\",port=\"%u\",role=\"%s\",device=", \
			      in, n.port_id, role);                                                \
		sw_prom_label(b, name);                                                               \
		sw_buf_printf(b, ",stat=\"" #field "\"} %" PRIu64 "\n", n.field);                   \
	} while (0)
		NIC(ipackets);
		NIC(opackets);
		NIC(ibytes);
		NIC(obytes);
		NIC(imissed);
		NIC(ierrors);
		NIC(oerrors);
		NIC(rx_nombuf);
#undef NIC
		for (unsigned k = 0; k < n.nxstats && k < SW_SHM_MAX_XSTATS; k++) {
			sw_buf_printf(b, "sigwall_nic_xstat{instance=\"%s\",port=\"%u\",role=\"%s\","
				      "name=\"", in, n.port_id, role);
			prom_name(b, n.xname[k], SW_SHM_XSTAT_NAME);
			sw_buf_printf(b, "\"} %" PRIu64 "\n", n.xvalue[k]);
		}
		sw_buf_printf(b, "sigwall_nic_xstats_dropped{instance=\"%s\",port=\"%u\"} %u\n", in,
			      n.port_id, n.xstats_dropped);
	}
}

/* Per-worker counters of the metrics page: name, HELP text (NULL: none), field. The first four
 * come before sigwall_verdicts_total, the rest after it. */
static const struct worker_metric {
	const char *name, *help;
	size_t off;
} worker_metrics[] = {
#define WM(name, help, field) {name, help, offsetof(struct sw_shm_counters, field)}
	WM("sigwall_rx_packets_total", "Packets received per worker.", rx_pkts),
	WM("sigwall_rx_bytes_total", NULL, rx_bytes),
	WM("sigwall_tx_packets_total", NULL, tx_pkts),
	WM("sigwall_msus_total", "MSUs judged per worker.", msus),
	WM("sigwall_tx_bytes_total", NULL, tx_bytes),
	WM("sigwall_bursts_total", "Non-empty RX bursts per worker.", bursts),
	WM("sigwall_rate_limited_total", "MSUs over a rate limit per worker.", rl.limited),
	WM("sigwall_rate_admitted_total", "MSUs a rate-limit rule let through per worker.",
	   rl.admitted),
	WM("sigwall_rate_buckets_inserted_total", "New keys in the shared rate-limit table.",
	   rl.inserts),
	WM("sigwall_rate_buckets_reclaimed_total", "New rate-limit keys that took an idle bucket.",
	   rl.reclaims),
	WM("sigwall_rate_buckets_evicted_total", "New rate-limit keys that evicted a bucket in use.",
	   rl.evictions),
	WM("sigwall_rate_busy_total", "MSUs admitted because the rate-limit set stayed busy.",
	   rl.busy),
	WM("sigwall_malformed_packets_total", "Malformed packets and MSUs per worker, any reason.",
	   malformed),
	WM("sigwall_malformed_verdicts_total", "Verdicts of the policy's malformed action per "
	   "worker.", malformed_verdicts),
	WM("sigwall_non_sctp_total", "Packets that are not SCTP/SIGTRAN per worker.", non_sctp),
	WM("sigwall_no_image_total", "Verdicts given while no image was bound.", no_image),
	WM("sigwall_non_m3ua_total", "DATA chunks whose PPID is not M3UA.", non_m3ua),
	WM("sigwall_non_sctp_ip_total", "IP packets not carrying SCTP.", non_sctp_ip),
	WM("sigwall_packets_dropped_total", "Packets not transmitted because every chunk was "
	   "removed.", pkts_dropped),
	WM("sigwall_chunks_removed_total", "DATA chunks taken out of packets.", chunks_removed),
	WM("sigwall_tx_dropped_total", "Packets the TX queue did not take.", tx_dropped),
	WM("sigwall_worker_events_total", "Event records pushed per worker.", events),
	WM("sigwall_worker_events_lost_total", "Event records the ring could not take per worker.",
	   events_lost),
	WM("sigwall_generation_switches_total", "Times a worker picked up a new generation.",
	   gen_switches),
	WM("sigwall_images_refused_total", "Images a worker refused.", images_refused),
	WM("sigwall_verdict_cache_hits_total", NULL, cache_hits),
	WM("sigwall_verdict_cache_misses_total", NULL, cache_misses),
#undef WM
};

static void
metrics_per_worker(struct sw_buf *b, const char *in, unsigned nw, const struct worker_metric *m,
		   size_t n)
{
	for (size_t k = 0; k < n; k++) {
		if (m[k].help != NULL)
			sw_buf_printf(b, "# HELP %s %s\n", m[k].name, m[k].help);
		sw_buf_printf(b, "# TYPE %s counter\n", m[k].name);
		for (unsigned w = 0; w < nw; w++)
			sw_buf_printf(b, "%s{instance=\"%s\",worker=\"%u\"} %" PRIu64 "\n", m[k].name,
				      in, w, atomic_load_explicit((const _Atomic uint64_t *)(const void *)
								  ((const char *)&snap_w[w] + m[k].off),
								  memory_order_relaxed));
	}
}

char *
sw_report_metrics(struct sw_ctl *c)
{
	static struct sw_shm_counters t;
	struct sw_buf b = {0};
	const struct sw_names *nm = active_names(c);
	unsigned nw = sw_report_nworkers(c), nr = nm != NULL ? nm->nrules : 0;
	const char *in = c->instance;
	uint64_t lost = 0;

	if (nr > SW_SHM_MAX_RULES)
		nr = SW_SHM_MAX_RULES;
	sum_counters(c, nw, &t);
	metrics_per_worker(&b, in, nw, worker_metrics, 4);
	sw_buf_printf(&b, "# TYPE sigwall_verdicts_total counter\n");
	for (unsigned w = 0; w < nw; w++) {
		const struct sw_shm_counters *k = &snap_w[w];

		sw_buf_printf(&b, "sigwall_verdicts_total{instance=\"%s\",worker=\"%u\",action="
			      "\"allow\"} %" PRIu64 "\n", in, w, LD(k->allowed));
		sw_buf_printf(&b, "sigwall_verdicts_total{instance=\"%s\",worker=\"%u\",action="
			      "\"drop\"} %" PRIu64 "\n", in, w, LD(k->dropped));
		sw_buf_printf(&b, "sigwall_verdicts_total{instance=\"%s\",worker=\"%u\",action="
			      "\"alert\"} %" PRIu64 "\n", in, w, LD(k->alerted));
		sw_buf_printf(&b, "sigwall_verdicts_total{instance=\"%s\",worker=\"%u\",action="
			      "\"rate-limit\"} %" PRIu64 "\n", in, w, LD(k->rl.limited));
	}
	metrics_per_worker(&b, in, nw, worker_metrics + 4,
			   sizeof(worker_metrics) / sizeof(worker_metrics[0]) - 4);
	metrics_tables(c, nw, &b);
	sw_buf_printf(&b, "# TYPE sigwall_worker_epoch gauge\n");
	for (unsigned w = 0; w < nw; w++)
		sw_buf_printf(&b, "sigwall_worker_epoch{instance=\"%s\",worker=\"%u\"} %" PRIu64
			      "\n", in, w, LD(sw_shm_worker(&c->stats, w)->epoch));
	sw_buf_printf(&b, "# TYPE sigwall_worker_live gauge\n");
	for (unsigned w = 0; w < nw; w++)
		sw_buf_printf(&b, "sigwall_worker_live{instance=\"%s\",worker=\"%u\"} %d\n", in, w,
			      sw_shm_worker_live(&c->stats, w) ? 1 : 0);
	sw_buf_printf(&b, "# HELP sigwall_rule_hits_total MSUs matched per rule (all workers).\n"
		      "# TYPE sigwall_rule_hits_total counter\n");
	for (unsigned r = 0; r < nr; r++) {
		/* rule_id: the rule's `id` (issue 18 D4), empty for a rule without one; rule_index:
		 * its position in this generation */
		sw_buf_printf(&b, "sigwall_rule_hits_total{instance=\"%s\",rule_id=\"", in);
		if (nm->id != NULL && nm->id[r] != 0)
			sw_buf_printf(&b, "%" PRIu32, nm->id[r]);
		sw_buf_printf(&b, "\",rule_index=\"%u\",rule=", r);
		sw_prom_label(&b, nm->name[r]);
		sw_buf_printf(&b, ",action=\"%s\"} %" PRIu64 "\n",
			      rule_action(nm->action[r], nm->monitor[r]), LD(t.rule_hits[r]));
	}
	sw_buf_printf(&b, "sigwall_rule_hits_total{instance=\"%s\",rule_id=\"-1\","
		      "rule_index=\"-1\",rule=\"default\",action=\"%s\"} %" PRIu64 "\n", in,
		      nm != NULL ? rule_action(nm->default_action, nm->policy_monitor) : "unknown",
		      LD(t.default_hits));
	sw_buf_printf(&b, "sigwall_rule_hits_total{instance=\"%s\",rule_id=\"-2\","
		      "rule_index=\"-2\",rule=\"malformed\",action=\"%s\"} %" PRIu64 "\n", in,
		      nm != NULL ? rule_action(nm->malformed_action, nm->policy_monitor) : "unknown",
		      LD(t.malformed_verdicts));
	sw_shadow_metrics(c, &b); /* issue 18 D7 */
	sw_buf_printf(&b, "# HELP sigwall_rule_hits_overflow_total Hits of rule ids beyond the "
		      "stats region's %d counters.\n"
		      "# TYPE sigwall_rule_hits_overflow_total counter\n"
		      "sigwall_rule_hits_overflow_total{instance=\"%s\"} %" PRIu64 "\n",
		      SW_SHM_MAX_RULES, in, LD(t.rule_overflow));
	sw_buf_printf(&b, "# HELP sigwall_malformed_total Malformed packets/MSUs by reason.\n"
		      "# TYPE sigwall_malformed_total counter\n");
	for (unsigned m = 1; m < SW_MAL_COUNT; m++)
		sw_buf_printf(&b, "sigwall_malformed_total{instance=\"%s\",reason=\"%s\"} %" PRIu64
			      "\n", in, sw_mal_name((enum sw_mal)m), LD(t.mal[m]));
	for (unsigned w = 0; w < nw; w++)
		lost += ring_lost(c, w);
	sw_buf_printf(&b, "# HELP sigwall_events_total Event lines written, by event_type.\n"
		      "# TYPE sigwall_events_total counter\n");
	for (unsigned k = 0; k < 5; k++)
		sw_buf_printf(&b, "sigwall_events_total{instance=\"%s\",event_type=\"%s\"} %" PRIu64
			      "\n", in, sw_ev_type_names[k], c->ev_by_type[k]);
	sw_buf_printf(&b, "# HELP sigwall_events_malformed_sampled_total Malformed records folded "
		      "into the per-reason lines.\n"
		      "# TYPE sigwall_events_malformed_sampled_total counter\n"
		      "sigwall_events_malformed_sampled_total{instance=\"%s\"} %" PRIu64 "\n", in,
		      c->ev_mal_sampled);
	{
		const struct sw_evfile *fs[2] = {&c->evf, &c->pcapf};
		static const char *const fn[2] = {"events", "pcap"};
		static const struct {
			const char *name, *help;
			size_t off;
		} fm[] = {
			{"records", "Whole records written to the event files.",
			 offsetof(struct sw_evfile, records)},
			{"records_lost", "Records not written (disk full, write error, file not open).",
			 offsetof(struct sw_evfile, records_lost)},
			{"short_writes", "Writes cut short, truncated back to the last whole record.",
			 offsetof(struct sw_evfile, short_writes)},
			{"reopens", "Event files opened again (SIGHUP, log-reopen, moved or removed).",
			 offsetof(struct sw_evfile, reopens)},
		};

		for (unsigned m = 0; m < sizeof(fm) / sizeof(fm[0]); m++) {
			sw_buf_printf(&b, "# HELP sigwall_event_file_%s_total %s\n"
				      "# TYPE sigwall_event_file_%s_total counter\n", fm[m].name,
				      fm[m].help, fm[m].name);
			for (unsigned k = 0; k < 2; k++)
				if (fs[k]->path != NULL)
					sw_buf_printf(&b, "sigwall_event_file_%s_total{instance=\"%s\","
						      "file=\"%s\"} %" PRIu64 "\n", fm[m].name, in,
						      fn[k], *(const uint64_t *)(const void *)
						      ((const char *)fs[k] + fm[m].off));
		}
	}
	if (c->syslog_addr != NULL)
		sw_buf_printf(&b, "# TYPE sigwall_events_syslog_total counter\n"
			      "sigwall_events_syslog_total{instance=\"%s\",result=\"sent\"} %" PRIu64
			      "\nsigwall_events_syslog_total{instance=\"%s\",result=\"error\"} %"
			      PRIu64 "\n", in, c->syslog_sent, in, c->syslog_errors);
	sw_buf_printf(&b, "# HELP sigwall_clients_refused_total Connections refused, by pool and "
		      "reason.\n# TYPE sigwall_clients_refused_total counter\n"
		      "sigwall_clients_refused_total{instance=\"%s\",pool=\"ctl\",reason=\"full\"} %"
		      PRIu64 "\n"
		      "sigwall_clients_refused_total{instance=\"%s\",pool=\"ctl\",reason=\"peer\"} %"
		      PRIu64 "\n"
		      "sigwall_clients_refused_total{instance=\"%s\",pool=\"metrics\",reason=\"full\"}"
		      " %" PRIu64 "\n"
		      "sigwall_clients_refused_total{instance=\"%s\",pool=\"metrics\",reason=\"peer\"}"
		      " %" PRIu64 "\n"
		      "sigwall_clients_refused_total{instance=\"%s\",pool=\"metrics\",reason="
		      "\"not_allowed\"} %" PRIu64 "\n",
		      in, c->refused_ctl_full, in, c->refused_ctl_peer, in, c->refused_http_full, in,
		      c->refused_http_peer, in, c->refused_http_acl);
	sw_buf_printf(&b, "# HELP sigwall_log_messages_total Messages of sigwall-control by "
		      "priority.\n# TYPE sigwall_log_messages_total counter\n");
	for (int p = LOG_ERR; p <= LOG_DEBUG; p++)
		sw_buf_printf(&b, "sigwall_log_messages_total{instance=\"%s\",priority=\"%s\"} %llu\n",
			      in, (const char *const[]){"err", "warning", "notice", "info",
							 "debug"}[p - LOG_ERR], sw_log_count(p));
	sw_buf_printf(&b, "# TYPE sigwall_sighup_total counter\nsigwall_sighup_total{instance="
		      "\"%s\"} %" PRIu64 "\n", in, c->signals_hup);
	sw_buf_printf(&b, "# TYPE sigwall_events_lost_total counter\nsigwall_events_lost_total{"
		      "instance=\"%s\"} %" PRIu64 "\n", in, lost);
	sw_buf_printf(&b, "# TYPE sigwall_reloads_total counter\n"
		      "sigwall_reloads_total{instance=\"%s\",result=\"ok\"} %" PRIu64 "\n"
		      "sigwall_reloads_total{instance=\"%s\",result=\"error\"} %" PRIu64 "\n"
		      "sigwall_reloads_total{instance=\"%s\",result=\"late_pickup\"} %" PRIu64 "\n",
		      in, c->reloads_ok, in, c->reloads_failed, in, c->reloads_not_picked_up);
	{
		/* Reload history: the last SW_RELOAD_HIST reloads, one series each (age 0 the
		 * newest), so a dashboard shows when, which generation, how long, and if it failed. */
		unsigned n = c->hist_next < SW_RELOAD_HIST ? c->hist_next : SW_RELOAD_HIST;

		sw_buf_printf(&b, "# HELP sigwall_reload_history_seconds Command to active of the "
			      "last reloads (age 0 newest).\n"
			      "# TYPE sigwall_reload_history_seconds gauge\n");
		for (unsigned k = 0; k < n; k++) {
			const struct sw_reload_rec *h = &c->hist[(c->hist_next - 1 - k) %
								 SW_RELOAD_HIST];

			sw_buf_printf(&b, "sigwall_reload_history_seconds{instance=\"%s\",age=\"%u\","
				      "generation=\"%" PRIu64 "\",result=\"%s\"} %.6f\n", in, k,
				      h->generation, !h->ok ? "error" : h->picked_up ? "ok"
								   : "late_pickup",
				      h->total_ms / 1e3);
		}
		sw_buf_printf(&b, "# TYPE sigwall_reload_history_timestamp_seconds gauge\n");
		for (unsigned k = 0; k < n; k++) {
			const struct sw_reload_rec *h = &c->hist[(c->hist_next - 1 - k) %
								 SW_RELOAD_HIST];

			sw_buf_printf(&b, "sigwall_reload_history_timestamp_seconds{instance=\"%s\","
				      "age=\"%u\",generation=\"%" PRIu64 "\"} %.3f\n", in, k,
				      h->generation, (double)h->real_ns / 1e9);
		}
	}
	sw_buf_printf(&b, "# HELP sigwall_last_reload_seconds Command to active, last reload.\n"
		      "# TYPE sigwall_last_reload_seconds gauge\n"
		      "sigwall_last_reload_seconds{instance=\"%s\"} %.6f\n", in,
		      c->last_total_ms / 1e3);
	nic_metrics(c, &b);
	{
		/* Issue 16 D4: sigwall-cluster's replication figures, when it runs. */
		char *cl = sw_cluster_metrics(in);

		if (cl != NULL)
			sw_buf_printf(&b, "%s", cl);
		free(cl);
	}
	sw_ctl_proxy_metrics(&b, in); /* proxy: issue 21 D5 */
	sw_buf_printf(&b, "# HELP sigwall_shm_corrupt_total Values read from the stats region that "
		      "were out of range and clamped or refused.\n"
		      "# TYPE sigwall_shm_corrupt_total counter\n"
		      "sigwall_shm_corrupt_total{instance=\"%s\"} %" PRIu64 "\n", in,
		      (uint64_t)atomic_load_explicit(&c->stats.corrupt, memory_order_relaxed));
	sw_buf_printf(&b, "# TYPE sigwall_generation gauge\nsigwall_generation{instance=\"%s\"} %"
		      PRIu64 "\n", in, atomic_load(&c->image.hdr->generation));
	sw_buf_printf(&b, "# TYPE sigwall_image_bytes gauge\nsigwall_image_bytes{instance=\"%s\"} %"
		      PRIu64 "\n", in, c->last_ok.size);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
