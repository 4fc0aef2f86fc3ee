/* SPDX-License-Identifier: BSD-3-Clause */
/* Proxy mode's section of the JSON status and the metrics (proxy_status.h). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include "dataplane/proxy/proxy_shm.h"
#include "proxy_status.h"

/* The M3UA state sets of the metrics: every state's name (m3ua_asp.c) */
#define ASP_STATES 3 /* enum sw_m3ua_asp_state */
#define AS_STATES  4 /* enum sw_m3ua_as_state */

/* What the object says, and how old it is; false: no proxy object (nothing to show). */
struct px_view {
	struct sw_proxy_shm m;
	int rc;            /* sw_proxy_shm_read */
	int32_t pid;
	bool running;      /* the writing dataplane exists */
	double age_s;      /* since its last update */
};

static bool
px_view(const char *instance, struct px_view *v)
{
	struct timespec ts;
	uint64_t now, upd;

	memset(v, 0, sizeof(*v));
	v->rc = sw_proxy_shm_read(instance, &v->m);
	if (v->rc == -ENOENT)
		return false;
	if (v->rc < 0)
		return true;
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	upd = atomic_load_explicit(&v->m.update_ns, memory_order_relaxed);
	v->pid = atomic_load_explicit(&v->m.pid, memory_order_relaxed);
	v->running = v->pid > 0 && (kill(v->pid, 0) == 0 || errno != ESRCH);
	v->age_s = upd != 0 && now > upd ? (double)(now - upd) / 1e9 : 0.0;
	return true;
}

/* A link's name out of shared memory: NUL-terminated whatever the object holds. */
static void
link_name(const struct sw_proxy_snap_link *l, char out[SW_PROXY_NAME_MAX + 1])
{
	memcpy(out, l->name, SW_PROXY_NAME_MAX);
	out[SW_PROXY_NAME_MAX] = '\0';
}


void
sw_ctl_proxy_json(struct sw_buf *b, const char *instance)
{
	struct px_view v;
	const struct sw_proxy_snap *s = &v.m.snap;

	if (!px_view(instance, &v))
		return;
	if (v.rc < 0) {
		sw_buf_printf(b, ",\"proxy\":{\"error\":");
		sw_buf_json_str(b, strerror(-v.rc));
		sw_buf_printf(b, "}");
		return;
	}
	sw_buf_printf(b, ",\"proxy\":{\"dataplane_pid\":%d,\"running\":%s,\"updated_age_s\":%.3f,"
		      "\"generation\":%" PRIu64 ",\"judged\":%" PRIu64 ",\"received\":%" PRIu64
		      ",\"ssnm_sent\":%" PRIu64 ",\"decode_malformed\":%" PRIu64,
		      (int)v.pid, v.running ? "true" : "false", v.age_s, s->generation, s->judged,
		      s->rx_msu, s->ssnm_tx, s->decode_mal);
	/* what became of the MSUs (enum sw_proxy_outcome; no_route: dropped, no return asked;
	 * no_route_udts: answered) */
	sw_buf_printf(b, ",\"outcomes\":{");
	for (unsigned o = 0; o < SW_PXO_COUNT; o++)
		sw_buf_printf(b, "%s\"%s\":%" PRIu64, o ? "," : "",
			      sw_proxy_outcome_name((enum sw_proxy_outcome)o), s->ctr[o]);
	sw_buf_printf(b, "},\"associations\":[");
	for (unsigned i = 0; i < s->nlinks && i < SW_PROXY_LINKS; i++) {
		const struct sw_proxy_snap_link *l = &s->link[i];
		char name[SW_PROXY_NAME_MAX + 1];

		link_name(l, name);
		sw_buf_printf(b, "%s{\"name\":", i ? "," : "");
		sw_buf_json_str(b, name);
		sw_buf_printf(b, ",\"side\":\"%s\",\"sctp\":\"%s\",\"m3ua\":\"%s\",\"asp\":\"%s\","
			      "\"as\":\"%s\",\"routable\":%s,\"honeypot\":%s,\"rx\":%" PRIu64
			      ",\"tx\":%" PRIu64 ",\"err_rx\":%" PRIu64 ",\"err_tx\":%" PRIu64
			      ",\"looped\":%" PRIu64 ",\"duna_rx\":%" PRIu64 ",\"dava_rx\":%" PRIu64
			      ",\"beat_aborts\":%" PRIu64 "}",
			      l->side ? "inside" : "outside", l->sctp_up ? "up" : "down",
			      l->client ? "asp" : "sgp",
			      sw_m3ua_asp_state_name((enum sw_m3ua_asp_state)l->asp_state),
			      sw_m3ua_as_state_name((enum sw_m3ua_as_state)l->as_state),
			      l->routable ? "true" : "false",
			      l->honeypot ? "true" : "false", l->rx_data, l->tx_data, l->err_rx,
			      l->err_tx, l->looped, l->duna_rx, l->dava_rx, l->beat_aborts);
	}
	sw_buf_printf(b, "]}");
}

