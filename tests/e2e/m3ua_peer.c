/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An M3UA peer on usrsctp (raw IPv4: the kernel's SCTP is not needed) for the end-to-end tests
 * of inline enforcement. Two of them, in two network namespaces, talk through the appliance:
 *   client: ASPUP -> (ASPUP-ACK) -> ASPAC -> (ASPAC-ACK), server answers; then both send
 *   --count M3UA DATA messages spread over --streams ordered streams; every --block-every-th
 *   carries the marker "BLOCK" that the appliance's test rule blocks.
 * Each side checks what it receives: every allowed message of the peer exactly once and in
 * order on its stream, no blocked message, and counts BEATs (the appliance's neutralized
 * messages). At the end it waits until nothing it sent is left unacknowledged, exchanges a DONE
 * message, and the client shuts the association down gracefully. An ABORT or restart
 * (COMM_LOST / RESTART) is a failure; no progress for --stall seconds is reported as STALL.
 *
 * With --mix FILE / --expect FILE (lines 'allow HEX' / 'drop HEX', from mkmix.py: labelled MAP
 * traffic of sigwall-gen) the peer sends the M3UA messages of FILE instead, message i on stream
 * 1 + i % streams, and checks the peer's allowed messages byte for byte, in order per stream.
 * The end of the exchange is an M3UA NTFY (management: every policy passes it).
 *
 * A --mix line 'udtsCC HEX' (CC: a Q.713 3.12 return cause in hex) is a UDT/XUDT with "return
 * message on error" that the node in the middle answers (a proxy's `reject`, or no route: issue
 * 21): the peer expects exactly one UDTS/XUDTS back for it (matched by its data: Q.714 4.2, the
 * service message carries the returned message's data), with that cause, the original called
 * and calling addresses swapped, and the original OPC as its DPC; the RESULT line counts them
 * (udts=N). A service message that matches none of these is an error.
 *
 * Exit: 0 ok, 1 check failed, 2 usage/setup, 3 stall.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <usrsctp.h>

#define PPID_M3UA	    3 /* RFC 4666 1.4.7 */
#define M3UA_CLASS_MGMT	    0 /* RFC 4666 3.1.2 */
#define M3UA_NTFY	    1
#define M3UA_CLASS_TRANSFER 1
#define M3UA_CLASS_ASPSM    3
#define M3UA_CLASS_ASPTM    4
#define M3UA_DATA	    1
#define M3UA_ASPUP	    1
#define M3UA_ASPUP_ACK	    4
#define M3UA_BEAT	    3
#define M3UA_ASPAC	    1
#define M3UA_ASPAC_ACK	    3
#define M3UA_TAG_PROTO_DATA 0x0210 /* RFC 4666 3.3.1 */
#define SCCP_UDT	    0x09 /* Q.713 4.10 */
#define SCCP_UDTS	    0x0a /* Q.713 4.11 */
#define SCCP_XUDT	    0x11 /* Q.713 4.18 */
#define SCCP_XUDTS	    0x12 /* Q.713 4.19 */
#define MAX_STREAMS	    16

static struct {
	bool server;
	const char *local, *remote;
	uint16_t lport, rport;
	unsigned count, streams, block_every, stall_s, timeout_s, pace_us;
	unsigned hold_ms; /* wait after ASP-ACTIVE before sending (through a proxy: issue 21) */
	unsigned block_pct; /* --block-pct: a seeded pseudo-random share of messages blocked */
	unsigned seed;
	bool bundle;	    /* --bundle: Nagle on (no SCTP_NODELAY): several messages a packet */
	unsigned unordered_pct; /* --unordered-pct: seeded share of messages sent unordered */
	unsigned size_min, size_max; /* --sizes MIN-MAX: text messages padded to a seeded size */
	bool gaps;		/* --gaps: seeded bursts of 1-16 messages with pauses between */
	unsigned restart_at;	/* --restart-at K: new association (new INIT) after message K */
	unsigned sack_delay, sack_freq; /* --sack-delay MS, --sack-freq N (RFC 9260 6.2) */
	unsigned maxseg; /* --maxseg N: SCTP_MAXSEG, user messages fragmented (reasm, issue 14) */
	const char *tag; /* "c" or "s": who sent a message */
	const char *mix, *expect;
} opt = {.count = 1000, .streams = 4, .block_every = 10, .stall_s = 8, .timeout_s = 50};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	sctp_assoc_t assoc;
	bool up, lost, restart, shutdown_comp;
	bool aspup, aspup_ack, aspac, aspac_ack;
	bool peer_done;
	unsigned rx_allowed, rx_beats, rx_other;
	unsigned rx_udts; /* service messages for the --mix's 'udtsCC' messages */
	unsigned errors;
	unsigned ups;	       /* COMM_UP notifications */
	bool restarted;	       /* the expected loss of the first association (--restart-at) */
	int next[MAX_STREAMS]; /* next index expected per stream; -1 none yet */
	struct timespec last_progress;
} st;
static struct socket *sock;

/* --mix / --expect messages */
struct msg {
	bool drop;
	bool maybe; /* 'maybe HEX G': a piece of segmented attack G (mkmix.py): it may arrive or be
		     * neutralized, but never every piece of G (the message is never whole) */
	int group;
	int udts; /* 'udtsCC HEX': the return cause of the UDTS expected back, -1 none */
	uint16_t len;
	uint8_t *data;
};
static struct msg *tx_msgs, *rx_msgs;
static unsigned tx_n, rx_n;
static int rx_next[MAX_STREAMS]; /* index into rx_msgs expected next per stream, -1 none */

