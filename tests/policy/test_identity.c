/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Rule identity (issue 18, Deliver 4): `id` (stable, unique), `severity`, `enabled`,
 * `monitor_until` (monitored before the date, acting from it) and `expires` (no longer matches
 * from the date), in the image and in the verdicts, with the engine's verdict cache following
 * the dates; every bad value is a `file:line` error, all of them in one run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"
#include "tests/common/msu_build.h"

/* 2027-01-01T00:00:00Z and 2027-06-01T00:00:00Z in Unix seconds */
#define JAN_2027 1798761600ll
#define JUN_2027 1811808000ll
#define NS 1000000000ll

static const char *const rules_dated =
	"rules = (\n"
	"  { name = \"ati-trial\"; id = 1001; severity = \"high\"; opcode = \"anyTimeInterrogation\";\n"
	"    monitor_until = \"2027-01-01\"; action = \"drop\"; },\n"
	"  { name = \"psi-temporary\"; id = 1002; opcode = \"provideSubscriberInfo\";\n"
	"    expires = \"2027-06-01T00:00:00Z\"; action = \"drop\"; },\n"
	"  { name = \"psi-alert\"; id = 1003; severity = \"low\"; opcode = \"provideSubscriberInfo\";\n"
	"    action = \"alert\"; },\n"
	"  { name = \"sri-off\"; id = 7; enabled = false; opcode = \"sendRoutingInfo\";\n"
	"    action = \"drop\"; },\n"
	"  { name = \"no-id\"; opcode = \"sendIMSI\"; action = \"drop\"; }\n"
	");\n";

static struct sw_verdict
at(struct fx *fx, int32_t opcode, int64_t unix_s)
{
	struct sw_msu m;

	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, opcode, NULL);
	return sw_policy_eval(fx->ctx, NULL, &m, SW_SIDE_OUTSIDE, (uint64_t)(unix_s * NS));
}

static void
test_identity_in_image(void **state)
{
	struct fx fx = { 0 };

	(void)state;
	if (fx_compile(&fx, rules_dated, NULL) != 0)
		fail_msg("compile: %s", fx.err);
	assert_int_equal(sw_image_rule_id(fx.c.image, 0), 1001);
	assert_int_equal(sw_image_rule_id(fx.c.image, 3), 7);
	assert_int_equal(sw_image_rule_id(fx.c.image, 4), 0); /* none given */
	assert_int_equal(sw_image_rule_id(fx.c.image, SW_RULE_DEFAULT), 0);
	assert_string_equal(sw_image_rule_severity(fx.c.image, 0), "high");
	assert_string_equal(sw_image_rule_severity(fx.c.image, 2), "low");
	assert_string_equal(sw_image_rule_severity(fx.c.image, 4), "medium"); /* the default */
	assert_null(sw_image_rule_severity(fx.c.image, SW_RULE_MALFORMED));
	fx_free(&fx);
}

static void
test_enabled(void **state)
{
	struct fx fx = { 0 };
	struct sw_verdict v;

	(void)state;
	if (fx_compile(&fx, rules_dated, NULL) != 0)
		fail_msg("compile: %s", fx.err);
	v = at(&fx, 22 /* sendRoutingInfo */, JAN_2027);
	assert_int_equal(v.rule, SW_RULE_DEFAULT); /* sri-off is off */
	assert_int_equal(v.action, SW_ACTION_ALLOW);
	v = at(&fx, 58 /* sendIMSI */, JAN_2027);
	assert_string_equal(fx_rule(&fx, v), "no-id");
	/* the same rule on: matches */
	if (fx_compile(&fx, "rules = ({ name = \"sri-off\"; id = 7; enabled = true;\n"
			    " opcode = \"sendRoutingInfo\"; action = \"drop\"; });\n", NULL) != 0)
		fail_msg("compile: %s", fx.err);
	v = at(&fx, 22, JAN_2027);
	assert_string_equal(fx_rule(&fx, v), "sri-off");
	assert_int_equal(v.action, SW_ACTION_DROP);
	fx_free(&fx);
}

/* monitor_until: alert (monitor) before the date, drop from it; the cached verdict of the same
 * message follows the clock. */
static void
test_monitor_until(void **state)
{
	struct fx fx = { 0 };
	struct sw_verdict v;

	(void)state;
	if (fx_compile(&fx, rules_dated, NULL) != 0)
		fail_msg("compile: %s", fx.err);
	v = at(&fx, 71 /* anyTimeInterrogation */, JAN_2027 - 1);
	assert_string_equal(fx_rule(&fx, v), "ati-trial");
	assert_int_equal(v.action, SW_ACTION_ALERT);
	assert_true(v.monitor);
	v = at(&fx, 71, JAN_2027 - 1); /* a cache hit: the same */
	assert_int_equal(v.action, SW_ACTION_ALERT);
	v = at(&fx, 71, JAN_2027);
	assert_int_equal(v.action, SW_ACTION_DROP);
	assert_false(v.monitor);
	/* a capture from before the date (inspect): monitored again */
	v = at(&fx, 71, JAN_2027 - 86400);
	assert_int_equal(v.action, SW_ACTION_ALERT);
	fx_free(&fx);
}

/* expires: the rule matches before the date; from it on the next rule does, also for a message
 * whose verdict was cached before; back before the date (an older capture) it matches again. */
