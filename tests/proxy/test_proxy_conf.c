/* SPDX-License-Identifier: BSD-3-Clause */
/* site.links / site.routes (dataplane/proxy/proxy_conf.c): the example loads; each mistake is
 * reported as "file:line: message". */
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

#include "dataplane/proxy/m3ua_wire.h"
#include "dataplane/proxy/proxy_conf.h"

static struct sw_proxy px;

static int
noop_send(void *user, uint16_t link, uint16_t stream, const uint8_t *msg, size_t len)
{
	(void)user, (void)link, (void)stream, (void)msg, (void)len;
	return 0;
}

static void
reset(void)
{
	struct sw_proxy_ops ops = {.send = noop_send};
	struct sw_proxy_judge j = {0};

	sw_proxy_init(&px, &ops, &j);
}

static void
test_example(void **state)
{
	char err[256] = "";
	const struct sw_proxy_link *l;

	(void)state;
	reset();
	if (sw_proxy_conf_load(&px, "tests/proxy/site-proxy.conf", err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(px.nlinks, 3);
	l = &px.link[0];
	assert_string_equal(l->cfg.name, "partner");
	assert_true(l->cfg.sctp_server);
	assert_int_equal(l->cfg.laddr, 0x0a150001);
	assert_int_equal(l->cfg.lport, 2905);
	assert_int_equal(l->cfg.raddr, 0x0a150002);
	assert_int_equal(l->cfg.role, SW_M3UA_ROLE_SGP);
	assert_false(l->ep.client);
	assert_int_equal(l->as.rctx, 100);
	assert_int_equal(l->cfg.local_pc, 1500);
	l = &px.link[1];
	assert_true(l->ep.client);
	assert_true(l->cfg.na_set);
	assert_int_equal(l->cfg.na, 8);
	assert_int_equal(l->cfg.beat_ms, 5000);
	assert_int_equal(l->cfg.side, 1);
	assert_true(px.link[2].cfg.honeypot);
	sw_proxy_seal(&px);
	assert_non_null(sw_route_find(&px.routes, 2000));
	assert_int_equal(sw_route_find(&px.routes, 2000)->link[0], 1);
	assert_true(px.gt_routing);
	assert_int_equal(sw_route_gt_lookup(&px.routes, "27821234567")->ssn, 6);
}

/* Write text to a temporary file, load it, return the error. */
static int
load_text(const char *text, char *err, size_t errlen, char *path, size_t pathlen)
{
	FILE *f;

	snprintf(path, pathlen, "/tmp/sw-proxy-conf-%d.conf", (int)getpid());
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	reset();
	int rc = sw_proxy_conf_load(&px, path, err, errlen);
	unlink(path);
	return rc;
}

static void
test_errors(void **state)
{
	static const struct {
		const char *text;
		const char *want; /* after "path:" */
	} cases[] = {
		{"site = { name = \"x\"; };\n", "1: proxy mode needs 'site.links'"},
		{"site = { links = (\n{ name = \"a\"; local = \"1.2.3.4:1\"; remote = \"1.2.3.5:1\";"
		 " sctp = \"server\"; m3ua = \"sgp\"; side = \"outside\"; colour = 1; }\n); };\n",
		 "2: unknown key 'colour' in a link"},
		{"site = { links = (\n{ name = \"a\"; local = \"1.2.3:1\"; remote = \"1.2.3.5:1\";"
		 " sctp = \"server\"; m3ua = \"sgp\"; side = \"outside\"; }\n); };\n",
		 "2: 'local' must be \"IPv4:port\" (got \"1.2.3:1\")"},
		{"site = { links = (\n{ name = \"a\"; local = \"1.2.3.4:1\"; remote = \"1.2.3.5:1\";"
		 " sctp = \"both\"; m3ua = \"sgp\"; side = \"outside\"; }\n); };\n",
		 "2: 'sctp' cannot be \"both\""},
		{"site = { links = (\n{ name = \"a\"; local = \"1.2.3.4:1\"; remote = \"1.2.3.5:1\";"
		 " sctp = \"server\"; m3ua = \"sgp\"; }\n); };\n",
		 "2: 'side' is required"},
		{"site = { links = (\n{ name = \"a\"; local = \"1.2.3.4:1\"; remote = \"1.2.3.5:1\";"
		 " sctp = \"server\"; m3ua = \"sgp\"; side = \"outside\"; },\n"
		 "{ name = \"a\"; local = \"1.2.3.4:2\"; remote = \"1.2.3.5:2\";"
		 " sctp = \"server\"; m3ua = \"sgp\"; side = \"outside\"; }\n); };\n",
		 "3: link 'a' defined twice"},
		{"site = { links = (\n{ name = \"a\"; local = \"1.2.3.4:1\"; remote = \"1.2.3.5:1\";"
		 " sctp = \"server\"; m3ua = \"sgp\"; side = \"outside\"; }\n);\n"
		 "routes = (\n{ dpc = 7; links = [ \"b\" ]; }\n); };\n",
		 "5: unknown link \"b\""},
		{"site = { links = (\n{ name = \"a\"; local = \"1.2.3.4:1\"; remote = \"1.2.3.5:1\";"
		 " sctp = \"server\"; m3ua = \"sgp\"; side = \"outside\"; }\n);\n"
		 "routes = (\n{ dpc = 7; links = [ \"a\" ]; },\n{ dpc = 7; links = [ \"a\" ]; }\n); };\n",
		 "6: dpc 7 routed twice"},
		{"site = { links = (\n{ name = \"a\"; local = \"1.2.3.4:1\"; remote = \"1.2.3.5:1\";"
		 " sctp = \"server\"; m3ua = \"sgp\"; side = \"outside\"; }\n);\n"
		 "routes = (\n{ gt = \"49x\"; dpc = 7; }\n); };\n",
		 "5: invalid gt \"49x\""},
		{"site = { links = (\n{ name = \"a\"; local = \"1.2.3.4:1\"; remote = \"1.2.3.5:1\";"
		 " sctp = \"server\"; m3ua = \"sgp\"; side = \"outside\"; pc = 16777216; }\n); };\n",
		 "2: 'pc' 16777216 out of range 0-16777215"},
		{"site = { links = ( { name = 3 } ); \n", "2: "}, /* libconfig syntax error */
	};
	char err[256], path[64];

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = load_text(cases[i].text, err, sizeof(err), path, sizeof(path));
		size_t plen = strlen(path);

		if (rc != -EINVAL || strncmp(err, path, plen) != 0 || err[plen] != ':' ||
		    strncmp(err + plen + 1, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %u: rc %d, error \"%s\", want \"%s:%s\"", i, rc, err, path,
				 cases[i].want);
	}
	reset();
	assert_int_equal(sw_proxy_conf_load(&px, "/nonexistent/site.conf", err, sizeof(err)),
			 -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
