/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proxy mode's actions in the policy language (issue 21, Deliver 4): `reject` (with a Q.713 3.12
 * cause), `abort` (P or U), `redirect` (to a honeypot link) compile into the image only with a
 * proxy-mode site (patterns/README.md "Proxy mode's actions"), every mistake is a "file:line:
 * message", and the proxy carries them out end to end on usrsctp AF_CONN (tests/common/inproc):
 *
 *   partner ASP ==SCTP== [partner] proxy, judged by the compiled policy [home] ==SCTP== home SGP
 *                                                                     [honeypot] ==SCTP== honeypot
 */
#include <errno.h>
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
#include "dataplane/decode/decode.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "dataplane/proxy/proxy_judge.h"
#include "dataplane/proxy/sccp_wire.h"
#include "inproc.h"

#define RULES "tests/proxy/rules-proxy-actions.conf"
#define SITE  "tests/proxy/site-proxy.conf"

/* Compile one rule (a line of text) with site; 0 or the compiler's error in err. */
static int
compile_rule(const char *rule, const char *site, char *err, size_t errlen, char *path)
{
	struct sw_compiled c;
	int fd, rc;
	FILE *f;

	strcpy(path, "/tmp/sw-test-pxrules.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f,
		"policy = { name = \"t\"; default = \"allow\"; malformed = \"drop\"; };\n"
		"rules = (\n%s\n);\n",
		rule);
	fclose(f);
	rc = sw_compile_files(path, site, 1, &c, err, errlen);
	if (rc == 0)
		sw_compiled_free(&c);
	unlink(path);
	return rc;
}

