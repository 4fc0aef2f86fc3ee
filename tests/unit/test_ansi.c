/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ANSI networks (issue 17 D6): the network variant declared by the site (site.variant) or by a
 * link, compiled into the image and used by the judge's decode (sw_policy_variant); point codes
 * written "network-cluster-member" in rules, pc lists and the site when something is ANSI, and
 * refused otherwise; ANSI TCAP judged by the policy's malformed action; the ANSI decode path
 * against the ITU one on the same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"

static char site_path[64], rules_path[64];

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A site with home point codes, the variant line `variant` (may be ""), and one link of each
 * side, the outside one with `link_variant` (may be ""). */
static void
write_site(const char *variant, const char *home_pcs, const char *link_variant)
{
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "site = {\n name = \"Ansi Mobile\";\n %s\n"
		 " home = { plmn = [ \"310150\" ]; gt = [ \"1212555\" ]; point_codes = ( %s ); };\n"
		 " links = (\n"
		 "  { name = \"stp-a\"; side = \"outside\"; peers = [ \"192.0.2.0/24\" ]; %s },\n"
		 "  { name = \"core\"; side = \"inside\"; peers = [ \"10.0.0.0/8\" ]; }\n"
		 " );\n};\n",
		 variant, home_pcs, link_variant);
	write_file(site_path, buf);
}

static void
write_rules(const char *cond)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "policy = { name = \"t\"; default = \"allow\"; malformed = \"drop\"; };\n"
		 "%s"
		 "rules = ( { name = \"r\"; %s action = \"drop\"; } );\n",
		 strstr(cond, "@stps") != NULL
			 ? "lists = { stps = { type = \"pc\"; entries = ( \"7-2-1\", 4242 ); }; };\n"
			 : "",
		 cond);
	write_file(rules_path, buf);
}

static int
compile(struct sw_compiled *c, char *err, size_t errlen)
{
	return sw_compile_files(rules_path, site_path, 1, c, err, errlen);
}

static const struct sw_img_site *
img_site(const struct sw_compiled *c)
{
	const struct sw_image_hdr *h = c->image;

	assert_int_not_equal(h->site_off, 0);
	return (const void *)((const char *)c->image + h->site_off);
}

static void
test_pc_parse(void **state)
{
	uint32_t pc;

	(void)state;
	assert_int_equal(sw_ansi_pc_parse("245-16-3", &pc), 0);
	assert_int_equal(pc, 245u << 16 | 16u << 8 | 3u);
	assert_int_equal(sw_ansi_pc_parse("0-0-0", &pc), 0);
	assert_int_equal(pc, 0);
	assert_int_equal(sw_ansi_pc_parse("255-255-255", &pc), 0);
	assert_int_equal(pc, 0xffffff);
	assert_int_equal(sw_ansi_pc_parse("256-0-0", &pc), -1);
	assert_int_equal(sw_ansi_pc_parse("1-2", &pc), -1);
	assert_int_equal(sw_ansi_pc_parse("1-2-3-4", &pc), -1);
	assert_int_equal(sw_ansi_pc_parse("1--3", &pc), -1);
	assert_int_equal(sw_ansi_pc_parse("1-2-3 ", &pc), -1);
	assert_int_equal(sw_ansi_pc_parse("0001-2-3", &pc), -1);
	assert_int_equal(sw_ansi_pc_parse("1001", &pc), -1);
	assert_int_equal(sw_ansi_pc_parse("", &pc), -1);
	{
		char t[ANSI_PC_TEXT_MAX];

		assert_string_equal(sw_ansi_pc_text(0xffffff, t), "255-255-255");
		assert_string_equal(sw_ansi_pc_text(245u << 16 | 16u << 8 | 3u, t), "245-16-3");
	}
	assert_int_equal(sw_variant_code("ansi"), SW_VARIANT_ANSI);
	assert_int_equal(sw_variant_code("itu"), SW_VARIANT_ITU);
	assert_int_equal(sw_variant_code("japan"), -1);
}

