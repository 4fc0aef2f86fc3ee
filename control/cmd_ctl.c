/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwallctl reload | status | stats | events: clients of sigwall-control's unix socket
 * (protocol in control/daemon/ctlsock.h).
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control/cluster/cluster.h"
#include "control/daemon/ctlsock.h"
#include "dataplane/proxy/proxy_shm.h"
#include "dataplane/shm/shm.h"
#include "sigwallctl.h"

static bool ctl_reached; /* the last ctl_connect() got through */

/* Connect to the instance's control socket; -1 with a message on stderr. */
static int
ctl_connect(void)
{
	struct sockaddr_un sa;
	char path[sizeof(sa.sun_path)];
	int fd;

	if (sw_ctl_path(path, sizeof(path), sw_ctl_instance, "sock") < 0) {
		fprintf(stderr, "sigwallctl: socket path for instance '%s' is too long\n",
			sw_ctl_instance);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	ctl_reached = false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "sigwallctl: cannot reach sigwall-control of instance '%s' at %s: "
			"%s (is it running?)\n", sw_ctl_instance, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	ctl_reached = true;
	return fd;
}

/* Send one request, copy the body of the answer to out (sigwallctl.h). */
int
sw_ctl_request(const char *req, FILE *out)
{
	char buf[65536];
	size_t have = 0;
	bool head_done = false, ok = false, invalid = false;
	int fd = ctl_connect();

	if (fd < 0)
		return 1;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) != (ssize_t)strlen(req)) {
		fprintf(stderr, "sigwallctl: send: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	for (;;) {
		ssize_t n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = '\0';
		if (!head_done) {
			char *eol = strchr(buf, '\n');

			if (eol == NULL && have < sizeof(buf) - 1)
				continue;
			head_done = true;
			if (strncmp(buf, "OK", 2) == 0) {
				ok = true;
				if (eol != NULL) {
					fputs(eol + 1, out);
					fflush(out);
				}
			} else {
				const char *msg = buf;

				if (strncmp(buf, "ERR ", 4) == 0)
					msg = buf + 4;
				else if (strncmp(buf, "EINVAL ", 7) == 0)
					msg = buf + 7, invalid = true;
				fprintf(stderr, "sigwallctl: %s%s", msg, eol == NULL ? "\n" : "");
			}
			have = 0;
			continue;
		}
		if (ok) {
			fputs(buf, out);
			fflush(out);
		} else {
			fputs(buf, stderr);
		}
		have = 0;
	}
	close(fd);
	if (!head_done) {
		fprintf(stderr, "sigwallctl: sigwall-control closed the connection without an "
			"answer\n");
		return 1;
	}
	return ok ? 0 : invalid ? 2 : 1;
}

static bool
has_flag(int argc, char **argv, const char *flag)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], flag) == 0)
			return true;
	return false;
}

static int
check_flags(int argc, char **argv, const char *const *allowed)
{
	for (int i = 1; i < argc; i++) {
		bool ok = false;

		for (const char *const *a = allowed; *a != NULL; a++)
			if (strcmp(argv[i], *a) == 0)
				ok = true;
		if (!ok) {
			fprintf(stderr, "sigwallctl %s: unknown argument '%s'\n", argv[0], argv[i]);
			return 2;
		}
	}
	return 0;
}

int
sw_cmd_reload(int argc, char **argv)
{
	const char *rules = NULL, *site = NULL, *sample = NULL;
	char rabs[PATH_MAX], sabs[PATH_MAX], req[SW_CTL_REQ_MAX], head[64];
	bool shadow = false;
	int n;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
			rules = argv[++i];
		} else if (strcmp(argv[i], "--site") == 0 && i + 1 < argc) {
			site = argv[++i];
		} else if (strcmp(argv[i], "--shadow") == 0) {
			shadow = true;
		} else if (strcmp(argv[i], "--sample") == 0 && i + 1 < argc) {
			sample = argv[++i];
		} else {
			fprintf(stderr, "usage: sigwallctl reload [--shadow [--sample N]] "
				"[--rules R --site S]\n");
			return 2;
		}
	}
	if (sample != NULL && !shadow) {
		fprintf(stderr, "sigwallctl reload: --sample goes with --shadow\n");
		return 2;
	}
	if (sample != NULL) {
		char *end;
		unsigned long v = strtoul(sample, &end, 10);

		if (*end != '\0' || sample[0] == '\0' || sample[0] == '-' || v == 0 ||
		    v > 1000000) {
			fprintf(stderr, "sigwallctl reload: --sample wants 1-1000000 (1 in N MSUs), "
				"got '%s'\n", sample);
			return 2;
		}
	}
	/* issue 18 D7: the candidate goes beside the active image (ctlsock.h) */
	snprintf(head, sizeof(head), shadow ? "shadow\treload\t%s" : "reload",
		 sample != NULL ? sample : "1");
	if ((rules == NULL) != (site == NULL)) {
		fprintf(stderr, "sigwallctl reload: give both --rules and --site, or neither\n");
		return 2;
	}
	if (rules == NULL) {
		snprintf(req, sizeof(req), "%s\n", head);
	} else {
		/* The daemon resolves nothing relative to our working directory. */
		if (realpath(rules, rabs) == NULL) {
			fprintf(stderr, "sigwallctl reload: %s: %s\n", rules, strerror(errno));
			return 2;
		}
		if (realpath(site, sabs) == NULL) {
			fprintf(stderr, "sigwallctl reload: %s: %s\n", site, strerror(errno));
			return 2;
		}
		n = snprintf(req, sizeof(req), "%s\t%s\t%s\n", head, rabs, sabs);
		if (n < 0 || (size_t)n >= sizeof(req)) {
			fprintf(stderr, "sigwallctl reload: paths too long\n");
			return 2;
		}
	}
	return sw_ctl_request(req, stdout);
}

