/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * proxy-bench (issue 21, Performance): MSUs per second through proxy mode on one core and the
 * latency through it, next to the inline mode's per-MSU work measured in the same run.
 *
 * Set-up: tests/common/inproc (partner ASP -> proxy -> home SGP on usrsctp AF_CONN pairs in one
 * process, one thread), the judge with a compiled rule set (tests/proxy/rules-proxy.conf and
 * patterns/site.example.conf). The MSU: a UDT with a TCAP Begin, SLS cycling over 16 values;
 * its OTID carries the sequence number so the home peer can time it.
 *
 * Cases (one TSV line each, medians of --runs):
 *   inline-msu   decode + judge of one M3UA message: what inline mode does per MSU (baseline)
 *   proxy-core   the proxy core without SCTP: M3UA in, decode, judge, route, M3UA out
 *   proxy-sctp   the whole path on usrsctp, window --window messages in flight:
 *                -cpu-all      process CPU for everything: four SCTP endpoints (partner,
 *                              proxy x2, home) and the harness on this one core
 *                -wall         wall clock (waits on other load of the machine included)
 * inline-msu, proxy-core and -cpu-all are CPU time (CLOCK_PROCESS_CPUTIME_ID), so that a loaded
 * shared machine does not count as cost; latency and -share are monotonic time.
 *   proxy-lat    one message in flight at a time: latency partner -> home, p50 / p99
 *
 * Usage: proxy-bench SRCDIR [--msus N] [--runs R] [--window W]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/proxy/m3ua_wire.h"
#include "dataplane/proxy/proxy_judge.h"
#include "inproc.h"

#define RUNS_MAX 15

static struct inproc ip;
static uint64_t *sent_ns, *lat_ns;
static unsigned nlat;

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time of this process: the figures below are CPU per MSU, so that other load on a shared
 * machine (preemption) does not count as the proxy's cost; wall-clock is printed beside. */
static uint64_t
cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(v[0]), cmp_dbl);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
home_data(struct inproc_peer *p, const uint8_t *ud, uint32_t ud_len)
{
	uint32_t seq;

	(void)p;
	const uint8_t *o = ud + INPROC_UDT_OTID;

	if (ud_len < INPROC_UDT_LEN || lat_ns == NULL)
		return;
	seq = (uint32_t)o[0] << 24 | (uint32_t)o[1] << 16 | (uint32_t)o[2] << 8 | o[3];
	lat_ns[nlat++] = mono_ns() - sent_ns[seq];
}

static int
null_send(void *user, uint16_t link, uint16_t stream, const uint8_t *msg, size_t len)
{
	(void)user;
	(void)link;
	(void)stream;
	(void)msg;
	(void)len;
	return 0;
}

/* inline-msu: decode + judge per M3UA message. */
static double
run_inline(struct sw_proxy_policy *pp, const uint8_t (*msgs)[128], const size_t *lens,
	   unsigned n)
{
	static struct sw_msu msu;
	static const struct sw_pkt none;
	struct sw_judge_verdict v;
	uint64_t t0 = cpu_ns(), allowed = 0;

	for (unsigned i = 0; i < n; i++) {
		memset(&msu, 0, sizeof(msu));
		sw_m3ua_decode(msgs[i % 1024], 0, (uint32_t)lens[i % 1024], &msu);
		sw_judge_msu(&pp->jctx, &none, &msu, 0, 0, &v);
		allowed += v.action == SW_ACTION_ALLOW;
	}
	if (allowed != n)
		fprintf(stderr, "proxy-bench: inline-msu: %llu of %u allowed\n",
			(unsigned long long)allowed, n);
	return (double)(cpu_ns() - t0) / n;
}

