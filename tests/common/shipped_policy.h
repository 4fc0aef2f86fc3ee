/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shipped policy (patterns/default.conf with patterns/site.example.conf) compiled once for a
 * cmocka group, and one verdict checked by action and rule name: what the tests of the shipped
 * rule files share (tests/unit/test_scmg_policy.c, test_cap_policy.c). Run from the source root
 * (the tests' workdir). Direction as `inspect` takes it without links: the OPC.
 */
#ifndef SW_TESTS_COMMON_SHIPPED_POLICY_H
#define SW_TESTS_COMMON_SHIPPED_POLICY_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "control/compiler/compiler.h"
#include "dataplane/policy/policy.h"

#define RULES "patterns/default.conf"
#define SITE "patterns/site.example.conf"

static struct sw_compiled comp;
static struct sw_policy_ctx *ctx;

static int
setup(void **state)
{
	char err[512];

	(void)state;
	if (sw_compile_files(RULES, SITE, 1, &comp, err, sizeof(err)) != 0) {
		fprintf(stderr, "compile: %s\n", err);
		return -1;
	}
	ctx = sw_policy_ctx_new();
	return ctx != NULL && sw_policy_ctx_bind(ctx, comp.image) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	sw_policy_ctx_free(ctx);
	sw_compiled_free(&comp);
	return 0;
}

/* m's verdict must be action by the rule named rule; what is printed either way. */
static void
expect(const struct sw_msu *m, uint8_t action, const char *rule, const char *what)
{
	unsigned dir = sw_policy_direction(ctx, NULL, m, 0, SW_DIR_ADDRESS);
	struct sw_verdict v = sw_policy_eval(ctx, NULL, m, dir, 1000);
	const char *name = sw_image_rule_name(comp.image, v.rule);

	printf("%-66s %s by %s\n", what, sw_action_name(v.action), name);
	if (v.action != action || strcmp(name, rule) != 0)
		fail_msg("%s: expected %s by %s, got %s by %s", what, sw_action_name(action), rule,
			 sw_action_name(v.action), name);
}

#endif /* SW_TESTS_COMMON_SHIPPED_POLICY_H */
