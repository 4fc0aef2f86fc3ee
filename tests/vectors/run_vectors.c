/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Named byte vectors with expected decoded output, checked byte-exact.
 *
 * A vector file (*.vec) holds:
 *   # comment lines (what the vector is, which spec clause it exercises)
 *   layer: packet | m3ua | m2pa | sccp | tcap | isup
 *   hex: 45 00 ...            (may continue on following lines until "expect:")
 *   expect: {...}             (the JSON record; one line per MSU for layer packet)
 *   truncation: malformed | any   (optional, default malformed)
 *   variant: itu | ansi       (optional, default itu: the network variant, issue 17 D6)
 * The runner decodes the bytes at that layer, prints each MSU with the JSON printer of
 * `sigwallctl inspect --json` and compares. Then it decodes every proper prefix of the bytes,
 * each copied into an exact-size heap buffer (ASan catches any over-read), and requires that
 * every prefix is reported as malformed (a truncated message never decodes silently) unless the
 * vector says "truncation: any".
 * With --print, it prints what the decoder produces instead of comparing (to write new vectors).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/decode/decode.h"
#include "dataplane/decode/print.h"

#define MAX_BYTES 65536
#define MAX_LINE 65536

struct vector {
	char layer[16];
	uint8_t *bytes;
	uint32_t len;
	char *expect;      /* lines joined with '\n' */
	size_t expect_len;
	bool trunc_any;
	enum sw_variant variant;
};

static struct sw_msu msu;

/* Decode buf[0..len) at the vector's layer; write one JSON line per MSU into sb.
 * Returns true when anything was reported as malformed. */
static bool
decode_vector(const char *layer, enum sw_variant variant, const uint8_t *buf, uint32_t len,
	      struct sw_sb *sb)
{
	bool mal = false;

	if (strcmp(layer, "packet") == 0) {
		struct sw_pkt pkt;
		unsigned i, di = 0;

		sw_decode_packet(buf, len, SW_LINK_ETH, &pkt);
		mal = pkt.mal != SW_MAL_NONE;
		for (i = 0; i < pkt.nchunks; i++) {
			if (pkt.chunks[i].type != 0 && pkt.chunks[i].type != 64)
				continue;
			sw_decode_msu_variant(buf, &pkt, i, variant, &msu);
			mal |= msu.mal != SW_MAL_NONE;
			sw_sb_printf(sb, "{");
			sw_json_msu(sb, &pkt, &msu, 1, di++);
			sw_sb_printf(sb, "}\n");
		}
		if (di == 0) {
			sw_sb_printf(sb, "{");
			sw_json_pkt(sb, &pkt, 1);
			sw_sb_printf(sb, "}\n");
		}
		return mal;
	}
	memset(&msu, 0, sizeof(msu));
	msu.ansi.variant = (uint8_t)variant;
	if (strcmp(layer, "m3ua") == 0)
		sw_m3ua_decode(buf, 0, len, &msu);
	else if (strcmp(layer, "m2pa") == 0)
		sw_m2pa_decode(buf, 0, len, &msu);
	else if (strcmp(layer, "sccp") == 0)
		sw_sccp_decode(buf, 0, len, &msu);
	else if (strcmp(layer, "tcap") == 0)
		sw_tcap_decode(buf, 0, len, &msu);
	else if (strcmp(layer, "isup") == 0)
		sw_isup_decode(buf, 0, len, &msu);
	sw_sb_printf(sb, "{");
	sw_json_msu(sb, NULL, &msu, 0, 0);
	sw_sb_printf(sb, "}\n");
	return msu.mal != SW_MAL_NONE;
}

