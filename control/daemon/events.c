/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event pipeline: the workers' rings -> JSON lines (file, RFC 5424 syslog, `sigwallctl events`)
 * and dropped messages -> a pcap that Wireshark opens.
 *
 * - Drop and alert records become one line each (evjson.c). Malformed records are folded into
 *   one line per reason per second whose count comes from the workers' counters (exact even
 *   when records were lost), with the first record of the second as a sample; the workers keep
 *   a share of each ring free of malformed records (shm.h), so a flood of malformed packets
 *   never pushes out a drop.
 * - Records lost in a ring, files that cannot be written, reopened or that disappeared become
 *   "system" lines and counters (metrics); nothing is lost silently.
 * - Files are written once per drain; a write cut short (disk full) is truncated back to the
 *   last complete record and its records are counted as lost, so the JSON file holds whole
 *   lines and the pcap whole records, always.
 * - SIGHUP and `sigwallctl log-reopen` reopen the files (logrotate); a file removed or renamed
 *   under the daemon is noticed within a second and opened again at its path.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
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

static void
evfile_stat(struct sw_evfile *f)
{
	struct stat st;

	if (f->fd >= 0 && fstat(f->fd, &st) == 0) {
		f->dev = (unsigned long long)st.st_dev;
		f->ino = (unsigned long long)st.st_ino;
	}
}

/* JSON lines: append; a line cut by a crash or a full disk before this start is removed, so
 * that every line of the file is a whole JSON object (truncate back to the last newline). */
static int
jsonl_open(struct sw_evfile *f)
{
	off_t size, end;
	char last;
	int fd = open(f->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0)
		return -errno;
	size = lseek(fd, 0, SEEK_END);
	end = size;
	while (end > 0 && pread(fd, &last, 1, end - 1) == 1 && last != '\n')
		end--;
	if (end != size && ftruncate(fd, end) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	f->fd = fd;
	evfile_stat(f);
	return 0;
}

/* pcap: append after the last complete record (a crash or a full disk may have cut one). */
static int
pcap_open(struct sw_evfile *f)
{
	struct pcap_file_hdr h = {0xa1b2c3d4, 2, 4, 0, 0, 65535, 1}, old;
	struct pcap_rec_hdr r;
	off_t size, off = sizeof(h);
	int fd = open(f->path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);

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
	f->fd = fd;
	evfile_stat(f);
	return 0;
fail:
	close(fd);
	return -EIO;
}

/*
 * One write per drain of whole records. A short write (ENOSPC, EIO, a file size limit) leaves
 * the file at its last complete record: it is truncated back to the end of the last whole
 * record written (JSON: the last newline; pcap: the records' own lengths, known to the caller
 * as offsets in ends[]) and the records not written are counted.
 */
static void
evfile_write(struct sw_ctl *c, struct sw_evfile *f, struct sw_buf *b, unsigned nrec,
	     bool pcap)
{
	off_t before;
	size_t off = 0;
	int err = 0;

	if (f->fd < 0 || b->len == 0) {
		if (f->fd < 0 && nrec > 0 && f->path != NULL)
			f->records_lost += nrec;
		b->len = 0;
		b->oom = false;
		return;
	}
	before = lseek(f->fd, 0, SEEK_END);
	while (off < b->len) {
		ssize_t n = write(f->fd, b->p + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? errno : ENOSPC;
			break;
		}
		off += (size_t)n;
	}
	if (off == b->len) {
		f->records += nrec;
		f->bytes += off;
	} else {
		/* Keep the whole records among the bytes written. */
		size_t keep = 0;
		unsigned kept = 0;

		if (pcap) {
			size_t p = 0;

			while (p + sizeof(struct pcap_rec_hdr) <= off) {
				struct pcap_rec_hdr r;

				memcpy(&r, b->p + p, sizeof(r));
				if (p + sizeof(r) + r.caplen > off)
					break;
				p += sizeof(r) + r.caplen;
				kept++;
			}
			keep = p;
		} else {
			for (size_t i = 0; i < off; i++)
				if (b->p[i] == '\n') {
					keep = i + 1;
					kept++;
				}
		}
		if (before >= 0 && ftruncate(f->fd, before + (off_t)keep) < 0) {
			/* nothing more we can do; the reader sees one cut record */
		}
		f->short_writes++;
		f->records += kept;
		f->bytes += keep;
		f->records_lost += nrec - kept;
		/* At most one message per second per file: a full disk must not flood the log. */
		{
			static uint64_t last_ns[2];
			uint64_t now = sw_shm_mono_ns();
			uint64_t *l = &last_ns[pcap ? 1 : 0];

			if (now - *l >= 1000000000ull) {
				*l = now;
				sw_log(LOG_ERR, "%s: write failed (%s): %u of %u records lost, the "
				       "file ends at its last complete record (%" PRIu64 " records "
				       "lost so far)", f->path, strerror(err), nrec - kept, nrec,
				       f->records_lost);
			}
		}
		(void)c;
	}
	b->len = 0;
	b->oom = false;
}

/* --events-syslog: "udp:HOST:PORT" or the path of a unix datagram socket (/dev/log). */
static int
syslog_open(struct sw_ctl *c)
{
	const char *a = c->syslog_addr;
	int fd;

	if (strncmp(a, "udp:", 4) == 0) {
		char host[256];
		const char *colon = strrchr(a + 4, ':');
		struct addrinfo hints, *res = NULL;
		int rc;

		if (colon == NULL || (size_t)(colon - (a + 4)) >= sizeof(host))
			return -EINVAL;
		memcpy(host, a + 4, (size_t)(colon - (a + 4)));
		host[colon - (a + 4)] = '\0';
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_socktype = SOCK_DGRAM;
		hints.ai_flags = AI_NUMERICSERV;
		rc = getaddrinfo(host, colon + 1, &hints, &res);
		if (rc != 0 || res == NULL)
			return -EINVAL;
		fd = socket(res->ai_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
			rc = -errno;
			close(fd);
			freeaddrinfo(res);
			return rc;
		}
		freeaddrinfo(res);
	} else {
		struct sockaddr_un sa;

		memset(&sa, 0, sizeof(sa));
		sa.sun_family = AF_UNIX;
		if (a[0] != '/' || strlen(a) >= sizeof(sa.sun_path))
			return -EINVAL;
		strcpy(sa.sun_path, a);
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			int e = -errno;

			close(fd);
			return e;
		}
	}
	if (fd < 0)
		return -errno;
	c->syslog_fd = fd;
	return 0;
}

