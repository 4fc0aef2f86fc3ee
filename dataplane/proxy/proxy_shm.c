/* SPDX-License-Identifier: BSD-3-Clause */
/* Proxy mode's status: snapshot, format, shared memory object (proxy_shm.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "proxy_shm.h"

void
sw_proxy_snapshot(const struct sw_proxy *px, uint64_t judged, uint64_t generation,
		  struct sw_proxy_snap *out)
{
	memset(out, 0, sizeof(*out));
	out->nlinks = px->nlinks;
	out->generation = generation;
	out->judged = judged;
	out->rx_msu = px->rx_msu;
	out->ssnm_tx = px->ssnm_tx;
	out->decode_mal = px->decode_mal;
	memcpy(out->ctr, px->ctr, sizeof(px->ctr));
	for (unsigned i = 0; i < px->nlinks; i++) {
		const struct sw_proxy_link *l = &px->link[i];
		struct sw_proxy_snap_link *s = &out->link[i];

		memcpy(s->name, l->cfg.name, sizeof(s->name));
		s->sctp_up = l->sctp_up;
		s->client = l->ep.client;
		s->asp_state = (uint8_t)l->ep.state;
		s->as_state = (uint8_t)(l->ep.client ? l->ep.peer_as_state : l->as.state);
		s->routable = l->routable;
		s->honeypot = l->cfg.honeypot;
		s->side = l->cfg.side;
		s->rx_data = l->ep.ctr.rx_data;
		s->tx_data = l->ep.ctr.tx_data;
		s->err_rx = l->ep.ctr.err_rx;
		s->err_tx = l->ep.ctr.err_tx;
		s->looped = l->looped;
		s->duna_rx = l->duna_rx;
		s->dava_rx = l->dava_rx;
		s->beat_aborts = l->beat_aborts;
	}
}

size_t
sw_proxy_snap_format(const struct sw_proxy_snap *s, bool totals, char *out, size_t cap)
{
	size_t n = 0;
	int w;

	if (cap == 0)
		return 0;
	out[0] = '\0';
	for (unsigned i = 0; i < s->nlinks && i < SW_PROXY_LINKS && n < cap; i++) {
		const struct sw_proxy_snap_link *l = &s->link[i];

		w = snprintf(out + n, cap - n,
			     "link %.*s sctp=%s m3ua=%s asp=%s as=%s rx=%" PRIu64 " tx=%" PRIu64
			     " err_rx=%" PRIu64 " err_tx=%" PRIu64 " beat_aborts=%" PRIu64
			     " looped=%" PRIu64 "\n",
			     (int)sizeof(l->name), l->name, l->sctp_up ? "up" : "down",
			     l->client ? "asp" : "sgp",
			     sw_m3ua_asp_state_name((enum sw_m3ua_asp_state)l->asp_state),
			     sw_m3ua_as_state_name((enum sw_m3ua_as_state)l->as_state), l->rx_data,
			     l->tx_data, l->err_rx, l->err_tx, l->beat_aborts, l->looped);
		if (w < 0)
			return n;
		n += (size_t)w;
	}
	if (totals && n < cap) {
		w = snprintf(out + n, cap - n,
			     "proxy routed=%" PRIu64 " rejected=%" PRIu64 " aborted=%" PRIu64
			     " redirected=%" PRIu64 " dropped=%" PRIu64 " no_route=%" PRIu64
			     " judged=%" PRIu64 " alerted=%" PRIu64 " no_route_udts=%" PRIu64
			     " answer_failed=%" PRIu64 " tx_failed=%" PRIu64 " generation=%" PRIu64
			     "\n",
			     s->ctr[SW_PXO_ROUTED], s->ctr[SW_PXO_REJECTED], s->ctr[SW_PXO_ABORTED],
			     s->ctr[SW_PXO_REDIRECTED], s->ctr[SW_PXO_DROPPED],
			     s->ctr[SW_PXO_NO_ROUTE] + s->ctr[SW_PXO_NO_ROUTE_UDTS], s->judged,
			     s->ctr[SW_PXO_ALERTED], s->ctr[SW_PXO_NO_ROUTE_UDTS],
			     s->ctr[SW_PXO_ANSWER_FAILED], s->ctr[SW_PXO_TX_FAILED], s->generation);
		if (w > 0)
			n += (size_t)w;
	}
	return n < cap ? n : cap - 1;
}

static int
shm_name(char *buf, size_t len, const char *instance)
{
	int n = snprintf(buf, len, "/sigwall.%s.proxy", instance);

	return n < 0 || (size_t)n >= len || strchr(instance, '/') != NULL ? -EINVAL : 0;
}

int
sw_proxy_shm_create(const char *instance, struct sw_proxy_shm **out)
{
	char name[96];
	struct sw_proxy_shm *m;
	int fd, rc;

	if (shm_name(name, sizeof(name), instance) < 0)
		return -EINVAL;
	fd = shm_open(name, O_CREAT | O_RDWR, 0600);
	if (fd < 0)
		return -errno;
	if (ftruncate(fd, sizeof(*m)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	m = mmap(NULL, sizeof(*m), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	rc = -errno;
	close(fd);
	if (m == MAP_FAILED)
		return rc;
	/* Taking over a stale object: readers see it busy (odd seq) until the first publish. */
	atomic_store_explicit(&m->seq, 1, memory_order_relaxed);
	m->version = SW_PROXY_SHM_VERSION;
	m->size = sizeof(*m);
	atomic_store_explicit(&m->pid, (int32_t)getpid(), memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	m->magic = SW_PROXY_SHM_MAGIC;
	*out = m;
	return 0;
}

