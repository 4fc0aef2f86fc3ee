/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwallctl inspect [--json] [--all] [--rules R --site S] [--port 0|1] FILE
 *
 * Decodes a capture offline with the workers' decoder and, given a rule set, judges every
 * MSU with the workers' verdict engine: the dry run of a policy against a capture and the
 * test oracle. One record per MSU (per M3UA message); --all adds packets without one.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/decode/print.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "dataplane/proto/sctp.h"
#include "dataplane/reasm/reasm.h"
#include "pcapread.h"
#include "sigwallctl.h"

struct inspect_opts {
	bool json, all, summary;
	const char *rules, *site, *file;
	unsigned port;  /* 0, 1 (--port), or SW_PORT_NONE: from the site's links or the OPC */
	bool non_ip_pass;
	enum sw_variant variant; /* --variant, without a site (a site says it, issue 17 D6) */
};

static const char *const action_names[] = {"allow", "drop", "alert"};

/* The dry run's judge: the same sw_judge_packet the workers call, on a freshly compiled image. */
struct judge {
	struct sw_compiled img;
	struct sw_policy_ctx *ctx;
	struct sw_judge_ctx jctx;
	uint64_t *hits;         /* per rule, then default, malformed, non-ip, pending */
	uint64_t actions[3];
	/* The state tables (issue 15): private to the dry run, over the capture's timestamps, when
	 * some rule uses state. */
	struct sw_state st;
	struct sw_state_ctx sctx;
	bool have_state;
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
	j->jctx.pctx = j->ctx;
	j->jctx.image = j->img.image;
	j->jctx.non_ip_pass = o->non_ip_pass;
	j->jctx.reasm = sw_reasm_new(NULL); /* whole messages as the workers judge them (issue 14) */
	if (j->jctx.reasm == NULL)
		return -1;
	if (sw_img_state(j->img.image) != NULL && sw_img_state(j->img.image)->used != 0) {
		struct sw_state_config cfg;
		sw_judge_state_config(j->img.image, &cfg);
		rc = sw_state_create_private(&cfg, &j->st);
		if (rc < 0 || sw_state_ctx_init(&j->sctx, &j->st, 0, NULL) < 0) {
			fprintf(stderr, "sigwallctl: cannot create the state tables: %s\n",
				strerror(rc < 0 ? -rc : EINVAL));
			return -1;
		}
		j->have_state = true;
		j->jctx.state = &j->sctx;
		j->jctx.state_clock = 0; /* the capture's timestamps are CLOCK_REALTIME ns */
	}
	j->hits = calloc(sw_image_nrules(j->img.image) + 4, sizeof(*j->hits));
	return j->hits == NULL ? -1 : 0;
}

/* Count one verdict and append it to the record in sb. */
static void
judge_verdict(struct judge *j, struct sw_sb *sb, const struct sw_judge_verdict *v, bool json)
{
	uint32_t n = sw_image_nrules(j->img.image);
	/* default, malformed, non-ip, pending (-1 .. -4) after the rules */
	uint32_t slot = v->rule >= 0 ? (uint32_t)v->rule : n + (uint32_t)(-1 - v->rule);
	const char *act = v->action < 3 ? action_names[v->action] : "?";
	const char *rule = sw_judge_rule_name(j->img.image, v->rule);

	j->hits[slot]++;
	if (v->action < 3)
		j->actions[v->action]++;
	if (sb == NULL)
		return;
	if (json)
		sw_sb_printf(sb, ",\"verdict\":{\"action\":\"%s\",\"rule\":\"%s\",\"monitor\":%s",
			     act, rule, v->monitor ? "true" : "false");
	else
		sw_sb_printf(sb, "  => %s (%s%s", act, rule, v->monitor ? ", monitor" : "");
	/* A rule with an id (issue 18): its id and severity. */
	if (sw_image_rule_id(j->img.image, v->rule) != 0)
		sw_sb_printf(sb, json ? ",\"id\":%u,\"severity\":\"%s\"" : ", id %u, %s",
			     sw_image_rule_id(j->img.image, v->rule),
			     sw_image_rule_severity(j->img.image, v->rule));
	/* The state conditions that held (issue 15), when any did. */
	for (unsigned i = 0, k = 0; i < SW_ST_COUNT; i++) {
		if (!(v->state & (1u << i)))
			continue;
		if (json)
			sw_sb_printf(sb, "%s\"%s\"", k++ == 0 ? ",\"state\":[" : ",",
				     sw_state_cond_names[i]);
		else
			sw_sb_printf(sb, "%s%s", k++ == 0 ? "; state: " : ", ", sw_state_cond_names[i]);
	}
	if (json)
		sw_sb_printf(sb, "%s}", v->state != 0 ? "]" : "");
	else
		sw_sb_printf(sb, ")");
	if (v->piece != SW_REASM_NONE) /* issue 14: a piece of a longer message */
		sw_sb_printf(sb, json ? ",\"reasm\":{\"state\":\"%s\",\"pieces\":%u}" : " [%s %u]",
			     sw_reasm_state_name(v->piece), v->npieces);
}