/* site.variant = "ansi": in the image; n-c-m in the home point codes, rules and a pc list. */
static void
test_site_variant_ansi(void **state)
{
	struct sw_compiled c;
	struct sw_policy_ctx *ctx;
	struct sw_msu m;
	char err[512];

	(void)state;
	write_site("variant = \"ansi\";", "\"245-16-3\", 4000", "");
	write_rules("opc = [ \"7-2-1\", \"7-2-2\" ]; dpc_in = \"@stps\";");
	if (compile(&c, err, sizeof(err)) != 0)
		fail_msg("compile: %s", err);
	assert_int_equal(img_site(&c)->variant, SW_VARIANT_ANSI);
	assert_int_equal(img_site(&c)->link_variants, 0);
	ctx = sw_policy_ctx_new();
	assert_non_null(ctx);
	assert_int_equal(sw_policy_ctx_bind(ctx, c.image), 0);
	assert_int_equal(sw_policy_variant(ctx, NULL), SW_VARIANT_ANSI);

	memset(&m, 0, sizeof(m));
	m.has = SW_HAS_M3UA | SW_HAS_PROTO_DATA;
	m.ansi.variant = SW_VARIANT_ANSI;
	m.m3ua.opc = 7u << 16 | 2u << 8 | 2u; /* 7-2-2 */
	m.m3ua.dpc = 7u << 16 | 2u << 8 | 1u; /* 7-2-1, in the pc list */
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, 1000).action, SW_ACTION_DROP);
	m.m3ua.dpc = 4242;                      /* the list's integer entry */
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, 1000).action, SW_ACTION_DROP);
	m.m3ua.dpc = 7u << 16 | 2u << 8 | 3u;   /* 7-2-3: not in the list */
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, 1000).action, SW_ACTION_ALLOW);
	m.m3ua.dpc = 7u << 16 | 2u << 8 | 1u;
	m.m3ua.opc = 7u << 16 | 2u << 8 | 3u;   /* 7-2-3: not an opc of the rule */
	assert_int_equal(sw_policy_eval(ctx, NULL, &m, 0, 1000).action, SW_ACTION_ALLOW);
	/* the home point code "245-16-3" is home: direction inside by OPC without links is not
	 * used here (the site has links); the image holds it sorted */
	{
		const struct sw_img_site *st = img_site(&c);
		const uint32_t *pcs = (const void *)((const char *)c.image + st->home_pc_off);

		assert_int_equal(st->nhome_pc, 2);
		assert_int_equal(pcs[0], 4000);
		assert_int_equal(pcs[1], 245u << 16 | 16u << 8 | 3u);
	}
	sw_policy_ctx_free(ctx);
	sw_compiled_free(&c);
}

/* In an ITU site n-c-m is refused with a message (3-8-3 is an ITU notation too: no guessing). */
static void
test_ncm_refused_in_itu(void **state)
{
	struct sw_compiled c;
	char err[512];

	(void)state;
	write_site("", "1001", "");
	write_rules("opc = \"7-2-1\";");
	assert_int_not_equal(compile(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "n-c-m needs an ANSI site or link"));
	write_rules("dpc_in = \"@stps\";");
	assert_int_not_equal(compile(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "n-c-m needs an ANSI site or link"));
	write_site("", "\"245-16-3\"", "");
	write_rules("opc = 1001;");
	assert_int_not_equal(compile(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "n-c-m needs site.variant = \"ansi\""));
	write_site("variant = \"japan\";", "1001", "");
	assert_int_not_equal(compile(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "'variant' must be \"itu\" or \"ansi\""));
	write_site("", "1001", "variant = 3;");
	assert_int_not_equal(compile(&c, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "'variant' must be \"itu\" or \"ansi\""));
}

/* A link's variant: packets from or to its peers decode ANSI, the rest as the site says. */
static void
test_link_variant(void **state)
{
	struct sw_compiled c;
	struct sw_policy_ctx *ctx;
	struct sw_pkt pkt;
	char err[512];

	(void)state;
	write_site("", "1001", "variant = \"ansi\";");
	write_rules("opc = \"7-2-1\";"); /* n-c-m accepted: a link is ANSI */
	if (compile(&c, err, sizeof(err)) != 0)
		fail_msg("compile: %s", err);
	assert_int_equal(img_site(&c)->variant, SW_VARIANT_ITU);
	assert_int_equal(img_site(&c)->link_variants, 1);
	ctx = sw_policy_ctx_new();
	assert_non_null(ctx);
	assert_int_equal(sw_policy_ctx_bind(ctx, c.image), 0);
	memset(&pkt, 0, sizeof(pkt));
	pkt.ip_ver = 4;
	memcpy(pkt.src, (const uint8_t[]){ 192, 0, 2, 9 }, 4);
	memcpy(pkt.dst, (const uint8_t[]){ 10, 1, 2, 3 }, 4);
	assert_int_equal(sw_policy_variant(ctx, &pkt), SW_VARIANT_ANSI);
	/* the other way: from the core (a link without a variant) to the ANSI STP */
	memcpy(pkt.src, (const uint8_t[]){ 10, 1, 2, 3 }, 4);
	memcpy(pkt.dst, (const uint8_t[]){ 192, 0, 2, 9 }, 4);
	assert_int_equal(sw_policy_variant(ctx, &pkt), SW_VARIANT_ANSI);
	/* neither end on the ANSI link: the site's */
	memcpy(pkt.dst, (const uint8_t[]){ 198, 51, 100, 1 }, 4);
	assert_int_equal(sw_policy_variant(ctx, &pkt), SW_VARIANT_ITU);
	sw_policy_ctx_free(ctx);
	sw_compiled_free(&c);

	/* an ITU link in an ANSI site */
	write_site("variant = \"ansi\";", "1001", "variant = \"itu\";");
	if (compile(&c, err, sizeof(err)) != 0)
		fail_msg("compile: %s", err);
	ctx = sw_policy_ctx_new();
	assert_non_null(ctx);
	assert_int_equal(sw_policy_ctx_bind(ctx, c.image), 0);
	memcpy(pkt.src, (const uint8_t[]){ 192, 0, 2, 9 }, 4);
	assert_int_equal(sw_policy_variant(ctx, &pkt), SW_VARIANT_ITU);
	memcpy(pkt.src, (const uint8_t[]){ 198, 51, 100, 1 }, 4);
	assert_int_equal(sw_policy_variant(ctx, &pkt), SW_VARIANT_ANSI);
	sw_policy_ctx_free(ctx);
	sw_compiled_free(&c);
}