static void
test_expires(void **state)
{
	struct fx fx = { 0 };
	struct sw_verdict v;

	(void)state;
	if (fx_compile(&fx, rules_dated, NULL) != 0)
		fail_msg("compile: %s", fx.err);
	for (int k = 0; k < 2; k++) {
		v = at(&fx, 70 /* provideSubscriberInfo */, JUN_2027 - 1);
		assert_string_equal(fx_rule(&fx, v), "psi-temporary");
		assert_int_equal(v.action, SW_ACTION_DROP);
	}
	for (int k = 0; k < 2; k++) {
		v = at(&fx, 70, JUN_2027 + k);
		assert_string_equal(fx_rule(&fx, v), "psi-alert");
		assert_int_equal(v.action, SW_ACTION_ALERT);
	}
	v = at(&fx, 70, JUN_2027 - 3600);
	assert_string_equal(fx_rule(&fx, v), "psi-temporary");
	/* the workers' clock: monotonic now_ns plus the offset to CLOCK_REALTIME */
	sw_policy_ctx_set_clock(fx.ctx, (JUN_2027 - 10) * NS);
	v = sw_policy_eval(fx.ctx, NULL,
			   &(struct sw_msu){ 0 }, SW_SIDE_OUTSIDE, 0); /* nothing matches */
	assert_int_equal(v.rule, SW_RULE_DEFAULT);
	struct sw_msu m;
	t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 70, NULL);
	v = sw_policy_eval(fx.ctx, NULL, &m, SW_SIDE_OUTSIDE, 5 * NS);
	assert_string_equal(fx_rule(&fx, v), "psi-temporary");
	v = sw_policy_eval(fx.ctx, NULL, &m, SW_SIDE_OUTSIDE, 10 * NS);
	assert_string_equal(fx_rule(&fx, v), "psi-alert");
	fx_free(&fx);
}

/* Every bad identity value of a file, each with its line, in one run. */
static void
test_bad_identity(void **state)
{
	static const char *const bad =
		"rules = (\n"
		"  { name = \"a\"; id = 5; action = \"drop\"; },\n"
		"  { name = \"b\"; id = 5; action = \"drop\"; },\n"
		"  { name = \"c\"; id = 0; action = \"drop\"; },\n"
		"  { name = \"d\"; id = \"6\"; action = \"drop\"; },\n"
		"  { name = \"e\"; severity = \"severe\"; action = \"drop\"; },\n"
		"  { name = \"f\"; enabled = \"no\"; action = \"drop\"; },\n"
		"  { name = \"g\"; monitor_until = \"2027-02-30\"; action = \"drop\"; },\n"
		"  { name = \"h\"; expires = \"31/01/2027\"; action = \"drop\"; },\n"
		"  { name = \"i\"; expires = \"2027-01-31T25:00:00Z\"; action = \"drop\"; }\n"
		");\n";
	static const char *const want[] = {
		"rules.conf:3: duplicate rule id 5 (rule 'a', line 2)",
		"rules.conf:4: 'id' must be an integer 1-4294967295",
		"rules.conf:5: 'id' must be an integer 1-4294967295",
		"rules.conf:6: 'severity' takes \"info\", \"low\", \"medium\", \"high\" or \"critical\"",
		"rules.conf:7: 'enabled' must be true or false",
		"rules.conf:8: 'monitor_until' takes an ISO 8601 UTC date",
		"rules.conf:9: 'expires' takes an ISO 8601 UTC date",
		"rules.conf:10: 'expires' takes an ISO 8601 UTC date",
	};
	struct fx fx = { 0 };

	(void)state;
	assert_int_equal(fx_compile(&fx, bad, NULL), -EINVAL);
	assert_null(fx.c.image);
	printf("%s\n", fx.err);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (strstr(fx.err, want[i]) == NULL)
			fail_msg("missing \"%s\" in:\n%s", want[i], fx.err);
	fx_free(&fx);
}

/* A rule that is off, or expires, shadows nothing for good: no warning for the rule after it. */
static void
test_shadow_warning(void **state)
{
	struct fx fx = { 0 };

	(void)state;
	if (fx_compile(&fx, "rules = ({ name = \"a\"; opcode = 71; action = \"drop\"; },\n"
			    " { name = \"b\"; opcode = 71; action = \"alert\"; });\n", NULL) != 0)
		fail_msg("compile: %s", fx.err);
	assert_non_null(strstr(fx.warn, "rule 'b' can never match"));
	if (fx_compile(&fx, "rules = ({ name = \"a\"; enabled = false; opcode = 71;"
			    " action = \"drop\"; },\n { name = \"b\"; opcode = 71; action = \"alert\"; });\n",
		       NULL) != 0)
		fail_msg("compile: %s", fx.err);
	assert_null(strstr(fx.warn, "can never match"));
	if (fx_compile(&fx, "rules = ({ name = \"a\"; expires = \"2027-01-01\"; opcode = 71;"
			    " action = \"drop\"; },\n { name = \"b\"; opcode = 71; action = \"alert\"; });\n",
		       NULL) != 0)
		fail_msg("compile: %s", fx.err);
	assert_null(strstr(fx.warn, "can never match"));
	fx_free(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity_in_image), cmocka_unit_test(test_enabled),
		cmocka_unit_test(test_monitor_until),     cmocka_unit_test(test_expires),
		cmocka_unit_test(test_bad_identity),      cmocka_unit_test(test_shadow_warning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