static void
judge_summary(struct judge *j, FILE *f)
{
	uint32_t n = sw_image_nrules(j->img.image), r;

	fprintf(f, "verdicts: allow %llu, drop %llu, alert %llu\n",
		(unsigned long long)j->actions[0], (unsigned long long)j->actions[1],
		(unsigned long long)j->actions[2]);
	fprintf(f, "rule hits:\n");
	for (r = 0; r < n + 4; r++) {
		int32_t id = r < n ? (int32_t)r : -1 - (int32_t)(r - n);

		if (r >= n + 2 && j->hits[r] == 0)
			continue;
		fprintf(f, "  %10llu  %s\n", (unsigned long long)j->hits[r],
			sw_judge_rule_name(j->img.image, id));
	}
	if (j->have_state) {
		static const char *const tname[SW_STATE_NTABLES] = { "dialogues", "sms",
								     "locations" };
		fprintf(f, "state tables:\n");
		for (unsigned t = 0; t < SW_STATE_NTABLES; t++) {
			struct sw_state_counters c;
			sw_state_stats(&j->st, (enum sw_state_table)t, &c);
			fprintf(f, "  %-10s inserts %llu, lookups %llu, hits %llu, evictions %llu, "
				"full %llu\n", tname[t], (unsigned long long)c.inserts,
				(unsigned long long)c.lookups, (unsigned long long)c.hits,
				(unsigned long long)c.evictions, (unsigned long long)c.full);
		}
	}
}

static void
judge_close(struct judge *j)
{
	sw_reasm_free(j->jctx.reasm);
	if (j->ctx != NULL)
		sw_policy_ctx_free(j->ctx);
	if (j->img.image != NULL)
		sw_compiled_free(&j->img);
	if (j->have_state)
		sw_state_close(&j->st);
	free(j->hits);
}

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
			"[--rules RULES --site SITE | --variant itu|ansi] [--port 0|1] "
			"[--non-ip pass|drop] FILE\n");
}

/* Options: 0, or the exit status (2) after a message. */
static int
inspect_options(int argc, char **argv, struct inspect_opts *o)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},  {"all", no_argument, NULL, 'a'},
		{"rules", required_argument, NULL, 'r'}, {"site", required_argument, NULL, 's'},
		{"port", required_argument, NULL, 'p'}, {"summary", no_argument, NULL, 'S'},
		{"non-ip", required_argument, NULL, 'n'},
		{"variant", required_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int opt;
	bool have_variant = false;

	memset(o, 0, sizeof(*o));
	o->port = SW_PORT_NONE;
	o->non_ip_pass = true; /* as sigwall-dataplane's --non-sctp default */
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j': o->json = true; break;
		case 'a': o->all = true; break;
		case 'S': o->summary = true; break;
		case 'r': o->rules = optarg; break;
		case 's': o->site = optarg; break;
		case 'p':
			if (strcmp(optarg, "0") != 0 && strcmp(optarg, "1") != 0) {
				fprintf(stderr, "sigwallctl inspect: --port is 0 (outside) or 1 (inside)\n");
				return 2;
			}
			o->port = (unsigned)atoi(optarg);
			break;
		case 'n':
			if (strcmp(optarg, "pass") != 0 && strcmp(optarg, "drop") != 0) {
				fprintf(stderr, "sigwallctl inspect: --non-ip is pass or drop\n");
				return 2;
			}
			o->non_ip_pass = strcmp(optarg, "pass") == 0;
			break;
		case 'V':
			if (sw_variant_code(optarg) < 0) {
				fprintf(stderr, "sigwallctl inspect: --variant is itu or ansi\n");
				return 2;
			}
			o->variant = (enum sw_variant)sw_variant_code(optarg);
			have_variant = true;
			break;
		default: usage(); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage();
		return 2;
	}
	if ((o->rules == NULL) != (o->site == NULL)) {
		fprintf(stderr, "sigwallctl inspect: --rules and --site go together\n");
		return 2;
	}
	if (have_variant && o->site != NULL) {
		fprintf(stderr, "sigwallctl inspect: --variant goes without --site (the site's "
				"variant and its links' say it)\n");
		return 2;
	}
	o->file = argv[optind];
	return 0;
}

/* One capture being inspected. */
struct inspect {
	struct inspect_opts o;
	struct sw_pcap_in *in;
	enum sw_link link;
	struct judge j;
	bool judging;
	struct summary sum;
	struct sw_msu msu;
	/* current frame */
	unsigned frame, data_idx;
	char line[16384];
};

/* Capture and rule set: 0, or the exit status (2) after a message. */
static int
inspect_setup(struct inspect *x)
{
	char err[512];

	x->in = sw_pcap_open(x->o.file, err, sizeof(err));
	if (x->in == NULL) {
		fprintf(stderr, "sigwallctl: %s\n", err);
		return 2;
	}
	if (sw_pcap_link(x->in, &x->link, err, sizeof(err)) < 0) {
		fprintf(stderr, "sigwallctl: %s\n", err);
		return 2;
	}
	if (x->o.rules != NULL) {
		if (judge_open(&x->j, &x->o) < 0)
			return 2;
		x->judging = true;
	}
	return 0;
}

