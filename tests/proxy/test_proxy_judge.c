/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy judges with the one judge (dataplane/proxy/proxy_judge.c -> sw_judge_msu): a rule
 * set compiled by the control plane's compiler, MSUs decoded by the inline decoder, and the
 * verdicts mapped to the proxy's actions (drop, or reject with a cause when reject_drops).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/proxy/proxy_judge.h"
#include "dataplane/proxy/sccp_wire.h"

/* M3UA DATA around a UDT whose calling GT starts with two BCD digits cgpa_bcd (0x66: "66"). */
static size_t
mk_msg(uint8_t *out, size_t cap, uint8_t cgpa_bcd)
{
	uint8_t udt[] = {
		0x09, 0x80, 0x03, 0x0e, 0x19,
		0x0b, 0x12, 0x06, 0x00, 0x11, 0x04, 0x72, 0x28, 0x21, 0x43, 0x65, 0x07,
		0x0b, 0x12, 0x08, 0x00, 0x12, 0x04, 0x94, 0x71, 0x02, 0x00, 0x00, 0x10,
		0x08, 0x62, 0x06, 0x48, 0x04, 0x01, 0x02, 0x03, 0x04,
	};
	struct sw_m3ua_label l = {.opc = 1000, .dpc = 2000, .si = 3, .ni = 2, .sls = 1};

	if (cgpa_bcd != 0)
		memset(udt + 23, cgpa_bcd, 6);
	return sw_m3ua_build_data(out, cap, 100, false, 0, &l, udt, sizeof(udt));
}

static struct sw_proxy_verdict
judge_one(struct sw_proxy_judge *j, uint8_t cgpa_bcd)
{
	uint8_t m[128];
	size_t n = mk_msg(m, sizeof(m), cgpa_bcd);
	struct sw_msu msu;

	memset(&msu, 0, sizeof(msu));
	assert_int_equal(sw_m3ua_decode(m, 0, (uint32_t)n, &msu), SW_MAL_NONE);
	return j->judge(j->ctx, &msu, 0, 0);
}

static void
test_policy_verdicts(void **state)
{
	struct sw_compiled comp = {0};
	char err[512];
	struct sw_proxy_policy pp = {0};
	struct sw_proxy_judge j;
	struct sw_proxy_verdict v;

	(void)state;
	if (sw_compile_files("tests/proxy/rules-proxy.conf", "patterns/site.example.conf", 1, &comp,
			     err, sizeof(err)) < 0)
		fail_msg("compile: %s", err);
	pp.jctx.pctx = sw_policy_ctx_new();
	assert_non_null(pp.jctx.pctx);
	assert_int_equal(sw_policy_ctx_bind(pp.jctx.pctx, comp.image), 0);
	pp.jctx.image = comp.image;
	sw_proxy_policy_judge(&pp, &j);

	v = judge_one(&j, 0);
	assert_int_equal(v.action, SW_PROXY_ALLOW);
	v = judge_one(&j, 0x66);
	assert_int_equal(v.action, SW_PROXY_DROP);
	assert_string_equal(sw_image_rule_name(comp.image, v.rule), "attacker-gt");
	v = judge_one(&j, 0x55);
	assert_int_equal(v.action, SW_PROXY_ALERT);
	pp.reject_drops = true;
	v = judge_one(&j, 0x66);
	assert_int_equal(v.action, SW_PROXY_REJECT);
	assert_int_equal(v.cause, SCCP_CAUSE_SS_FAILURE);
	pp.reject_cause = SCCP_CAUSE_NO_TRANS_ADDR;
	v = judge_one(&j, 0x66);
	assert_int_equal(v.cause, SCCP_CAUSE_NO_TRANS_ADDR);
	assert_int_equal(pp.judged, 5);
	/* No image bound: the context's no-image action, as inline mode. */
	pp.jctx.image = NULL;
	pp.jctx.no_image_action = SW_ACTION_DROP;
	pp.reject_drops = false;
	v = judge_one(&j, 0);
	assert_int_equal(v.action, SW_PROXY_DROP);

	sw_policy_ctx_free(pp.jctx.pctx);
	sw_compiled_free(&comp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