/* proxy-core: M3UA DATA into link 0, out of link 1 into a sink. */
static double
run_core(const uint8_t (*msgs)[128], const size_t *lens, unsigned n)
{
	struct sw_proxy_ops saved = ip.px.ops;
	uint64_t routed = ip.px.ctr[SW_PXO_ROUTED], t0;

	ip.px.ops.send = null_send;
	t0 = cpu_ns();
	for (unsigned i = 0; i < n; i++)
		sw_proxy_input(&ip.px, 0, 1, msgs[i % 1024], lens[i % 1024], ip.px.now_ms);
	double ns = (double)(cpu_ns() - t0) / n;
	ip.px.ops = saved;
	if (ip.px.ctr[SW_PXO_ROUTED] - routed != n)
		fprintf(stderr, "proxy-bench: proxy-core: %llu of %u routed\n",
			(unsigned long long)(ip.px.ctr[SW_PXO_ROUTED] - routed), n);
	return ns;
}

/* proxy-sctp / proxy-lat: the partner peer sends n messages, at most window in flight. */
static bool
run_sctp(unsigned n, unsigned window, double *wall_ns, double *cpu)
{
	struct inproc_peer *partner = &ip.peer[0], *home = &ip.peer[1];
	unsigned sent = 0, base = home->ndata;
	uint64_t t0 = mono_ns(), c0 = cpu_ns(), deadline = t0 + 60000000000ull;
	uint8_t ud[64];

	nlat = 0;
	while (home->ndata - base < n) {
		while (sent < n && sent - (home->ndata - base) < window) {
			struct sw_m3ua_label l = {.opc = 1000, .dpc = 2000, .si = 3, .ni = 2,
						  .sls = (uint8_t)(sent & 15)};
			size_t len = inproc_udt(ud, 0, sent);

			sent_ns[sent] = mono_ns();
			if (sw_m3ua_send_data(&partner->ep, (uint16_t)(1 + (sent & 15)), &l, ud,
					      len) != 0)
				break;
			sent++;
		}
		inproc_pump(&ip);
		if (mono_ns() > deadline) {
			fprintf(stderr, "proxy-bench: stalled at %u of %u\n", home->ndata - base, n);
			return false;
		}
	}
	*wall_ns = (double)(mono_ns() - t0) / n;
	*cpu = (double)(cpu_ns() - c0) / n;
	return true;
}

