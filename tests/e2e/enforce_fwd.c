/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A tiny inline forwarder for the end-to-end tests: two AF_PACKET sockets (ports A and B),
 * every frame from one goes out the other, and SCTP packets go through sw_enforce_packet()
 * exactly as in the dataplane's workers. The test rule blocks every M3UA DATA chunk whose
 * payload contains the marker (--block, default "BLOCK"), or, with --block-file FILE (mkmix.py
 * lines 'allow|drop HEX'), whose user data is one of the 'drop' messages. Test-only impairments
 * between the peers and the enforcement: --loss (half before, half after enforcement), --dup,
 * --reorder (percent of SCTP packets). Pure C, no DPDK. Counters are printed at exit
 * (SIGTERM/SIGINT).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "enforce.h"

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

#define FRAME_MAX 9216

static volatile sig_atomic_t stop;
static struct sw_enforce *enf;
static int fds[2];
static const char *marker = "BLOCK";
static unsigned loss_pct, dup_pct, reorder_pct;
static bool pass_only; /* --pass: impairments only, no enforcement (in front of the dataplane) */
static struct {
	uint8_t *data;
	uint32_t len;
} * blk;
static unsigned nblk;

static int
load_block_file(const char *path)
{
	FILE *f = fopen(path, "r");
	static char line[16384];
	char verdict[8];
	unsigned cap = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *hex = line + 5;
		size_t hl, i;

		if (sscanf(line, "%7s", verdict) != 1 || strcmp(verdict, "drop") != 0)
			continue;
		hl = strcspn(hex, " \r\n") / 2;
		if (nblk == cap) {
			cap = cap ? 2 * cap : 64;
			blk = realloc(blk, cap * sizeof(*blk));
			if (blk == NULL)
				return -1;
		}
		blk[nblk].data = malloc(hl ? hl : 1);
		blk[nblk].len = (uint32_t)hl;
		for (i = 0; i < hl; i++)
			sscanf(hex + 2 * i, "%2hhx", &blk[nblk].data[i]);
		nblk++;
	}
	fclose(f);
	return 0;
}
static uint64_t n_fwd[2], n_lost, n_dup, n_reord, n_reply;

/* one held-back frame per direction for reordering */
static uint8_t held[2][FRAME_MAX];
static uint32_t held_len[2];

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
open_port(const char *ifname)
{
	struct sockaddr_ll sll;
	struct packet_mreq mr;
	int fd, one = 1;
	unsigned idx = if_nametoindex(ifname);

	if (idx == 0) {
		fprintf(stderr, "enforce_fwd: no interface %s\n", ifname);
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("enforce_fwd: socket");
		return -1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = (int)idx;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("enforce_fwd: bind");
		return -1;
	}
	setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = (int)idx;
	mr.mr_type = PACKET_MR_PROMISC;
	setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr));
	return fd;
}

static void
tx(int port, const uint8_t *b, uint32_t n)
{
	if (send(fds[port], b, n, 0) < 0 && errno != ENOBUFS && errno != EAGAIN)
		perror("enforce_fwd: send");
}

static bool
chance(unsigned pct)
{
	return pct != 0 && (unsigned)(rand() % 1000) < pct * 10;
}

/* Minimal Ethernet/IPv4/SCTP decode into struct sw_pkt (the dataplane uses the decoder). */
static bool
parse(const uint8_t *b, uint32_t n, struct sw_pkt *p)
{
	uint32_t ihl, tot, off;

	memset(p, 0, sizeof(*p));
	p->len = n;
	if (n < 14 + 20 || b[12] != 0x08 || b[13] != 0x00 || (b[14] >> 4) != 4)
		return false;
	ihl = (uint32_t)(b[14] & 0x0f) * 4;
	tot = (uint32_t)b[16] << 8 | b[17];
	if (ihl < 20 || tot < ihl || 14 + tot > n || b[23] != 132)
		return false;
	p->ip_ver = 4;
	p->ip_proto = 132;
	p->ip_frag = (b[20] & 0x3f) != 0 || b[21] != 0;
	p->l3_off = 14;
	p->l4_off = 14 + ihl;
	p->l4_end = 14 + tot;
	if (p->l4_off + 12 > p->l4_end)
		return false;
	p->sctp = true;
	off = p->l4_off + 12;
	while (off + 4 <= p->l4_end && p->nchunks < SW_CHUNKS_MAX) {
		struct sw_chunk *c = &p->chunks[p->nchunks];
		uint16_t clen = (uint16_t)(b[off + 2] << 8 | b[off + 3]);

		c->type = b[off];
		c->flags = b[off + 1];
		c->len = clen;
		c->off = off;
		p->nchunks++;
		if (clen < 4)
			break;
		off += (clen + 3u) & ~3u;
	}
	return true;
}

/* Test rule: DATA/I-DATA chunks whose user data contains the marker. */
static uint64_t
rule_mask(const uint8_t *b, const struct sw_pkt *p)
{
	uint64_t m = 0;
	unsigned i;

	for (i = 0; i < p->nchunks; i++) {
		const struct sw_chunk *c = &p->chunks[i];
		uint32_t hl = c->type == 0 ? 16 : 20;

		if ((c->type != 0 && c->type != 64) || c->len <= hl || c->off + c->len > p->l4_end)
			continue;
		if (blk != NULL) {
			unsigned j;

			for (j = 0; j < nblk; j++)
				if (blk[j].len == c->len - hl &&
				    memcmp(blk[j].data, b + c->off + hl, blk[j].len) == 0)
					m |= 1ull << i;
		} else if (memmem(b + c->off + hl, c->len - hl, marker, strlen(marker)) != NULL) {
			m |= 1ull << i;
		}
	}
	return m;
}

