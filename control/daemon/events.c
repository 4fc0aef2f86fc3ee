/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event drain: the workers' rings -> JSON lines (file, `sigwallctl events`), and dropped
 * messages -> a pcap that Wireshark opens. Lost events are reported as their own JSON line.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "dataplane/decode/decode.h"
#include "dataplane/policy/policy.h"

void
sw_buf_printf(struct sw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->p == NULL ? NULL : b->p + b->len, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->oom = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		size_t ncap = b->cap == 0 ? 4096 : b->cap * 2;

		while (ncap < b->len + (size_t)n + 1)
			ncap *= 2;
		char *np = realloc(b->p, ncap);

		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

void
sw_buf_add(struct sw_buf *b, const void *p, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap == 0 ? 65536 : b->cap;
		char *np;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		np = realloc(b->p, ncap);
		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sw_buf_json_str(struct sw_buf *b, const char *s)
{
	if (s == NULL) {
		sw_buf_printf(b, "null");
		return;
	}
	sw_buf_printf(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			sw_buf_printf(b, "\\%c", ch);
		else if (ch < 0x20)
			sw_buf_printf(b, "\\u%04x", ch);
		else
			sw_buf_printf(b, "%c", ch);
	}
	sw_buf_printf(b, "\"");
}

void
sw_fmt_time(char *out, size_t len, uint64_t real_ns)
{
	time_t s = (time_t)(real_ns / 1000000000ull);
	struct tm tm;
	char date[32];

	gmtime_r(&s, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%06uZ", date, (unsigned)(real_ns % 1000000000ull / 1000));
}

/* IMSI with the subscriber part masked: MCC+MNC and two more digits stay (8), the rest is '*'.
 * Shorter strings keep at most their first half. */
static void
mask_imsi(const char *in, char *out, size_t len)
{
	size_t n = strnlen(in, SW_DIGITS_MAX), keep = n > 8 ? 8 : n / 2;

	if (len == 0)
		return;
	for (size_t i = 0; i < n && i + 1 < len; i++)
		out[i] = i < keep ? in[i] : '*';
	out[n < len ? n : len - 1] = '\0';
}

/* libpcap file format, microsecond timestamps, LINKTYPE_ETHERNET. */
struct pcap_file_hdr {
	uint32_t magic;
	uint16_t major, minor;
	int32_t zone;
	uint32_t sigfigs, snaplen, linktype;
};

struct pcap_rec_hdr {
	uint32_t sec, usec, caplen, len;
};

/* One write per drain: a control killed at any moment leaves whole lines and records. */
static void
write_buf(int fd, struct sw_buf *b)
{
	size_t off = 0;

	while (fd >= 0 && off < b->len) {
		ssize_t n = write(fd, b->p + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	b->len = 0;
	b->oom = false;
}

/* Append to an existing capture after its last complete record (a crash may have cut one). */
static int
pcap_open(struct sw_ctl *c)
{
	struct pcap_file_hdr h = {0xa1b2c3d4, 2, 4, 0, 0, 65535, 1}, old;
	struct pcap_rec_hdr r;
	off_t size, off = sizeof(h);
	int fd = open(c->pcap_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	size = lseek(fd, 0, SEEK_END);
	if (size < (off_t)sizeof(h)) {
		if (ftruncate(fd, 0) < 0 || pwrite(fd, &h, sizeof(h), 0) != sizeof(h))
			goto fail;
		off = sizeof(h);
	} else {
		if (pread(fd, &old, sizeof(old), 0) != sizeof(old) || old.magic != h.magic ||
		    old.linktype != h.linktype) {
			close(fd);
			return -EPROTO;
		}
		while (off + (off_t)sizeof(r) <= size &&
		       pread(fd, &r, sizeof(r), off) == sizeof(r) && r.caplen <= 65535 &&
		       off + (off_t)sizeof(r) + (off_t)r.caplen <= size)
			off += (off_t)sizeof(r) + (off_t)r.caplen;
		if (off != size && ftruncate(fd, off) < 0)
			goto fail;
	}
	if (lseek(fd, off, SEEK_SET) < 0)
		goto fail;
	c->pcap_fd = fd;
	return 0;
fail:
	close(fd);
	return -EIO;
}

int
sw_events_open(struct sw_ctl *c)
{
	int rc;

	c->events_fd = c->pcap_fd = -1;
	c->evbuf = calloc(1, sizeof(*c->evbuf));
	c->pcapbuf = calloc(1, sizeof(*c->pcapbuf));
	if (c->evbuf == NULL || c->pcapbuf == NULL)
		return -ENOMEM;
	if (c->events_path != NULL) {
		off_t size;
		char last;

		c->events_fd = open(c->events_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (c->events_fd < 0)
			return -errno;
		/* A line cut by a crash (a write interrupted by SIGKILL) is removed, so that every
		 * line of the file is a whole JSON object: truncate back to the last newline. */
		size = lseek(c->events_fd, 0, SEEK_END);
		if (size > 0) {
			int rfd = open(c->events_path, O_RDONLY | O_CLOEXEC);
			off_t end = size;

			while (rfd >= 0 && end > 0 && pread(rfd, &last, 1, end - 1) == 1 &&
			       last != '\n')
				end--;
			if (rfd >= 0 && end != size && ftruncate(c->events_fd, end) < 0) {
				/* keep appending; the reader sees one cut line */
			}
			if (rfd >= 0)
				close(rfd);
		}
	}
	if (c->pcap_path != NULL) {
		rc = pcap_open(c);
		if (rc < 0)
			return rc == -EPROTO ? -EPROTO : rc;
	}
	return 0;
}

void
sw_events_close(struct sw_ctl *c)
{
	if (c->events_fd >= 0)
		close(c->events_fd);
	if (c->pcap_fd >= 0)
		close(c->pcap_fd);
	c->events_fd = c->pcap_fd = -1;
	if (c->evbuf != NULL)
		free(c->evbuf->p);
	if (c->pcapbuf != NULL)
		free(c->pcapbuf->p);
	free(c->evbuf);
	free(c->pcapbuf);
	c->evbuf = c->pcapbuf = NULL;
	for (unsigned i = 0; i < 256; i++) {
		free(c->recent[i]);
		c->recent[i] = NULL;
	}
}

static const char *
ev_action_name(uint8_t a)
{
	switch (a) {
	case SW_EV_ACT_ALLOW:
		return "allow";
	case SW_EV_ACT_DROP:
		return "drop";
	case SW_EV_ACT_ALERT:
		return "alert";
	case SW_EV_ACT_RATE_LIMIT:
		return "rate-limit";
	}
	return "unknown";
}

static void
emit(struct sw_ctl *c, struct sw_buf *b, void (*sink)(struct sw_ctl *, const char *))
{
	if (b->oom || b->p == NULL)
		return;
	if (c->events_fd >= 0) {
		sw_buf_add(c->evbuf, b->p, b->len);
		sw_buf_add(c->evbuf, "\n", 1);
	}
	free(c->recent[c->recent_next % 256]);
	c->recent[c->recent_next % 256] = strdup(b->p);
	c->recent_next++;
	if (sink != NULL)
		sink(c, b->p);
	c->events_total++;
}

static void
event_json(struct sw_ctl *c, const struct sw_shm_event *e, struct sw_buf *b)
{
	char t[48], imsi[SW_DIGITS_MAX + 1], cg[SW_DIGITS_MAX + 1], cd[SW_DIGITS_MAX + 1];
	const char *op = e->opcode >= 0 ? sw_map_op_name(e->opcode) : NULL;
	const char *rule = sw_names_find(c, e->generation, e->rule);

	/* The record comes from another process: terminate its strings ourselves. */
	memcpy(cg, e->cgpa, sizeof(cg));
	cg[SW_DIGITS_MAX] = '\0';
	memcpy(cd, e->cdpa, sizeof(cd));
	cd[SW_DIGITS_MAX] = '\0';
	memcpy(imsi, e->imsi, sizeof(imsi));
	imsi[SW_DIGITS_MAX] = '\0';
	mask_imsi(imsi, imsi, sizeof(imsi));
	sw_fmt_time(t, sizeof(t), e->time_ns);
	b->len = 0;
	sw_buf_printf(b, "{\"time\":\"%s\",\"instance\":", t);
	sw_buf_json_str(b, c->instance);
	sw_buf_printf(b, ",\"worker\":%u,\"generation\":%" PRIu64 ",\"event\":\"%s\",\"action\":\"%s\","
		      "\"rule\":", e->worker, e->generation,
		      e->kind == SW_EV_MALFORMED ? "malformed" : "verdict",
		      ev_action_name(e->action));
	if (rule != NULL)
		sw_buf_json_str(b, rule);
	else
		sw_buf_printf(b, "\"#%d\"", e->rule);
	sw_buf_printf(b, ",\"direction\":\"%s\",\"port\":%u,\"opc\":%u,\"dpc\":%u,\"si\":%u,"
		      "\"cgpa\":", e->direction == 0 ? "outside" : "inside", e->port, e->opc,
		      e->dpc, e->si);
	sw_buf_json_str(b, cg);
	sw_buf_printf(b, ",\"cdpa\":");
	sw_buf_json_str(b, cd);
	sw_buf_printf(b, ",\"operation\":");
	sw_buf_json_str(b, op);
	if (e->opcode >= 0)
		sw_buf_printf(b, ",\"opcode\":%d", e->opcode);
	else
		sw_buf_printf(b, ",\"opcode\":null");
	sw_buf_printf(b, ",\"imsi\":");
	sw_buf_json_str(b, imsi[0] != '\0' ? imsi : NULL);
	if (e->mal != 0 && e->mal < SW_MAL_COUNT) {
		sw_buf_printf(b, ",\"malformed\":");
		sw_buf_json_str(b, sw_mal_name((enum sw_mal)e->mal));
	}
	sw_buf_printf(b, ",\"len\":%u}", e->pkt_len);
}

static void
pcap_write(struct sw_ctl *c, const struct sw_shm_event *e)
{
	struct pcap_rec_hdr r;
	uint16_t cap = e->cap_len > SW_SHM_EVENT_SNAP ? SW_SHM_EVENT_SNAP : e->cap_len;

	if (c->pcap_fd < 0 || cap == 0 || e->action != SW_EV_ACT_DROP)
		return;
	r.sec = (uint32_t)(e->time_ns / 1000000000ull);
	r.usec = (uint32_t)(e->time_ns % 1000000000ull / 1000);
	r.caplen = cap;
	r.len = e->pkt_len < cap ? cap : e->pkt_len;
	sw_buf_add(c->pcapbuf, &r, sizeof(r));
	sw_buf_add(c->pcapbuf, e->pkt, cap);
	c->events_dropped_pcap++;
}

unsigned
sw_events_drain(struct sw_ctl *c, void (*sink)(struct sw_ctl *, const char *))
{
	static struct sw_shm_event ev[64];
	struct sw_buf b = {0};
	unsigned total = 0;

	if (c->stats.hdr == NULL)
		return 0;
	for (unsigned w = 0; w < c->stats.geo.max_workers; w++) {
		struct sw_shm_ring *r = sw_shm_ring(&c->stats, w);
		uint64_t lost = atomic_load_explicit(&r->lost, memory_order_relaxed);
		unsigned n, budget = r->size; /* bounded: a busy worker must not starve the loop */

		/* Never silent: a JSON line says how many were lost since the last drain. */
		if (lost != c->lost_seen[w]) {
			char t[48];

			sw_fmt_time(t, sizeof(t), sw_shm_real_ns());
			b.len = 0;
			sw_buf_printf(&b, "{\"time\":\"%s\",\"instance\":", t);
			sw_buf_json_str(&b, c->instance);
			sw_buf_printf(&b, ",\"worker\":%u,\"event\":\"lost\",\"count\":%" PRIu64
				      ",\"lost_total\":%" PRIu64 "}", w,
				      lost - c->lost_seen[w], lost);
			emit(c, &b, sink);
			c->lost_seen[w] = lost;
		}
		while (budget > 0 && (n = sw_shm_events_pop(&c->stats, w, ev, budget < 64 ? budget : 64)) > 0) {
			budget -= n;
			for (unsigned i = 0; i < n; i++) {
				event_json(c, &ev[i], &b);
				emit(c, &b, sink);
				pcap_write(c, &ev[i]);
			}
			total += n;
		}
	}
	write_buf(c->events_fd, c->evbuf);
	write_buf(c->pcap_fd, c->pcapbuf);
	free(b.p);
	return total;
}

char *
sw_events_recent(struct sw_ctl *c)
{
	struct sw_buf b = {0};
	unsigned n = c->recent_next < 256 ? c->recent_next : 256;

	sw_buf_printf(&b, "%s", "");
	for (unsigned i = c->recent_next - n; i != c->recent_next; i++)
		if (c->recent[i % 256] != NULL)
			sw_buf_printf(&b, "%s\n", c->recent[i % 256]);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