static int
load_mix(const char *path, struct msg **out, unsigned *n)
{
	FILE *f = fopen(path, "r");
	char line[8192], verdict[8], hex[8000];
	unsigned cap = 0, i;

	if (f == NULL)
		return -1;
	*n = 0;
	*out = NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		struct msg *m;
		size_t hl;

		int group = -1;
		unsigned cause;

		if (sscanf(line, "%7s %7999s %d", verdict, hex, &group) < 2)
			continue;
		hl = strlen(hex) / 2;
		if (*n == cap) {
			cap = cap ? 2 * cap : 256;
			*out = realloc(*out, cap * sizeof(**out));
			if (*out == NULL)
				return -1;
		}
		m = &(*out)[(*n)++];
		m->maybe = strcmp(verdict, "maybe") == 0;
		m->group = m->maybe ? group : -1;
		m->drop = strcmp(verdict, "drop") == 0 || m->maybe;
		m->udts = -1;
		if (strncmp(verdict, "udts", 4) == 0 && sscanf(verdict + 4, "%x", &cause) == 1)
			m->udts = (int)(cause & 0xff);
		m->len = (uint16_t)hl;
		m->data = malloc(hl);
		if (m->data == NULL)
			return -1;
		for (i = 0; i < hl; i++)
			sscanf(hex + 2 * i, "%2hhx", &m->data[i]);
	}
	fclose(f);
	return 0;
}

/* Next allowed message of the peer's mix on stream s after index i (-1: the first). */
static bool unordered_of(unsigned i, bool server_sent);

static int
rx_next_allowed(unsigned s, int i)
{
	unsigned j = i < 0 ? s - 1 : (unsigned)i + opt.streams;

	for (; j < rx_n; j += opt.streams)
		if (!rx_msgs[j].drop && !unordered_of(j, !opt.server))
			return (int)j;
	return -1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "m3ua_peer[%s]: ERROR ", opt.tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	st.errors++;
}

/* A seeded value per message index and purpose: both peers compute the same (splitmix64). */
static uint64_t
mhash(unsigned i, unsigned salt)
{
	uint64_t z = (uint64_t)opt.seed * 0x9e3779b97f4a7c15ull + ((uint64_t)salt << 32) + i + 1;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static bool
blocked(unsigned i)
{
	if (opt.block_pct != 0)
		return mhash(i, 0) % 100 < opt.block_pct;
	return opt.block_every != 0 && i % opt.block_every == opt.block_every - 1;
}

/* Sent unordered (RFC 9260 3.3.1 U bit): delivered exactly once, in any order. The two peers
 * use different salts so each knows which of the other's messages are unordered. */
static bool
unordered_of(unsigned i, bool server_sent)
{
	return opt.unordered_pct != 0 && mhash(i, server_sent ? 2 : 1) % 100 < opt.unordered_pct;
}

static uint8_t *rx_got; /* unordered messages of the peer received (index) */
static uint8_t *udts_got; /* a service message received for tx message i */
static unsigned udts_expect; /* tx messages marked 'udtsCC' */

/* Next index after i (or the first when i < 0) that the sender sends on stream s, allowed. */
static int
next_allowed(unsigned s, int i)
{
	unsigned j = i < 0 ? s - 1 : (unsigned)i + opt.streams;

	for (; j < opt.count; j += opt.streams)
		if (!blocked(j) && !unordered_of(j, !opt.server))
			return (int)j;
	return -1;
}

static unsigned
allowed_total(void)
{
	unsigned i, n = 0;

	for (i = 0; i < opt.count; i++)
		n += !blocked(i);
	return n;
}

static int
send_m3ua_u(uint8_t cls, uint8_t type, uint16_t sid, const char *text, bool unord)
{
	uint8_t m[2100];
	struct sctp_sndinfo si;
	size_t tl = text != NULL ? strlen(text) : 0, plen, len = 8;

	memset(m, 0, sizeof(m));
	m[0] = 1; /* version, RFC 4666 3.1.1 */
	m[2] = cls;
	m[3] = type;
	if (text != NULL) {
		/* Protocol Data: OPC, DPC, SI=3 (SCCP), NI=2, MP=0, SLS, then the user data. */
		plen = 4 + 12 + tl;
		m[8] = M3UA_TAG_PROTO_DATA >> 8;
		m[9] = M3UA_TAG_PROTO_DATA & 0xff;
		m[10] = (uint8_t)(plen >> 8);
		m[11] = (uint8_t)plen;
		m[15] = opt.server ? 2 : 1; /* OPC */
		m[19] = opt.server ? 1 : 2; /* DPC */
		m[20] = 3;
		m[21] = 2;
		m[23] = (uint8_t)sid;
		memcpy(m + 24, text, tl);
		len = 8 + ((plen + 3) & ~(size_t)3);
	} else if (cls == M3UA_CLASS_MGMT && type == M3UA_NTFY) {
		/* Status (RFC 4666 3.8.2): AS state change, AS-ACTIVE */
		static const uint8_t status[8] = {0x00, 0x0d, 0x00, 0x08, 0x00, 0x01, 0x00, 0x03};

		memcpy(m + 8, status, sizeof(status));
		len = 16;
	}
	m[4] = (uint8_t)(len >> 24);
	m[5] = (uint8_t)(len >> 16);
	m[6] = (uint8_t)(len >> 8);
	m[7] = (uint8_t)len;
	memset(&si, 0, sizeof(si));
	si.snd_sid = sid;
	si.snd_ppid = htonl(PPID_M3UA);
	si.snd_assoc_id = st.assoc;
	if (unord)
		si.snd_flags |= SCTP_UNORDERED;
	for (;;) {
		ssize_t r = usrsctp_sendv(sock, m, len, NULL, 0, &si, sizeof(si),
					  SCTP_SENDV_SNDINFO, 0);

		if (r >= 0)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
			fail("send: %s", strerror(errno));
			return -1;
		}
		usleep(1000);
	}
}