static void
frame(int in, uint8_t *b, uint32_t n)
{
	static uint8_t reply[FRAME_MAX];
	int out = 1 - in;
	struct sw_pkt p;
	uint32_t rlen = 0;

	if (!parse(b, n, &p)) {
		tx(out, b, n); /* ARP and everything else: a wire */
		return;
	}
	if (chance(loss_pct / 2 + (loss_pct & 1))) {
		n_lost++;
		return;
	}
	if (!pass_only)
		n = sw_enforce_packet(enf, b, n, FRAME_MAX, &p, rule_mask(b, &p), (unsigned)in,
				      now_ns(), reply, sizeof(reply), &rlen);
	if (rlen != 0) {
		tx(in, reply, rlen);
		n_reply++;
	}
	if (n == 0)
		return;
	if (chance(loss_pct / 2)) {
		n_lost++;
		return;
	}
	if (held_len[out] == 0 && chance(reorder_pct)) {
		memcpy(held[out], b, n);
		held_len[out] = n;
		n_reord++;
		return;
	}
	tx(out, b, n);
	n_fwd[in]++;
	if (chance(dup_pct)) {
		tx(out, b, n);
		n_dup++;
	}
	if (held_len[out] != 0) {
		tx(out, held[out], held_len[out]);
		held_len[out] = 0;
	}
}

static void
usage(void)
{
	fprintf(stderr,
		"usage: enforce_fwd --a IFACE --b IFACE [--no-repair | --pass] [--block MARK] "
		"[--block-file MIX] [--loss PCT] [--dup PCT] [--reorder PCT] [--seed N]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"a", required_argument, NULL, 'a'},
		{"b", required_argument, NULL, 'b'},
		{"no-repair", no_argument, NULL, 'n'},
		{"pass", no_argument, NULL, 'P'},
		{"block", required_argument, NULL, 'k'},
		{"block-file", required_argument, NULL, 'f'},
		{"loss", required_argument, NULL, 'l'},
		{"dup", required_argument, NULL, 'd'},
		{"reorder", required_argument, NULL, 'r'},
		{"seed", required_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *ifa = NULL, *ifb = NULL;
	static uint8_t buf[FRAME_MAX];
	bool repair = true;
	const uint64_t *ctr;
	int c, i;

	srand(1);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'a':
			ifa = optarg;
			break;
		case 'b':
			ifb = optarg;
			break;
		case 'n':
			repair = false;
			break;
		case 'P':
			pass_only = true;
			break;
		case 'k':
			marker = optarg;
			break;
		case 'f':
			if (load_block_file(optarg) < 0) {
				perror(optarg);
				return 2;
			}
			break;
		case 'l':
			loss_pct = (unsigned)atoi(optarg);
			break;
		case 'd':
			dup_pct = (unsigned)atoi(optarg);
			break;
		case 'r':
			reorder_pct = (unsigned)atoi(optarg);
			break;
		case 's':
			srand((unsigned)atoi(optarg));
			break;
		default:
			usage();
		}
	}
	if (ifa == NULL || ifb == NULL)
		usage();
	enf = sw_enforce_new(1024, repair);
	fds[0] = open_port(ifa);
	fds[1] = open_port(ifb);
	if (enf == NULL || fds[0] < 0 || fds[1] < 0)
		return 2;
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fprintf(stderr, "enforce_fwd: %s <-> %s repair=%d loss=%u%% dup=%u%% reorder=%u%%\n", ifa,
		ifb, repair, loss_pct, dup_pct, reorder_pct);
	while (!stop) {
		struct pollfd pf[2] = {{.fd = fds[0], .events = POLLIN},
				       {.fd = fds[1], .events = POLLIN}};
		int r = poll(pf, 2, 5);

		if (r == 0) {
			/* idle: a held-back frame goes out now (reordering, not loss) */
			for (i = 0; i < 2; i++)
				if (held_len[i] != 0) {
					tx(i, held[i], held_len[i]);
					held_len[i] = 0;
				}
			continue;
		}
		for (i = 0; i < 2; i++) {
			ssize_t n;

			if (!(pf[i].revents & POLLIN))
				continue;
			n = recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0)
				frame(i, buf, (uint32_t)n);
		}
	}
	ctr = sw_enforce_counters(enf);
	printf("FWD a->b=%llu b->a=%llu lost=%llu dup=%llu reordered=%llu replies=%llu\n",
	       (unsigned long long)n_fwd[0], (unsigned long long)n_fwd[1],
	       (unsigned long long)n_lost, (unsigned long long)n_dup, (unsigned long long)n_reord,
	       (unsigned long long)n_reply);
	for (i = 0; i < SW_ENF_CTR_COUNT; i++)
		printf("ENF %s=%llu\n", sw_enf_ctr_name((enum sw_enf_ctr)i),
		       (unsigned long long)ctr[i]);
	fflush(stdout);
	sw_enforce_free(enf);
	return 0;
}
