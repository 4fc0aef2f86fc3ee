/* SPDX-License-Identifier: BSD-3-Clause */
/* Proxy mode's section of the JSON status and the metrics (proxy_status.h). */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "dataplane/proxy/proxy_shm.h"
#include "proxy_status.h"

/* The outcome counters by enum sw_proxy_outcome: JSON keys and the metric's outcome label. */
static const char *const outcome_name[SW_PXO_COUNT] = {
	[SW_PXO_ROUTED] = "routed",
	[SW_PXO_DROPPED] = "dropped",
	[SW_PXO_ALERTED] = "alerted",
	[SW_PXO_REJECTED] = "rejected",
	[SW_PXO_ABORTED] = "aborted",
	[SW_PXO_REDIRECTED] = "redirected",
	[SW_PXO_NO_ROUTE] = "no_route_dropped",
	[SW_PXO_NO_ROUTE_UDTS] = "no_route_udts",
	[SW_PXO_ANSWER_FAILED] = "answer_failed",
	[SW_PXO_TX_FAILED] = "tx_failed",
};

static const char *const asp_states[] = {"down", "inactive", "active"};
static const char *const as_states[] = {"down", "inactive", "active", "pending"};

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

static const char *
state_of(const char *const *names, unsigned n, uint8_t s)
{
	return s < n ? names[s] : "unknown";
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
	for (unsigned o = 0; o < SW_PXO_COUNT; o++)
		sw_buf_printf(b, ",\"%s\":%" PRIu64, outcome_name[o], s->ctr[o]);
	/* the text status's no_route: both kinds */
	sw_buf_printf(b, ",\"no_route\":%" PRIu64 ",\"associations\":[",
		      s->ctr[SW_PXO_NO_ROUTE] + s->ctr[SW_PXO_NO_ROUTE_UDTS]);
	for (unsigned i = 0; i < s->nlinks && i < SW_PROXY_LINKS; i++) {
		const struct sw_proxy_snap_link *l = &s->link[i];
		char name[SW_PROXY_NAME_MAX + 1];

		link_name(l, name);
		sw_buf_printf(b, "%s{\"name\":", i ? "," : "");
		sw_buf_json_str(b, name);
		sw_buf_printf(b, ",\"side\":\"%s\",\"sctp\":\"%s\",\"m3ua\":\"%s\",\"asp\":\"%s\","
			      "\"as\":\"%s\",\"routable\":%s,\"honeypot\":%s,\"rx\":%" PRIu64
			      ",\"tx\":%" PRIu64 ",\"err_rx\":%" PRIu64 ",\"err_tx\":%" PRIu64
			      ",\"looped\":%" PRIu64 ",\"duna_rx\":%" PRIu64 ",\"dava_rx\":%" PRIu64 "}",
			      l->side ? "inside" : "outside", l->sctp_up ? "up" : "down",
			      l->client ? "asp" : "sgp", state_of(asp_states, 3, l->asp_state),
			      state_of(as_states, 4, l->as_state), l->routable ? "true" : "false",
			      l->honeypot ? "true" : "false", l->rx_data, l->tx_data, l->err_rx,
			      l->err_tx, l->looped, l->duna_rx, l->dava_rx);
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
		      "received (no_route_dropped: no route and no return asked; no_route_udts: "
		      "answered with a UDTS).\n# TYPE sigwall_proxy_msus_total counter\n");
	for (unsigned o = 0; o < SW_PXO_COUNT; o++)
		sw_buf_printf(b, "sigwall_proxy_msus_total{instance=\"%s\",outcome=\"%s\"} %" PRIu64
			      "\n", in, outcome_name[o], s->ctr[o]);
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
		for (unsigned st = 0; st < 3; st++) {
			link_series(b, "sigwall_proxy_asp_state", in, name[i]);
			sw_buf_printf(b, ",state=\"%s\"} %d\n", asp_states[st],
				      s->link[i].asp_state == st);
		}
	sw_buf_printf(b, "# HELP sigwall_proxy_as_state The AS state on the link (RFC 4666 "
		      "4.3.2): the peer's (m3ua=asp) or the proxy's (sgp).\n"
		      "# TYPE sigwall_proxy_as_state gauge\n");
	for (unsigned i = 0; i < n; i++)
		for (unsigned st = 0; st < 4; st++) {
			link_series(b, "sigwall_proxy_as_state", in, name[i]);
			sw_buf_printf(b, ",state=\"%s\"} %d\n", as_states[st],
				      s->link[i].as_state == st);
		}
	sw_buf_printf(b, "# TYPE sigwall_proxy_routable gauge\n");
	for (unsigned i = 0; i < n; i++) {
		link_series(b, "sigwall_proxy_routable", in, name[i]);
		sw_buf_printf(b, "} %u\n", s->link[i].routable != 0);
	}
	sw_buf_printf(b, "# HELP sigwall_proxy_link_data_total M3UA DATA messages on the link.\n"
		      "# TYPE sigwall_proxy_link_data_total counter\n");
	for (unsigned i = 0; i < n; i++) {
		link_series(b, "sigwall_proxy_link_data_total", in, name[i]);
		sw_buf_printf(b, ",direction=\"rx\"} %" PRIu64 "\n", s->link[i].rx_data);
		link_series(b, "sigwall_proxy_link_data_total", in, name[i]);
		sw_buf_printf(b, ",direction=\"tx\"} %" PRIu64 "\n", s->link[i].tx_data);
	}
	sw_buf_printf(b, "# HELP sigwall_proxy_link_errors_total M3UA ERR messages on the link.\n"
		      "# TYPE sigwall_proxy_link_errors_total counter\n");
	for (unsigned i = 0; i < n; i++) {
		link_series(b, "sigwall_proxy_link_errors_total", in, name[i]);
		sw_buf_printf(b, ",direction=\"rx\"} %" PRIu64 "\n", s->link[i].err_rx);
		link_series(b, "sigwall_proxy_link_errors_total", in, name[i]);
		sw_buf_printf(b, ",direction=\"tx\"} %" PRIu64 "\n", s->link[i].err_tx);
	}
	sw_buf_printf(b, "# HELP sigwall_proxy_link_looped_total MSUs routed back onto the link "
		      "they came from.\n# TYPE sigwall_proxy_link_looped_total counter\n");
	for (unsigned i = 0; i < n; i++) {
		link_series(b, "sigwall_proxy_link_looped_total", in, name[i]);
		sw_buf_printf(b, "} %" PRIu64 "\n", s->link[i].looped);
	}
	sw_buf_printf(b, "# HELP sigwall_proxy_link_ssnm_received_total DUNA/DAVA received on "
		      "the link.\n# TYPE sigwall_proxy_link_ssnm_received_total counter\n");
	for (unsigned i = 0; i < n; i++) {
		link_series(b, "sigwall_proxy_link_ssnm_received_total", in, name[i]);
		sw_buf_printf(b, ",type=\"duna\"} %" PRIu64 "\n", s->link[i].duna_rx);
		link_series(b, "sigwall_proxy_link_ssnm_received_total", in, name[i]);
		sw_buf_printf(b, ",type=\"dava\"} %" PRIu64 "\n", s->link[i].dava_rx);
	}
}
