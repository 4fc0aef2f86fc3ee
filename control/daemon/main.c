/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-control: compiles the rule and site files into policy images, publishes them into
 * shared memory for the dataplane, serves sigwallctl on a unix socket, drains events and exposes
 * Prometheus metrics (ARCHITECTURE.md sections 1, 5, 7).
 *
 *   sigwall-control --instance NAME --rules R --site S [--metrics ADDR:PORT]
 *                   [--metrics-allow CIDR,...] [--events FILE] [--events-pcap FILE]
 *                   [--events-syslog udp:HOST:PORT|PATH] [--foreground]
 *                   [--log auto|stderr|journal|syslog] [--log-level LEVEL]
 *                   [--slot-size BYTES] [--slots N] [--workers N] [--reload-timeout MS]
 *                   [--cleanup]
 *
 * Exit status: 0 stopped cleanly, 1 runtime failure, 2 usage or invalid input (control/README.md).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "control/compiler/compiler.h"
#include "ctlsock.h"
#include "dataplane/policy/policy.h"
#include "log.h"

#ifndef SW_VERSION
#define SW_VERSION "unknown"
#endif

/*
 * Clients come from two pools that never take each other's slots (issue 13: ~70 connections to
 * the metrics port made the operator's `sigwallctl status` fail). The unix socket keeps its last
 * CTL_RESERVED slots for the operator (root or control's own user); any other peer may hold at
 * most CTL_PER_PEER connections. The metrics port serves at most HTTP_PER_PEER connections per
 * source address.
 */
#define CTL_MAX 64
#define CTL_RESERVED 8
#define CTL_PER_PEER 16
#define HTTP_MAX 32
#define HTTP_PER_PEER 4
#define MAX_CLIENTS (CTL_MAX + HTTP_MAX)
#define CLIENT_TIMEOUT_NS (5ull * 1000000000ull) /* to send a complete request */
#define DEFAULT_METRICS_PORT 9717

enum client_kind { CL_CTL, CL_HTTP };
enum client_state { CS_READING, CS_WAIT_RELOAD, CS_FOLLOW };

struct client {
	int fd;
	enum client_kind kind;
	enum client_state state;
	bool operator;             /* unix peer is root or our own user */
	uint8_t peer[16];          /* unix: uid (4 bytes); http: the source address */
	uint64_t since_ns;
	size_t len;
	char buf[SW_CTL_REQ_MAX + 1];
};

static struct client clients[MAX_CLIENTS];
static unsigned nclients, nkind[2];
static struct sw_ctl ctl;

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: sigwall-control [--instance NAME] --rules RULES --site SITE [options]\n"
		"       sigwall-control [--instance NAME] --cleanup\n"
		"       sigwall-control --help | --version\n"
		"  --metrics ADDR:PORT        Prometheus endpoint (IPv4, [IPv6] or a host name;\n"
		"                             e.g. 127.0.0.1:%d, the default port everywhere)\n"
		"  --metrics-allow CIDR,...   source addresses the metrics port answers\n"
		"                             (default: anyone who can reach ADDR)\n"
		"  --events FILE              events as JSON lines (schema: control/README.md)\n"
		"  --events-pcap FILE         the dropped messages as a pcap\n"
		"  --events-syslog DEST       events as RFC 5424 syslog: udp:HOST:PORT or a unix\n"
		"                             datagram socket path (/dev/log)\n"
		"  --syslog-facility N        facility of those messages, 0-23 (default 16, local0)\n"
		"  --foreground               do not fork (systemd Type=notify, tests)\n"
		"  --log auto|stderr|journal|syslog   where control's own messages go (auto:\n"
		"                             journal under systemd, else stderr; syslog when\n"
		"                             daemonised)\n"
		"  --log-level LEVEL          err, warning, notice, info (default), debug\n"
		"  --slot-size BYTES          image slot size (k/M/G suffixes)\n"
		"  --slots N                  image slots, 2-%d (default 3: the active image, a\n"
		"                             shadow policy and the next publication)\n"
		"  --workers N                worker blocks in the stats region (1-%d)\n"
		"  --reload-timeout MS        how long a reload waits for every live worker (2000)\n"
		"NAME defaults to 'default'. Socket and lock under $SIGWALL_RUNDIR (default %s).\n"
		"SIGHUP reopens the event files; `sigwallctl reload` reloads the rules.\n"
		"Exit status: 0 ok, 1 runtime failure, 2 usage or invalid input.\n",
		DEFAULT_METRICS_PORT, SW_SHM_MAX_SLOTS, SW_SHM_MAX_WORKERS, SW_RUNDIR_DEFAULT);
}

static void
die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void
die(int code, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sw_log(LOG_ERR, "%s", msg);
	sw_notify("STOPPING=1");
	exit(code);
}

/* ------------------------------------------------------------------------------------------ */
/* Sockets                                                                                    */

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Best effort, never blocks the loop: a client that does not read loses its data. */
static void
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd pf = {fd, POLLOUT, 0};

			if (poll(&pf, 1, 1000) <= 0)
				return;
			continue;
		}
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void
send_str(int fd, const char *s)
{
	send_all(fd, s, strlen(s));
}

static void
client_close(unsigned i)
{
	char sink[4096];

	/* Read what the client still sent, so that closing does not reset the connection
	 * before it has read our answer. */
	for (int k = 0; k < 16 && recv(clients[i].fd, sink, sizeof(sink), MSG_DONTWAIT) > 0; k++)
		;
	close(clients[i].fd);
	nkind[clients[i].kind]--;
	clients[i] = clients[--nclients];
}

