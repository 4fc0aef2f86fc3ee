/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Image golden test (issue 11, Deliver 3): the compiler's output for fixed inputs is pinned to
 * digests, so that reorganising the compiler (or the image writer) cannot change one byte of an
 * image without this test noticing. First recorded with the single-file compiler of commit
 * 0eb3efb (the split kept them); refreshed once since, on purpose: image ABI 4 (the site
 * section: links and home point codes; the shipped spoofed-home rules; links in the golden
 * site), and once more for `X_in = "home"` compiled as the field's home atom (it gates); and
 * for issue 15 (state): the state section (sw_img_site.state_off, written only when the site
 * or the rules use state, so the features image kept its bytes until features.conf and the
 * golden site gained state conditions, countries, travel times and table sizes), the shipped
 * state rules (patterns/state.conf) and the example site's countries and velocity; and
 * for image ABI 5 (issue 17: three SCMG integer fields, so every image's gate table grows; the
 * shipped rules gain patterns/scmg.conf); and for image ABI 6 (issue 18 Deliver 4: every rule
 * carries id, severity, enabled, monitor_until and expires, 56 bytes instead of 28;
 * features.conf uses them; issue 21's proxy actions, px_*, took 4 bytes of its padding, zero
 * in these images, so the digests stayed); and for image ABI 7 (issue 18 Deliver 1-2: partner
 * networks in prefix tables instead of one atom per partner, five interconnect integer fields,
 * so every image's gate table grows, and struct sw_img_site grows to 40 bytes for nets_off;
 * features.conf names partners, a group, links and exceptions); and for issue 17 D3 (no ABI
 * change): the shipped rules gain patterns/cap.conf, four CAMEL rules; and for issue 18
 * Deliver 4 (no ABI change): the shipped rules carry an `id` and a `severity` (events and
 * metrics show the id), in the images of the shipped rules and of mkrules.py's sets built on
 * them; and for issue 18 Deliver 2 (no ABI change): the shipped rules gain partner-wrong-link
 * and partner-exception (partner_wrong_link, partner_allows), in the same images; features.conf
 * gains remote_ip / local_ip (issue 18 D2: SW_COND_ADDR, a new condition kind in the data
 * section; images without one keep their bytes).
 *
 * Inputs: the shipped rules with the example site, the same with a site of partners, the rule
 * sets of bench/rules/mkrules.py (shipped rules behind the 100,000-entry GT blocklist, and the
 * 1000-rule set), and tests/policy/golden/features.conf, which uses every construct of the
 * language. Each is compiled with generation 0 and the Hyperscan databases built for a generic
 * x86-64 (struct sw_compile_opts.hs_generic), so the bytes do not depend on this machine's CPU;
 * they still depend on the Hyperscan release, recorded below: with another release the test
 * skips and says so.
 *
 * The digest is the image checksum (FNV-1a 64 over every byte but the generation and the
 * checksum field, image.h) and the size.
 *
 * Refreshing (only when the image ABI changes on purpose: a new table, a new field, a new
 * layout rule; never to make a refactoring pass): run
 *     build/main/tests/policy/test_image_golden SRCROOT --print
 * paste the printed lines over golden[] below, bump SW_IMAGE_ABI in image.h if readers must
 * refuse old images, and say in the commit message why the bytes changed.
 *
 * usage: test_image_golden SRCROOT [--print]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hs/hs.h>

#include "control/compiler/compiler.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"

#define GOLDEN_HS_VERSION "5.4.0 2021-01-26"

struct golden {
	const char *name;
	const char *rules; /* relative to the source root, or "@" + a mkrules.py output */
	const char *site;
	uint64_t checksum;
	uint64_t size;
};

static const struct golden golden[] = {
	{ "shipped", "patterns/default.conf", "patterns/site.example.conf",
	  0x4274c3624e63c638ull, 22400 },
	{ "shipped-partners", "patterns/default.conf", "tests/policy/golden/site-partners.conf",
	  0xa5cdc6f2aff54fabull, 22720 },
	{ "features", "tests/policy/golden/features.conf",
	  "tests/policy/golden/site-partners.conf", 0x70cb521e09098ccdull, 46784 },
	{ "shipped-100k", "@rules-shipped-100k.conf", "patterns/site.example.conf",
	  0xbdc6feeb9b0a1b2cull, 4473152 },
	{ "rules-1000", "@rules-1000.conf", "patterns/site.example.conf",
	  0x24e82489b700764dull, 431040 },
};