/* One record: an MSU (msu != NULL) or a packet without one, with its verdict if judged. */
static void
inspect_record(struct inspect *x, const struct sw_pkt *pkt, const struct sw_msu *msu,
	       const struct sw_judge_verdict *v)
{
	struct sw_sb sb;

	if (x->o.summary) {
		if (msu != NULL)
			summary_msu(&x->sum, msu);
		if (v != NULL)
			judge_verdict(&x->j, NULL, v, false);
		return;
	}
	sw_sb_init(&sb, x->line, sizeof(x->line));
	if (x->o.json)
		sw_sb_printf(&sb, "{");
	if (msu != NULL) {
		if (x->o.json)
			sw_json_msu(&sb, pkt, msu, x->frame, x->data_idx);
		else
			sw_text_msu(&sb, pkt, msu, x->frame, x->data_idx);
		x->data_idx++;
	} else if (x->o.json) {
		sw_json_pkt(&sb, pkt, x->frame);
	} else {
		sw_text_pkt(&sb, pkt, x->frame);
	}
	if (v != NULL)
		judge_verdict(&x->j, &sb, v, x->o.json);
	if (x->o.json)
		sw_sb_printf(&sb, "}");
	puts(x->line);
}

/* The judge's callback: one record per verdict. */
static void
inspect_verdict(void *arg, const struct sw_pkt *pkt, const struct sw_msu *msu,
		const struct sw_judge_verdict *v)
{
	struct inspect *x = arg;

	inspect_record(x, pkt, v->chunk == SW_JUDGE_PKT ? NULL : msu, v);
}

/* Without a rule set nothing is judged: every DATA/I-DATA chunk's MSU is shown as decoded. */
static void
inspect_show(struct inspect *x, const uint8_t *data, const struct sw_pkt *pkt)
{
	unsigned i;

	for (i = 0; i < pkt->nchunks; i++) {
		if (!sw_sctp_is_data(pkt->chunks[i].type))
			continue;
		sw_decode_msu_variant(data, pkt, i, x->o.variant, &x->msu);
		inspect_record(x, pkt, &x->msu, NULL);
	}
}

static int
inspect_loop(struct inspect *x)
{
	char err[512];

	for (;;) {
		const uint8_t *data;
		uint32_t len;
		uint64_t ts;
		struct sw_pkt pkt;
		struct sw_judgement jm;
		int r = sw_pcap_next(x->in, &data, &len, &ts, &x->frame, err, sizeof(err));

		if (r == 0)
			return 0;
		if (r < 0) {
			fflush(stdout);
			fprintf(stderr, "sigwallctl: %s\n", err);
			return 1;
		}
		x->data_idx = 0;
		sw_decode_packet(data, len, x->link, &pkt);
		/* reasm (issue 14 D1): IP fragments joined as the dataplane joins them. */
		if (pkt.ip_frag && sw_pcap_defrag(x->in, &data, &len, ts, x->link, &pkt) != 0) {
			if (x->o.all) /* held: listed as the fragment it is, judged when whole */
				inspect_record(x, &pkt, NULL, NULL);
			continue;
		}
		if (x->o.summary)
			summary_pkt(&x->sum, &pkt);
		if (x->judging) {
			/* The workers' judge, record by record. A packet it passes unjudged (not IP)
			 * is listed with its verdict too: it is malformed for the decoder. */
			sw_judge_packet(&x->j.jctx, data, &pkt, x->o.port, ts, &x->msu, &jm,
					inspect_verdict, x);
			if (jm.cls == SW_JUDGE_NON_IP)
				inspect_record(x, &pkt, NULL, &jm.pkt);
			else if (jm.cls == SW_JUDGE_CHUNKS && jm.nverdicts == 0 && x->o.all)
				inspect_record(x, &pkt, NULL, NULL);
			continue;
		}
		inspect_show(x, data, &pkt);
		/* A packet that carries no MSU: listed with --all, and always when it is malformed
		 * (an attack must never vanish from the dry run). */
		if (x->data_idx == 0 && !x->o.summary && (x->o.all || pkt.mal != SW_MAL_NONE))
			inspect_record(x, &pkt, NULL, NULL);
	}
}

int
sw_cmd_inspect(int argc, char **argv)
{
	static struct inspect x;
	int rc;

	memset(&x, 0, sizeof(x));
	rc = inspect_options(argc, argv, &x.o);
	if (rc != 0)
		return rc;
	rc = inspect_setup(&x);
	if (rc == 0)
		rc = inspect_loop(&x);
	fflush(stdout);
	if (rc != 2 && x.o.summary)
		summary_print(&x.sum, stdout);
	if (rc != 2 && x.judging)
		judge_summary(&x.j, x.o.json ? stderr : stdout);
	if (x.judging || x.j.ctx != NULL || x.j.hits != NULL)
		judge_close(&x.j);
	if (x.in != NULL)
		sw_pcap_close(x.in);
	return rc;
}