/* A label value in the text exposition format: \ " and newline escaped. */
static void
label(struct sw_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			sw_buf_printf(b, "\\%c", *s);
		else if (*s == '\n')
			sw_buf_printf(b, "\\n");
		else
			sw_buf_printf(b, "%c", *s);
	}
}

/* `NAME{instance="..",link=".."` (the caller closes the labels). */
static void
link_series(struct sw_buf *b, const char *metric, const char *in, const char *name)
{
	sw_buf_printf(b, "%s{instance=\"%s\",link=\"", metric, in);
	label(b, name);
	sw_buf_printf(b, "\"");
}

static uint64_t
link_ctr(const struct sw_proxy_snap_link *l, size_t off)
{
	uint64_t v;

	memcpy(&v, (const uint8_t *)l + off, sizeof(v));
	return v;
}

/* A counter family with two series per link: label=v1 (the counter at off1), label=v2. */
static void
link_pair(struct sw_buf *b, const char *metric, const char *help, const char *in,
	  const struct sw_proxy_snap *s, char name[][SW_PROXY_NAME_MAX + 1], const char *label,
	  size_t off1, const char *v1, size_t off2, const char *v2)
{
	unsigned n = s->nlinks < SW_PROXY_LINKS ? s->nlinks : SW_PROXY_LINKS;

	sw_buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n", metric, help, metric);
	for (unsigned i = 0; i < n; i++) {
		link_series(b, metric, in, name[i]);
		sw_buf_printf(b, ",%s=\"%s\"} %" PRIu64 "\n", label, v1, link_ctr(&s->link[i], off1));
		link_series(b, metric, in, name[i]);
		sw_buf_printf(b, ",%s=\"%s\"} %" PRIu64 "\n", label, v2, link_ctr(&s->link[i], off2));
	}
}