/*
 * Control is not reachable: say what the shared memory says (the dataplane keeps enforcing the
 * last image while control is down). Exits 1 all the same: the instance is degraded.
 */
static void
status_from_shm(void)
{
	struct sw_shm_image im;
	struct sw_shm_stats st;
	uint64_t gen;
	unsigned slot;

	if (sw_shm_image_attach_ro(sw_ctl_instance, &im) < 0) {
		fprintf(stderr, "sigwallctl: no shared memory for instance '%s' either\n",
			sw_ctl_instance);
		return;
	}
	gen = atomic_load_explicit(&im.hdr->generation, memory_order_acquire);
	slot = atomic_load_explicit(&im.hdr->active_slot, memory_order_acquire);
	printf("instance %s (sigwall-control not running; from shared memory)\n", sw_ctl_instance);
	printf("generation %llu\n", (unsigned long long)gen);
	if (gen != 0 && slot < im.hdr->nslots)
		printf("  image %llu bytes, checksum %016llx, slot %u of %u\n",
		       (unsigned long long)im.hdr->slot[slot].size,
		       (unsigned long long)im.hdr->slot[slot].checksum, slot, im.hdr->nslots);
	if (sw_shm_stats_attach(sw_ctl_instance, false, &st) == 0) {
		unsigned n = atomic_load(&st.hdr->nworkers);

		printf("dataplane pid %d, %u workers\n", (int)atomic_load(&st.hdr->dataplane_pid), n);
		for (unsigned w = 0; w < n && w < st.geo.max_workers; w++)
			printf("  worker %u epoch %llu %s\n", w,
			       (unsigned long long)atomic_load(&sw_shm_worker(&st, w)->epoch),
			       sw_shm_worker_live(&st, w) ? "live" : "not live");
		sw_shm_stats_detach(&st);
	}
	sw_shm_image_detach(&im);
}

int
sw_cmd_status(int argc, char **argv)
{
	static const char *const allowed[] = {"--json", NULL};
	bool json = has_flag(argc, argv, "--json");
	int rc;

	if (check_flags(argc, argv, allowed) != 0)
		return 2;
	rc = sw_ctl_request(json ? "status\tjson\n" : "status\n", stdout);
	if (rc != 0 && !json && !ctl_reached)
		status_from_shm();
	if (!json)
		sw_cluster_status_print(sw_ctl_instance, stdout);
	if (!json) /* proxy mode: the associations and their M3UA states (issue 21) */
		sw_proxy_status_print(sw_ctl_instance, stdout);
	return rc;
}

int
sw_cmd_stats(int argc, char **argv)
{
	static const char *const allowed[] = {"--json", "--watch", NULL};
	bool json = has_flag(argc, argv, "--json");
	const char *req = json ? "stats\tjson\n" : "stats\n";
	int rc;

	if (check_flags(argc, argv, allowed) != 0)
		return 2;
	if (!has_flag(argc, argv, "--watch"))
		return sw_ctl_request(req, stdout);
	/* --watch: every second until interrupted; text clears the screen, JSON is one document
	 * per line. */
	for (;;) {
		if (!json && isatty(STDOUT_FILENO))
			fputs("\033[H\033[2J", stdout);
		rc = sw_ctl_request(req, stdout);
		fflush(stdout);
		if (rc != 0)
			return rc;
		sleep(1);
	}
}

int
sw_cmd_events(int argc, char **argv)
{
	static const char *const allowed[] = {"--follow", NULL};

	if (check_flags(argc, argv, allowed) != 0)
		return 2;
	return sw_ctl_request(has_flag(argc, argv, "--follow") ? "events\tfollow\n" : "events\n",
			   stdout);
}

int
sw_cmd_log_reopen(int argc, char **argv)
{
	static const char *const allowed[] = {NULL};

	if (check_flags(argc, argv, allowed) != 0)
		return 2;
	return sw_ctl_request("log-reopen\n", stdout);
}
