/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verdict engine (dataplane/policy) over the shipped rule set (patterns/default.conf with
 * patterns/site.example.conf): every shipped rule fires on a message made for it and stays
 * silent on its legitimate twin; evasion (operation in the 3rd component, GTI 2 vs 4, BCD
 * parity) does not change a verdict; the cache never changes a verdict; sw_image_validate
 * refuses corrupted images.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/compiler/compiler.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "tests/common/msu_build.h"

#define RULES "patterns/default.conf"
#define SITE "patterns/site.example.conf"

struct fx {
	struct sw_compiled c;
	struct sw_policy_ctx *ctx;
};

static int
setup(void **state)
{
	static struct fx fx;
	char err[512];
	int rc = sw_compile_files(RULES, SITE, 1, &fx.c, err, sizeof(err));

	if (rc != 0) {
		fprintf(stderr, "compile: %s\n", err);
		return -1;
	}
	fx.ctx = sw_policy_ctx_new();
	if (fx.ctx == NULL || sw_policy_ctx_bind(fx.ctx, fx.c.image) != 0)
		return -1;
	*state = &fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	sw_policy_ctx_free(fx->ctx);
	sw_compiled_free(&fx->c);
	return 0;
}

/* Direction as `inspect` takes it from a capture of a site without links: the OPC (t_map:
 * home GTs come from a home point code). */
static struct sw_verdict
eval(struct fx *fx, const struct sw_msu *m)
{
	unsigned dir = sw_policy_direction(fx->ctx, NULL, m, 0, SW_DIR_ADDRESS);

	return sw_policy_eval(fx->ctx, NULL, m, dir, 1000);
}

static void
expect(struct fx *fx, const struct sw_msu *m, uint8_t action, const char *rule, const char *what)
{
	struct sw_verdict v = eval(fx, m);
	const char *name = sw_image_rule_name(fx->c.image, v.rule);

	if (v.action != action || strcmp(name, rule) != 0)
		fail_msg("%s: expected %s by %s, got %s by %s", what, sw_action_name(action), rule,
			 sw_action_name(v.action), name);
	/* A second evaluation is a cache hit and must agree. */
	struct sw_verdict v2 = eval(fx, m);
	assert_int_equal(v2.action, v.action);
	assert_int_equal(v2.rule, v.rule);
}

struct case_ {
	const char *what;
	const char *cgpa, *cdpa;
	int32_t opcode;
	const char *imsi;
	uint8_t action;
	const char *rule;
};