void
sw_ctl_proxy_metrics(struct sw_buf *b, const char *in)
{
	struct px_view v;
	const struct sw_proxy_snap *s = &v.m.snap;
	char name[SW_PROXY_LINKS][SW_PROXY_NAME_MAX + 1];
	unsigned n;

	if (!px_view(in, &v))
		return;
	sw_buf_printf(b, "# HELP sigwall_proxy_status_ok 1 when proxy mode's status object was "
		      "read.\n# TYPE sigwall_proxy_status_ok gauge\n"
		      "sigwall_proxy_status_ok{instance=\"%s\"} %d\n", in, v.rc == 0);
	if (v.rc < 0)
		return;
	n = s->nlinks < SW_PROXY_LINKS ? s->nlinks : SW_PROXY_LINKS;
	for (unsigned i = 0; i < n; i++)
		link_name(&s->link[i], name[i]);
	sw_buf_printf(b, "# HELP sigwall_proxy_status_age_seconds Age of the proxy's last status "
		      "update.\n# TYPE sigwall_proxy_status_age_seconds gauge\n"
		      "sigwall_proxy_status_age_seconds{instance=\"%s\"} %.3f\n"
		      "# HELP sigwall_proxy_running 1 while the dataplane writing the proxy status "
		      "runs.\n# TYPE sigwall_proxy_running gauge\n"
		      "sigwall_proxy_running{instance=\"%s\"} %d\n"
		      "# TYPE sigwall_proxy_generation gauge\n"
		      "sigwall_proxy_generation{instance=\"%s\"} %" PRIu64 "\n"
		      "# TYPE sigwall_proxy_associations gauge\n"
		      "sigwall_proxy_associations{instance=\"%s\"} %u\n"
		      "# HELP sigwall_proxy_judged_total MSUs the proxy judged.\n"
		      "# TYPE sigwall_proxy_judged_total counter\n"
		      "sigwall_proxy_judged_total{instance=\"%s\"} %" PRIu64 "\n"
		      "# TYPE sigwall_proxy_ssnm_sent_total counter\n"
		      "sigwall_proxy_ssnm_sent_total{instance=\"%s\"} %" PRIu64 "\n",
		      in, v.age_s, in, v.running, in, s->generation, in, n, in, s->judged, in,
		      s->ssnm_tx);
	sw_buf_printf(b, "# HELP sigwall_proxy_msus_total What the proxy did with the MSUs it "
		      "received (no_route: no route and no return asked, dropped; no_route_udts: "
		      "answered with a UDTS).\n# TYPE sigwall_proxy_msus_total counter\n");
	for (unsigned o = 0; o < SW_PXO_COUNT; o++)
		sw_buf_printf(b, "sigwall_proxy_msus_total{instance=\"%s\",outcome=\"%s\"} %" PRIu64
			      "\n", in, sw_proxy_outcome_name((enum sw_proxy_outcome)o), s->ctr[o]);
	sw_buf_printf(b, "# HELP sigwall_proxy_sctp_up 1 while the link's SCTP association is "
		      "established.\n# TYPE sigwall_proxy_sctp_up gauge\n");
	for (unsigned i = 0; i < n; i++) {
		const struct sw_proxy_snap_link *l = &s->link[i];

		link_series(b, "sigwall_proxy_sctp_up", in, name[i]);
		sw_buf_printf(b, ",side=\"%s\",m3ua=\"%s\",honeypot=\"%s\"} %u\n",
			      l->side ? "inside" : "outside", l->client ? "asp" : "sgp",
			      l->honeypot ? "true" : "false", l->sctp_up != 0);
	}
	/* State sets: one series per state, 1 for the current one. */
	sw_buf_printf(b, "# HELP sigwall_proxy_asp_state The link's M3UA ASP state (RFC 4666 "
		      "4.3.1).\n# TYPE sigwall_proxy_asp_state gauge\n");
	for (unsigned i = 0; i < n; i++)
		for (unsigned st = 0; st < ASP_STATES; st++) {
			link_series(b, "sigwall_proxy_asp_state", in, name[i]);
			sw_buf_printf(b, ",state=\"%s\"} %d\n",
				      sw_m3ua_asp_state_name((enum sw_m3ua_asp_state)st),
				      s->link[i].asp_state == st);
		}
	sw_buf_printf(b, "# HELP sigwall_proxy_as_state The AS state on the link (RFC 4666 "
		      "4.3.2): the peer's (m3ua=asp) or the proxy's (sgp).\n"
		      "# TYPE sigwall_proxy_as_state gauge\n");
	for (unsigned i = 0; i < n; i++)
		for (unsigned st = 0; st < AS_STATES; st++) {
			link_series(b, "sigwall_proxy_as_state", in, name[i]);
			sw_buf_printf(b, ",state=\"%s\"} %d\n",
				      sw_m3ua_as_state_name((enum sw_m3ua_as_state)st),
				      s->link[i].as_state == st);
		}
	sw_buf_printf(b, "# TYPE sigwall_proxy_routable gauge\n");
	for (unsigned i = 0; i < n; i++) {
		link_series(b, "sigwall_proxy_routable", in, name[i]);
		sw_buf_printf(b, "} %u\n", s->link[i].routable != 0);
	}
	link_pair(b, "sigwall_proxy_link_data_total", "M3UA DATA messages on the link.", in, s, name,
		  "direction", offsetof(struct sw_proxy_snap_link, rx_data), "rx",
		  offsetof(struct sw_proxy_snap_link, tx_data), "tx");
	link_pair(b, "sigwall_proxy_link_errors_total", "M3UA ERR messages on the link.", in, s,
		  name, "direction", offsetof(struct sw_proxy_snap_link, err_rx), "rx",
		  offsetof(struct sw_proxy_snap_link, err_tx), "tx");
	link_pair(b, "sigwall_proxy_link_ssnm_received_total", "DUNA/DAVA received on the link.",
		  in, s, name, "type", offsetof(struct sw_proxy_snap_link, duna_rx), "duna",
		  offsetof(struct sw_proxy_snap_link, dava_rx), "dava");
	sw_buf_printf(b, "# HELP sigwall_proxy_link_looped_total MSUs routed back onto the link "
		      "they came from.\n# TYPE sigwall_proxy_link_looped_total counter\n");
	for (unsigned i = 0; i < n; i++) {
		link_series(b, "sigwall_proxy_link_looped_total", in, name[i]);
		sw_buf_printf(b, "} %" PRIu64 "\n", s->link[i].looped);
	}
	sw_buf_printf(b, "# HELP sigwall_proxy_link_beat_aborts_total Associations aborted for "
		      "unanswered M3UA BEATs.\n# TYPE sigwall_proxy_link_beat_aborts_total counter\n");
	for (unsigned i = 0; i < n; i++) {
		link_series(b, "sigwall_proxy_link_beat_aborts_total", in, name[i]);
		sw_buf_printf(b, "} %" PRIu64 "\n", s->link[i].beat_aborts);
	}
}