/* RFC 5424 6: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA MSG, the
 * message being the event's JSON line; severity (6.2.1) from the event type. */
static void
syslog_send(struct sw_ctl *c, enum sw_ev_type t, const char *line)
{
	static const int sev[5] = {LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_INFO, LOG_NOTICE};
	char hdr[512], ts[48];
	struct iovec iov[2];
	struct msghdr mh;
	int n;

	if (c->syslog_fd < 0)
		return;
	sw_fmt_time(ts, sizeof(ts), sw_shm_real_ns());
	n = snprintf(hdr, sizeof(hdr), "<%d>1 %s %.255s sigwall-control %d %s - ",
		     c->syslog_facility * 8 + sev[t], ts, c->host[0] ? c->host : "-", (int)getpid(),
		     sw_ev_type_names[t]);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return;
	iov[0] = (struct iovec){hdr, (size_t)n};
	iov[1] = (struct iovec){(void *)line, strlen(line)};
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	if (sendmsg(c->syslog_fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		c->syslog_errors++;
	else
		c->syslog_sent++;
}

static int
open_all(struct sw_ctl *c)
{
	int rc, first = 0;

	if (c->evf.path != NULL && c->evf.fd < 0) {
		rc = jsonl_open(&c->evf);
		if (rc < 0) {
			c->evf.open_errors++;
			first = rc;
		}
	}
	if (c->pcapf.path != NULL && c->pcapf.fd < 0) {
		rc = pcap_open(&c->pcapf);
		if (rc < 0) {
			c->pcapf.open_errors++;
			if (first == 0)
				first = rc;
		}
	}
	if (c->syslog_addr != NULL && c->syslog_fd < 0) {
		rc = syslog_open(c);
		if (rc < 0 && first == 0)
			first = rc;
	}
	return first;
}

int
sw_events_open(struct sw_ctl *c)
{
	int rc;

	c->evf.fd = c->pcapf.fd = c->syslog_fd = -1;
	c->evbuf = calloc(1, sizeof(*c->evbuf));
	c->pcapbuf = calloc(1, sizeof(*c->pcapbuf));
	if (c->evbuf == NULL || c->pcapbuf == NULL)
		return -ENOMEM;
	if (gethostname(c->host, sizeof(c->host) - 1) < 0)
		snprintf(c->host, sizeof(c->host), "localhost");
	if (c->syslog_facility == 0)
		c->syslog_facility = 16; /* local0, RFC 5424 6.2.1 */
	if (c->evf.path != NULL) {
		rc = jsonl_open(&c->evf);
		if (rc < 0)
			return rc;
	}
	if (c->pcapf.path != NULL) {
		rc = pcap_open(&c->pcapf);
		if (rc < 0)
			return rc;
	}
	if (c->syslog_addr != NULL) {
		rc = syslog_open(c);
		if (rc < 0)
			return rc == -EINVAL ? -EDESTADDRREQ : rc;
	}
	return 0;
}

static void
close_all(struct sw_ctl *c)
{
	if (c->evf.fd >= 0)
		close(c->evf.fd);
	if (c->pcapf.fd >= 0)
		close(c->pcapf.fd);
	if (c->syslog_fd >= 0)
		close(c->syslog_fd);
	c->evf.fd = c->pcapf.fd = c->syslog_fd = -1;
}

void
sw_events_close(struct sw_ctl *c)
{
	close_all(c);
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

static void
emit(struct sw_ctl *c, struct sw_buf *b, enum sw_ev_type t, sw_event_sink *sink)
{
	if (b->oom || b->p == NULL)
		return;
	if (c->evf.path != NULL) {
		sw_buf_add(c->evbuf, b->p, b->len);
		sw_buf_add(c->evbuf, "\n", 1);
		c->evbuf_records++;
	}
	syslog_send(c, t, b->p);
	free(c->recent[c->recent_next % 256]);
	c->recent[c->recent_next % 256] = strdup(b->p);
	c->recent_next++;
	if (sink != NULL)
		sink(c, b->p);
	c->events_total++;
	c->ev_by_type[t]++;
}

static void
flush_files(struct sw_ctl *c)
{
	evfile_write(c, &c->evf, c->evbuf, c->evbuf_records, false);
	evfile_write(c, &c->pcapf, c->pcapbuf, c->pcapbuf_records, true);
	c->evbuf_records = c->pcapbuf_records = 0;
}

void
sw_events_note(struct sw_ctl *c, sw_event_sink *sink, const char *type, const char *what,
	       const char *detail)
{
	struct sw_buf b = {0};
	enum sw_ev_type t = strcmp(type, "state") == 0 ? SW_ET_STATE : SW_ET_SYSTEM;

	sw_evjson_head(c, &b, sw_shm_real_ns(), t);
	sw_buf_printf(&b, ",\"%s\":{\"event\":", type);
	sw_buf_json_str(&b, what);
	sw_buf_printf(&b, "%s%s}}", detail[0] != '\0' ? "," : "", detail);
	emit(c, &b, t, sink);
	free(b.p);
	flush_files(c);
}

int
sw_events_reopen(struct sw_ctl *c, sw_event_sink *sink, const char *why)
{
	char detail[160];
	int rc;

	c->reopen_requests++;
	flush_files(c);
	close_all(c);
	rc = open_all(c);
	if (c->evf.fd >= 0)
		c->evf.reopens++;
	if (c->pcapf.fd >= 0)
		c->pcapf.reopens++;
	if (rc < 0)
		sw_log(LOG_ERR, "reopening the event files (%s): %s; events are counted as lost "
		       "until a reopen succeeds", why, strerror(-rc));
	else
		sw_log(LOG_INFO, "event files reopened (%s)", why);
	snprintf(detail, sizeof(detail), "\"reason\":\"%s\",\"ok\":%s", why, rc < 0 ? "false" : "true");
	sw_events_note(c, sink, "system", "log_reopen", detail);
	return rc;
}

static void
pcap_add(struct sw_ctl *c, const struct sw_shm_event *e)
{
	struct pcap_rec_hdr r;
	uint16_t cap = e->cap_len > SW_SHM_EVENT_SNAP ? SW_SHM_EVENT_SNAP : e->cap_len;

	if (c->pcapf.path == NULL || cap == 0 || e->action != SW_EV_ACT_DROP)
		return;
	r.sec = (uint32_t)(e->time_ns / 1000000000ull);
	r.usec = (uint32_t)(e->time_ns % 1000000000ull / 1000);
	r.caplen = cap;
	r.len = e->pkt_len < cap ? cap : e->pkt_len;
	sw_buf_add(c->pcapbuf, &r, sizeof(r));
	sw_buf_add(c->pcapbuf, e->pkt, cap);
	c->pcapbuf_records++;
	c->events_dropped_pcap++;
}

unsigned
sw_events_drain(struct sw_ctl *c, sw_event_sink *sink)
{
	static struct sw_shm_event ev[64];
	struct sw_buf b = {0};
	unsigned total = 0;

	if (c->stats.hdr == NULL)
		return 0;
	for (unsigned w = 0; w < c->stats.geo.max_workers && w < SW_SHM_MAX_WORKERS; w++) {
		/* bounded: a busy worker must not starve the loop */
		unsigned n, budget = c->stats.geo.ring_size;

		while (budget > 0 &&
		       (n = sw_shm_events_pop(&c->stats, w, ev, budget < 64 ? budget : 64)) > 0) {
			budget -= n;
			for (unsigned i = 0; i < n; i++) {
				const struct sw_shm_event *e = &ev[i];
				enum sw_ev_type t;

				if (e->kind == SW_EV_MALFORMED) {
					unsigned m = e->mal < SW_MAL_COUNT ? e->mal : 0;
					struct sw_malagg *a = &c->mal[m];

					if (!a->have_sample) {
						a->sample = *e;
						a->have_sample = true;
						pcap_add(c, e);
					}
					a->events++;
					c->ev_mal_sampled++;
					continue;
				}
				if (e->kind == SW_EV_SHADOW) { /* rate: issue 18 D7 */
					sw_evjson_shadow(c, e, &b);
					if (!b.oom && b.p != NULL)
						sw_shadow_example(c, b.p);
					emit(c, &b, SW_ET_STATE, sink);
					continue;
				}
				if (e->kind == SW_EV_REPAIR_FALLBACK) { /* enforce */
					sw_evjson_repair(c, e, &b);
					emit(c, &b, SW_ET_STATE, sink);
					continue;
				}
				t = sw_evjson_verdict(c, e, &b);
				emit(c, &b, t, sink);
				pcap_add(c, e);
			}
			total += n;
		}
	}
	flush_files(c);
	free(b.p);
	return total;
}

/* Sum over the workers of one malformed counter. */
static uint64_t
mal_counter(const struct sw_ctl *c, unsigned m)
{
	uint64_t s = 0;

	for (unsigned w = 0; w < c->stats.geo.max_workers && w < SW_SHM_MAX_WORKERS; w++)
		s += atomic_load_explicit(&sw_shm_worker(&c->stats, w)->c.mal[m],
					  memory_order_relaxed);
	return s;
}

/* A removed or renamed file (rm, mv without a reopen) is opened again at its path. */
static void
check_moved(struct sw_ctl *c, sw_event_sink *sink)
{
	struct sw_evfile *fs[2] = {&c->evf, &c->pcapf};

	for (unsigned i = 0; i < 2; i++) {
		struct sw_evfile *f = fs[i];
		struct stat st;

		if (f->path == NULL)
			continue;
		if (f->fd >= 0 && stat(f->path, &st) == 0 &&
		    (unsigned long long)st.st_ino == f->ino &&
		    (unsigned long long)st.st_dev == f->dev)
			continue;
		if (f->fd < 0 && f->open_errors > 0 && f->open_errors % 16 != 0) {
			/* retry a failing open once every few seconds, not every tick */
			f->open_errors++;
			continue;
		}
		sw_log(LOG_WARNING, "%s was removed or renamed under the daemon; opening it again",
		       f->path);
		sw_events_reopen(c, sink, "file removed or renamed");
		return;
	}
}

void
sw_events_tick(struct sw_ctl *c, sw_event_sink *sink)
{
	struct sw_buf b = {0};
	uint64_t now = sw_shm_real_ns();
	uint64_t lost = 0;

	if (c->stats.hdr == NULL)
		return;
	for (unsigned m = 1; m < SW_MAL_COUNT; m++) {
		struct sw_malagg *a = &c->mal[m];
		uint64_t ctr = mal_counter(c, m);
		/* A restarted dataplane zeroes its counters: then the counter is the count. */
		uint64_t count = ctr >= a->ctr_prev ? ctr - a->ctr_prev : ctr;

		if (!c->mal_primed) {
			/* Counts from before this control started are not this second's. */
			a->ctr_prev = ctr;
			count = 0;
		}
		if (count < a->events)
			count = a->events;
		a->ctr_prev = ctr;
		if (count == 0)
			continue;
		sw_evjson_malformed(c, m, count, a->events, a->have_sample ? &a->sample : NULL,
				    now, &b);
		emit(c, &b, SW_ET_MALFORMED, sink);
		a->events = 0;
		a->have_sample = false;
	}
	c->mal_primed = true;
	for (unsigned w = 0; w < c->stats.geo.max_workers && w < SW_SHM_MAX_WORKERS; w++) {
		uint64_t l = atomic_load_explicit(&sw_shm_ring(&c->stats, w)->lost,
						  memory_order_relaxed);

		if (l != c->lost_seen[w])
			lost += l > c->lost_seen[w] ? l - c->lost_seen[w] : l;
		c->lost_seen[w] = l;
	}
	if (lost > 0) {
		char detail[128];

		/* Never silent: one line a second says how many records the rings could not take
		 * (malformed ones are in the per-reason counts above all the same). */
		c->lost_total += lost;
		snprintf(detail, sizeof(detail), "\"count\":%" PRIu64 ",\"lost_total\":%" PRIu64,
			 lost, c->lost_total);
		sw_events_note(c, sink, "system", "events_lost", detail);
	}
	free(b.p);
	flush_files(c);
	check_moved(c, sink);
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
