/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the issue 18 policy tests share (test_identity.c, test_partners.c, test_scope.c): rule
 * and site text written to a private folder and compiled with every error reported, a policy
 * context bound to the image, one verdict.
 */
#ifndef SW_TESTS_POLICY_FIXTURE_H
#define SW_TESTS_POLICY_FIXTURE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/compiler/compiler.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"

/* A site of one home network, for rules that need nothing else. */
#define FX_SITE                                                                                 \
	"site = { name = \"x\"; home = { plmn = [ \"65501\" ]; gt = [ \"27820\" ];\n"          \
	" msisdn = [ \"2782\" ]; point_codes = [ 1001 ]; }; };\n"

struct fx {
	char dir[64];
	struct sw_compiled c;
	struct sw_policy_ctx *ctx;
	char err[4096];
	char warn[4096];
};

static inline const char *
fx_write(struct fx *fx, const char *name, const char *text)
{
	static char path[2][128];
	static unsigned k;
	char *p = path[k++ & 1];
	FILE *f;

	if (fx->dir[0] == '\0') {
		snprintf(fx->dir, sizeof(fx->dir), "/tmp/sw-test-policy.XXXXXX");
		if (mkdtemp(fx->dir) == NULL)
			return NULL;
	}
	snprintf(p, 128, "%s/%s", fx->dir, name);
	if ((f = fopen(p, "w")) == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	return p;
}

/* Compile rules and site text (every error, warnings into fx->warn) and bind a context to the
 * image; returns what the compiler returned. */
static inline int
fx_compile(struct fx *fx, const char *rules, const char *site)
{
	const char *rp = fx_write(fx, "rules.conf", rules);
	const char *sp = fx_write(fx, "site.conf", site != NULL ? site : FX_SITE);
	FILE *w = (memset(fx->warn, 0, sizeof(fx->warn)),
		   fmemopen(fx->warn, sizeof(fx->warn) - 1, "w"));
	struct sw_compile_opts o = { .all_errors = true, .warn = w };
	int rc;

	if (rp == NULL || sp == NULL || w == NULL)
		return -EIO;
	sw_compiled_free(&fx->c);
	memset(&fx->c, 0, sizeof(fx->c));
	fx->err[0] = '\0';
	rc = sw_compile_files_opts(rp, sp, 1, &o, &fx->c, fx->err, sizeof(fx->err));
	fclose(w);
	if (rc != 0)
		return rc;
	if (fx->ctx == NULL && (fx->ctx = sw_policy_ctx_new()) == NULL)
		return -ENOMEM;
	return sw_policy_ctx_bind(fx->ctx, fx->c.image);
}

static inline void
fx_free(struct fx *fx)
{
	char cmd[128];

	sw_policy_ctx_free(fx->ctx);
	sw_compiled_free(&fx->c);
	if (fx->dir[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", fx->dir);
	}
	memset(fx, 0, sizeof(*fx));
}

/* Name of the rule a verdict names ("default", "malformed" for the negative ones). */
static inline const char *
fx_rule(const struct fx *fx, struct sw_verdict v)
{
	const char *n = sw_image_rule_name(fx->c.image, v.rule);

	return n != NULL ? n : "?";
}

#endif /* SW_TESTS_POLICY_FIXTURE_H */