/* Each attack next to its legitimate twin. */
static const struct case_ map_cases[] = {
	{ "ATI from a foreign GT", T_FOREIGN_GT, T_HOME_HLR, 71, NULL, SW_ACTION_DROP,
	  "fs11-cat1" },
	{ "ATI from a partner GT", T_DE_GT, T_HOME_HLR, 71, NULL, SW_ACTION_DROP, "fs11-cat1" },
	{ "ATI from the home gsmSCF", "27821000147", T_HOME_HLR, 71, NULL, SW_ACTION_ALLOW,
	  "default" },
	{ "SRI (call) from outside", T_FOREIGN_GT, T_HOME_HLR, 22, NULL, SW_ACTION_DROP,
	  "fs11-cat1" },
	{ "SRI from the home GMSC to a partner HLR", "27820000020", T_DE_GT, 22, T_DE_IMSI,
	  SW_ACTION_ALLOW, "default" },
	{ "sendIMSI from outside", T_FR_GT, T_HOME_HLR, 58, NULL, SW_ACTION_DROP, "fs11-cat1" },
	{ "PSL from outside", T_FOREIGN_GT, T_HOME_HLR, 83, NULL, SW_ACTION_DROP, "fs11-cat1" },
	{ "ISD for a home IMSI from a partner", T_DE_GT, T_HOME_VLR, 7, T_HOME_IMSI,
	  SW_ACTION_DROP, "fs11-cat2" },
	{ "ISD for a FR IMSI from DE", T_DE_GT, T_HOME_VLR, 7, T_FR_IMSI, SW_ACTION_DROP,
	  "fs11-cat2" },
	{ "ISD for a DE IMSI from DE", T_DE_GT, T_HOME_VLR, 7, T_DE_IMSI, SW_ACTION_ALLOW,
	  "fs11-cat2-partner-own-subscriber" },
	{ "cancelLocation for a DE IMSI from a foreign GT", T_FOREIGN_GT, T_HOME_VLR, 3, T_DE_IMSI,
	  SW_ACTION_DROP, "fs11-cat2" },
	{ "cancelLocation from the home HLR", T_HOME_HLR, T_DE_GT, 3, T_HOME_IMSI, SW_ACTION_ALLOW,
	  "default" },
	{ "PSI for a home IMSI from outside", T_FOREIGN_GT, T_HOME_VLR, 70, T_HOME_IMSI,
	  SW_ACTION_DROP, "fs11-cat2" },
	{ "USSD request (no IMSI) from a foreign GT", T_FOREIGN_GT, T_HOME_VLR, 60, NULL,
	  SW_ACTION_DROP, "fs11-cat2" },
	{ "USSD notify (no IMSI) from a partner", T_FR_GT, T_HOME_VLR, 61, NULL, SW_ACTION_ALLOW,
	  "fs11-cat2-partner-no-imsi" },
	{ "UL for a home IMSI from a foreign GT", T_FOREIGN_GT, T_HOME_HLR, 2, T_HOME_IMSI,
	  SW_ACTION_DROP, "fs11-cat3" },
	{ "UL for a home IMSI from a partner VLR", T_DE_GT, T_HOME_HLR, 2, T_HOME_IMSI,
	  SW_ACTION_ALLOW, "fs11-cat3-partner-home-subscriber" },
	{ "UL for a FR IMSI from a partner VLR", T_DE_GT, T_HOME_HLR, 2, T_FR_IMSI, SW_ACTION_DROP,
	  "fs11-cat3" },
	{ "SAI for a home IMSI from a partner", T_FR_GT, T_HOME_HLR, 56, T_HOME_IMSI,
	  SW_ACTION_ALLOW, "fs11-cat3-partner-home-subscriber" },
	{ "registerSS (CF hijack) from outside", T_FOREIGN_GT, T_HOME_HLR, 10, NULL,
	  SW_ACTION_DROP, "fs11-cat3" },
	{ "PUSSR (no IMSI) from a partner", T_DE_GT, T_HOME_HLR, 59, NULL, SW_ACTION_ALLOW,
	  "fs11-cat3-partner-no-imsi" },
	{ "UL from the home VLR to a partner HLR", T_HOME_VLR, T_DE_GT, 2, T_DE_IMSI,
	  SW_ACTION_ALLOW, "default" },
	{ "SRI-SM from a foreign GT", T_FOREIGN_GT, T_HOME_HLR, 45, NULL, SW_ACTION_DROP,
	  "dfs-sri-sm-non-partner" },
	{ "SRI-SM from a partner SMSC", T_GB_SMSC_GT, T_HOME_HLR, 45, NULL, SW_ACTION_ALLOW,
	  "default" },
	{ "MT-FSM toward a foreign MSC", T_FOREIGN_GT, "79161234567", 44, NULL, SW_ACTION_DROP,
	  "dfs-mt-forward-sm-unknown-network" },
	{ "MT-FSM from the home SMSC toward a foreign MSC", "27820000030", "79161234567", 44,
	  NULL, SW_ACTION_DROP, "dfs-mt-forward-sm-unknown-network" },
	{ "MT-FSM from a partner SMSC to the home MSC", T_FR_GT, T_HOME_VLR, 44, NULL,
	  SW_ACTION_ALLOW, "default" },
	{ "MT-FSM from the home SMSC to a partner MSC", "27820000030", T_DE_GT, 44, NULL,
	  SW_ACTION_ALLOW, "default" },
	{ "negative opcode from outside", T_FOREIGN_GT, T_HOME_HLR, -666, NULL, SW_ACTION_DROP,
	  "unknown-opcode-from-outside" },
	{ "mo-forwardSM from a partner", T_DE_GT, "27820000030", 46, NULL, SW_ACTION_ALLOW,
	  "default" },
};

static void
test_shipped_map_rules(void **state)
{
	struct fx *fx = *state;
	struct sw_msu m;

	for (size_t i = 0; i < sizeof(map_cases) / sizeof(map_cases[0]); i++) {
		const struct case_ *c = &map_cases[i];
		t_map(&m, c->cgpa, c->cdpa, c->opcode, c->imsi);
		expect(fx, &m, c->action, c->rule, c->what);
	}
}

static void
test_every_rule_exercised(void **state)
{
	struct fx *fx = *state;
	uint32_t n = sw_image_nrules(fx->c.image);

	/* The names the tests above and below expect exist in the image, in this order. */
	assert_true(n >= 14);
	assert_string_equal(sw_image_rule_name(fx->c.image, -1), "default");
	assert_string_equal(sw_image_rule_name(fx->c.image, -2), "malformed");
	assert_null(sw_image_rule_name(fx->c.image, (int32_t)n));
}

static void
test_isup_cli(void **state)
{
	struct fx *fx = *state;
	struct sw_msu m;

	t_iam(&m, 4000, T_HOME_MSISDN, "27831111111");
	expect(fx, &m, SW_ACTION_ALERT, "isup-cli-spoof", "IAM, home CLI, outside OPC");
	t_iam(&m, 1002, T_HOME_MSISDN, "33611111111");
	expect(fx, &m, SW_ACTION_ALLOW, "default", "IAM, home CLI, home OPC");
	t_iam(&m, 4000, "33612345678", T_HOME_MSISDN);
	expect(fx, &m, SW_ACTION_ALLOW, "default", "IAM, partner CLI, outside OPC");
	t_iam(&m, 4000, T_HOME_MSISDN, "27831111111");
	m.isup.type = 0x0c; /* REL */
	expect(fx, &m, SW_ACTION_ALLOW, "default", "REL is not screened");
}