static int
listen_unix(struct sw_ctl *c)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(c->sock_path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, c->sock_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* We hold the instance lock, so a socket file left here is stale (crash): replace it.
	 * Mode 0660: the operators' group (the rundir's group, `sigwall` in the packages) may
	 * connect; the unit's UMask and RuntimeDirectory keep everyone else out. */
	unlink(c->sock_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(c->sock_path, 0660) < 0 ||
	    listen(fd, 16) < 0 || set_nonblock(fd) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* "ADDR:PORT", ADDR an IPv4 address, "[IPv6]" or a host name. Any address may be given;
 * what answers is restricted by --metrics-allow. */
static int
listen_metrics(const char *spec, char *why, size_t whylen)
{
	char host[256];
	const char *colon = strrchr(spec, ':');
	struct addrinfo hints, *res = NULL;
	int fd, one = 1, rc;

	if (colon == NULL || colon == spec || (size_t)(colon - spec) >= sizeof(host) ||
	    colon[1] == '\0') {
		snprintf(why, whylen, "wants ADDR:PORT (127.0.0.1:%d, [::1]:%d, 0.0.0.0:%d)",
			 DEFAULT_METRICS_PORT, DEFAULT_METRICS_PORT, DEFAULT_METRICS_PORT);
		return -EINVAL;
	}
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, colon + 1, &hints, &res);
	if (rc != 0 || res == NULL) {
		snprintf(why, whylen, "cannot resolve '%s' port '%s': %s", host, colon + 1,
			 gai_strerror(rc));
		return -EINVAL;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		freeaddrinfo(res);
		snprintf(why, whylen, "socket: %s", strerror(-rc));
		return rc;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 64) < 0 ||
	    set_nonblock(fd) < 0) {
		rc = -errno;
		close(fd);
		freeaddrinfo(res);
		if (rc == -EADDRNOTAVAIL)
			snprintf(why, whylen, "%s is not an address of this host", host);
		else if (rc == -EADDRINUSE)
			snprintf(why, whylen, "port %s is in use (another instance? each needs "
				 "its own port)", colon + 1);
		else
			snprintf(why, whylen, "%s", strerror(-rc));
		return rc;
	}
	freeaddrinfo(res);
	return fd;
}

/* --metrics-allow "10.0.0.0/8,192.0.2.7,::1,fd00::/8". 0 or -EINVAL with why. */
static int
parse_allow(struct sw_ctl *c, const char *list, char *why, size_t whylen)
{
	char buf[4096], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		struct sw_cidr *r;
		char *slash = strchr(tok, '/');
		long bits = -1;

		if (c->nmetrics_allow == SW_METRICS_ALLOW_MAX) {
			snprintf(why, whylen, "at most %d entries", SW_METRICS_ALLOW_MAX);
			return -EINVAL;
		}
		r = &c->metrics_allow[c->nmetrics_allow];
		if (slash != NULL) {
			char *end;

			*slash = '\0';
			bits = strtol(slash + 1, &end, 10);
			if (*end != '\0' || slash[1] == '\0' || bits < 0) {
				snprintf(why, whylen, "'%s': bad prefix length", slash + 1);
				return -EINVAL;
			}
		}
		memset(r, 0, sizeof(*r));
		if (inet_pton(AF_INET, tok, r->addr) == 1) {
			r->af = AF_INET;
			if (bits < 0)
				bits = 32;
		} else if (inet_pton(AF_INET6, tok, r->addr) == 1) {
			r->af = AF_INET6;
			if (bits < 0)
				bits = 128;
		} else {
			snprintf(why, whylen, "'%s' is not an IPv4 or IPv6 address", tok);
			return -EINVAL;
		}
		if (bits > (r->af == AF_INET ? 32 : 128)) {
			snprintf(why, whylen, "'%s/%ld': prefix too long", tok, bits);
			return -EINVAL;
		}
		r->bits = (unsigned)bits;
		c->nmetrics_allow++;
	}
	if (c->nmetrics_allow == 0) {
		snprintf(why, whylen, "empty list");
		return -EINVAL;
	}
	return 0;
}

static bool
prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

/* The source address as 16 bytes (IPv4 as ::ffff:a.b.c.d) and whether the allow-list admits
 * it. */
static bool
peer_allowed(const struct sw_ctl *c, const struct sockaddr_storage *ss, uint8_t key[16])
{
	uint8_t v4[4];
	bool is4 = false;

	memset(key, 0, 16);
	if (ss->ss_family == AF_INET) {
		memcpy(v4, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		is4 = true;
	} else if (ss->ss_family == AF_INET6) {
		const uint8_t *a = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;

		memcpy(key, a, 16);
		if (IN6_IS_ADDR_V4MAPPED((const struct in6_addr *)a)) {
			memcpy(v4, a + 12, 4);
			is4 = true;
		}
	}
	if (is4) {
		key[10] = key[11] = 0xff;
		memcpy(key + 12, v4, 4);
	}
	if (c->nmetrics_allow == 0)
		return true;
	for (unsigned i = 0; i < c->nmetrics_allow; i++) {
		const struct sw_cidr *r = &c->metrics_allow[i];

		if (r->af == AF_INET && is4 && prefix_match(v4, r->addr, r->bits))
			return true;
		if (r->af == AF_INET6 && !is4 && prefix_match(key, r->addr, r->bits))
			return true;
	}
	return false;
}

static unsigned
peer_count(enum client_kind kind, const uint8_t peer[16])
{
	unsigned n = 0;

	for (unsigned i = 0; i < nclients; i++)
		if (clients[i].kind == kind && memcmp(clients[i].peer, peer, 16) == 0)
			n++;
	return n;
}

static void
accept_client(int lfd, enum client_kind kind)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	uint8_t peer[16];
	bool op = false;
	int fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	memset(peer, 0, sizeof(peer));
	if (kind == CL_CTL) {
		struct ucred cr;
		socklen_t cl = sizeof(cr);

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0) {
			memcpy(peer, &cr.uid, sizeof(cr.uid));
			op = cr.uid == 0 || cr.uid == geteuid();
		}
		if (nkind[CL_CTL] >= CTL_MAX || (!op && nkind[CL_CTL] >= CTL_MAX - CTL_RESERVED)) {
			ctl.refused_ctl_full++;
			send_str(fd, "ERR too many clients\n");
			close(fd);
			return;
		}
		if (!op && peer_count(CL_CTL, peer) >= CTL_PER_PEER) {
			ctl.refused_ctl_peer++;
			send_str(fd, "ERR too many connections from this user\n");
			close(fd);
			return;
		}
	} else {
		if (!peer_allowed(&ctl, &ss, peer)) {
			ctl.refused_http_acl++;
			close(fd);
			return;
		}
		if (nkind[CL_HTTP] >= HTTP_MAX || peer_count(CL_HTTP, peer) >= HTTP_PER_PEER) {
			if (nkind[CL_HTTP] >= HTTP_MAX)
				ctl.refused_http_full++;
			else
				ctl.refused_http_peer++;
			send_str(fd, "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n"
				 "Connection: close\r\n\r\n");
			close(fd);
			return;
		}
	}
	memset(&clients[nclients], 0, offsetof(struct client, buf));
	clients[nclients].fd = fd;
	clients[nclients].kind = kind;
	clients[nclients].operator = op;
	memcpy(clients[nclients].peer, peer, sizeof(peer));
	nkind[kind]++;
	clients[nclients].state = CS_READING;
	clients[nclients].since_ns = sw_shm_mono_ns();
	clients[nclients].buf[0] = '\0';
	nclients++;
}

