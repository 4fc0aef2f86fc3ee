/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The frames a policy test judges (test_mask, test_keyplan): pcap files and directories of
 * tests/fuzz/corpus/packet inputs (the first byte picks the link type, the rest is the frame:
 * fuzz_packet.c), loaded into frames[0 .. nframes); a judge on an image with given policy
 * flags, and the comparison of two verdicts. Include once per test program.
 */
#ifndef SW_TESTS_POLICY_FRAMES_H
#define SW_TESTS_POLICY_FRAMES_H

#include <dirent.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dataplane/decode/msu.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/policy.h"

#define FRAMES_MAX 400000

struct frame {
	uint8_t *buf;
	uint32_t len;
	uint8_t link; /* enum sw_link */
};

static struct frame *frames;
static size_t nframes;

static int
add_frame(const uint8_t *p, uint32_t len, enum sw_link link)
{
	if (nframes >= FRAMES_MAX)
		return 0;
	frames[nframes].buf = malloc(len + 64);
	if (frames[nframes].buf == NULL)
		return -ENOMEM;
	memset(frames[nframes].buf, 0, len + 64);
	memcpy(frames[nframes].buf, p, len);
	frames[nframes].len = len;
	frames[nframes].link = (uint8_t)link;
	nframes++;
	return 0;
}

static enum sw_link
pcap_link(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: return SW_LINK_ETH;
	case DLT_LINUX_SLL: return SW_LINK_SLL;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2: return SW_LINK_SLL2;
#endif
	default: return SW_LINK_RAW;
	}
}

static int
load_pcap(const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *ph;
	const u_char *data;
	pcap_t *pc = pcap_open_offline(path, err);
	enum sw_link link;
	int rc = 0;

	if (pc == NULL) {
		fprintf(stderr, "%s: %s\n", path, err);
		return -EINVAL;
	}
	link = pcap_link(pcap_datalink(pc));
	while (rc == 0 && pcap_next_ex(pc, &ph, &data) == 1)
		rc = add_frame(data, ph->caplen, link);
	pcap_close(pc);
	return rc;
}

/* fuzz_packet.c's input: the first byte picks the link type. */
static int
load_corpus(const char *dir)
{
	static const enum sw_link links[4] = { SW_LINK_ETH, SW_LINK_RAW, SW_LINK_SLL, SW_LINK_SLL2 };
	uint8_t buf[65536];
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL)
		return -errno;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		char path[4096];
		FILE *f;
		size_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		if (n < 2)
			continue;
		rc = add_frame(buf + 1, (uint32_t)(n - 1), links[buf[0] % 4]);
	}
	closedir(d);
	return rc;
}

/* Every INPUT argument from argv[argi] on (a pcap file or a corpus directory) into frames; 0, or
 * 1 after a message naming prog. */
static int
load_inputs(const char *prog, int argc, char **argv, int argi)
{
	frames = calloc(FRAMES_MAX, sizeof(*frames));
	if (frames == NULL)
		return 1;
	for (; argi < argc; argi++) {
		struct stat st;
		size_t before = nframes;
		int rc;

		if (stat(argv[argi], &st) != 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, argv[argi], strerror(errno));
			return 1;
		}
		rc = S_ISDIR(st.st_mode) ? load_corpus(argv[argi]) : load_pcap(argv[argi]);
		if (rc != 0 || nframes == before) {
			fprintf(stderr, "%s: %s: no frames (%s)\n", prog, argv[argi], strerror(-rc));
			return 1;
		}
		printf("input %s: %zu frames\n", argv[argi], nframes - before);
	}
	return 0;
}

/* A judge on an image with the given policy flags. */
struct judge {
	struct sw_policy_ctx *pctx;
	struct sw_judge_ctx j;
};

static int
judge_init(struct judge *jd, const void *image, unsigned flags)
{
	memset(jd, 0, sizeof(*jd));
	if ((jd->pctx = sw_policy_ctx_new()) == NULL)
		return -ENOMEM;
	sw_policy_ctx_set_flags(jd->pctx, flags);
	if (sw_policy_ctx_bind(jd->pctx, image) != 0)
		return -EINVAL;
	jd->j.pctx = jd->pctx;
	jd->j.image = image;
	jd->j.no_image_action = SW_ACTION_DROP;
	jd->j.non_ip_pass = true;
	return 0;
}

static bool
same(const struct sw_judge_verdict *a, const struct sw_judge_verdict *b)
{
	return a->chunk == b->chunk && a->action == b->action && a->monitor == b->monitor &&
	       a->no_image == b->no_image && a->mal == b->mal && a->rule == b->rule &&
	       a->state == b->state;
}

/* Two judgements of one frame differ (class, forward, chunk mask, and per chunk action,
 * monitor, malformation, rule, state). */
static bool
judgements_differ(const struct sw_judgement *a, const struct sw_judgement *b)
{
	bool d = a->cls != b->cls || a->forward != b->forward || a->drop_mask != b->drop_mask ||
		 a->nverdicts != b->nverdicts;

	if (a->cls != SW_JUDGE_CHUNKS)
		d = d || !same(&a->pkt, &b->pkt);
	for (unsigned k = 0; !d && k < a->nverdicts; k++)
		d = !same(&a->v[k], &b->v[k]);
	return d;
}

/* The frames freed and the temporary directory dir removed. */
static void
frames_free(const char *prog, const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "%s: cannot remove %s\n", prog, dir);
	for (size_t i = 0; i < nframes; i++)
		free(frames[i].buf);
	free(frames);
}

#endif /* SW_TESTS_POLICY_FRAMES_H */