static int
send_m3ua(uint8_t cls, uint8_t type, uint16_t sid, const char *text)
{
	return send_m3ua_u(cls, type, sid, text, false);
}

static int
send_raw(const uint8_t *m, size_t len, uint16_t sid, bool unord)
{
	struct sctp_sndinfo si;

	memset(&si, 0, sizeof(si));
	si.snd_sid = sid;
	si.snd_ppid = htonl(PPID_M3UA);
	si.snd_assoc_id = st.assoc;
	if (unord)
		si.snd_flags |= SCTP_UNORDERED;
	for (;;) {
		if (usrsctp_sendv(sock, m, len, NULL, 0, &si, sizeof(si), SCTP_SENDV_SNDINFO, 0) >=
		    0)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
			fail("send: %s", strerror(errno));
			return -1;
		}
		usleep(1000);
	}
}

/* A transfer message of the --expect mix: the next allowed one of its stream, byte for byte. */
static void
on_mix_data(const uint8_t *m, size_t n, uint16_t sid)
{
	int want;
	unsigned j;

	if (sid == 0 || sid > opt.streams) {
		fail("DATA on stream %u", sid);
		return;
	}
	want = rx_next[sid];
	for (j = sid - 1; j < rx_n; j += opt.streams) {
		if (!unordered_of(j, !opt.server) || rx_msgs[j].drop || rx_got[j] ||
		    rx_msgs[j].len != n || memcmp(rx_msgs[j].data, m, n) != 0)
			continue;
		rx_got[j] = 1;
		st.rx_allowed++;
		clock_gettime(CLOCK_MONOTONIC, &st.last_progress);
		return;
	}
	if (want >= 0 && rx_msgs[want].len == n && memcmp(rx_msgs[want].data, m, n) == 0) {
		rx_next[sid] = rx_next_allowed(sid, want);
		st.rx_allowed++;
		clock_gettime(CLOCK_MONOTONIC, &st.last_progress);
		return;
	}
	for (j = 0; j < rx_n; j++) {
		if (rx_msgs[j].len == n && memcmp(rx_msgs[j].data, m, n) == 0) {
			if (rx_msgs[j].maybe) {
				st.rx_other++; /* a piece of a segmented message that passed */
				rx_got[j] = 1;
				return;
			}
			if (rx_msgs[j].drop)
				fail("blocked message %u arrived on stream %u", j, sid);
			else
				fail("stream %u: got message %u, expected %d (duplicate, loss or "
				     "reorder)",
				     sid, j, want);
			return;
		}
	}
	fail("stream %u: unknown message of %zu bytes", sid, n);
}

/* The user data of an M3UA DATA's Protocol Data (RFC 4666 3.3.1), and its OPC and DPC. */
static bool
proto_data(const uint8_t *m, size_t n, const uint8_t **ud, size_t *udl, uint32_t *opc,
	   uint32_t *dpc)
{
	size_t at = 8;

	while (at + 4 <= n) {
		size_t tag = (size_t)m[at] << 8 | m[at + 1];
		size_t pl = (size_t)m[at + 2] << 8 | m[at + 3];

		if (pl < 4 || at + pl > n)
			return false;
		if (tag == M3UA_TAG_PROTO_DATA && pl >= 16) {
			*opc = (uint32_t)m[at + 4] << 24 | (uint32_t)m[at + 5] << 16 |
			       (uint32_t)m[at + 6] << 8 | m[at + 7];
			*dpc = (uint32_t)m[at + 8] << 24 | (uint32_t)m[at + 9] << 16 |
			       (uint32_t)m[at + 10] << 8 | m[at + 11];
			*ud = m + at + 16;
			*udl = pl - 16;
			return true;
		}
		at += (pl + 3) & ~(size_t)3;
	}
	return false;
}

/* SCCP connectionless message's called, calling address and data (Q.713 4.10 UDT, 4.11 UDTS:
 * type, class/cause, 3 pointers; 4.18 XUDT, 4.19 XUDTS: type, class/cause, hop counter, 4
 * pointers; a pointer counts from its own octet, a parameter starts with its length). */
struct sccp_cl {
	uint8_t type, second; /* message type; protocol class or return cause */
	const uint8_t *p[3];  /* cdpa, cgpa, data: length octet, then the value */
};

static bool
sccp_cl_parse(const uint8_t *s, size_t n, struct sccp_cl *c)
{
	size_t ptr;

	if (n < 2)
		return false;
	c->type = s[0];
	c->second = s[1];
	if (s[0] == SCCP_UDT || s[0] == SCCP_UDTS)
		ptr = 2;
	else if (s[0] == SCCP_XUDT || s[0] == SCCP_XUDTS)
		ptr = 3;
	else
		return false;
	for (unsigned k = 0; k < 3; k++) {
		size_t at = ptr + k, v;

		if (at >= n || s[at] == 0)
			return false;
		v = at + s[at];
		if (v >= n || s[v] > n - v - 1)
			return false;
		c->p[k] = s + v;
	}
	return true;
}