static void
test_global_and_malformed(void **state)
{
	struct fx *fx = *state;
	struct sw_msu m;

	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 0, NULL);
	m.tcap.comp[0].opcode_global = true;
	expect(fx, &m, SW_ACTION_DROP, "global-opcode-from-outside", "global opcode, outside");
	t_map(&m, T_HOME_VLR, T_DE_GT, 0, NULL);
	m.tcap.comp[0].opcode_global = true;
	expect(fx, &m, SW_ACTION_ALLOW, "default", "global opcode, home");

	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 2, NULL);
	m.tcap.ncomp = 0;
	m.mal = SW_MAL_TCAP_LEN;
	expect(fx, &m, SW_ACTION_DROP, "malformed", "malformed TCAP from outside");
	t_map(&m, T_HOME_VLR, T_DE_GT, 2, NULL);
	m.mal = SW_MAL_TCAP_LEN;
	expect(fx, &m, SW_ACTION_ALLOW, "malformed-from-home", "malformed TCAP from home");
	/* A malformed MSU never matches a rule written for good ones: this ATI from a partner
	 * would be dropped by fs11-cat1, as malformed it is dropped by the malformed action. */
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 71, NULL);
	m.mal = SW_MAL_MAP_PARAM;
	expect(fx, &m, SW_ACTION_DROP, "malformed", "malformed ATI");
	/* Nothing decoded past M3UA (IP fragment, truncated SCCP): from outside by default. */
	memset(&m, 0, sizeof(m));
	m.mal = SW_MAL_SCCP_SHORT;
	expect(fx, &m, SW_ACTION_DROP, "malformed", "empty malformed MSU");
}

static void
test_evasion(void **state)
{
	struct fx *fx = *state;
	struct sw_msu m;

	/* ATI in the 3rd component behind two forwardCheckSS-Indication invokes. */
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 38, NULL);
	t_comp(&m, SW_COMP_INVOKE, 38);
	t_comp(&m, SW_COMP_INVOKE, 71);
	expect(fx, &m, SW_ACTION_DROP, "fs11-cat1", "ATI in component 3");
	/* Same, ISD for a home IMSI in component 2 after a cat3-allowed UL from a partner. */
	t_map(&m, T_DE_GT, T_HOME_VLR, 38, T_HOME_IMSI);
	t_comp(&m, SW_COMP_INVOKE, 7);
	expect(fx, &m, SW_ACTION_DROP, "fs11-cat2", "ISD in component 2");
	/* The component type matters: a returnResultLast carrying opcode 71 is no invoke. */
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 71, NULL);
	m.tcap.comp[0].type = SW_COMP_RESULT_LAST;
	expect(fx, &m, SW_ACTION_ALLOW, "default", "ATI result");

	/* GTI 2 (TT only) instead of 4: same verdict. */
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 71, NULL);
	struct sw_verdict v4 = eval(fx, &m);
	t_addr(&m.sccp.cgpa, T_FOREIGN_GT, 2, 7);
	t_addr(&m.sccp.cdpa, T_HOME_HLR, 2, 6);
	struct sw_verdict v2 = eval(fx, &m);
	assert_int_equal(v4.action, SW_ACTION_DROP);
	assert_int_equal(v2.action, v4.action);
	assert_int_equal(v2.rule, v4.rule);
	/* GTI 2 from a partner with a partner's own IMSI (cat2 allowed) stays allowed. */
	t_map(&m, T_DE_GT, T_HOME_VLR, 7, T_DE_IMSI);
	t_addr(&m.sccp.cgpa, T_DE_GT, 2, 7);
	expect(fx, &m, SW_ACTION_ALLOW, "fs11-cat2-partner-own-subscriber", "GTI 2 partner ISD");
	/* Odd vs even digit count of the calling GT (BCD parity): prefix match is unaffected. */
	t_map(&m, "4917201234567", T_HOME_VLR, 7, T_DE_IMSI);
	expect(fx, &m, SW_ACTION_ALLOW, "fs11-cat2-partner-own-subscriber", "odd GT");
	t_map(&m, "49172012345678", T_HOME_VLR, 7, T_DE_IMSI);
	expect(fx, &m, SW_ACTION_ALLOW, "fs11-cat2-partner-own-subscriber", "even GT");
}

