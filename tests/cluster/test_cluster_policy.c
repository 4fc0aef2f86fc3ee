/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Issue 16 D3, the policy side: what a state miss means while this member of a cluster is
 * degraded (its replicator cannot reach Redis, or has not resynchronised yet). The state
 * condition `cluster-degraded` (patterns/README.md "State rules in a cluster") holds while the
 * replicator says so in the worker's delta ring; a rule placed before the drop turns the drop
 * of an unsolicited End into an alert then, and only then:
 *   - a ring, not degraded: the End is dropped (state-unsolicited-dialogue);
 *   - the same ring, degraded: alerted by the degraded rule, with both conditions in the verdict;
 *   - back to normal: dropped again; no ring at all (no cluster): dropped, never degraded;
 *   - the shipped policy (no degraded rule): a drop stays a drop while degraded;
 *   - a rule naming an unknown state is refused with the list, which names cluster-degraded.
 *
 * usage: test_cluster_policy SRCROOT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/compiler/compiler.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/image.h"
#include "tests/common/msu_build.h"

#define S      (1000000000ull)
#define T0     (1765000000ull * S)
#define FR_VLR "336090000020" /* PartnerFR in site.example.conf */

static const char *srcroot;

/* The shipped state rule for dialogues, preceded by the pair's choice for degraded times. */
static const char rules_degraded[] =
	"policy = { name = \"cluster-test\"; default = \"allow\"; malformed = \"drop\"; };\n"
	"rules = (\n"
	"{\n"
	"\tname = \"state-unsolicited-dialogue-degraded\";\n"
	"\tdirection = \"outside\";\n"
	"\ttcap = [ \"continue\", \"end\", \"abort\" ];\n"
	"\tstate = [ \"unsolicited-dialogue\", \"cluster-degraded\" ];\n"
	"\taction = \"alert\";\n"
	"},\n"
	"{\n"
	"\tname = \"state-unsolicited-dialogue\";\n"
	"\tdirection = \"outside\";\n"
	"\ttcap = [ \"continue\", \"end\", \"abort\" ];\n"
	"\tstate = \"unsolicited-dialogue\";\n"
	"\taction = \"drop\";\n"
	"}\n"
	");\n";

struct fx {
	struct sw_compiled comp;
	struct sw_policy_ctx *pctx;
	struct sw_judge_ctx j;
	struct sw_state st;
	void *ring_mem;
	struct sw_state_ring *ring;
	struct sw_msu m;
};