static bool
same_param(const uint8_t *a, const uint8_t *b)
{
	return a[0] == b[0] && memcmp(a + 1, b + 1, a[0]) == 0;
}

/* A UDTS/XUDTS: the answer to exactly one of our 'udtsCC' messages (see the top). */
static void
on_udts(const uint8_t *ud, size_t udl, uint32_t dpc)
{
	struct sccp_cl a, o;

	if (!sccp_cl_parse(ud, udl, &a)) {
		fail("unparsable service message (%zu bytes)", udl);
		return;
	}
	for (unsigned i = 0; i < tx_n; i++) {
		const uint8_t *oud;
		size_t oudl;
		uint32_t oopc, odpc;

		if (!proto_data(tx_msgs[i].data, tx_msgs[i].len, &oud, &oudl, &oopc, &odpc) ||
		    !sccp_cl_parse(oud, oudl, &o) || !same_param(a.p[2], o.p[2]))
			continue;
		if (tx_msgs[i].udts < 0) {
			fail("service message (cause %u) for message %u, which expected none",
			     a.second, i);
		} else if (udts_got[i]) {
			fail("second service message for message %u", i);
		} else if (a.second != tx_msgs[i].udts) {
			fail("message %u: return cause %u, want %d", i, a.second, tx_msgs[i].udts);
		} else if (!same_param(a.p[0], o.p[1]) || !same_param(a.p[1], o.p[0])) {
			fail("message %u: the service message's addresses are not the original's "
			     "calling and called swapped (Q.714 4.2)", i);
		} else if (dpc != oopc) {
			fail("message %u: service message to DPC %u, not the caller's %u", i, dpc,
			     oopc);
		} else {
			udts_got[i] = 1;
			st.rx_udts++;
			clock_gettime(CLOCK_MONOTONIC, &st.last_progress);
		}
		return;
	}
	fail("service message (cause %u) for none of our messages", a.second);
}

static void
on_data(const uint8_t *m, size_t n, uint16_t sid)
{
	char text[2048];
	char who[4], verdict[8];
	unsigned s, idx;
	size_t tl;

	if (n < 8 || m[0] != 1) {
		fail("bad M3UA message (%zu bytes)", n);
		return;
	}
	if (m[2] == M3UA_CLASS_MGMT && m[3] == M3UA_NTFY) {
		st.peer_done = true; /* the peer's end of the exchange */
		return;
	}
	if (m[2] == M3UA_CLASS_ASPSM && m[3] == M3UA_BEAT) {
		st.rx_beats++; /* a message the appliance neutralized */
		return;
	}
	if (m[2] == M3UA_CLASS_ASPSM && m[3] == M3UA_ASPUP && opt.server) {
		st.aspup = true;
		return;
	}
	if (m[2] == M3UA_CLASS_ASPSM && m[3] == M3UA_ASPUP_ACK) {
		st.aspup_ack = true;
		return;
	}
	if (m[2] == M3UA_CLASS_ASPTM && m[3] == M3UA_ASPAC && opt.server) {
		st.aspac = true;
		return;
	}
	if (m[2] == M3UA_CLASS_ASPTM && m[3] == M3UA_ASPAC_ACK) {
		st.aspac_ack = true;
		return;
	}
	if (m[2] != M3UA_CLASS_TRANSFER || m[3] != M3UA_DATA || n < 24) {
		st.rx_other++;
		return;
	}
	if (udts_expect != 0) {
		const uint8_t *ud;
		size_t udl;
		uint32_t opc, dpc;

		if (proto_data(m, n, &ud, &udl, &opc, &dpc) && udl != 0 &&
		    (ud[0] == SCCP_UDTS || ud[0] == SCCP_XUDTS)) {
			on_udts(ud, udl, dpc);
			return;
		}
	}
	if (opt.expect != NULL) {
		on_mix_data(m, n, sid);
		return;
	}
	tl = n - 24 < sizeof(text) - 1 ? n - 24 : sizeof(text) - 1;
	memcpy(text, m + 24, tl);
	text[tl] = '\0';
	if (sscanf(text, "SWE2E %3s %u %u %7s", who, &s, &idx, verdict) != 4) {
		fail("unparsable DATA '%s'", text);
		return;
	}
	if (strcmp(verdict, "BLOCK") == 0) {
		fail("blocked message %u arrived", idx);
		return;
	}
	if (s != sid || s == 0 || s > opt.streams || idx >= opt.count) {
		fail("message %u on stream %u, says stream %u", idx, sid, s);
		return;
	}
	if (unordered_of(idx, !opt.server)) {
		if (rx_got[idx]) {
			fail("unordered message %u arrived twice", idx);
			return;
		}
		rx_got[idx] = 1;
		st.rx_allowed++;
		clock_gettime(CLOCK_MONOTONIC, &st.last_progress);
		return;
	}
	if (st.next[s] != (int)idx) {
		fail("stream %u: got %u, expected %d (duplicate, loss or reorder)", s, idx,
		     st.next[s]);
		return;
	}
	st.next[s] = next_allowed(s, (int)idx);
	st.rx_allowed++;
	clock_gettime(CLOCK_MONOTONIC, &st.last_progress);
}

