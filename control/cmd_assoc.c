/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwallctl assoc: per-association repair statistics of inline enforcement (issue 12
 * Deliver 5), read from /sigwall.INSTANCE.assoc (dataplane/shm/shm_assoc.h), which every
 * worker of sigwall-dataplane --mode inline publishes about once a second: the busiest
 * associations first. Every header field, offset and count is validated by the reader before
 * use (issue 13 D8); nothing the dataplane wrote is trusted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataplane/shm/shm.h"
#include "dataplane/shm/shm_assoc.h"
#include "sigwallctl.h"

static void
addr_text(const struct sw_shm_assoc_rec *r, unsigned d, char *out, size_t len)
{
	if (r->ip_ver == 0 ||
	    inet_ntop(r->ip_ver == 6 ? AF_INET6 : AF_INET, r->addr[d], out, (socklen_t)len) == NULL)
		snprintf(out, len, "?");
}

static void
print_text(unsigned w, const struct sw_shm_assoc_rec *r, unsigned n, uint32_t tracked,
	   uint64_t time_ns)
{
	uint64_t now = sw_shm_real_ns();

	printf("worker %u: %" PRIu32 " associations tracked, %u shown (busiest first)", w, tracked,
	       n);
	if (time_ns != 0)
		printf(", published %.1f s ago", now > time_ns ? (double)(now - time_ns) / 1e9 : 0.0);
	printf("\n");
	for (unsigned i = 0; i < n; i++) {
		char a0[INET6_ADDRSTRLEN], a1[INET6_ADDRSTRLEN];

		addr_text(&r[i], 0, a0, sizeof(a0));
		addr_text(&r[i], 1, a1, sizeof(a1));
		printf("  %s:%u <-> %s:%u vtag 0x%08" PRIx32 "/0x%08" PRIx32 " %s"
		       " chunks_removed %" PRIu32 "/%" PRIu32 " tsn_offset %" PRIu32 "/%" PRIu32
		       " sacks_generated %" PRIu32 " retrans_removed %" PRIu32 " idle %.1fs"
		       " last_error %s\n",
		       a0, r[i].port[0], a1, r[i].port[1], r[i].vtag[0], r[i].vtag[1],
		       r[i].up ? "up" : "handshake", r[i].chunks_removed[0], r[i].chunks_removed[1],
		       r[i].tsn_offset[0], r[i].tsn_offset[1], r[i].sacks_generated,
		       r[i].retrans_removed, (double)r[i].idle_ns / 1e9,
		       r[i].last_error[0] != '\0' ? r[i].last_error : "-");
	}
}

static void
print_json(unsigned w, const struct sw_shm_assoc_rec *r, unsigned n, uint32_t tracked,
	   uint64_t time_ns, bool first)
{
	printf("%s{\"worker\":%u,\"time_ns\":%" PRIu64 ",\"tracked\":%" PRIu32 ",\"assocs\":[",
	       first ? "" : ",", w, time_ns, tracked);
	for (unsigned i = 0; i < n; i++) {
		char a[2][INET6_ADDRSTRLEN];

		for (unsigned d = 0; d < 2; d++)
			addr_text(&r[i], d, a[d], sizeof(a[d]));
		printf("%s{\"outside\":{\"ip\":\"%s\",\"port\":%u,\"vtag\":%" PRIu32 "},"
		       "\"inside\":{\"ip\":\"%s\",\"port\":%u,\"vtag\":%" PRIu32 "},\"up\":%s,"
		       "\"chunks_removed\":[%" PRIu32 ",%" PRIu32 "],\"tsn_offset\":[%" PRIu32
		       ",%" PRIu32 "],\"sacks_generated\":%" PRIu32 ",\"retrans_removed\":%" PRIu32
		       ",\"idle_ns\":%" PRIu64 ",\"last_error\":",
		       i == 0 ? "" : ",", a[0], r[i].port[0], r[i].vtag[0], a[1], r[i].port[1],
		       r[i].vtag[1], r[i].up ? "true" : "false", r[i].chunks_removed[0],
		       r[i].chunks_removed[1], r[i].tsn_offset[0], r[i].tsn_offset[1],
		       r[i].sacks_generated, r[i].retrans_removed, r[i].idle_ns);
		/* the enforcer's counter names: [a-z_] only; anything else is not printed */
		if (r[i].last_error[0] == '\0' ||
		    strspn(r[i].last_error, "abcdefghijklmnopqrstuvwxyz_") != strlen(r[i].last_error))
			printf("null}");
		else
			printf("\"%s\"}", r[i].last_error);
	}
	printf("]}");
}

int
sw_cmd_assoc(int argc, char **argv)
{
	static struct sw_shm_assoc_rec rec[SW_SHM_ASSOC_MAX];
	struct sw_shm_assoc m;
	bool json = false;
	int rc, status = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else {
			fprintf(stderr, "sigwallctl assoc: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	rc = sw_shm_assoc_attach(sw_ctl_instance, &m);
	if (rc < 0) {
		fprintf(stderr, "sigwallctl assoc: /sigwall.%s.assoc: %s%s\n", sw_ctl_instance,
			rc == -EPROTO ? "invalid (another version, or corrupt)" : strerror(-rc),
			rc == -ENOENT ? " (no sigwall-dataplane --mode inline with repair on this "
					"instance yet)" : "");
		return 1;
	}
	if (json)
		printf("{\"instance\":\"%s\",\"workers\":[", sw_ctl_instance);
	for (unsigned w = 0; w < m.hdr->nworkers && w < SW_SHM_ASSOC_WORKERS; w++) {
		uint64_t time_ns = 0;
		uint32_t tracked = 0;
		int n = sw_shm_assoc_read(&m, w, rec, SW_SHM_ASSOC_MAX, &time_ns, &tracked);

		if (n < 0) {
			fprintf(stderr, "sigwallctl assoc: worker %u: %s\n", w,
				n == -EAGAIN ? "busy (being written), try again" : strerror(-n));
			status = 1;
			continue;
		}
		if (json)
			print_json(w, rec, (unsigned)n, tracked, time_ns, w == 0);
		else
			print_text(w, rec, (unsigned)n, tracked, time_ns);
	}
	if (json)
		printf("]}\n");
	sw_shm_assoc_detach(&m);
	return status;
}