/* Followers get each event line or nothing: one that does not read fast enough misses lines
 * (the events file has them all) and is cut off if a line went out only in part; the loop
 * never waits for it. */
static void
follow_sink(struct sw_ctl *c, const char *line)
{
	char buf[4096];
	int n = snprintf(buf, sizeof(buf), "%s\n", line);

	(void)c;
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	for (unsigned i = 0; i < nclients;) {
		ssize_t w;

		if (clients[i].state != CS_FOLLOW) {
			i++;
			continue;
		}
		w = send(clients[i].fd, buf, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w == n || (w < 0 && (errno == EAGAIN || errno == EINTR))) {
			i++;
			continue;
		}
		client_close(i);
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Requests                                                                                   */

static void
reply_body(int fd, char *body)
{
	if (body == NULL) {
		send_str(fd, "ERR out of memory\n");
		return;
	}
	send_str(fd, "OK\n");
	send_str(fd, body);
	free(body);
}

static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 && *s != '\t')
			return false;
	return true;
}

/*
 * The shadow policy (issue 18 D7; ctlsock.h): "shadow reload SAMPLE [RULES SITE]", "shadow
 * promote" (both answered when done, as a reload), "shadow drop", "shadow diff [json]". A shadow
 * publication or promotion never queues behind a reload: it is refused while one runs.
 */
static bool
handle_shadow(struct client *cl, int argc, char **argv)
{
	uint64_t g = atomic_load(&ctl.image.hdr->shadow_generation);
	char msg[1200];
	int rc;

	if (strcmp(argv[1], "diff") == 0 && argc <= 3) {
		reply_body(cl->fd, sw_shadow_report(&ctl, argc == 3 && strcmp(argv[2], "json") == 0));
		return false;
	}
	if ((strcmp(argv[1], "reload") == 0 && (argc == 3 || argc == 5)) ||
	    (strcmp(argv[1], "promote") == 0 && argc == 2) ||
	    (strcmp(argv[1], "drop") == 0 && argc == 2)) {
		if (ctl.running) {
			snprintf(msg, sizeof(msg), "ERR a reload is in flight (generation %" PRIu64
				 "): try the shadow %s again when it is done\n", ctl.job->generation,
				 argv[1]);
			send_str(cl->fd, msg);
			return false;
		}
	} else {
		send_str(cl->fd, "EINVAL shadow wants reload SAMPLE [RULES SITE], diff [json], "
			 "promote or drop\n");
		return false;
	}
	if (strcmp(argv[1], "drop") == 0) {
		char err[256];

		rc = sw_shm_shadow_drop(&ctl.image, err, sizeof(err));
		if (rc < 0) {
			snprintf(msg, sizeof(msg), "ERR %s\n", err);
		} else {
			snprintf(msg, sizeof(msg), "OK\nshadow generation %" PRIu64 " dropped, "
				 "generation %" PRIu64 " stays active\n", g,
				 atomic_load(&ctl.image.hdr->generation));
			ctl.shadow.dropped++;
			sw_shadow_clear(&ctl);
			sw_events_note(&ctl, follow_sink, "state", "shadow_dropped", "");
		}
		send_str(cl->fd, msg);
		return false;
	}
	if (strcmp(argv[1], "promote") == 0) {
		struct sw_shadow_counts d;

		if (g == 0) {
			send_str(cl->fd, "ERR no shadow policy to promote (publish one with "
				 "`sigwallctl reload --shadow`)\n");
			return false;
		}
		if (g <= atomic_load(&ctl.image.hdr->generation)) {
			snprintf(msg, sizeof(msg), "ERR the active generation %" PRIu64 " is newer "
				 "than the shadow %" PRIu64 ": reload --shadow again\n",
				 atomic_load(&ctl.image.hdr->generation), g);
			send_str(cl->fd, msg);
			return false;
		}
		sw_shadow_delta(&ctl, &d); /* brings control's view in line with the slot */
		rc = sw_reload_start_kind(&ctl, SW_JOB_PROMOTE, ctl.shadow.rules, ctl.shadow.site,
					  0);
	} else {
		char *end;
		unsigned long sample = strtoul(argv[2], &end, 10);
		const char *rules = argc == 5 ? argv[3] : ctl.rules;
		const char *site = argc == 5 ? argv[4] : ctl.site;

		if (*end != '\0' || argv[2][0] == '\0' || sample > 1000000) {
			send_str(cl->fd, "EINVAL the sample wants 0-1000000 (1 in N MSUs; 0, 1: all)\n");
			return false;
		}
		if (rules[0] != '/' || site[0] != '/') {
			send_str(cl->fd, "EINVAL rule and site paths must be absolute\n");
			return false;
		}
		rc = sw_reload_start_kind(&ctl, SW_JOB_SHADOW, rules, site, (uint32_t)sample);
	}
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "ERR cannot start the shadow %s: %s\n", argv[1],
			 strerror(-rc));
		send_str(cl->fd, msg);
		return false;
	}
	cl->state = CS_WAIT_RELOAD;
	cl->since_ns = 0;
	return true;
}

