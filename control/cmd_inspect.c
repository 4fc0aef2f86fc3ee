/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwallctl inspect [--json] [--all] [--rules R --site S] [--port 0|1] FILE
 *
 * Decodes a capture offline with the workers' decoder and, given a rule set, judges every
 * MSU with the workers' verdict engine: the dry run of a policy against a capture and the
 * test oracle. One record per MSU (per M3UA message); --all adds packets without one.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/decode/decode.h"
#include "dataplane/decode/print.h"
#include "pcapread.h"
#include "sigwallctl.h"

#ifdef SW_HAVE_POLICY
#include "control/compiler/compiler.h"
#include "dataplane/policy/policy.h"
#endif

struct inspect_opts {
	bool json, all, summary;
	const char *rules, *site;
	unsigned port;
};

#ifdef SW_HAVE_POLICY
static const char *const action_names[] = {"allow", "drop", "alert"};

struct judge {
	struct sw_compiled img;
	struct sw_policy_ctx *ctx;
	uint64_t *hits;         /* per rule, then default, then malformed */
	uint64_t actions[3];
};

static int
judge_open(struct judge *j, const struct inspect_opts *o)
{
	char err[512];
	int rc;

	memset(j, 0, sizeof(*j));
	rc = sw_compile_files(o->rules, o->site, 1, &j->img, err, sizeof(err));
	if (rc < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	j->ctx = sw_policy_ctx_new();
	if (j->ctx == NULL || sw_policy_ctx_bind(j->ctx, j->img.image) < 0) {
		fprintf(stderr, "sigwallctl: cannot bind the compiled image\n");
		return -1;
	}
	j->hits = calloc(sw_image_nrules(j->img.image) + 2, sizeof(*j->hits));
	return j->hits == NULL ? -1 : 0;
}

static void
judge_msu(struct judge *j, struct sw_sb *sb, const struct sw_pkt *pkt, const struct sw_msu *msu,
	  const struct inspect_opts *o, uint64_t ts_ns)
{
	struct sw_verdict v = sw_policy_eval(j->ctx, pkt, msu, o->port, ts_ns);
	uint32_t n = sw_image_nrules(j->img.image);
	uint32_t slot = v.rule >= 0 ? (uint32_t)v.rule : (v.rule == -1 ? n : n + 1);
	const char *act = v.action < 3 ? action_names[v.action] : "?";

	j->hits[slot]++;
	if (v.action < 3)
		j->actions[v.action]++;
	if (o->json)
		sw_sb_printf(sb, ",\"verdict\":{\"action\":\"%s\",\"rule\":\"%s\",\"monitor\":%s}",
			     act, sw_image_rule_name(j->img.image, v.rule),
			     v.monitor ? "true" : "false");
	else
		sw_sb_printf(sb, "  => %s (%s%s)", act, sw_image_rule_name(j->img.image, v.rule),
			     v.monitor ? ", monitor" : "");
}

static void
judge_summary(struct judge *j, FILE *f)
{
	uint32_t n = sw_image_nrules(j->img.image), r;

	fprintf(f, "verdicts: allow %llu, drop %llu, alert %llu\n",
		(unsigned long long)j->actions[0], (unsigned long long)j->actions[1],
		(unsigned long long)j->actions[2]);
	fprintf(f, "rule hits:\n");
	for (r = 0; r < n + 2; r++) {
		int32_t id = r < n ? (int32_t)r : (r == n ? -1 : -2);

		fprintf(f, "  %10llu  %s\n", (unsigned long long)j->hits[r],
			sw_image_rule_name(j->img.image, id));
	}
}

static void
judge_close(struct judge *j)
{
	if (j->ctx != NULL)
		sw_policy_ctx_free(j->ctx);
	if (j->img.image != NULL)
		sw_compiled_free(&j->img);
	free(j->hits);
}
#endif

/* Per-layer counts for --summary: what an operator looks at first in a capture. */
struct summary {
	uint64_t frames, sctp, chunks[256], msus, m3ua_class[16], sccp_type[256], tcap_type[8];
	uint64_t comp_type[8], map_op[256], map_op_other, isup_type[256], mal[SW_MAL_COUNT];
	uint64_t pkt_mal[SW_MAL_COUNT];
};

static void
summary_pkt(struct summary *s, const struct sw_pkt *pkt)
{
	unsigned i;

	s->frames++;
	if (pkt->sctp)
		s->sctp++;
	for (i = 0; i < pkt->nchunks; i++)
		s->chunks[pkt->chunks[i].type]++;
	if (pkt->mal != SW_MAL_NONE)
		s->pkt_mal[pkt->mal]++;
}

static void
summary_msu(struct summary *s, const struct sw_msu *msu)
{
	unsigned i;

	s->msus++;
	if (msu->has & SW_HAS_M3UA)
		s->m3ua_class[msu->m3ua.cls & 15]++;
	if (msu->has & SW_HAS_SCCP)
		s->sccp_type[msu->sccp.type]++;
	if (msu->has & SW_HAS_TCAP)
		s->tcap_type[msu->tcap.type & 7]++;
	for (i = 0; (msu->has & SW_HAS_TCAP) && i < msu->tcap.ncomp && i < SW_COMP_MAX; i++) {
		const struct sw_tcap_comp *c = &msu->tcap.comp[i];

		s->comp_type[c->type & 7]++;
		if (c->type == SW_COMP_INVOKE && c->has_opcode && !c->opcode_global) {
			if (c->opcode >= 0 && c->opcode < 256)
				s->map_op[c->opcode]++;
			else
				s->map_op_other++;
		}
	}
	if (msu->has & SW_HAS_ISUP)
		s->isup_type[msu->isup.type]++;
	if (msu->mal != SW_MAL_NONE)
		s->mal[msu->mal]++;
}

static void
summary_print(const struct summary *s, FILE *f)
{
	unsigned i;

	fprintf(f, "frames %llu, SCTP packets %llu, MSUs %llu\n", (unsigned long long)s->frames,
		(unsigned long long)s->sctp, (unsigned long long)s->msus);
	fprintf(f, "sctp chunks:");
	for (i = 0; i < 256; i++)
		if (s->chunks[i]) {
			const char *n = sw_sctp_chunk_name((uint8_t)i);

			if (n != NULL)
				fprintf(f, " %s %llu", n, (unsigned long long)s->chunks[i]);
			else
				fprintf(f, " type%u %llu", i, (unsigned long long)s->chunks[i]);
		}
	fprintf(f, "\nm3ua classes:");
	for (i = 0; i < 16; i++)
		if (s->m3ua_class[i]) {
			const char *n = sw_m3ua_class_name((uint8_t)i);

			fprintf(f, " %s %llu", n != NULL ? n : "?", (unsigned long long)s->m3ua_class[i]);
		}
	fprintf(f, "\nsccp types:");
	for (i = 0; i < 256; i++)
		if (s->sccp_type[i]) {
			const char *n = sw_sccp_type_name((uint8_t)i);

			fprintf(f, " %s %llu", n != NULL ? n : "other", (unsigned long long)s->sccp_type[i]);
		}
	fprintf(f, "\ntcap types:");
	for (i = 0; i < 8; i++)
		if (s->tcap_type[i]) {
			const char *n = sw_tcap_type_name((uint8_t)i);

			fprintf(f, " %s %llu", n != NULL ? n : "?", (unsigned long long)s->tcap_type[i]);
		}
	fprintf(f, "\ntcap components:");
	for (i = 0; i < 8; i++)
		if (s->comp_type[i]) {
			const char *n = sw_comp_type_name((uint8_t)i);

			fprintf(f, " %s %llu", n != NULL ? n : "?", (unsigned long long)s->comp_type[i]);
		}
	fprintf(f, "\nmap invokes:");
	for (i = 0; i < 256; i++)
		if (s->map_op[i]) {
			const char *n = sw_map_op_name((int32_t)i);

			if (n != NULL)
				fprintf(f, " %s %llu", n, (unsigned long long)s->map_op[i]);
			else
				fprintf(f, " op%u %llu", i, (unsigned long long)s->map_op[i]);
		}
	if (s->map_op_other)
		fprintf(f, " out-of-range %llu", (unsigned long long)s->map_op_other);
	fprintf(f, "\nisup types:");
	for (i = 0; i < 256; i++)
		if (s->isup_type[i]) {
			const char *n = sw_isup_type_name((uint8_t)i);

			fprintf(f, " %s %llu", n != NULL ? n : "?", (unsigned long long)s->isup_type[i]);
		}
	fprintf(f, "\nmalformed:");
	for (i = 1; i < SW_MAL_COUNT; i++)
		if (s->mal[i] || s->pkt_mal[i])
			fprintf(f, " %s/%s %llu", sw_layer_name(sw_mal_layer((enum sw_mal)i)),
				sw_mal_name((enum sw_mal)i),
				(unsigned long long)(s->mal[i] + s->pkt_mal[i]));
	fprintf(f, "\n");
}

static void
usage(void)
{
	fprintf(stderr, "usage: sigwallctl inspect [--json | --summary] [--all] "
			"[--rules RULES --site SITE] [--port 0|1] FILE\n");
}

int
sw_cmd_inspect(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},  {"all", no_argument, NULL, 'a'},
		{"rules", required_argument, NULL, 'r'}, {"site", required_argument, NULL, 's'},
		{"port", required_argument, NULL, 'p'}, {"summary", no_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	struct inspect_opts o = {0};
	struct sw_pcap_in *in;
	enum sw_link link;
	char err[512], line[16384];
	int opt, rc = 0;
	bool judging = false;
	static struct summary sum;
#ifdef SW_HAVE_POLICY
	struct judge j;
#endif

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': o.json = true; break;
		case 'a': o.all = true; break;
		case 'S': o.summary = true; break;
		case 'r': o.rules = optarg; break;
		case 's': o.site = optarg; break;
		case 'p':
			if (strcmp(optarg, "0") != 0 && strcmp(optarg, "1") != 0) {
				fprintf(stderr, "sigwallctl inspect: --port is 0 (outside) or 1 (inside)\n");
				return 2;
			}
			o.port = (unsigned)atoi(optarg);
			break;
		default: usage(); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage();
		return 2;
	}
	if ((o.rules == NULL) != (o.site == NULL)) {
		fprintf(stderr, "sigwallctl inspect: --rules and --site go together\n");
		return 2;
	}
	in = sw_pcap_open(argv[optind], err, sizeof(err));
	if (in == NULL) {
		fprintf(stderr, "sigwallctl: %s\n", err);
		return 2;
	}
	if (sw_pcap_link(in, &link, err, sizeof(err)) < 0) {
		fprintf(stderr, "sigwallctl: %s\n", err);
		sw_pcap_close(in);
		return 2;
	}
	if (o.rules != NULL) {
#ifdef SW_HAVE_POLICY
		if (judge_open(&j, &o) < 0) {
			judge_close(&j);
			sw_pcap_close(in);
			return 2;
		}
		judging = true;
#else
		fprintf(stderr, "sigwallctl inspect: built without the policy engine\n");
		sw_pcap_close(in);
		return 2;
#endif
	}

	for (;;) {
		const uint8_t *data;
		uint32_t len;
		uint64_t ts;
		unsigned frame, i, data_idx = 0;
		struct sw_pkt pkt;
		struct sw_sb sb;
		int r = sw_pcap_next(in, &data, &len, &ts, &frame, err, sizeof(err));

		if (r == 0)
			break;
		if (r < 0) {
			fflush(stdout);
			fprintf(stderr, "sigwallctl: %s\n", err);
			rc = 1;
			break;
		}
		sw_decode_packet(data, len, link, &pkt);
		if (o.summary)
			summary_pkt(&sum, &pkt);
		for (i = 0; i < pkt.nchunks; i++) {
			static struct sw_msu msu;

			if (pkt.chunks[i].type != 0 && pkt.chunks[i].type != 64)
				continue;
			sw_decode_msu(data, &pkt, i, &msu);
			if (o.summary) {
				summary_msu(&sum, &msu);
#ifdef SW_HAVE_POLICY
				if (judging) {
					sw_sb_init(&sb, line, sizeof(line));
					judge_msu(&j, &sb, &pkt, &msu, &o, ts);
				}
#endif
				continue;
			}
			sw_sb_init(&sb, line, sizeof(line));
			if (o.json) {
				sw_sb_printf(&sb, "{");
				sw_json_msu(&sb, &pkt, &msu, frame, data_idx);
			} else {
				sw_text_msu(&sb, &pkt, &msu, frame, data_idx);
			}
#ifdef SW_HAVE_POLICY
			if (judging)
				judge_msu(&j, &sb, &pkt, &msu, &o, ts);
#endif
			if (o.json)
				sw_sb_printf(&sb, "}");
			puts(line);
			data_idx++;
		}
		/* A packet that carries no MSU: listed with --all, and always when it is malformed
		 * (an attack must never vanish from the dry run). */
#ifdef SW_HAVE_POLICY
		if (data_idx == 0 && o.summary && judging && pkt.mal != SW_MAL_NONE &&
		    pkt.mal != SW_MAL_IP_PROTO) {
			static struct sw_msu bad;

			memset(&bad, 0, sizeof(bad));
			bad.mal = pkt.mal;
			sw_sb_init(&sb, line, sizeof(line));
			judge_msu(&j, &sb, &pkt, &bad, &o, ts);
		}
#endif
		if (data_idx == 0 && !o.summary && (o.all || pkt.mal != SW_MAL_NONE)) {
			sw_sb_init(&sb, line, sizeof(line));
			if (o.json) {
				sw_sb_printf(&sb, "{");
				sw_json_pkt(&sb, &pkt, frame);
			} else {
				sw_text_pkt(&sb, &pkt, frame);
			}
#ifdef SW_HAVE_POLICY
			/* A packet the decoder rejects below the MSU (an IP fragment, a broken
			 * chunk) gets the policy's verdict for a malformed message, as in the
			 * workers. */
			if (judging && pkt.mal != SW_MAL_NONE && pkt.mal != SW_MAL_IP_PROTO) {
				static struct sw_msu bad;

				memset(&bad, 0, sizeof(bad));
				bad.mal = pkt.mal;
				judge_msu(&j, &sb, &pkt, &bad, &o, ts);
			}
#endif
			if (o.json)
				sw_sb_printf(&sb, "}");
			puts(line);
		}
	}
	fflush(stdout);
	if (o.summary)
		summary_print(&sum, stdout);
#ifdef SW_HAVE_POLICY
	if (judging) {
		judge_summary(&j, o.json ? stderr : stdout);
		judge_close(&j);
	}
#endif
	(void)judging;
	sw_pcap_close(in);
	return rc;
}