/*
 * Every rule of the shipped policy has an `id` of its own (patterns/README.md: events and
 * sigwall_rule_hits_total carry it, so a SIEM follows a rule across releases): cap.conf's four
 * rules had none (null in their events).
 */
static unsigned
shipped_ids(const struct sw_compiled *c)
{
	uint32_t n = sw_image_nrules(c->image), seen[256];
	unsigned bad = 0;

	for (uint32_t r = 0; r < n; r++) {
		uint32_t id = sw_image_rule_id(c->image, (int32_t)r);

		if (id == 0) {
			fprintf(stderr, "FAIL shipped: rule %s has no id\n",
				sw_image_rule_name(c->image, (int32_t)r));
			bad++;
		}
		for (uint32_t k = 0; k < r && k < 256; k++)
			if (id != 0 && seen[k] == id) {
				fprintf(stderr, "FAIL shipped: id %u twice\n", id);
				bad++;
			}
		if (r < 256)
			seen[r] = id;
	}
	if (bad == 0)
		printf("ok shipped: all %u rules have an id of their own\n", n);
	return bad;
}

int
main(int argc, char **argv)
{
	struct sw_compile_opts opts = { .hs_generic = true };
	char tmp[] = "/tmp/sw-test-golden.XXXXXX", cmd[1024], rp[1024], sp[1024], err[1024];
	bool print = argc > 2 && strcmp(argv[2], "--print") == 0;
	unsigned bad = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: test_image_golden SRCROOT [--print]\n");
		return 2;
	}
	if (strncmp(hs_version(), GOLDEN_HS_VERSION, strlen(GOLDEN_HS_VERSION)) != 0 && !print) {
		printf("SKIP: digests recorded with Hyperscan %s, this is %s\n", GOLDEN_HS_VERSION,
		       hs_version());
		return 77;
	}
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 '%s/bench/rules/mkrules.py' --out '%s'",
		 argv[1], tmp);
	if (system(cmd) != 0) {
		fprintf(stderr, "FAIL: %s\n", cmd);
		return 1;
	}
	for (size_t i = 0; i < sizeof(golden) / sizeof(golden[0]); i++) {
		const struct golden *g = &golden[i];
		struct sw_compiled c;
		uint64_t sum;

		if (g->rules[0] == '@')
			snprintf(rp, sizeof(rp), "%s/%s", tmp, g->rules + 1);
		else
			snprintf(rp, sizeof(rp), "%s/%s", argv[1], g->rules);
		snprintf(sp, sizeof(sp), "%s/%s", argv[1], g->site);
		if (sw_compile_files_opts(rp, sp, 0, &opts, &c, err, sizeof(err)) != 0) {
			fprintf(stderr, "FAIL %s: %s\n", g->name, err);
			bad++;
			continue;
		}
		if (sw_image_validate(c.image, c.size, err, sizeof(err)) != 0) {
			fprintf(stderr, "FAIL %s: invalid image: %s\n", g->name, err);
			bad++;
		}
		if (strcmp(g->name, "shipped") == 0)
			bad += shipped_ids(&c);
		sum = sw_image_checksum(c.image);
		if (print) {
			printf("\t{ \"%s\", \"%s\", \"%s\", 0x%016llxull, %zu },\n", g->name, g->rules,
			       g->site, (unsigned long long)sum, c.size);
		} else if (sum != g->checksum || c.size != g->size) {
			fprintf(stderr, "FAIL %s: image %016llx, %zu bytes; recorded %016llx, %llu "
					"bytes\n", g->name, (unsigned long long)sum, c.size,
				(unsigned long long)g->checksum, (unsigned long long)g->size);
			bad++;
		} else {
			printf("ok %s: %016llx, %zu bytes\n", g->name, (unsigned long long)sum, c.size);
		}
		sw_compiled_free(&c);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "warning: cannot remove %s\n", tmp);
	if (bad != 0) {
		fprintf(stderr, "%u of %zu images differ from the recorded ones\n", bad,
			sizeof(golden) / sizeof(golden[0]));
		return 1;
	}
	return 0;
}