/* Handles one complete request line. Returns true if the connection stays open. */
static bool
handle_ctl(unsigned i, char *line)
{
	struct client *cl = &clients[i];
	char *argv[6] = {0};
	int argc = 0;
	char *save = NULL, *tok;

	if (!printable(line)) {
		send_str(cl->fd, "ERR request is not a text line\n");
		return false;
	}
	for (tok = strtok_r(line, "\t", &save); tok != NULL && argc < 6;
	     tok = strtok_r(NULL, "\t", &save))
		argv[argc++] = tok;
	if (argc == 0) {
		send_str(cl->fd, "ERR empty request\n");
		return false;
	}
	if (strcmp(argv[0], "ping") == 0 && argc == 1) {
		send_str(cl->fd, "OK\npong\n");
		return false;
	}
	if (strcmp(argv[0], "status") == 0 && argc <= 2) {
		reply_body(cl->fd, sw_report_status(&ctl, argc == 2 && strcmp(argv[1], "json") == 0));
		return false;
	}
	if (strcmp(argv[0], "stats") == 0 && argc <= 2) {
		reply_body(cl->fd, sw_report_stats(&ctl, argc == 2 && strcmp(argv[1], "json") == 0));
		return false;
	}
	if (strcmp(argv[0], "events") == 0 && argc <= 2) {
		if (argc == 2 && strcmp(argv[1], "follow") == 0) {
			send_str(cl->fd, "OK\n");
			cl->state = CS_FOLLOW;
			return true;
		}
		reply_body(cl->fd, sw_events_recent(&ctl));
		return false;
	}
	if (strcmp(argv[0], "log-reopen") == 0 && argc == 1) {
		int rc = sw_events_reopen(&ctl, follow_sink, "sigwallctl log-reopen");
		char msg[256];

		if (rc < 0)
			snprintf(msg, sizeof(msg), "ERR reopening the event files: %s\n",
				 strerror(-rc));
		else
			snprintf(msg, sizeof(msg), "OK\nevent files reopened\n");
		send_str(cl->fd, msg);
		return false;
	}
	if (strcmp(argv[0], "reload") == 0 && (argc == 1 || argc == 3)) {
		const char *rules = argc == 3 ? argv[1] : ctl.rules;
		const char *site = argc == 3 ? argv[2] : ctl.site;
		int rc;

		if (rules[0] != '/' || site[0] != '/') {
			send_str(cl->fd, "ERR rule and site paths must be absolute\n");
			return false;
		}
		/* A reload requested while one runs is queued: its caller waits for the next. */
		bool queued = ctl.running;

		rc = sw_reload_start(&ctl, rules, site);
		if (rc < 0) {
			char msg[128];

			snprintf(msg, sizeof(msg), "ERR cannot start reload: %s\n", strerror(-rc));
			send_str(cl->fd, msg);
			return false;
		}
		cl->state = CS_WAIT_RELOAD;
		/* since_ns marks which reload it waits for: the queued one starts later. */
		cl->since_ns = queued ? UINT64_MAX : 0;
		return true;
	}
	if (strcmp(argv[0], "shadow") == 0 && argc >= 2)
		return handle_shadow(cl, argc, argv);
	send_str(cl->fd, "EINVAL unknown request (expected reload, shadow, status, stats, events, "
		 "log-reopen, ping)\n");
	return false;
}

static const char *
http_path(const char *req)
{
	static char path[128];
	const char *sp;

	if (strncmp(req, "GET ", 4) != 0)
		return NULL;
	sp = strchr(req + 4, ' ');
	if (sp == NULL || (size_t)(sp - req - 4) >= sizeof(path))
		return NULL;
	memcpy(path, req + 4, (size_t)(sp - req - 4));
	path[sp - req - 4] = '\0';
	return path;
}

static void
handle_http(unsigned i)
{
	struct client *cl = &clients[i];
	const char *path = http_path(cl->buf);
	char hdr[256];
	char *body;

	if (path == NULL || (strcmp(path, "/metrics") != 0 && strcmp(path, "/") != 0)) {
		send_str(cl->fd, "HTTP/1.0 404 Not Found\r\nContent-Length: 10\r\n"
			 "Connection: close\r\n\r\nnot found\n");
		return;
	}
	body = sw_report_metrics(&ctl);
	if (body == NULL) {
		send_str(cl->fd, "HTTP/1.0 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n");
		return;
	}
	snprintf(hdr, sizeof(hdr), "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n", strlen(body));
	send_str(cl->fd, hdr);
	send_str(cl->fd, body);
	free(body);
}

/* Readable client. Returns false when the client was closed (index reused). */
static bool
client_read(unsigned i)
{
	struct client *cl = &clients[i];
	ssize_t n;
	char *eol;

	if (cl->state != CS_READING) {
		/* Followers and reload waiters only ever send EOF (or garbage we ignore). */
		char tmp[256];

		n = recv(cl->fd, tmp, sizeof(tmp), 0);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			client_close(i);
			return false;
		}
		return true;
	}
	n = recv(cl->fd, cl->buf + cl->len, SW_CTL_REQ_MAX - cl->len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0) {
		client_close(i);
		return false;
	}
	cl->len += (size_t)n;
	cl->buf[cl->len] = '\0';
	if (memchr(cl->buf, '\0', cl->len) != NULL) {
		if (cl->kind == CL_CTL)
			send_str(cl->fd, "ERR request is not a text line\n");
		client_close(i);
		return false;
	}
	if (cl->kind == CL_HTTP) {
		if (strstr(cl->buf, "\r\n\r\n") == NULL && strstr(cl->buf, "\n\n") == NULL) {
			if (cl->len == SW_CTL_REQ_MAX) {
				client_close(i);
				return false;
			}
			return true;
		}
		handle_http(i);
		client_close(i);
		return false;
	}
	eol = strchr(cl->buf, '\n');
	if (eol == NULL) {
		if (cl->len == SW_CTL_REQ_MAX) {
			send_str(cl->fd, "ERR request too long\n");
			client_close(i);
			return false;
		}
		return true;
	}
	*eol = '\0';
	if (eol > cl->buf && eol[-1] == '\r')
		eol[-1] = '\0';
	if (!handle_ctl(i, cl->buf)) {
		client_close(i);
		return false;
	}
	return true;
}

/* The answer to `sigwallctl reload --shadow`. */
static void
shadow_msg(const struct sw_reload *j, char *msg, size_t len)
{
	uint64_t active = atomic_load(&ctl.image.hdr->generation);

	if (j->rc == 0 && j->picked_up)
		snprintf(msg, len, "OK\nshadow generation %" PRIu64 " published beside generation %"
			 PRIu64 " (evaluated, never acted on): %u rules, %" PRIu64 " bytes, checksum "
			 "%016" PRIx64 ", 1 in %u MSUs\ncompile %.1f ms, publish %.2f ms, worker "
			 "pickup %.2f ms (%u live workers)\n", j->generation, active, j->nrules,
			 j->size, j->checksum, j->sample > 1 ? j->sample : 1, j->compile_ms,
			 j->publish_ms, j->pickup_ms, j->workers_waited);
	else if (j->rc == 0)
		snprintf(msg, len, "ERR shadow generation %" PRIu64 " published but NOT every live "
			 "worker picked it up within %u ms (%u live workers)\n", j->generation,
			 ctl.reload_timeout_ms, j->workers_waited);
	else
		snprintf(msg, len, "%s %s (nothing published: generation %" PRIu64 " stays active%s)\n",
			 j->invalid ? "EINVAL" : "ERR", j->err, active,
			 atomic_load(&ctl.image.hdr->shadow_generation) != 0
				 ? ", the shadow there was stays" : "");
}