static void
test_cache(void **state)
{
	struct fx *fx = *state;
	struct sw_policy_ctx *ctx = sw_policy_ctx_new();
	uint64_t hits, misses;
	struct sw_msu m;
	struct sw_verdict v;

	assert_non_null(ctx);
	assert_int_equal(sw_policy_ctx_bind(ctx, fx->c.image), 0);
	t_map(&m, T_DE_GT, T_HOME_HLR, 2, T_HOME_IMSI);
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	assert_int_equal(v.action, SW_ACTION_ALLOW);
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	sw_policy_ctx_stats(ctx, &hits, &misses);
	assert_int_equal(hits, 1);
	assert_int_equal(misses, 1);
	/* One relevant field changes (the IMSI): a miss and a different verdict. */
	t_digits(&m.map.imsi, T_FR_IMSI);
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	assert_int_equal(v.action, SW_ACTION_DROP);
	sw_policy_ctx_stats(ctx, &hits, &misses);
	assert_int_equal(misses, 2);
	/* An irrelevant field (TSN, invoke id) does not make a miss. */
	m.tsn = 1234;
	m.tcap.comp[0].invoke_id = 77;
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	sw_policy_ctx_stats(ctx, &hits, &misses);
	assert_int_equal(hits, 2);
	assert_int_equal(v.action, SW_ACTION_DROP);
	/* Rebinding to the same image keeps the cache; another generation flushes it. */
	assert_int_equal(sw_policy_ctx_bind(ctx, fx->c.image), 0);
	sw_policy_eval(ctx, NULL, &m, 0, 0);
	sw_policy_ctx_stats(ctx, &hits, &misses);
	assert_int_equal(hits, 3);
	/* Another generation of the same rules: the cache is flushed (a miss), same verdict. */
	struct sw_compiled c2;
	char err[256];
	assert_int_equal(sw_compile_files(RULES, SITE, 2, &c2, err, sizeof(err)), 0);
	assert_int_equal(sw_image_generation(c2.image), 2);
	assert_int_equal(sw_policy_ctx_bind(ctx, c2.image), 0);
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	sw_policy_ctx_stats(ctx, &hits, &misses);
	assert_int_equal(hits, 3);
	assert_int_equal(misses, 3);
	assert_int_equal(v.action, SW_ACTION_DROP);
	sw_policy_ctx_free(ctx);
	sw_compiled_free(&c2);
	/* An unbound context evaluates nothing. */
	ctx = sw_policy_ctx_new();
	v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	assert_int_equal(v.rule, SW_RULE_DEFAULT);
	sw_policy_ctx_free(ctx);
}

static void
test_validate(void **state)
{
	struct fx *fx = *state;
	char err[256];
	uint8_t *copy = aligned_alloc(64, fx->c.size + 64);
	struct sw_image_hdr *h = (void *)copy;

	assert_non_null(copy);
	memcpy(copy, fx->c.image, fx->c.size);
	assert_int_equal(sw_image_validate(copy, fx->c.size, err, sizeof(err)), 0);
	/* position independence: a copy at another (64-aligned) address evaluates the same */
	struct sw_policy_ctx *ctx = sw_policy_ctx_new();
	struct sw_msu m;
	assert_int_equal(sw_policy_ctx_bind(ctx, copy), 0);
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 71, NULL);
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, 0).action, SW_ACTION_DROP);
	sw_policy_ctx_free(ctx);

	assert_int_equal(sw_image_validate(copy, fx->c.size - 1, err, sizeof(err)), -EINVAL);
	copy[fx->c.size - 7] ^= 0x40;
	assert_int_equal(sw_image_validate(copy, fx->c.size, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "checksum"));
	copy[fx->c.size - 7] ^= 0x40;
	h->abi = SW_IMAGE_ABI + 1;
	assert_int_equal(sw_image_validate(copy, fx->c.size, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "ABI"));
	h->abi = SW_IMAGE_ABI;
	h->magic ^= 1;
	assert_int_equal(sw_image_validate(copy, fx->c.size, err, sizeof(err)), -EINVAL);
	h->magic ^= 1;
	snprintf(h->hs_version, sizeof(h->hs_version), "4.0.0 1999-01-01");
	assert_int_equal(sw_image_validate(copy, fx->c.size, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "Hyperscan"));
	memcpy(copy, fx->c.image, fx->c.size);
	h->hs_cpu_features = ~0ull;
	assert_int_equal(sw_image_validate(copy, fx->c.size, err, sizeof(err)), -ENOTSUP);
	memcpy(copy, fx->c.image, fx->c.size);
	/* A checksummed image whose tables index past their arrays is refused all the same: an
	 * atom or a field, a condition kind, a set offset, a key_digits, a partner atom out of
	 * range. */
	struct sw_img_cond *cd = (void *)(copy + h->conds_off);
	for (int k = 0; k < 5; k++) {
		memcpy(copy, fx->c.image, fx->c.size);
		for (uint32_t i = 0; i < h->nconds; i++) {
			if (k == 0 && cd[i].kind == SW_COND_ATOM)
				cd[i].arg = SW_ATOMS_MAX;
			if (k == 0 && cd[i].kind == SW_COND_NET_IN)
				cd[i].field = SW_SF_COUNT;
			if (k == 1 && i == 0)
				cd[i].kind = 99;
			if (k == 2 && cd[i].kind == SW_COND_INT)
				cd[i].arg = (uint32_t)fx->c.size - 8;
		}
		if (k == 3)
			h->fields[SW_SF_IMSI].key_digits = SW_PTAB_DIGITS + 1;
		if (k == 4)
			h->fields[SW_SF_CGPA].net_partner = SW_ATOMS_MAX - 1;
		h->checksum = sw_image_compute_checksum(copy, fx->c.size);
		if (sw_image_validate(copy, fx->c.size, err, sizeof(err)) != -EINVAL)
			fail_msg("corruption %d accepted", k);
	}
	memcpy(copy, fx->c.image, fx->c.size);
	/* misaligned base: Hyperscan needs the same address modulo 64 */
	memmove(copy + 8, copy, fx->c.size);
	assert_int_equal(sw_image_validate(copy + 8, fx->c.size, err, sizeof(err)), -EINVAL);
	free(copy);
}