static int
receive_cb(struct socket *so, union sctp_sockstore addr, void *data, size_t datalen,
	   struct sctp_rcvinfo rcv, int flags, void *ulp_info)
{
	(void)so;
	(void)addr;
	(void)ulp_info;
	if (data == NULL)
		return 1;
	pthread_mutex_lock(&mu);
	if (flags & MSG_NOTIFICATION) {
		const union sctp_notification *nt = data;

		if (nt->sn_header.sn_type == SCTP_ASSOC_CHANGE) {
			const struct sctp_assoc_change *ac = &nt->sn_assoc_change;

			switch (ac->sac_state) {
			case SCTP_COMM_UP:
				st.assoc = ac->sac_assoc_id;
				st.up = true;
				st.ups++;
				break;
			case SCTP_COMM_LOST:
			case SCTP_CANT_STR_ASSOC:
				/* --restart-at: the first association is torn down on purpose */
				if (opt.restart_at != 0 && !st.restarted && st.ups == 1) {
					st.restarted = true;
					st.up = false;
					st.aspup = st.aspac = false;
					break;
				}
				st.lost = true;
				break;
			case SCTP_RESTART:
				if (opt.restart_at != 0 && !st.restarted) {
					/* the peer came back with a new INIT (RFC 9260 5.2.4) */
					st.restarted = true;
					st.assoc = ac->sac_assoc_id;
					st.aspup = st.aspac = false;
					st.ups++;
					break;
				}
				st.restart = true;
				break;
			case SCTP_SHUTDOWN_COMP:
				st.shutdown_comp = true;
				break;
			default:
				break;
			}
		}
	} else if (ntohl(rcv.rcv_ppid) == PPID_M3UA) {
		on_data(data, datalen, rcv.rcv_sid);
	} else {
		st.rx_other++;
	}
	pthread_mutex_unlock(&mu);
	free(data);
	return 1;
}

/* Unacknowledged + pending DATA of the association, -1 on error. */
static int
outstanding(void)
{
	struct sctp_status ss;
	socklen_t l = sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	ss.sstat_assoc_id = st.assoc;
	if (usrsctp_getsockopt(sock, IPPROTO_SCTP, SCTP_STATUS, &ss, &l) < 0)
		return -1;
	return ss.sstat_unackdata + ss.sstat_penddata;
}

/* Wait for cond (checked under the lock) or a failure; false on timeout or loss. */
static bool
wait_for(bool *cond, double secs)
{
	double end = now_s() + secs;

	while (now_s() < end) {
		bool ok, bad;

		pthread_mutex_lock(&mu);
		ok = *cond;
		bad = st.lost || st.restart;
		pthread_mutex_unlock(&mu);
		if (ok)
			return true;
		if (bad)
			return false;
		usleep(2000);
	}
	return false;
}