/* The reload thread finished: answer the clients that waited for it. */
static void
reload_done(void)
{
	struct sw_reload *j = ctl.job;
	char msg[2048];

	sw_reload_finish(&ctl);
	if (j->kind == SW_JOB_SHADOW)
		shadow_msg(j, msg, sizeof(msg));
	else if (j->kind == SW_JOB_PROMOTE && j->rc == 0 && j->picked_up)
		snprintf(msg, sizeof(msg),
			 "OK\ngeneration %" PRIu64 " active, promoted from the shadow: %u rules, "
			 "checksum %016" PRIx64 "\npromote %.2f ms, worker pickup %.2f ms (%u live "
			 "workers), command to active %.1f ms\n", j->generation, j->nrules,
			 j->checksum, j->publish_ms, j->pickup_ms, j->workers_waited, j->total_ms);
	else if (j->rc == 0 && j->picked_up)
		snprintf(msg, sizeof(msg),
			 "OK\ngeneration %" PRIu64 " active: %u rules, %" PRIu64 " bytes, checksum "
			 "%016" PRIx64 "\ncompile %.1f ms, publish %.2f ms, worker pickup %.2f ms "
			 "(%u live workers), command to active %.1f ms\n",
			 j->generation, j->nrules, j->size, j->checksum, j->compile_ms,
			 j->publish_ms, j->pickup_ms, j->workers_waited, j->total_ms);
	else if (j->rc == 0)
		/* Published, but a live worker still runs an older generation: the operator must
		 * know (exit 1), though the new image stays published and is picked up later. */
		snprintf(msg, sizeof(msg),
			 "ERR generation %" PRIu64 " published (%u rules, checksum %016" PRIx64 ") "
			 "but NOT every live worker picked it up within %u ms (%u live workers); "
			 "see `sigwallctl status`\n", j->generation, j->nrules, j->checksum,
			 ctl.reload_timeout_ms, j->workers_waited);
	else
		snprintf(msg, sizeof(msg), "%s %s\n", j->invalid ? "EINVAL" : "ERR", j->err);
	{
		char detail[1400];
		struct sw_buf eb = {0};

		sw_buf_printf(&eb, "\"generation\":%" PRIu64 ",\"ok\":%s,\"picked_up\":%s,"
			      "\"total_ms\":%.3f,\"error\":", j->generation,
			      j->rc == 0 ? "true" : "false", j->picked_up ? "true" : "false",
			      j->total_ms);
		sw_buf_json_str(&eb, j->rc == 0 ? NULL : j->err);
		if (j->rc == 0) {
			sw_buf_printf(&eb, ",\"checksum\":\"%016" PRIx64 "\",\"rules\":%u",
				      j->checksum, j->nrules);
		}
		snprintf(detail, sizeof(detail), "%s", eb.p != NULL ? eb.p : "");
		free(eb.p);
		sw_events_note(&ctl, follow_sink, "state",
			       j->kind == SW_JOB_SHADOW ? (j->rc == 0 ? "shadow" : "shadow_failed")
			       : j->kind == SW_JOB_PROMOTE
				       ? (j->rc == 0 ? "shadow_promoted" : "shadow_promote_failed")
				       : (j->rc == 0 ? "reload" : "reload_failed"),
			       detail);
	}
	sw_notify("READY=1");
	for (unsigned i = 0; i < nclients;) {
		if (clients[i].state == CS_WAIT_RELOAD && clients[i].since_ns == 0) {
			send_str(clients[i].fd, msg);
			client_close(i);
			continue;
		}
		i++;
	}
	free(j);
	ctl.job = NULL;
	if (ctl.pending) {
		ctl.pending = false;
		int rc = sw_reload_start(&ctl, ctl.pending_rules, ctl.pending_site);

		for (unsigned i = 0; i < nclients;) {
			if (clients[i].state != CS_WAIT_RELOAD) {
				i++;
				continue;
			}
			if (rc == 0) {
				clients[i++].since_ns = 0;
				continue;
			}
			send_str(clients[i].fd, "ERR cannot start the queued reload\n");
			client_close(i);
		}
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Startup                                                                                    */

static void
abs_path(const char *in, char *out, size_t len, const char *what)
{
	char buf[PATH_MAX];

	if (realpath(in, buf) == NULL)
		die(2, "%s file %s: %s", what, in, strerror(errno));
	if (access(buf, R_OK) != 0)
		die(2, "%s file %s: %s", what, buf, strerror(errno));
	snprintf(out, len, "%s", buf);
}

static void
take_lock(struct sw_ctl *c)
{
	char pidbuf[32];
	ssize_t n;

	c->lock_fd = open(c->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (c->lock_fd < 0)
		die(1, "%s: %s", c->lock_path, strerror(errno));
	if (flock(c->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		n = pread(c->lock_fd, pidbuf, sizeof(pidbuf) - 1, 0);
		pidbuf[n > 0 ? n : 0] = '\0';
		pidbuf[strcspn(pidbuf, "\n")] = '\0';
		die(1, "instance '%s' already has a control process (pid %s, lock %s); "
		    "stop it first", c->instance, pidbuf[0] ? pidbuf : "?", c->lock_path);
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d\n", (int)getpid());
	if (ftruncate(c->lock_fd, 0) < 0 ||
	    pwrite(c->lock_fd, pidbuf, strlen(pidbuf), 0) != (ssize_t)strlen(pidbuf)) {
		/* informational only */
	}
}

/* Rule names of the image already active in a reused object, so events of that generation
 * still get names after a control restart. */
static void
names_of_active(struct sw_ctl *c)
{
	uint64_t gen, size;
	const void *img;
	struct sw_shm_image view = c->image;
	struct sw_names n;
	char err[256];

	img = sw_shm_image_get(&view, &gen, &size);
	if (img == NULL || sw_image_validate(img, size, err, sizeof(err)) < 0)
		return;
	if (sw_names_from_image(img, gen, &n) == 0)
		sw_names_add(c, &n);
}

static uint64_t
parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'm' || *end == 'M')
		v <<= 20, end++;
	else if (*end == 'g' || *end == 'G')
		v <<= 30, end++;
	if (*end != '\0' || v == 0)
		die(2, "bad size '%s'", s);
	return v;
}

/* What the command line asks for beyond struct sw_ctl's fields. */
struct options {
	const char *rules, *site, *allow;
	bool cleanup;
	int log_sink, log_level;
};

/* The command line into c and o; --help, --version and usage errors exit here. */
static void
parse_options(int argc, char **argv, struct sw_ctl *c, struct options *o)
{
	static const struct option opts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"rules", required_argument, NULL, 'r'},
		{"site", required_argument, NULL, 's'},
		{"metrics", required_argument, NULL, 'm'},
		{"events", required_argument, NULL, 'e'},
		{"events-pcap", required_argument, NULL, 'p'},
		{"events-syslog", required_argument, NULL, 'Y'},
		{"syslog-facility", required_argument, NULL, 'F'},
		{"metrics-allow", required_argument, NULL, 'A'},
		{"log", required_argument, NULL, 'L'},
		{"log-level", required_argument, NULL, 'l'},
		{"version", no_argument, NULL, 'V'},
		{"foreground", no_argument, NULL, 'f'},
		{"slot-size", required_argument, NULL, 'S'},
		{"slots", required_argument, NULL, 'n'},
		{"workers", required_argument, NULL, 'w'},
		{"reload-timeout", required_argument, NULL, 'T'},
		{"cleanup", no_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	memset(o, 0, sizeof(*o));
	o->log_sink = SW_LOG_AUTO;
	o->log_level = LOG_INFO;
	c->instance = "default";
	c->max_workers = SW_SHM_DEFAULT_WORKERS;
	c->reload_timeout_ms = 2000;
	c->nslots = 3;
	c->syslog_facility = 16;
	while ((opt = getopt_long(argc, argv, "i:r:s:m:e:p:fS:w:T:Ch", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': c->instance = optarg; break;
		case 'r': o->rules = optarg; break;
		case 's': o->site = optarg; break;
		case 'm': c->metrics_addr = optarg; break;
		case 'A': o->allow = optarg; break;
		case 'e': c->evf.path = optarg; break;
		case 'p': c->pcapf.path = optarg; break;
		case 'Y': c->syslog_addr = optarg; break;
		case 'F':
			c->syslog_facility = atoi(optarg);
			if (c->syslog_facility < 0 || c->syslog_facility > 23 || optarg[0] == '\0')
				die(2, "--syslog-facility wants 0-23 (RFC 5424 6.2.1), got '%s'",
				    optarg);
			break;
		case 'L':
			o->log_sink = sw_log_sink_parse(optarg);
			if (o->log_sink < 0)
				die(2, "--log wants auto, stderr, journal or syslog, got '%s'", optarg);
			break;
		case 'l':
			o->log_level = sw_log_level_parse(optarg);
			if (o->log_level < 0)
				die(2, "--log-level wants err, warning, notice, info or debug, got '%s'",
				    optarg);
			break;
		case 'f': c->foreground = true; break;
		case 'S': c->slot_size = parse_size(optarg); break;
		case 'n': c->nslots = (unsigned)atoi(optarg); break;
		case 'w': c->max_workers = (unsigned)atoi(optarg); break;
		case 'T': c->reload_timeout_ms = (unsigned)atoi(optarg); break;
		case 'C': o->cleanup = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("sigwall-control %s\n", SW_VERSION); exit(0);
		default:
			fprintf(stderr, "sigwall-control: option '%s' is unknown or lacks its value\n",
				argv[optind - 1]);
			usage(stderr);
			exit(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "sigwall-control: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(2);
	}
	sw_log_init("sigwall-control", c->instance, (enum sw_log_sink)o->log_sink, o->log_level);
	if (c->reload_timeout_ms == 0 || c->reload_timeout_ms > 600000)
		die(2, "--reload-timeout wants 1-600000 ms");
	if (sw_shm_instance_valid(c->instance) < 0)
		die(2, "invalid instance name '%s' (letters, digits, '-', '_', at most %d)",
		    c->instance, SW_SHM_INSTANCE_MAX);
	if (c->max_workers == 0 || c->max_workers > SW_SHM_MAX_WORKERS)
		die(2, "--workers must be 1..%d", SW_SHM_MAX_WORKERS);
	if (c->nslots < 2 || c->nslots > SW_SHM_MAX_SLOTS)
		die(2, "--slots must be 2..%d", SW_SHM_MAX_SLOTS);
}

/* The run directory, socket and lock paths, and the instance lock. */
static void
setup_rundir(struct sw_ctl *c)
{
	snprintf(c->rundir, sizeof(c->rundir), "%s", sw_ctl_rundir());
	if (mkdir(c->rundir, 0700) < 0 && errno != EEXIST)
		die(1, "cannot create %s: %s", c->rundir, strerror(errno));
	if (sw_ctl_path(c->sock_path, sizeof(c->sock_path), c->instance, "sock") < 0)
		die(2, "socket path under %s is too long", c->rundir);
	if (sw_ctl_path(c->lock_path, sizeof(c->lock_path), c->instance, "lock") < 0)
		die(2, "lock path under %s is too long", c->rundir);
	take_lock(c);
}

/* The lock file guards one rundir; another control with another $SIGWALL_RUNDIR would still
 * share the objects. One that is alive and beating owns them: exit. */
static void
other_control(const struct sw_ctl *c, const struct sw_shm_stats *st)
{
	int32_t pid = atomic_load(&st->hdr->control_pid);
	uint64_t hb = atomic_load(&st->hdr->control_heartbeat_ns);

	if (pid > 0 && pid != getpid() && (kill(pid, 0) == 0 || errno != ESRCH) && hb != 0 &&
	    sw_shm_mono_ns() - hb < 3000000000ull)
		die(1, "instance '%s' is served by another sigwall-control (pid %d, heartbeat %.1f s "
		    "ago; started with another $SIGWALL_RUNDIR?)", c->instance, (int)pid,
		    (double)(sw_shm_mono_ns() - hb) / 1e9);
}

/* Compile the first image, then create or reuse the image and stats objects. Compiling comes
 * before touching shared memory: a broken rule set at startup changes nothing. */
static void
setup_shm(struct sw_ctl *c, const struct options *o)
{
	struct sw_compiled first;
	uint64_t slot, t0 = sw_shm_mono_ns();
	bool reused_img, reused_stats;
	char err[1024];
	int rc;

	abs_path(o->rules, c->rules, sizeof(c->rules), "rules");
	abs_path(o->site, c->site, sizeof(c->site), "site");
	memset(&first, 0, sizeof(first));
	rc = sw_compile_files(c->rules, c->site, 1, &first, err, sizeof(err));
	c->pre_ns = sw_shm_mono_ns() - t0;
	if (rc < 0)
		die(2, "%s", err[0] ? err : "compile failed");
	slot = c->slot_size != 0 ? c->slot_size : 4 * (uint64_t)first.size;
	if (slot < SW_SHM_MIN_SLOT_SIZE && c->slot_size == 0)
		slot = SW_SHM_MIN_SLOT_SIZE;
	/* kept for the first publication (sw_reload_sync), freed by it */
	c->pre_image = first.image;
	c->pre_size = first.size;
	/* Three slots by default: the active image, a shadow (issue 18 D7) and the next
	 * publication. An object with another number of slots is re-created. */
	/* Before touching the objects: re-creating them (other slots, --slot-size, --workers) would
	 * cut a running control off from its workers. */
	{
		struct sw_shm_stats st;

		if (sw_shm_stats_attach(c->instance, false, &st) == 0) {
			other_control(c, &st);
			sw_shm_stats_detach(&st);
		}
	}
	rc = sw_shm_image_create(c->instance, slot, c->nslots, &c->image, &reused_img);
	if (rc < 0)
		die(1, "/sigwall.%s.image: %s", c->instance, strerror(-rc));
	rc = sw_shm_stats_create(c->instance, c->max_workers, 0, &c->stats, &reused_stats);
	if (rc < 0)
		die(1, "/sigwall.%s.stats: %s", c->instance, strerror(-rc));
	sw_log(LOG_INFO, "%s /sigwall.%s.image (generation %" PRIu64
	       ", %u slots of %" PRIu64 " MiB), %s /sigwall.%s.stats",
		reused_img ? "reusing" : "created", c->instance,
		atomic_load(&c->image.hdr->generation), c->image.hdr->nslots,
		c->image.hdr->slot_size >> 20, reused_stats ? "reusing" : "created", c->instance);
	other_control(c, &c->stats);
	for (unsigned w = 0; w < c->stats.geo.max_workers && w < SW_SHM_MAX_WORKERS; w++)
		c->lost_seen[w] = atomic_load(&sw_shm_ring(&c->stats, w)->lost);
	if (reused_img)
		names_of_active(c);
	c->snap_prev = calloc(1, sizeof(struct sw_snap));
	c->snap_cur = calloc(1, sizeof(struct sw_snap));
	if (c->snap_prev == NULL || c->snap_cur == NULL)
		die(1, "out of memory");
}

/* Event outputs, signals, the first publication, the unix socket and the metrics port. */
static void
setup_io(struct sw_ctl *c, const struct options *o)
{
	sigset_t mask;
	char err[1024];
	int rc;

	if (o->allow != NULL) {
		char why[256];

		if (parse_allow(c, o->allow, why, sizeof(why)) < 0)
			die(2, "--metrics-allow %s: %s", o->allow, why);
	}
	rc = sw_events_open(c);
	if (rc == -EPROTO)
		die(2, "--events-pcap %s: exists and is not an Ethernet pcap to append to",
		    c->pcapf.path);
	if (rc == -EDESTADDRREQ)
		die(2, "--events-syslog %s: wants udp:HOST:PORT or the path of a unix datagram "
		    "socket", c->syslog_addr);
	if (rc < 0)
		die(1, "--events/--events-pcap/--events-syslog: %s (is the directory there and "
		    "writable by this user?)", strerror(-rc));

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A file size limit (ulimit -f) makes write() fail with EFBIG, counted as a short write,
	 * instead of killing the daemon. */
	signal(SIGXFSZ, SIG_IGN);
	c->sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	c->done_fd = eventfd(0, EFD_CLOEXEC);
	if (c->sig_fd < 0 || c->done_fd < 0)
		die(1, "signalfd/eventfd: %s", strerror(errno));

	rc = sw_reload_sync(c, err, sizeof(err));
	if (rc < 0)
		die(1, "%s", err);

	c->listen_fd = listen_unix(c);
	if (c->listen_fd < 0)
		die(1, "%s: %s", c->sock_path, strerror(-c->listen_fd));
	c->metrics_fd = -1;
	if (c->metrics_addr != NULL) {
		char why[256];

		c->metrics_fd = listen_metrics(c->metrics_addr, why, sizeof(why));
		if (c->metrics_fd == -EINVAL)
			die(2, "--metrics %s: %s", c->metrics_addr, why);
		if (c->metrics_fd < 0)
			die(1, "--metrics %s: %s", c->metrics_addr, why);
		if (c->nmetrics_allow == 0 && strncmp(c->metrics_addr, "127.", 4) != 0 &&
		    strncmp(c->metrics_addr, "[::1]", 5) != 0 &&
		    strncmp(c->metrics_addr, "localhost:", 10) != 0)
			sw_log(LOG_NOTICE, "metrics on %s answer any source address; restrict them "
			       "with --metrics-allow CIDR,...", c->metrics_addr);
	}
}

/* Unless --foreground: fork; the parent exits once the child serves (announce() writes to the
 * returned pipe), so scripts can call sigwallctl right away. -1 in the foreground. */
static int
daemonise(struct sw_ctl *c)
{
	int ready_pipe[2];
	char pidbuf[32];
	pid_t pid;
	char b;

	if (c->foreground)
		return -1;
	if (pipe(ready_pipe) < 0)
		die(1, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		die(1, "fork: %s", strerror(errno));
	if (pid > 0) {
		close(ready_pipe[1]);
		_exit(read(ready_pipe[0], &b, 1) == 1 ? 0 : 1);
	}
	close(ready_pipe[0]);
	setsid();
	/* the lock and the pid in the lock file follow the child */
	snprintf(pidbuf, sizeof(pidbuf), "%d\n", (int)getpid());
	if (ftruncate(c->lock_fd, 0) < 0 || pwrite(c->lock_fd, pidbuf, strlen(pidbuf), 0) < 0) {
		/* informational only */
	}
	return ready_pipe[1];
}

/* Serving: the log line, systemd's READY=1, the start event, and the forking parent let go. */
static void
announce(struct sw_ctl *c, int ready_fd)
{
	char st[512];

	atomic_store(&c->stats.hdr->control_pid, (int32_t)getpid());
	sw_log(LOG_NOTICE, "serving %s%s%s, generation %" PRIu64 " active (%u rules)",
	       c->sock_path, c->metrics_addr != NULL ? ", metrics on http://" : "",
	       c->metrics_addr != NULL ? c->metrics_addr : "",
	       atomic_load(&c->image.hdr->generation), c->last_ok.nrules);
	snprintf(st, sizeof(st), "READY=1\nMAINPID=%d\nSTATUS=generation %" PRIu64
		 " active, %u rules", (int)getpid(), atomic_load(&c->image.hdr->generation),
		 c->last_ok.nrules);
	sw_notify(st);
	sw_events_note(c, NULL, "system", "start", "\"version\":\"" SW_VERSION "\"");
	if (ready_fd >= 0) {
		int devnull = open("/dev/null", O_RDWR);

		if (write(ready_fd, "r", 1) != 1) {
			/* parent gone: keep serving */
		}
		close(ready_fd);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
			close(devnull);
		}
		sw_log_daemonised();
	}
}

/* The signals read from signalfd: false on SIGTERM/SIGINT (stop). SIGHUP reopens the event
 * files (logrotate's convention; `sigwallctl reload` reloads, control/README.md). */
static bool
handle_signals(struct sw_ctl *c)
{
	struct signalfd_siginfo si;
	bool hup = false;

	while (read(c->sig_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo != SIGHUP)
			return false;
		/* A storm of them reopens once per read. */
		c->signals_hup++;
		hup = true;
	}
	if (hup)
		sw_events_reopen(c, follow_sink, "SIGHUP");
	return true;
}

/* Clients that never finish their request are cut off. */
static void
expire_clients(uint64_t now)
{
	for (unsigned i = 0; i < nclients;) {
		if (clients[i].state == CS_READING && now - clients[i].since_ns > CLIENT_TIMEOUT_NS) {
			if (clients[i].kind == CL_CTL)
				send_str(clients[i].fd, "ERR request timeout\n");
			client_close(i);
			continue;
		}
		i++;
	}
}

/* The loop: clients, signals, reload completions, events, the per-second snapshot and the
 * heartbeat, until SIGTERM or SIGINT. */
static void
serve(struct sw_ctl *c)
{
	uint64_t next_snap = 0, next_hb = 0;
	unsigned drained = 0;

	for (;;) {
		struct pollfd pf[4 + MAX_CLIENTS];
		unsigned np = 0, base;
		uint64_t now;
		int rc;

		pf[np++] = (struct pollfd){c->listen_fd, POLLIN, 0};
		pf[np++] = (struct pollfd){c->sig_fd, POLLIN, 0};
		pf[np++] = (struct pollfd){c->done_fd, POLLIN, 0};
		pf[np++] = (struct pollfd){c->metrics_fd, POLLIN, 0};
		base = np;
		for (unsigned i = 0; i < nclients; i++)
			pf[np++] = (struct pollfd){clients[i].fd, POLLIN, 0};
		/* Poll faster while events flow, so the workers' rings do not fill up. */
		rc = poll(pf, np, drained > 0 ? 1 : 20);
		if (rc < 0 && errno != EINTR)
			die(1, "poll: %s", strerror(errno));
		if (rc > 0) {
			/* Clients first (indexes of pf), then accept new ones. Walk backwards
			 * because closing moves the last client into the freed index. */
			for (unsigned i = np - base; i-- > 0;) {
				if (i < nclients && (pf[base + i].revents & (POLLIN | POLLHUP | POLLERR)))
					client_read(i);
			}
			if ((pf[1].revents & POLLIN) && !handle_signals(c))
				return;
			if (pf[2].revents & POLLIN) {
				uint64_t v;

				if (read(c->done_fd, &v, sizeof(v)) == sizeof(v))
					reload_done();
			}
			if (pf[0].revents & POLLIN)
				accept_client(c->listen_fd, CL_CTL);
			if (c->metrics_fd >= 0 && (pf[3].revents & POLLIN))
				accept_client(c->metrics_fd, CL_HTTP);
		}
		now = sw_shm_mono_ns();
		expire_clients(now);
		drained = sw_events_drain(c, follow_sink);
		if (now >= next_snap) {
			sw_snap_take(c);
			sw_events_tick(c, follow_sink);
			next_snap = now + 1000000000ull;
		}
		if (now >= next_hb) {
			atomic_store_explicit(&c->stats.hdr->control_heartbeat_ns, now,
					      memory_order_relaxed);
			next_hb = now + 500000000ull;
		}
	}
}

/* A running reload finished, the last events written, clients closed; the shm objects stay:
 * the dataplane keeps enforcing the last image. */
static void
shutdown_ctl(struct sw_ctl *c)
{
	sw_notify("STOPPING=1");
	sw_log(LOG_NOTICE, "stopping; the dataplane keeps generation %" PRIu64,
	       atomic_load(&c->image.hdr->generation));
	if (c->running) {
		uint64_t v;

		while (read(c->done_fd, &v, sizeof(v)) < 0 && errno == EINTR)
			;
		reload_done();
	}
	sw_events_drain(c, follow_sink);
	sw_events_tick(c, follow_sink);
	sw_events_note(c, follow_sink, "system", "stop", "");
	for (unsigned i = nclients; i-- > 0;)
		client_close(i);
	sw_events_close(c);
	atomic_store(&c->stats.hdr->control_pid, 0);
	unlink(c->sock_path);
	close(c->listen_fd);
	sw_shm_image_detach(&c->image);
	sw_shm_stats_detach(&c->stats);
	sw_state_close(&c->state);
}

int
main(int argc, char **argv)
{
	struct sw_ctl *c = &ctl;
	struct options o;

	/* Messages before the options are read go to stderr. */
	sw_log_init("sigwall-control", "-", SW_LOG_STDERR, LOG_INFO);
	parse_options(argc, argv, c, &o);
	setup_rundir(c);
	if (o.cleanup) {
		sw_shm_unlink(c->instance);
		unlink(c->sock_path);
		unlink(c->lock_path);
		return 0;
	}
	if (o.rules == NULL || o.site == NULL) {
		usage(stderr);
		die(2, "--rules and --site are required");
	}
	setup_shm(c, &o);
	setup_io(c, &o);
	announce(c, daemonise(c));
	serve(c);
	shutdown_ctl(c);
	return 0;
}