/*
 * Issue 13 finding 1: an anyTimeInterrogation arriving from outside with the home calling GT
 * 27820999999 was allow/default (the shipped "from outside" meant "calling GT not under
 * home.gt"); with trailing octets after the TCAP it was allow/malformed-from-home. Inline the
 * port says outside; in `inspect` without links a foreign OPC does.
 */
static void
test_spoofed_home(void **state)
{
	struct fx *fx = *state;
	struct sw_msu m;
	struct sw_verdict v;

	t_map(&m, "27820999999", T_HOME_HLR, 71, NULL);
	m.m3ua.opc = 4000;
	m.m3ua.dpc = 1001;
	/* inline, interconnect port */
	v = sw_policy_eval(fx->ctx, NULL, &m, 0, 0);
	assert_int_equal(v.action, SW_ACTION_DROP);
	assert_string_equal(sw_image_rule_name(fx->c.image, v.rule), "spoofed-home-gt");
	/* inspect: the foreign OPC says outside */
	assert_int_equal(sw_policy_direction(fx->ctx, NULL, &m, 0, SW_DIR_ADDRESS),
			 SW_SIDE_OUTSIDE);
	expect(fx, &m, SW_ACTION_DROP, "spoofed-home-gt", "ATI, home GT, foreign OPC");
	/* trailing octets after the TCAP message */
	m.mal = SW_MAL_TCAP_LEN;
	v = sw_policy_eval(fx->ctx, NULL, &m, 0, 0);
	assert_int_equal(v.action, SW_ACTION_DROP);
	assert_int_equal(v.rule, SW_RULE_MALFORMED);
	expect(fx, &m, SW_ACTION_DROP, "malformed", "malformed ATI, home GT, foreign OPC");
	/* the same from inside: our own gsmSCF, and its malformed twin, are let through */
	m.mal = SW_MAL_NONE;
	assert_int_equal(sw_policy_eval(fx->ctx, NULL, &m, 1, 0).action, SW_ACTION_ALLOW);
	m.mal = SW_MAL_TCAP_LEN;
	v = sw_policy_eval(fx->ctx, NULL, &m, 1, 0);
	assert_int_equal(v.action, SW_ACTION_ALLOW);
	assert_string_equal(sw_image_rule_name(fx->c.image, v.rule), "malformed-from-home");
	/* a home OPC from outside, whatever the GT */
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 46, NULL);
	m.m3ua.opc = 1002;
	v = sw_policy_eval(fx->ctx, NULL, &m, 0, 0);
	assert_int_equal(v.action, SW_ACTION_DROP);
	assert_string_equal(sw_image_rule_name(fx->c.image, v.rule), "spoofed-home-opc");
	/* directions: the port inline; the OPC in inspect without links */
	assert_int_equal(sw_policy_direction(fx->ctx, NULL, &m, 0, SW_DIR_PORT), SW_SIDE_OUTSIDE);
	assert_int_equal(sw_policy_direction(fx->ctx, NULL, &m, 1, SW_DIR_PORT), SW_SIDE_INSIDE);
	assert_int_equal(sw_policy_direction(fx->ctx, NULL, &m, 0, SW_DIR_ADDRESS), SW_SIDE_INSIDE);
	m.m3ua.opc = 4000;
	assert_int_equal(sw_policy_direction(fx->ctx, NULL, &m, 1, SW_DIR_ADDRESS), SW_SIDE_OUTSIDE);
}

/* A provideSubscriberInfo argument (TS 29.002 8.11.1: SEQUENCE { imsi [0] IMSI, ... }) for imsi
 * at buf[off]; its length. */
static uint32_t
psi_arg(uint8_t *buf, uint32_t off, const char *imsi)
{
	size_t n = strlen(imsi), nb = (n + 1) / 2;
	uint8_t *p = buf + off;

	p[0] = 0x30;
	p[1] = (uint8_t)(2 + nb);
	p[2] = 0x80;
	p[3] = (uint8_t)nb;
	for (size_t i = 0; i < nb; i++) /* TBCD, low nibble first, 0xf filler */
		p[4 + i] = (uint8_t)((imsi[2 * i] - '0') |
				     (2 * i + 1 < n ? imsi[2 * i + 1] - '0' : 0xf) << 4);
	return (uint32_t)(4 + nb);
}