int
main(int argc, char **argv)
{
	unsigned msus = 200000, runs = 5, window = 64;
	char rules[512], site[512], err[512];
	struct sw_compiled comp = {0};
	struct sw_proxy_policy pp = {0};
	struct sw_proxy_judge judge;
	static uint8_t msgs[1024][128];
	static size_t lens[1024];
	double inl[RUNS_MAX], core[RUNS_MAX], wall[RUNS_MAX], cpu[RUNS_MAX], p50[RUNS_MAX],
		p99[RUNS_MAX];
	uint16_t l_home = 1, l_partner = 0;
	struct sw_proxy_link_cfg lc[2] = {
		{.name = "partner", .sctp_server = true, .lport = 3000, .rport = 3100,
		 .role = SW_M3UA_ROLE_SGP, .rctx = 100, .side = 0},
		{.name = "home", .sctp_server = false, .lport = 3001, .rport = 3101,
		 .role = SW_M3UA_ROLE_ASP, .rctx = 200, .side = 1},
	};

	if (argc < 2) {
		fprintf(stderr, "usage: proxy-bench SRCDIR [--msus N] [--runs R] [--window W]\n");
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--msus") == 0)
			msus = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--runs") == 0)
			runs = (unsigned)strtoul(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--window") == 0)
			window = (unsigned)strtoul(argv[i + 1], NULL, 10);
	}
	if (runs == 0 || runs > RUNS_MAX || msus == 0 || window == 0) {
		fprintf(stderr, "proxy-bench: bad --runs/--msus/--window\n");
		return 2;
	}
	snprintf(rules, sizeof(rules), "%s/tests/proxy/rules-proxy.conf", argv[1]);
	snprintf(site, sizeof(site), "%s/patterns/site.example.conf", argv[1]);
	if (sw_compile_files(rules, site, 1, &comp, err, sizeof(err)) < 0) {
		fprintf(stderr, "proxy-bench: %s\n", err);
		return 1;
	}
	pp.jctx.pctx = sw_policy_ctx_new();
	if (pp.jctx.pctx == NULL || sw_policy_ctx_bind(pp.jctx.pctx, comp.image) != 0)
		return 1;
	pp.jctx.image = comp.image;
	sw_proxy_policy_judge(&pp, &judge);
	sent_ns = calloc(msus, sizeof(*sent_ns));
	lat_ns = calloc(msus, sizeof(*lat_ns));
	if (sent_ns == NULL || lat_ns == NULL)
		return 1;

	/* 1024 distinct M3UA messages from the partner's side (rctx 100) to the home DPC. */
	for (unsigned i = 0; i < 1024; i++) {
		struct sw_m3ua_label l = {.opc = 1000, .dpc = 2000, .si = 3, .ni = 2,
					  .sls = (uint8_t)(i & 15)};
		uint8_t ud[64];
		size_t n = inproc_udt(ud, 0, i);

		lens[i] = sw_m3ua_build_data(msgs[i], sizeof(msgs[i]), 100, false, 0, &l, ud, n);
	}

	if (inproc_setup(&ip, lc, 2, &judge) != 0 ||
	    sw_route_add(&ip.px.routes, 2000, &l_home, 1) != 0 ||
	    sw_route_add(&ip.px.routes, 1000, &l_partner, 1) != 0 || inproc_open(&ip) != 0 ||
	    !inproc_run_until(&ip, inproc_all_active, 5000)) {
		fprintf(stderr, "proxy-bench: set-up failed\n");
		return 1;
	}
	ip.peer[1].on_data = home_data;

	for (unsigned r = 0; r < runs; r++) {
		inl[r] = run_inline(&pp, msgs, lens, msus);
		core[r] = run_core(msgs, lens, msus);
		if (!run_sctp(msus, window, &wall[r], &cpu[r]))
			return 1;
		unsigned nl = msus / 10 < 20000 ? msus / 10 : 20000;
		double w1, c1;
		if (!run_sctp(nl, 1, &w1, &c1))
			return 1;
		qsort(lat_ns, nlat, sizeof(lat_ns[0]), cmp_u64);
		p50[r] = (double)lat_ns[nlat / 2];
		p99[r] = (double)lat_ns[(size_t)nlat * 99 / 100];
	}
	double m_inl = median(inl, runs), m_core = median(core, runs), m_wall = median(wall, runs),
	       m_cpu = median(cpu, runs), m_p50 = median(p50, runs), m_p99 = median(p99, runs);

	printf("# proxy-bench: %u MSUs per case, %u runs (medians), window %u, one core, one "
	       "thread; rules tests/proxy/rules-proxy.conf\n",
	       msus, runs, window);
	printf("case\tns_msu\tmsus_per_s\tratio_to_inline_msu\tp50_us\tp99_us\n");
	printf("inline-msu\t%.1f\t%.0f\t1.00\tNA\tNA\n", m_inl, 1e9 / m_inl);
	printf("proxy-core\t%.1f\t%.0f\t%.2f\tNA\tNA\n", m_core, 1e9 / m_core, m_core / m_inl);
	printf("proxy-sctp-cpu-all\t%.1f\t%.0f\t%.2f\tNA\tNA\n", m_cpu, 1e9 / m_cpu,
	       m_cpu / m_inl);
	printf("proxy-sctp-wall\t%.1f\t%.0f\t%.2f\tNA\tNA\n", m_wall, 1e9 / m_wall,
	       m_wall / m_inl);
	printf("proxy-lat\tNA\tNA\tNA\t%.1f\t%.1f\n", m_p50 / 1000, m_p99 / 1000);
	fprintf(stderr, "proxy-bench: routed %llu, wire drops %llu/%llu, sconn tx_fail %llu\n",
		(unsigned long long)ip.px.ctr[SW_PXO_ROUTED],
		(unsigned long long)ip.to_proxy[0].dropped,
		(unsigned long long)ip.peer[1].in.dropped,
		(unsigned long long)ip.ps.link[1].conn.tx_fail);
	inproc_close(&ip);
	sw_policy_ctx_free(pp.jctx.pctx);
	sw_compiled_free(&comp);
	free(sent_ns);
	free(lat_ns);
	return 0;
}
