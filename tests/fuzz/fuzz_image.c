/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz the policy image validator and the verdict engine (issue 13, finding 8): a valid image
 * (the shipped rules with the example site, or tests/policy/golden/features.conf, which fills
 * every table) is mutated as the input says, re-checksummed so that the checksum does not hide
 * the mutation, and then either refused by sw_image_validate or bound and judged: every verdict
 * must be an action of the policy and a rule of the image, and nothing may read out of bounds
 * (the sanitizer build runs this). Each MSU is judged without a packet and in an IPv4 and an
 * IPv6 one (links, remote_ip / local_ip).
 *
 * Input: byte 0 picks the image (bit 0) and whether the mutations XOR or overwrite (bit 1);
 * then records of 5 bytes, a little-endian offset (modulo the image size) and a byte. Offsets
 * inside the Hyperscan databases are moved past them: Hyperscan does not validate its bytecode
 * (its integrity is the image checksum's, which only the compiler writes); everything the
 * engine itself indexes with is fuzzed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/compiler/compiler.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"
#include "tests/common/msu_build.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sw_compiled base[2];
static uint8_t *work;
static size_t work_size;
static struct sw_policy_ctx *ctx; /* one for the run: binding a new image flushes it */

/* The packets an MSU is judged in: none (inspect's records without one), IPv4 and IPv6 ones
 * whose addresses are in features.conf's links and remote_ip / local_ip prefixes (issue 18:
 * the engine then reads the site's peers and the conditions' prefixes). */
static struct sw_pkt pkts[2];

static void
pkts_init(void)
{
	static const uint8_t s4[4] = { 192, 0, 2, 9 }, d4[4] = { 10, 1, 2, 3 };
	static const uint8_t s6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xbe, [15] = 9 };
	static const uint8_t d6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x20, [15] = 1 };

	for (unsigned i = 0; i < 2; i++) {
		pkts[i].ip_ver = i == 0 ? 4 : 6;
		pkts[i].sctp = true;
		pkts[i].sport = 2905;
		pkts[i].dport = 2905;
	}
	memcpy(pkts[0].src, s4, 4);
	memcpy(pkts[0].dst, d4, 4);
	memcpy(pkts[1].src, s6, 16);
	memcpy(pkts[1].dst, d6, 16);
}

static void
init(void)
{
	static const char *const sets[2][2] = {
		{ SW_SRCROOT "/patterns/default.conf", SW_SRCROOT "/patterns/site.example.conf" },
		{ SW_SRCROOT "/tests/policy/golden/features.conf",
		  SW_SRCROOT "/tests/policy/golden/site-partners.conf" },
	};
	char err[1024];

	for (int i = 0; i < 2; i++) {
		if (sw_compile_files(sets[i][0], sets[i][1], 1, &base[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_image: %s\n", err);
			abort();
		}
		if (base[i].size > work_size)
			work_size = base[i].size;
	}
	pkts_init();
	work = aligned_alloc(SW_IMAGE_ALIGN, work_size);
	ctx = sw_policy_ctx_new();
	if (work == NULL || ctx == NULL)
		abort();
}

/* Offset off moved out of the Hyperscan databases (to the end of the one it falls in). */
static size_t
skip_databases(const struct sw_image_hdr *h, size_t off, size_t size)
{
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		const struct sw_img_field *fd = &h->fields[f];
		if (fd->db_off != 0 && off >= fd->db_off && off - fd->db_off < fd->db_size)
			off = (size_t)fd->db_off + fd->db_size;
	}
	return off < size ? off : 0;
}

static void
judge(const struct sw_compiled *c, const struct sw_msu *m)
{
	const struct sw_image_hdr *h = (const void *)work;

	for (unsigned k = 0; k < 6; k++) {
		unsigned port = k & 1;
		const struct sw_pkt *pk = k < 2 ? NULL : &pkts[(k - 2) / 2];
		struct sw_verdict v = sw_policy_eval(ctx, pk, m, port, 1000);
		if (v.action > SW_ACTION_ALERT ||
		    (v.rule != SW_RULE_DEFAULT && v.rule != SW_RULE_MALFORMED &&
		     (v.rule < 0 || (uint32_t)v.rule >= h->nrules)) ||
		    sw_image_rule_name(work, v.rule) == NULL) {
			fprintf(stderr, "fuzz_image: verdict %u rule %d of %u rules (%zu bytes)\n",
				v.action, v.rule, h->nrules, c->size);
			abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct sw_compiled *c;
	struct sw_image_hdr *h;
	struct sw_msu m;
	char err[256];

	if (work == NULL)
		init();
	if (size < 1)
		return 0;
	c = &base[data[0] & 1];
	memcpy(work, c->image, c->size);
	h = (void *)work;
	for (size_t i = 1; i + 5 <= size; i += 5) {
		uint32_t off = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 |
			       (uint32_t)data[i + 2] << 16 | (uint32_t)data[i + 3] << 24;
		size_t o = skip_databases((const void *)c->image, off % c->size, c->size);
		if (data[0] & 2)
			work[o] = data[i + 4];
		else
			work[o] ^= data[i + 4];
	}
	h->checksum = sw_image_compute_checksum(work, c->size);
	if (sw_image_validate(work, c->size, err, sizeof(err)) != 0)
		return 0;
	if (sw_policy_ctx_bind(ctx, work) == 0) {
		t_map(&m, T_HOME_HLR, T_FOREIGN_GT, 71, NULL);
		judge(c, &m);
		t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 71, T_HOME_IMSI);
		judge(c, &m);
		t_map(&m, T_DE_GT, T_HOME_HLR, 70, T_DE_IMSI);
		t_comp(&m, SW_COMP_INVOKE, 22);
		judge(c, &m);
		t_map(&m, T_FR_GT, T_HOME_HLR, 59, NULL);
		m.map.ussd_len = 5;
		memcpy(m.map.ussd, "*21*1", 5);
		judge(c, &m);
		t_map(&m, T_FOREIGN_GT, T_HOME_HLR, 46, T_FOREIGN_IMSI);
		m.mal = 1;
		judge(c, &m);
		judge(c, &m); /* a cache hit */
	}
	return 0;
}