/* A TCAP Begin from PartnerDE's GT with one provideSubscriberInfo invoke per IMSI, each with its
 * own parameter in buf; the MAP fields as the decoder leaves them (the first value seen). */
static void
psi_msg(struct sw_msu *m, uint8_t *buf, const char *const *imsis, unsigned n)
{
	uint32_t off = 16;

	t_map(m, T_DE_GT, T_HOME_HLR, 70, NULL);
	for (unsigned i = 0; i < n; i++) {
		struct sw_tcap_comp *c;
		if (i > 0)
			t_comp(m, SW_COMP_INVOKE, 70);
		c = &m->tcap.comp[i];
		c->param_off = off;
		c->param_len = psi_arg(buf, off, imsis[i]);
		off += c->param_len + 8;
	}
	t_digits(&m->map.imsi, imsis[0]);
}

/*
 * Issue 13 finding 3: MAP fields kept "the first value seen over all components", so two
 * provideSubscriberInfo invokes from a partner, the first for the partner's own IMSI and the
 * second for a home IMSI, were allow/fs11-cat2-partner-own-subscriber; the second alone is
 * dropped. Every invoke is now judged with its own parameter, the message gets the strictest
 * verdict: both orderings and three components are dropped.
 */
static void
test_decoy_component(void **state)
{
	struct fx *fx = *state;
	static const char *const orders[][3] = {
		{ T_DE_IMSI, T_HOME_IMSI, NULL },
		{ T_HOME_IMSI, T_DE_IMSI, NULL },
		{ T_DE_IMSI, T_DE_IMSI, T_HOME_IMSI },
		{ T_DE_IMSI, T_HOME_IMSI, T_DE_IMSI },
	};
	uint8_t buf[256];
	struct sw_msu m;
	struct sw_verdict v;

	memset(buf, 0, sizeof(buf));
	/* the partner's own subscriber alone: allowed, through the per-component path too */
	psi_msg(&m, buf, orders[0], 1);
	v = sw_policy_eval_msg(fx->ctx, buf, NULL, &m, 0, 0);
	assert_int_equal(v.action, SW_ACTION_ALLOW);
	assert_string_equal(sw_image_rule_name(fx->c.image, v.rule),
			    "fs11-cat2-partner-own-subscriber");
	for (unsigned k = 0; k < sizeof(orders) / sizeof(orders[0]); k++) {
		unsigned n = orders[k][2] != NULL ? 3 : 2;
		psi_msg(&m, buf, orders[k], n);
		v = sw_policy_eval_msg(fx->ctx, buf, NULL, &m, 0, 0);
		if (v.action != SW_ACTION_DROP ||
		    strcmp(sw_image_rule_name(fx->c.image, v.rule), "fs11-cat2") != 0)
			fail_msg("order %u (%u components): %s by %s, expected drop by fs11-cat2", k,
				 n, sw_action_name(v.action),
				 sw_image_rule_name(fx->c.image, v.rule));
		/* the same again: cached per component, same verdict */
		v = sw_policy_eval_msg(fx->ctx, buf, NULL, &m, 0, 0);
		assert_int_equal(v.action, SW_ACTION_DROP);
	}
	/* the message-level view alone is what the decoy fooled */
	psi_msg(&m, buf, orders[0], 2);
	assert_int_equal(sw_policy_eval(fx->ctx, NULL, &m, 0, 0).action, SW_ACTION_ALLOW);
}

/*
 * Issue 13 finding 8: a checksummed image whose opcode-index row has a bit at or above the rule
 * count passed validation, and the engine then read past the rule table (ASan:
 * heap-buffer-overflow in eval.c). Every rule bitset (opcode rows, gate rows) is checked; so
 * are misaligned table offsets and out-of-range actions.
 */
static void
test_validate_rule_bits(void **state)
{
	struct fx *fx = *state;
	char err[256];
	uint8_t *copy = aligned_alloc(64, fx->c.size);
	struct sw_image_hdr *h = (void *)copy;
	uint32_t nr = ((const struct sw_image_hdr *)fx->c.image)->nrules;
	uint32_t rw = ((const struct sw_image_hdr *)fx->c.image)->rule_words;

	assert_non_null(copy);
	assert_true(nr % 64 != 0); /* the shipped rules leave spare bits in the last word */
	for (int k = 0; k < 7; k++) {
		uint64_t *opidx = (void *)(copy + ((const struct sw_image_hdr *)fx->c.image)->opidx_off);
		uint64_t *gate = (void *)(copy + ((const struct sw_image_hdr *)fx->c.image)->gate_off);
		memcpy(copy, fx->c.image, fx->c.size);
		switch (k) {
		case 0: /* anyTimeInterrogation's candidates name rule nrules */
			opidx[71 * rw + (nr / 64)] |= 1ull << (nr % 64);
			break;
		case 1: /* the always-candidate row */
			opidx[SW_OPIDX_BASE * rw + (nr / 64)] |= 1ull << (nr % 64);
			break;
		case 2: /* the malformed row of the gate */
			gate[rw + nr / 64] |= 1ull << (nr % 64);
			break;
		case 3:
			h->rules_off += 4;
			break;
		case 4:
			h->conds_off += 8;
			break;
		case 5:
			((struct sw_img_rule *)(copy + h->rules_off))[0].action = 9;
			break;
		case 6:
			h->default_action = 7;
			break;
		}
		h->checksum = sw_image_compute_checksum(copy, fx->c.size);
		if (sw_image_validate(copy, fx->c.size, err, sizeof(err)) != -EINVAL)
			fail_msg("corruption %d accepted", k);
	}
	free(copy);
}