/* An image without a site variant (every earlier image): ITU; no image: ITU. */
static void
test_default_itu(void **state)
{
	struct sw_compiled c;
	struct sw_policy_ctx *ctx;
	char err[512];

	(void)state;
	assert_int_equal(sw_policy_variant(NULL, NULL), SW_VARIANT_ITU);
	write_site("", "1001", "");
	write_rules("opc = 1001;");
	if (compile(&c, err, sizeof(err)) != 0)
		fail_msg("compile: %s", err);
	assert_int_equal(img_site(&c)->variant, SW_VARIANT_ITU);
	ctx = sw_policy_ctx_new();
	assert_non_null(ctx);
	assert_int_equal(sw_policy_ctx_bind(ctx, c.image), 0);
	assert_int_equal(sw_policy_variant(ctx, NULL), SW_VARIANT_ITU);
	sw_policy_ctx_free(ctx);
	sw_compiled_free(&c);
}

/*
 * The shipped policy over an ANSI TCAP message: the malformed action (drop) by the malformed
 * rule, whatever the addresses say. Bytes: UDT between ANSI GTI 2 addresses carrying a Query
 * With Permission (T1.114.3 0xE2), as tests/vectors/ansi/udt-ansi-tcap-query.vec.
 */
static void
test_ansi_tcap_malformed(void **state)
{
	static const uint8_t udt[] = {
		0x09, 0x81, 0x03, 0x0c, 0x15, 0x09, 0x89, 0x06, 0x00, 0x21, 0x21, 0x55, 0x05,
		0x01, 0xf0, 0x09, 0x89, 0x07, 0x00, 0x41, 0x51, 0x55, 0x05, 0x21, 0xf3, 0x15,
		0xe2, 0x13, 0xc7, 0x04, 0x00, 0x00, 0x00, 0x01, 0xe8, 0x0b, 0xe9, 0x09, 0xcf,
		0x01, 0x01, 0xd1, 0x02, 0x09, 0x01, 0xf2, 0x00,
	};
	struct sw_compiled c;
	struct sw_policy_ctx *ctx;
	struct sw_msu m;
	struct sw_verdict v;
	char err[512];

	(void)state;
	memset(&m, 0, sizeof(m));
	m.ansi.variant = SW_VARIANT_ANSI;
	assert_int_equal(sw_sccp_decode(udt, 0, sizeof(udt), &m), SW_MAL_TCAP_ANSI);
	assert_int_equal(m.ansi.tcap_pkg, ANSI_TCAP_QWP);
	assert_string_equal(m.sccp.cdpa.digits.d, "12125550100");
	assert_int_equal(m.sccp.cdpa.ssn, 6);
	assert_false(m.has & SW_HAS_TCAP);
	/* the package is recognised in an ITU network too (it is never ITU TCAP), though the
	 * addresses are then misread (bit 1 read as a point code indicator) */
	memset(&m, 0, sizeof(m));
	assert_int_equal(sw_sccp_decode(udt, 0, sizeof(udt), &m), SW_MAL_TCAP_ANSI);
	assert_int_equal(m.ansi.tcap_pkg, ANSI_TCAP_QWP);
	assert_true(m.sccp.cdpa.has_pc);
	assert_false(m.sccp.cdpa.has_ssn);

	if (sw_compile_files("patterns/default.conf", "patterns/site.example.conf", 1, &c, err,
			     sizeof(err)) != 0)
		fail_msg("compile: %s", err);
	ctx = sw_policy_ctx_new();
	assert_non_null(ctx);
	assert_int_equal(sw_policy_ctx_bind(ctx, c.image), 0);
	memset(&m, 0, sizeof(m));
	m.ansi.variant = SW_VARIANT_ANSI;
	sw_sccp_decode(udt, 0, sizeof(udt), &m);
	v = sw_policy_eval(ctx, NULL, &m, 0, 1000);
	assert_int_equal(v.action, SW_ACTION_DROP);
	assert_int_equal(v.rule, SW_RULE_MALFORMED);
	sw_policy_ctx_free(ctx);
	sw_compiled_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pc_parse),
		cmocka_unit_test(test_site_variant_ansi),
		cmocka_unit_test(test_ncm_refused_in_itu),
		cmocka_unit_test(test_link_variant),
		cmocka_unit_test(test_default_itu),
		cmocka_unit_test(test_ansi_tcap_malformed),
	};
	int rc;

	snprintf(site_path, sizeof(site_path), "/tmp/sw-ansi-site-%d.conf", (int)getpid());
	snprintf(rules_path, sizeof(rules_path), "/tmp/sw-ansi-rules-%d.conf", (int)getpid());
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(site_path);
	unlink(rules_path);
	return rc;
}