static void
expect_error(const char *rule, const char *site, const char *msg)
{
	char err[512] = "", path[64], want[128];

	assert_int_equal(compile_rule(rule, site, err, sizeof(err), path), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: ", path); /* the rule is on line 3 */
	if (strncmp(err, want, strlen(want)) != 0 || strstr(err, msg) == NULL)
		fail_msg("rule %s: got \"%s\", want \"%s...%s\"", rule, err, want, msg);
}

/* The compiler accepts the actions with a proxy site, refuses them otherwise. */
static void
test_compile(void **state)
{
	char err[512] = "", path[64];

	(void)state;
	/* An inline instance's site (no link with `sctp`): refused, whichever action. */
	expect_error("{ name = \"r\"; cgpa = \"1\"; action = \"reject\"; }",
		     "patterns/site.example.conf", "action \"reject\" is proxy mode's");
	expect_error("{ name = \"r\"; cgpa = \"1\"; action = \"abort\"; }",
		     "patterns/site.example.conf", "inline or monitor instance");
	expect_error("{ name = \"r\"; cgpa = \"1\"; action = \"redirect\"; to = \"honeypot\"; }",
		     "patterns/site.example.conf", "action \"redirect\" is proxy mode's");
	/* Mistakes with a proxy site. */
	expect_error("{ name = \"r\"; cgpa = \"1\"; action = \"reject\"; cause = \"busy\"; }", SITE,
		     "unknown cause \"busy\"");
	expect_error("{ name = \"r\"; cgpa = \"1\"; action = \"abort\"; abort_kind = \"x\"; }",
		     SITE, "'abort_kind' must be \"p\"");
	expect_error("{ name = \"r\"; cgpa = \"1\"; action = \"redirect\"; to = \"home\"; }", SITE,
		     "link 'home' (line 17) is not a proxy link with honeypot = true");
	expect_error("{ name = \"r\"; cgpa = \"1\"; action = \"redirect\"; to = \"nowhere\"; }",
		     SITE, "no link 'nowhere'");
	expect_error("{ name = \"r\"; cgpa = \"1\"; action = \"drop\"; cause = \"unqualified\"; }",
		     SITE, "'cause' only goes with action \"reject\"");
	expect_error("{ name = \"r\"; cgpa = \"1\"; action = \"reject\"; to = \"honeypot\"; }",
		     SITE, "'to' only goes with action \"redirect\"");
	expect_error("{ name = \"r\"; cgpa = \"1\"; action = \"refuse\"; }", SITE,
		     "unknown action \"refuse\"");
	/* `redirect` without `to`: the site's first honeypot link. */
	assert_int_equal(compile_rule("{ name = \"r\"; cgpa = \"1\"; action = \"redirect\"; }",
				      SITE, err, sizeof(err), path),
			 0);
}

/* What the image carries, rule by rule. */
static void
test_image(void **state)
{
	struct sw_compiled c;
	struct sw_rule_proxy rp;
	char err[512];

	(void)state;
	if (sw_compile_files(RULES, SITE, 1, &c, err, sizeof(err)) != 0)
		fail_msg("compile: %s", err);
	assert_int_equal(sw_image_validate(c.image, c.size, err, sizeof(err)), 0);
	assert_int_equal(sw_image_rule_proxy(c.image, 0, &rp), SW_PX_REJECT);
	assert_int_equal(rp.arg, SCCP_CAUSE_NO_TRANS_ADDR);
	assert_int_equal(sw_image_rule_proxy(c.image, 1, &rp), SW_PX_ABORT);
	assert_int_equal(rp.arg, SW_PX_ABORT_U);
	assert_int_equal(sw_image_rule_proxy(c.image, 2, &rp), SW_PX_REDIRECT);
	assert_string_equal(sw_image_link_name(c.image, rp.link), "honeypot");
	assert_int_equal(sw_image_rule_proxy(c.image, 3, &rp), SW_PX_NONE);
	assert_int_equal(sw_image_rule_proxy(c.image, 5, &rp), SW_PX_ABORT);
	assert_int_equal(rp.arg, SW_PX_ABORT_P);
	assert_int_equal(sw_image_rule_proxy(c.image, 6, &rp), SW_PX_REJECT);
	assert_int_equal(rp.arg, SCCP_CAUSE_SS_FAILURE);
	assert_int_equal(sw_image_rule_proxy(c.image, SW_RULE_DEFAULT, &rp), SW_PX_NONE);
	/* A redirect to a link the image does not have is refused by the validator. */
	struct sw_img_rule *r =
		(void *)((char *)c.image + ((struct sw_image_hdr *)c.image)->rules_off);
	r[2].px_link = 3;
	assert_int_equal(sw_image_validate(c.image, c.size, err, sizeof(err)), -EINVAL);
	r[2].px_link = 2;
	r[2].px_action = 9;
	assert_int_equal(sw_image_validate(c.image, c.size, err, sizeof(err)), -EINVAL);
	sw_compiled_free(&c);
}

static struct inproc ip;
static struct inproc_peer *const partner = &ip.peer[0], *const home = &ip.peer[1],
				 *const hp = &ip.peer[2];
static unsigned want_partner, want_home, want_hp;

static bool
got_all(struct inproc *x)
{
	(void)x;
	return partner->ndata >= want_partner && home->ndata >= want_home && hp->ndata >= want_hp;
}

/* The partner sends a UDT (return asked) whose calling GT starts with cgpa_bcd, and waits
 * until every peer has what the test wants it to have. */
static void
partner_sends(uint8_t cgpa_bcd)
{
	struct sw_m3ua_label l = {.opc = 1000, .dpc = 2000, .si = 3, .ni = 2, .sls = 3};
	uint8_t ud[64];
	size_t n = inproc_udt(ud, cgpa_bcd, 0x01020304);

	assert_int_equal(sw_m3ua_send_data(&partner->ep, 1, &l, ud, n), 0);
	assert_true(inproc_run_until(&ip, got_all, 2000));
}

static void
partner_last(struct sw_msu *msu)
{
	memset(msu, 0, sizeof(*msu));
	sw_sccp_decode(partner->last_ud, 0, partner->last_ud_len, msu);
}

/* The compiled policy's actions carried out by the proxy on usrsctp. */
static void
test_end_to_end(void **state)
{
	struct sw_proxy_link_cfg lc[3] = {
		{.name = "partner",
		 .sctp_server = true,
		 .lport = 3200,
		 .rport = 3300,
		 .role = SW_M3UA_ROLE_SGP,
		 .rctx = 100,
		 .local_pc = 1500,
		 .side = 0},
		{.name = "home",
		 .sctp_server = false,
		 .lport = 3201,
		 .rport = 3301,
		 .role = SW_M3UA_ROLE_ASP,
		 .rctx = 200,
		 .local_pc = 1501,
		 .side = 1},
		{.name = "honeypot",
		 .sctp_server = false,
		 .lport = 3202,
		 .rport = 3302,
		 .role = SW_M3UA_ROLE_ASP,
		 .rctx = 300,
		 .side = 1,
		 .honeypot = true},
	};
	struct sw_proxy_policy pp = {0};
	struct sw_proxy_judge judge;
	struct sw_compiled c;
	uint16_t l_home = 1, l_partner = 0;
	struct sw_msu msu;
	char err[512];

	(void)state;
	if (sw_compile_files(RULES, SITE, 1, &c, err, sizeof(err)) != 0)
		fail_msg("compile: %s", err);
	pp.jctx.pctx = sw_policy_ctx_new();
	assert_non_null(pp.jctx.pctx);
	assert_int_equal(sw_policy_ctx_bind(pp.jctx.pctx, c.image), 0);
	pp.jctx.image = c.image;
	pp.px = &ip.px;
	sw_proxy_policy_judge(&pp, &judge);
	assert_int_equal(inproc_setup(&ip, lc, 3, &judge), 0);
	assert_int_equal(sw_route_add(&ip.px.routes, 2000, &l_home, 1), 0);
	assert_int_equal(sw_route_add(&ip.px.routes, 1000, &l_partner, 1), 0);
	assert_int_equal(inproc_open(&ip), 0);
	assert_true(inproc_run_until(&ip, inproc_all_active, 5000));

	/* allowed: home gets it */
	want_home = 1;
	partner_sends(0);
	/* reject, cause no-translation: a UDTS back to the caller, nothing to home */
	want_partner = 1;
	partner_sends(0x66);
	partner_last(&msu);
	assert_int_equal(msu.sccp.type, SCCP_MSG_UDTS);
	assert_int_equal(msu.sccp.cause, SCCP_CAUSE_NO_TRANS_ADDR);
	assert_int_equal(partner->last.opc, 1500);
	/* reject without a cause: subsystem failure */
	want_partner = 2;
	partner_sends(0x33);
	partner_last(&msu);
	assert_int_equal(msu.sccp.type, SCCP_MSG_UDTS);
	assert_int_equal(msu.sccp.cause, SCCP_CAUSE_SS_FAILURE);
	/* abort, U-Abort: a TCAP Abort with a dialogue portion to the caller's OTID */
	want_partner = 3;
	partner_sends(0x77);
	partner_last(&msu);
	assert_int_equal(msu.sccp.type, SCCP_MSG_UDT);
	assert_int_equal(msu.tcap.type, SW_TCAP_ABORT);
	assert_int_equal(msu.tcap.dtid_len, 4);
	assert_int_equal(msu.tcap.abort_kind, SW_TCAP_ABORT_U);
	assert_int_equal(msu.tcap.dlg_pdu, SW_DLG_ABRT);
	/* abort, P-Abort (the default kind): no dialogue portion */
	want_partner = 4;
	partner_sends(0x44);
	partner_last(&msu);
	assert_int_equal(msu.tcap.type, SW_TCAP_ABORT);
	assert_int_equal(msu.tcap.abort_kind, SW_TCAP_ABORT_P);
	assert_int_equal(msu.tcap.abort_cause, TCAP_PABORT_RESOURCE_LIMIT);
	/* redirect: only the honeypot sees it */
	want_hp = 1;
	partner_sends(0x88);
	assert_int_equal(hp->last.dpc, 2000);
	assert_int_equal(hp->last_rctx, 300);
	/* a reject in monitor state alerts and forwards */
	want_home = 2;
	partner_sends(0x55);
	/* drop: nobody; then one allowed message shows the drop was not merely late */
	assert_int_equal(
		sw_m3ua_send_data(&partner->ep, 1,
				  &(struct sw_m3ua_label){
					  .opc = 1000, .dpc = 2000, .si = 3, .ni = 2, .sls = 3},
				  (uint8_t[64]){0}, inproc_udt((uint8_t[64]){0}, 0x99, 1)),
		0);
	want_home = 3;
	partner_sends(0);

	assert_int_equal(ip.px.ctr[SW_PXO_REJECTED], 2);
	assert_int_equal(ip.px.ctr[SW_PXO_ABORTED], 2);
	assert_int_equal(ip.px.ctr[SW_PXO_REDIRECTED], 1);
	assert_int_equal(ip.px.ctr[SW_PXO_ALERTED], 1);
	assert_int_equal(ip.px.ctr[SW_PXO_DROPPED], 1);
	assert_int_equal(home->ndata, 3);
	assert_int_equal(hp->ndata, 1);
	assert_int_equal(partner->ndata, 4);
	assert_int_equal(pp.judged, 9);

	inproc_close(&ip);
	sw_policy_ctx_free(pp.jctx.pctx);
	sw_compiled_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile),
		cmocka_unit_test(test_image),
		cmocka_unit_test(test_end_to_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