/* A failed Hyperscan scan (here: the cgpa database corrupted after binding) matches nothing
 * and is counted; it is never undefined. */
static void
test_scan_error_counted(void **state)
{
	struct fx *fx = *state;
	uint8_t *copy = aligned_alloc(64, fx->c.size);
	struct sw_image_hdr *h = (void *)copy;
	struct sw_policy_ctx *ctx = sw_policy_ctx_new();
	struct sw_msu m;

	assert_non_null(copy);
	assert_non_null(ctx);
	memcpy(copy, fx->c.image, fx->c.size);
	assert_int_equal(sw_policy_ctx_bind(ctx, copy), 0);
	assert_true(h->fields[SW_SF_CGPA].db_off != 0);
	assert_int_equal(sw_policy_ctx_scan_errors(ctx), 0);
	copy[h->fields[SW_SF_CGPA].db_off] ^= 0xff; /* Hyperscan's database magic */
	t_map(&m, T_HOME_HLR, T_FOREIGN_GT, 71, NULL);
	struct sw_verdict v = sw_policy_eval(ctx, NULL, &m, 0, 0);
	assert_true(sw_policy_ctx_scan_errors(ctx) >= 1);
	/* No match: the home calling GT is not recognised, ATI is judged as from outside. */
	assert_int_equal(v.action, SW_ACTION_DROP);
	sw_policy_ctx_free(ctx);
	free(copy);
}

/* Random bytes in every field (lengths beyond their arrays, component counts beyond
 * SW_COMP_MAX, garbage digits): no out-of-bounds access (run under ASan/UBSan in the sanitizer
 * build) and a cache hit always equals the miss that stored it. */
static void
test_random_msus(void **state)
{
	struct fx *fx = *state;
	struct sw_policy_ctx *ctx = sw_policy_ctx_new();
	uint64_t x = 0x2545f4914f6cdd1dull;
	struct sw_msu m;

	assert_int_equal(sw_policy_ctx_bind(ctx, fx->c.image), 0);
	for (int it = 0; it < 20000; it++) {
		uint8_t *p = (uint8_t *)&m;
		for (size_t i = 0; i < sizeof(m); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p[i] = (uint8_t)x;
		}
		/* bools must hold 0 or 1, the enum a valid reason */
		m.sccp.cgpa.present = (x >> 23) & 1;
		m.sccp.cgpa.has_pc = (x >> 56) & 1;
		m.sccp.cgpa.has_ssn = (x >> 9) & 1;
		m.sccp.cdpa.present = (x >> 3) & 1;
		m.sccp.cdpa.has_pc = (x >> 5) & 1;
		m.sccp.cdpa.has_ssn = (x >> 18) & 1;
		m.sccp.seg_first = (x >> 33) & 1;
		for (unsigned c = 0; c < SW_COMP_MAX; c++) {
			m.tcap.comp[c].has_invoke_id = (x >> (40 + c)) & 1;
			m.tcap.comp[c].has_opcode = ((x >> c) & 3) != 0;
			m.tcap.comp[c].opcode_global = ((x >> (20 + c)) & 7) == 0;
		}
		m.map.has_ss_code = (x >> 28) & 1;
		m.isup.cgpn.present = (x >> 48) & 1;
		m.isup.cdpn.present = (x >> 22) & 1;
		for (unsigned c = 0; c < SW_COMP_MAX; c++)
			m.tcap.comp[c].has_linked_id = (x >> (30 + c)) & 1;
		m.mapdlg.has_reason = (x >> 11) & 1;
		m.map.gprs_node = (x >> 13) & 1;
		m.cap.has_service_key = (x >> 15) & 1;
		m.cap.has_event = (x >> 17) & 1;
		m.cap.calling.present = (x >> 19) & 1;
		m.cap.called.present = (x >> 21) & 1;
		m.m2pa.has_data = (x >> 25) & 1;
		m.mal = (enum sw_mal)(x % (it % 4 == 0 ? SW_MAL_COUNT : 1));
		if (it % 3 == 0) /* plausible digits so that prefixes match sometimes */
			t_digits(&m.sccp.cgpa.digits, it % 2 ? T_DE_GT : T_FOREIGN_GT);
		struct sw_verdict a = sw_policy_eval(ctx, NULL, &m, (unsigned)(x >> 63), 0);
		struct sw_verdict b = sw_policy_eval(ctx, NULL, &m, (unsigned)(x >> 63), 0);
		assert_int_equal(a.rule, b.rule);
		assert_int_equal(a.action, b.action);
		assert_true(a.rule >= SW_RULE_MALFORMED &&
			    a.rule < (int32_t)sw_image_nrules(fx->c.image));
	}
	sw_policy_ctx_free(ctx);
}