static int
fx_open(struct fx *f, const char *rules_path, bool with_ring)
{
	char sp[1024], err[512];
	struct sw_state_config cfg = {.dialogues = 4096, .sms = 1024, .subscribers = 1024};

	memset(f, 0, sizeof(*f));
	snprintf(sp, sizeof(sp), "%s/patterns/site.example.conf", srcroot);
	if (sw_compile_files(rules_path, sp, 1, &f->comp, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	f->pctx = sw_policy_ctx_new();
	if (f->pctx == NULL || sw_policy_ctx_bind(f->pctx, f->comp.image) < 0)
		return -1;
	f->j.pctx = f->pctx;
	f->j.image = f->comp.image;
	if (sw_state_create_private(&cfg, &f->st) < 0 || sw_judge_state_attach(&f->j, &f->st, 0, 0))
		return -1;
	if (with_ring) {
		/* As dataplane/app/main.c does with sigwall-cluster's ring of worker 0. */
		if (posix_memalign(&f->ring_mem, 64, sw_state_ring_bytes(64)) != 0)
			return -1;
		f->ring = sw_state_ring_init(f->ring_mem, 64);
		f->j.state_ctx.ring = f->ring;
	}
	return 0;
}

static void
fx_close(struct fx *f)
{
	sw_state_close(&f->st);
	sw_policy_ctx_free(f->pctx);
	sw_compiled_free(&f->comp);
	free(f->ring_mem);
}

static void
tid(uint8_t *t, uint32_t v)
{
	t[0] = (uint8_t)(v >> 24);
	t[1] = (uint8_t)(v >> 16);
	t[2] = (uint8_t)(v >> 8);
	t[3] = (uint8_t)v;
}

/* A TC-END from outside (port 0) answering DTID dtid, which no node of ours began. */
static struct sw_judge_verdict
end_from_outside(struct fx *f, uint32_t dtid)
{
	struct sw_pkt pkt;
	struct sw_judge_verdict v;

	t_map(&f->m, FR_VLR, T_HOME_HLR, 22, NULL);
	f->m.tcap.type = SW_TCAP_END;
	f->m.tcap.otid_len = 0;
	f->m.tcap.dtid_len = 4;
	tid(f->m.tcap.dtid, dtid);
	f->m.tcap.comp[0].type = SW_COMP_RESULT_LAST;
	memset(&pkt, 0, sizeof(pkt));
	sw_judge_msu(&f->j, &pkt, &f->m, 0, T0, &v);
	return v;
}

#define ST(c) (1u << (c))

static void
expect(struct fx *f, struct sw_judge_verdict v, const char *rule, uint8_t action, unsigned state)
{
	const char *got = sw_judge_rule_name(f->comp.image, v.rule);

	if (strcmp(got, rule) != 0 || v.action != action || v.state != state)
		fprintf(stderr, "got rule %s action %u state 0x%x, expected %s %u 0x%x\n", got,
			v.action, v.state, rule, action, state);
	assert_string_equal(got, rule);
	assert_int_equal(v.action, action);
	assert_int_equal(v.state, state);
}

static void
write_rules(char *path, size_t len, const char *text)
{
	FILE *f;

	snprintf(path, len, "/tmp/sw-cluster-policy-%d.conf", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_degraded_alerts(void **state)
{
	const unsigned miss = ST(SW_ST_UNSOLICITED_DIALOGUE);
	const unsigned both = miss | ST(SW_ST_CLUSTER_DEGRADED);
	char path[128];
	struct fx f;

	(void)state;
	write_rules(path, sizeof(path), rules_degraded);
	assert_int_equal(fx_open(&f, path, true), 0);
	unlink(path);
	expect(&f, end_from_outside(&f, 0x11110001), "state-unsolicited-dialogue", SW_ACTION_DROP,
	       miss);
	atomic_store(&f.ring->degraded, 1u);
	expect(&f, end_from_outside(&f, 0x11110002), "state-unsolicited-dialogue-degraded",
	       SW_ACTION_ALERT, both);
	atomic_store(&f.ring->degraded, 0u);
	expect(&f, end_from_outside(&f, 0x11110003), "state-unsolicited-dialogue", SW_ACTION_DROP,
	       miss);
	fx_close(&f);

	/* No cluster (no ring): never degraded. */
	write_rules(path, sizeof(path), rules_degraded);
	assert_int_equal(fx_open(&f, path, false), 0);
	unlink(path);
	expect(&f, end_from_outside(&f, 0x11110004), "state-unsolicited-dialogue", SW_ACTION_DROP,
	       miss);
	fx_close(&f);
}

/* The shipped policy has no degraded rule: a cluster outage changes nothing it drops. */
static void
test_shipped_keeps_drop(void **state)
{
	char path[1024];
	struct fx f;

	(void)state;
	snprintf(path, sizeof(path), "%s/patterns/default.conf", srcroot);
	assert_int_equal(fx_open(&f, path, true), 0);
	atomic_store(&f.ring->degraded, 1u);
	expect(&f, end_from_outside(&f, 0x22220001), "state-unsolicited-dialogue", SW_ACTION_DROP,
	       ST(SW_ST_UNSOLICITED_DIALOGUE));
	fx_close(&f);
}

static void
test_unknown_state_lists_it(void **state)
{
	char path[128], sp[1024], err[512];
	struct sw_compiled comp;

	(void)state;
	write_rules(
		path, sizeof(path),
		"rules = ( { name = \"x\"; state = \"cluster-down\"; action = \"alert\"; } );\n");
	snprintf(sp, sizeof(sp), "%s/patterns/site.example.conf", srcroot);
	memset(&comp, 0, sizeof(comp));
	assert_true(sw_compile_files(path, sp, 1, &comp, err, sizeof(err)) < 0);
	unlink(path);
	printf("# %s\n", err);
	assert_non_null(strstr(err, "unknown state \"cluster-down\""));
	assert_non_null(strstr(err, "cluster-degraded"));
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_degraded_alerts),
		cmocka_unit_test(test_shipped_keeps_drop),
		cmocka_unit_test(test_unknown_state_lists_it),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: test_cluster_policy SRCROOT\n");
		return 2;
	}
	srcroot = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