void
sw_proxy_shm_publish(struct sw_proxy_shm *m, const struct sw_proxy_snap *s)
{
	uint64_t seq = atomic_load_explicit(&m->seq, memory_order_relaxed);
	struct timespec ts;

	seq |= 1; /* odd: being written (already odd only right after creation) */
	atomic_store_explicit(&m->seq, seq, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	memcpy(&m->snap, s, sizeof(*s));
	clock_gettime(CLOCK_REALTIME, &ts);
	atomic_store_explicit(&m->update_ns,
			      (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec,
			      memory_order_relaxed);
	atomic_store_explicit(&m->seq, seq + 1, memory_order_release);
}

void
sw_proxy_shm_destroy(struct sw_proxy_shm *m, const char *instance)
{
	char name[96];

	if (m == NULL)
		return;
	munmap(m, sizeof(*m));
	if (shm_name(name, sizeof(name), instance) == 0)
		shm_unlink(name);
}

int
sw_proxy_shm_read(const char *instance, struct sw_proxy_shm *copy)
{
	const struct sw_proxy_shm *m;
	char name[96];
	struct stat sb;
	int fd, rc = -EAGAIN;

	if (shm_name(name, sizeof(name), instance) < 0)
		return -EINVAL;
	fd = shm_open(name, O_RDONLY, 0);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -errno;
	if (fstat(fd, &sb) < 0 || (size_t)sb.st_size < sizeof(*m)) {
		close(fd);
		return -EINVAL;
	}
	m = mmap(NULL, sizeof(*m), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -errno;
	if (m->magic != SW_PROXY_SHM_MAGIC || m->version != SW_PROXY_SHM_VERSION ||
	    m->size != sizeof(*m)) {
		munmap((void *)m, sizeof(*m));
		return -EINVAL;
	}
	for (int tries = 0; tries < 1000; tries++) {
		uint64_t s0 = atomic_load_explicit(&m->seq, memory_order_acquire);

		if (s0 & 1) {
			usleep(100);
			continue;
		}
		memcpy(copy, (const void *)m, sizeof(*copy));
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&m->seq, memory_order_relaxed) == s0) {
			rc = 0;
			break;
		}
	}
	munmap((void *)m, sizeof(*m));
	if (rc == 0 && copy->snap.nlinks > SW_PROXY_LINKS)
		copy->snap.nlinks = SW_PROXY_LINKS; /* never trust a count from shared memory */
	return rc;
}

void
sw_proxy_status_print(const char *instance, FILE *out)
{
	struct sw_proxy_shm m;
	struct timespec ts;
	char buf[SW_PROXY_LINKS * 200 + 400];
	int rc = sw_proxy_shm_read(instance, &m);
	int32_t pid;
	uint64_t now;

	if (rc == -ENOENT)
		return;
	if (rc < 0) {
		fprintf(out, "proxy: status object unreadable: %s\n", strerror(-rc));
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	pid = atomic_load_explicit(&m.pid, memory_order_relaxed);
	fprintf(out, "proxy mode: %u association(s), dataplane pid %d%s, updated %.1f s ago\n",
		m.snap.nlinks, (int)pid,
		pid > 0 && kill(pid, 0) != 0 && errno == ESRCH ? " (not running)" : "",
		m.update_ns != 0 && now > m.update_ns ? (double)(now - m.update_ns) / 1e9 : 0.0);
	sw_proxy_snap_format(&m.snap, true, buf, sizeof(buf));
	for (char *line = buf, *nl; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			break;
		fprintf(out, "  %.*s\n", (int)(nl - line), line);
	}
}