/* The cache keys a digit field on only the leading digits its patterns can reach
 * (sw_img_field.key_digits): messages that differ past them share a cache entry. Every verdict
 * of a warm cache must equal a cold evaluation (a second context flushed before every MSU by
 * rebinding it to another generation of the same rules). */
static void
test_cache_prefix_key(void **state)
{
	struct fx *fx = *state;
	static const char *const gts[] = { "27820", "27821", "2782", "336090", "491720",
					   "2547220", "447785", "8613", "9", "" };
	static const char *const plmns[] = { "65501", "20801", "26202", "63902", "23415",
					     "46000", "6550", "" };
	static const int32_t ops[] = { 2, 3, 7, 22, 44, 45, 46, 56, 67, 59, 60, 71, 10, 70, 999 };
	struct sw_policy_ctx *warm = sw_policy_ctx_new(), *cold = sw_policy_ctx_new();
	uint64_t x = 0x9e3779b97f4a7c15ull, hits, misses;
	struct sw_compiled c2;
	char err[256];

	assert_non_null(warm);
	assert_non_null(cold);
	assert_int_equal(sw_compile_files(RULES, SITE, 2, &c2, err, sizeof(err)), 0);
	assert_int_equal(sw_policy_ctx_bind(warm, fx->c.image), 0);
	for (int it = 0; it < 4000; it++) {
		char cg[40], cd[40], imsi[40];
		struct sw_msu m;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* 64 kinds of message (the prefixes, operations, IMSI presence) with random
		 * tails: the same kind differs mostly past the prefixes */
		uint64_t k = x % 64, y = x >> 6;
		snprintf(cg, sizeof(cg), "%s%0*llu", gts[k % 10], (int)(y % 9),
			 (unsigned long long)((y >> 4) % 100000000));
		snprintf(cd, sizeof(cd), "%s%0*llu", gts[(k / 4) % 10], (int)((y >> 32) % 9),
			 (unsigned long long)((y >> 36) % 1000));
		snprintf(imsi, sizeof(imsi), "%s%0*llu", plmns[(k / 2) % 8], (int)((y >> 46) % 11),
			 (unsigned long long)((y >> 50) % 1000));
		if (k % 16 == 15)
			t_iam(&m, k % 32 == 15 ? 1001 : 4000, cg, cd);
		else
			t_map(&m, cg, cd, ops[k % 15], k % 4 ? imsi : NULL);
		if (k % 8 == 3)
			t_comp(&m, SW_COMP_INVOKE, ops[(k / 3) % 15]);
		if (k % 32 == 5)
			m.mal = SW_MAL_TCAP_LEN;
		assert_int_equal(sw_policy_ctx_bind(cold, it % 2 ? c2.image : fx->c.image), 0);
		struct sw_verdict a = sw_policy_eval(warm, NULL, &m, k & 1, 0);
		struct sw_verdict b = sw_policy_eval(cold, NULL, &m, k & 1, 0);
		if (a.rule != b.rule || a.action != b.action)
			fail_msg("MSU %d (cgpa %s cdpa %s imsi %s): cached %s, uncached %s", it, cg,
				 cd, imsi, sw_image_rule_name(fx->c.image, a.rule),
				 sw_image_rule_name(fx->c.image, b.rule));
	}
	sw_policy_ctx_stats(warm, &hits, &misses);
	print_message("prefix-keyed cache: %llu hits, %llu misses\n", (unsigned long long)hits,
		      (unsigned long long)misses);
	assert_true(hits > 500); /* the warm context really answered from its cache */
	sw_policy_ctx_stats(cold, &hits, &misses);
	assert_int_equal(hits, 0);
	sw_policy_ctx_free(warm);
	sw_policy_ctx_free(cold);
	sw_compiled_free(&c2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_rule_exercised),
		cmocka_unit_test(test_shipped_map_rules),
		cmocka_unit_test(test_isup_cli),
		cmocka_unit_test(test_global_and_malformed),
		cmocka_unit_test(test_evasion),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_cache_prefix_key),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_spoofed_home),
		cmocka_unit_test(test_decoy_component),
		cmocka_unit_test(test_validate_rule_bits),
		cmocka_unit_test(test_scan_error_counted),
		cmocka_unit_test(test_random_msus),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