static int
setup(void)
{
	struct sockaddr_in la, ra;
	struct sctp_event ev;
	struct sctp_initmsg im;
	struct sctp_rtoinfo rto;
	const uint16_t events[] = {SCTP_ASSOC_CHANGE};
	int on = 1;
	unsigned i;

	static bool inited;

	if (!inited) {
		usrsctp_init(0, NULL, NULL); /* port 0: SCTP over raw IPv4, no UDP encapsulation */
		usrsctp_sysctl_set_sctp_asconf_enable(0);
		usrsctp_sysctl_set_sctp_auto_asconf(0);
		usrsctp_sysctl_set_sctp_heartbeat_interval_default(1000);
		inited = true;
	}
	sock = usrsctp_socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP, receive_cb, NULL, 0, NULL);
	if (sock == NULL) {
		fprintf(stderr, "m3ua_peer: usrsctp_socket: %s\n", strerror(errno));
		return -1;
	}
	usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on));
	if (!opt.bundle)
		usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on));
	memset(&ev, 0, sizeof(ev));
	ev.se_assoc_id = SCTP_FUTURE_ASSOC;
	ev.se_on = 1;
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		ev.se_type = events[i];
		usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev));
	}
	memset(&im, 0, sizeof(im));
	im.sinit_num_ostreams = (uint16_t)(opt.streams + 1);
	im.sinit_max_instreams = (uint16_t)(opt.streams + 1);
	usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im));
	/* Short timers: a test must see retransmissions within seconds. */
	memset(&rto, 0, sizeof(rto));
	rto.srto_initial = 200;
	rto.srto_min = 100;
	rto.srto_max = 1000;
	usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_RTOINFO, &rto, sizeof(rto));
	if (opt.sack_delay != 0 || opt.sack_freq != 0) {
		struct sctp_sack_info si;

		memset(&si, 0, sizeof(si));
		si.sack_assoc_id = SCTP_FUTURE_ASSOC;
		si.sack_delay = opt.sack_delay ? opt.sack_delay : 200;
		si.sack_freq = opt.sack_freq ? opt.sack_freq : 2;
		usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_DELAYED_SACK, &si, sizeof(si));
	}

	if (opt.maxseg != 0) { /* RFC 6458 8.1.16: DATA chunks of at most this many octets */
		struct sctp_assoc_value av = { .assoc_id = SCTP_FUTURE_ASSOC,
					       .assoc_value = opt.maxseg };

		usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_MAXSEG, &av, sizeof(av));
	}
	memset(&la, 0, sizeof(la));
	la.sin_family = AF_INET;
	la.sin_port = htons(opt.lport);
	if (inet_pton(AF_INET, opt.local, &la.sin_addr) != 1)
		return -1;
	usrsctp_setsockopt(sock, IPPROTO_SCTP, SCTP_REUSE_PORT, &on, sizeof(on));
	if (usrsctp_bind(sock, (struct sockaddr *)&la, sizeof(la)) < 0) {
		fprintf(stderr, "m3ua_peer: bind: %s\n", strerror(errno));
		return -1;
	}
	if (opt.server) {
		if (usrsctp_listen(sock, 1) < 0)
			return -1;
		/* Harnesses start the client after this line: an INIT that reaches a stack with no
		 * listener yet is answered with an ABORT (RFC 9260 8.4), and the client gives up. */
		printf("LISTENING %s:%u\n", opt.local, opt.lport);
		fflush(stdout);
		return 0;
	}
	memset(&ra, 0, sizeof(ra));
	ra.sin_family = AF_INET;
	ra.sin_port = htons(opt.rport);
	if (inet_pton(AF_INET, opt.remote, &ra.sin_addr) != 1)
		return -1;
	if (usrsctp_connect(sock, (struct sockaddr *)&ra, sizeof(ra)) < 0 && errno != EINPROGRESS) {
		fprintf(stderr, "m3ua_peer: connect: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* M3UA ASP state maintenance, RFC 4666 4.3.4: ASPUP, ASPAC, both acknowledged. */
static bool
asp_up(void)
{
	if (!wait_for(&st.up, 10))
		return false;
	if (opt.server)
		return wait_for(&st.aspup, 10) && send_m3ua(3, M3UA_ASPUP_ACK, 0, NULL) == 0 &&
		       wait_for(&st.aspac, 10) && send_m3ua(4, M3UA_ASPAC_ACK, 0, NULL) == 0;
	return send_m3ua(3, M3UA_ASPUP, 0, NULL) == 0 && wait_for(&st.aspup_ack, 10) &&
	       send_m3ua(4, M3UA_ASPAC, 0, NULL) == 0 && wait_for(&st.aspac_ack, 10);
}

/* Until everything sent is acknowledged (false after secs). */
static bool
drain(double secs)
{
	double end = now_s() + secs;

	while (now_s() < end) {
		if (outstanding() == 0)
			return true;
		usleep(5000);
	}
	return false;
}

/*
 * --restart-at: the client drops its association without a SHUTDOWN (SO_LINGER 0: an ABORT,
 * which the impairments may lose) and connects again from the same port: a new INIT in the
 * middle of the exchange, with new tags. The server sees COMM_LOST then COMM_UP, or, when the
 * ABORT was lost, a RESTART (RFC 9260 5.2.4). Both peers then run the ASP handshake again.
 */
static bool
client_restart(void)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	if (!drain(20)) {
		fail("not drained before the restart");
		return false;
	}
	usleep(300 * 1000); /* the peer's last SACKs */
	pthread_mutex_lock(&mu);
	st.up = false;
	st.aspup_ack = st.aspac_ack = false;
	st.restarted = true;
	pthread_mutex_unlock(&mu);
	usrsctp_setsockopt(sock, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	usrsctp_close(sock);
	if (setup() < 0) {
		fail("restart: new association not set up");
		return false;
	}
	return asp_up();
}

static void
usage(void)
{
	fprintf(stderr, "usage: m3ua_peer --server|--client --local IP --remote IP --lport P "
			"--rport P [--count N] [--streams S] [--block-every K] [--stall S] "
			"[--timeout S] [--mix FILE --expect FILE] [--pace USEC] [--block-pct P "
			"--seed N] [--bundle] [--unordered-pct P] [--sizes MIN-MAX] [--gaps] "
			"[--restart-at K] [--sack-delay MS] [--sack-freq N] [--hold MS]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"server", no_argument, NULL, 'S'},
		{"client", no_argument, NULL, 'C'},
		{"local", required_argument, NULL, 'l'},
		{"remote", required_argument, NULL, 'r'},
		{"lport", required_argument, NULL, 'p'},
		{"rport", required_argument, NULL, 'q'},
		{"count", required_argument, NULL, 'n'},
		{"streams", required_argument, NULL, 's'},
		{"block-every", required_argument, NULL, 'b'},
		{"stall", required_argument, NULL, 't'},
		{"timeout", required_argument, NULL, 'T'},
		{"mix", required_argument, NULL, 'm'},
		{"expect", required_argument, NULL, 'e'},
		{"pace", required_argument, NULL, 'P'},
		{"block-pct", required_argument, NULL, 'B'},
		{"seed", required_argument, NULL, 'x'},
		{"bundle", no_argument, NULL, 'U'},
		{"unordered-pct", required_argument, NULL, 'O'},
		{"sizes", required_argument, NULL, 'Z'},
		{"gaps", no_argument, NULL, 'G'},
		{"restart-at", required_argument, NULL, 'R'},
		{"sack-delay", required_argument, NULL, 'D'},
		{"sack-freq", required_argument, NULL, 'F'},
		{"maxseg", required_argument, NULL, 'K'}, /* reasm: tests/e2e/frag_e2e.sh */
		{"hold", required_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	bool role = false, ok, stall = false;
	unsigned i, expect, s;
	double start, t_end;
	int c, out = -1;
	static char text[2048];

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'S':
			opt.server = true;
			role = true;
			break;
		case 'C':
			opt.server = false;
			role = true;
			break;
		case 'l':
			opt.local = optarg;
			break;
		case 'r':
			opt.remote = optarg;
			break;
		case 'p':
			opt.lport = (uint16_t)atoi(optarg);
			break;
		case 'q':
			opt.rport = (uint16_t)atoi(optarg);
			break;
		case 'n':
			opt.count = (unsigned)atoi(optarg);
			break;
		case 's':
			opt.streams = (unsigned)atoi(optarg);
			break;
		case 'b':
			opt.block_every = (unsigned)atoi(optarg);
			break;
		case 't':
			opt.stall_s = (unsigned)atoi(optarg);
			break;
		case 'T':
			opt.timeout_s = (unsigned)atoi(optarg);
			break;
		case 'm':
			opt.mix = optarg;
			break;
		case 'e':
			opt.expect = optarg;
			break;
		case 'H':
			opt.hold_ms = (unsigned)atoi(optarg);
			break;
		case 'P':
			opt.pace_us = (unsigned)atoi(optarg);
			break;
		case 'B':
			opt.block_pct = (unsigned)atoi(optarg);
			break;
		case 'x':
			opt.seed = (unsigned)atoi(optarg);
			break;
		case 'U':
			opt.bundle = true;
			break;
		case 'O':
			opt.unordered_pct = (unsigned)atoi(optarg);
			break;
		case 'Z':
			if (sscanf(optarg, "%u-%u", &opt.size_min, &opt.size_max) != 2 ||
			    opt.size_max < opt.size_min || opt.size_max > 2000)
				usage();
			break;
		case 'G':
			opt.gaps = true;
			break;
		case 'R':
			opt.restart_at = (unsigned)atoi(optarg);
			break;
		case 'D':
			opt.sack_delay = (unsigned)atoi(optarg);
			break;
		case 'F':
			opt.sack_freq = (unsigned)atoi(optarg);
			break;
		case 'K':
			opt.maxseg = (unsigned)atoi(optarg);
			break;
		default:
			usage();
		}
	}
	if (!role || opt.local == NULL || (!opt.server && opt.remote == NULL) || opt.lport == 0 ||
	    opt.streams == 0 || opt.streams >= MAX_STREAMS)
		usage();
	opt.tag = opt.server ? "s" : "c";
	if ((opt.mix == NULL) != (opt.expect == NULL))
		usage();
	if (opt.mix != NULL) {
		if (load_mix(opt.mix, &tx_msgs, &tx_n) < 0 ||
		    load_mix(opt.expect, &rx_msgs, &rx_n) < 0) {
			fprintf(stderr, "m3ua_peer: cannot read %s / %s\n", opt.mix, opt.expect);
			return 2;
		}
		opt.count = tx_n;
	}
	/* --restart-at beyond the client's last message: no restart (both peers agree) */
	if (opt.restart_at >= (opt.server && opt.expect != NULL ? rx_n : opt.count))
		opt.restart_at = 0;
	rx_got = calloc((opt.count > rx_n ? opt.count : rx_n) + 1, 1);
	udts_got = calloc(tx_n + 1, 1);
	if (rx_got == NULL || udts_got == NULL)
		return 2;
	for (i = 0; i < tx_n; i++)
		udts_expect += tx_msgs[i].udts >= 0;
	for (s = 0; s < MAX_STREAMS; s++) {
		st.next[s] = s >= 1 && s <= opt.streams ? next_allowed(s, -1) : -1;
		rx_next[s] = s >= 1 && s <= opt.streams ? rx_next_allowed(s, -1) : -1;
	}
	expect = allowed_total();
	if (opt.expect != NULL) {
		expect = 0;
		for (i = 0; i < rx_n; i++)
			expect += !rx_msgs[i].drop;
	}
	start = now_s();
	t_end = start + opt.timeout_s;
	if (setup() < 0)
		return 2;

	if (!wait_for(&st.up, 10)) {
		fprintf(stderr, "m3ua_peer[%s]: association not up\n", opt.tag);
		return 1;
	}
	ok = asp_up();
	if (ok && opt.server && opt.restart_at != 0) {
		/* the server sends on the second association only: wait for the restart */
		double end = now_s() + 30;
		bool again = false;

		while (!again && now_s() < end) {
			pthread_mutex_lock(&mu);
			again = st.restarted && st.up && st.lost == false;
			pthread_mutex_unlock(&mu);
			if (!again)
				usleep(2000);
		}
		ok = again && asp_up();
	}
	if (!ok) {
		fprintf(stderr, "m3ua_peer[%s]: ASP not active\n", opt.tag);
		return 1;
	}
	if (opt.hold_ms != 0)
		usleep(opt.hold_ms * 1000); /* a proxy's other association may still be up-coming */
	clock_gettime(CLOCK_MONOTONIC, &st.last_progress);

	for (i = 0; i < opt.count; i++) {
		bool unord = unordered_of(i, opt.server);

		s = 1 + i % opt.streams;
		if (!opt.server && opt.restart_at != 0 && i == opt.restart_at &&
		    !client_restart())
			break;
		if (opt.gaps && mhash(i, 4) % 8 == 0)
			usleep((useconds_t)(2000 + mhash(i, 5) % 18000)); /* a gap between bursts */
		else if (opt.pace_us != 0)
			usleep(opt.pace_us); /* stretch the exchange (live reloads meanwhile) */
		if (opt.mix != NULL) {
			if (send_raw(tx_msgs[i].data, tx_msgs[i].len, (uint16_t)s, unord) < 0)
				break;
			continue;
		}
		snprintf(text, sizeof(text), "SWE2E %s %u %u %s ", opt.tag, s, i,
			 blocked(i) ? "BLOCK" : "PASS");
		if (opt.size_max != 0) {
			size_t want = opt.size_min + mhash(i, 3) % (opt.size_max - opt.size_min + 1);
			size_t tl = strlen(text);

			if (want > sizeof(text) - 1)
				want = sizeof(text) - 1;
			if (want > tl) {
				memset(text + tl, 'x', want - tl);
				text[want] = '\0';
			}
		}
		if (send_m3ua_u(M3UA_CLASS_TRANSFER, M3UA_DATA, (uint16_t)s, text, unord) < 0)
			break;
	}

	/* Everything sent must be acknowledged, everything allowed from the peer received. */
	for (;;) {
		bool done_rx, bad;
		struct timespec lp;
		double idle;

		out = outstanding();
		pthread_mutex_lock(&mu);
		done_rx = st.rx_allowed == expect && st.rx_udts == udts_expect;
		bad = st.lost || st.restart;
		lp = st.last_progress;
		pthread_mutex_unlock(&mu);
		if (bad)
			break;
		if (done_rx && out == 0)
			break;
		idle = now_s() - ((double)lp.tv_sec + lp.tv_nsec / 1e9);
		if ((!done_rx && idle > opt.stall_s) || (done_rx && now_s() > t_end) ||
		    now_s() > t_end) {
			stall = true;
			break;
		}
		usleep(5000);
	}
	if (!stall && !st.lost && !st.restart) {
		send_m3ua(M3UA_CLASS_MGMT, M3UA_NTFY, 0, NULL); /* our end of the exchange */
		if (!wait_for(&st.peer_done, 10))
			fail("no DONE from the peer");
		/* The DONE itself must be acknowledged; once the association has shut down
		 * gracefully (RFC 4960 9.2: only after all data was acknowledged) the status is
		 * gone, which counts as nothing outstanding. */
		for (i = 0; i < 500; i++) {
			out = outstanding();
			if (out == 0 || (out < 0 && st.shutdown_comp))
				break;
			usleep(10000);
		}
		if (out < 0 && st.shutdown_comp)
			out = 0;
		if (out != 0)
			fail("%d messages still outstanding at the end", out);
		if (!opt.server) {
			struct sctp_sndinfo si;

			/* RFC 4960 9.2 graceful shutdown of the association */
			memset(&si, 0, sizeof(si));
			si.snd_flags = SCTP_EOF;
			si.snd_assoc_id = st.assoc;
			if (usrsctp_sendv(sock, text, 0, NULL, 0, &si, sizeof(si),
					  SCTP_SENDV_SNDINFO, 0) < 0)
				fail("shutdown: %s", strerror(errno));
		}
		if (!wait_for(&st.shutdown_comp, 5))
			fail("no graceful SHUTDOWN-COMPLETE");
		/* Stay a little: if our SHUTDOWN-COMPLETE is lost, the peer retransmits its
		 * SHUTDOWN-ACK and our stack must still be there to answer it (RFC 4960 8.4). */
		if (!opt.server)
			usleep(2500 * 1000);
	}
	pthread_mutex_lock(&mu);
	if (st.lost)
		fail("association aborted (COMM_LOST)");
	if (st.restart)
		fail("association restarted");
	if (st.rx_allowed != expect && !stall)
		fail("received %u of %u allowed messages", st.rx_allowed, expect);
	if (st.rx_udts != udts_expect)
		fail("received %u of %u service messages (UDTS)", st.rx_udts, udts_expect);
	/* a segmented attack: the appliance drops the piece that completes it, whichever that is
	 * (reordering decides), so the receiver must never hold every piece of one (issue 14) */
	for (unsigned j = 0; opt.expect != NULL && j < rx_n; j++) {
		unsigned k, have = 0, all = 0;

		if (!rx_msgs[j].maybe || rx_msgs[j].group < 0)
			continue;
		for (k = j; k < rx_n; k++)
			if (rx_msgs[k].maybe && rx_msgs[k].group == rx_msgs[j].group) {
				all++;
				have += rx_got[k];
				if (k > j)
					rx_msgs[k].group = -1; /* judged with j */
			}
		if (all > 1 && have == all)
			fail("every piece (%u) of segmented attack %d arrived", all, rx_msgs[j].group);
	}
	printf("RESULT role=%s sent=%u expect=%u received=%u beats=%u other=%u outstanding=%d "
	       "lost=%d restart=%d stall=%d errors=%u time=%.1fs udts=%u\n",
	       opt.server ? "server" : "client", opt.count, expect, st.rx_allowed, st.rx_beats,
	       st.rx_other, out, st.lost, st.restart, stall, st.errors, now_s() - start,
	       st.rx_udts);
	fflush(stdout);
	c = st.errors != 0 || st.lost || st.restart ? 1 : stall ? 3 : 0;
	pthread_mutex_unlock(&mu);
	usrsctp_close(sock);
	/* usrsctp_finish() waits for every association to be freed; the exit is enough. */
	return c;
}