static int
parse_hex(const char *s, uint8_t *out, uint32_t *n)
{
	while (*s != '\0') {
		int hi, lo;

		if (isspace((unsigned char)*s)) {
			s++;
			continue;
		}
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return -1;
		hi = isdigit((unsigned char)s[0]) ? s[0] - '0' : (tolower(s[0]) - 'a' + 10);
		lo = isdigit((unsigned char)s[1]) ? s[1] - '0' : (tolower(s[1]) - 'a' + 10);
		if (*n >= MAX_BYTES)
			return -1;
		out[(*n)++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	return 0;
}

static int
load_vector(const char *path, struct vector *v)
{
	static char line[MAX_LINE];
	FILE *f = fopen(path, "r");
	enum { NONE, HEX, EXPECT } state = NONE;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	memset(v, 0, sizeof(*v));
	v->bytes = malloc(MAX_BYTES);
	v->expect = calloc(1, MAX_LINE * 4);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (strncmp(line, "layer:", 6) == 0) {
			sscanf(line + 6, "%15s", v->layer);
			state = NONE;
		} else if (strncmp(line, "variant:", 8) == 0) {
			char name[16] = "";

			sscanf(line + 8, "%15s", name);
			if (sw_variant_code(name) < 0)
				goto bad;
			v->variant = (enum sw_variant)sw_variant_code(name);
			state = NONE;
		} else if (strncmp(line, "truncation:", 11) == 0) {
			v->trunc_any = strstr(line + 11, "any") != NULL;
			state = NONE;
		} else if (strncmp(line, "hex:", 4) == 0) {
			state = HEX;
			if (parse_hex(line + 4, v->bytes, &v->len) < 0)
				goto bad;
		} else if (strncmp(line, "expect:", 7) == 0) {
			const char *e = line + 7;
			size_t n;

			state = EXPECT;
			while (*e == ' ')
				e++;
			n = strlen(e);
			if (v->expect_len + n + 2 >= MAX_LINE * 4)
				goto bad;
			memcpy(v->expect + v->expect_len, e, n);
			v->expect_len += n;
			if (n == 0 || e[n - 1] != '\n')
				v->expect[v->expect_len++] = '\n';
		} else if (state == HEX) {
			if (parse_hex(line, v->bytes, &v->len) < 0)
				goto bad;
		} else {
			goto bad;
		}
	}
	fclose(f);
	if (v->layer[0] == '\0' || v->len == 0) {
		fprintf(stderr, "%s: needs layer: and hex:\n", path);
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "%s: cannot parse line: %s", path, line);
	fclose(f);
	return -1;
}

static char outbuf[MAX_LINE * 4];

static int
run_vector(const char *path, bool print)
{
	struct vector v;
	struct sw_sb sb;
	uint32_t n;
	int fails = 0;

	if (load_vector(path, &v) < 0)
		return 1;
	sw_sb_init(&sb, outbuf, sizeof(outbuf));
	decode_vector(v.layer, v.variant, v.bytes, v.len, &sb);
	if (print) {
		printf("%s", outbuf);
	} else if (sb.len != v.expect_len || memcmp(outbuf, v.expect, sb.len) != 0) {
		fprintf(stderr, "FAIL %s: decoded output differs\n  expected: %s  actual:   %s",
			path, v.expect, outbuf);
		fails++;
	}
	for (n = 0; n < v.len && !print; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		bool mal;

		memcpy(copy, v.bytes, n);
		sw_sb_init(&sb, outbuf, sizeof(outbuf));
		mal = decode_vector(v.layer, v.variant, copy, n, &sb);
		free(copy);
		if (!mal && !v.trunc_any) {
			fprintf(stderr, "FAIL %s: prefix of %u/%u bytes decoded without a malformation\n"
				"  %s", path, n, v.len, outbuf);
			fails++;
			break;
		}
	}
	if (fails == 0 && !print)
		printf("ok   %s (%u bytes, %u truncations)\n", path, v.len, v.len);
	free(v.bytes);
	free(v.expect);
	return fails ? 1 : 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
main(int argc, char **argv)
{
	bool print = false;
	int i, fails = 0, total = 0;

	for (i = 1; i < argc; i++) {
		DIR *d;
		struct dirent *de;
		char *names[4096];
		int n = 0, k;

		if (strcmp(argv[i], "--print") == 0) {
			print = true;
			continue;
		}
		d = opendir(argv[i]);
		if (d == NULL) {
			/* a single file */
			fails += run_vector(argv[i], print);
			total++;
			continue;
		}
		while ((de = readdir(d)) != NULL && n < 4096) {
			size_t l = strlen(de->d_name);

			if (l > 4 && strcmp(de->d_name + l - 4, ".vec") == 0) {
				names[n] = malloc(strlen(argv[i]) + l + 2);
				sprintf(names[n], "%s/%s", argv[i], de->d_name);
				n++;
			}
		}
		closedir(d);
		qsort(names, (size_t)n, sizeof(names[0]), cmp_str);
		for (k = 0; k < n; k++) {
			fails += run_vector(names[k], print);
			total++;
			free(names[k]);
		}
	}
	if (!print)
		printf("%d vectors, %d failed\n", total, fails);
	if (total == 0) {
		fprintf(stderr, "no vectors found\n");
		return 1;
	}
	return fails ? 1 : 0;
}
