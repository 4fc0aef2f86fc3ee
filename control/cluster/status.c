/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster section of `sigwallctl status` (issue 16 D5), from the status file sigwall-cluster
 * rewrites every heartbeat (<rundir>/<instance>.cluster.json: this member's figures and the
 * group's members as their heartbeat keys in Redis last showed them). No file: no cluster
 * configured, nothing printed. Built without hiredis too (it only reads a file).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "control/cluster/cluster.h"
#include "control/daemon/ctlsock.h"

int
sw_cluster_status_path(char *buf, size_t len, const char *instance)
{
	return sw_ctl_path(buf, len, instance, "cluster.json") < 0 ? -EINVAL : 0;
}

/* The value of "key" in the first object of s (our own flat objects): a number, or the string
 * copied to str. */
static double
field(const char *s, const char *end, const char *key, char *str, size_t len)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(s, pat);
	if (str != NULL && len > 0)
		str[0] = '\0';
	if (p == NULL || (end != NULL && p >= end))
		return 0;
	p += strlen(pat);
	if (*p == '"' && str != NULL) {
		const char *q = strchr(p + 1, '"');
		size_t l = q != NULL ? (size_t)(q - p - 1) : 0;

		if (l >= len)
			l = len - 1;
		memcpy(str, p + 1, l);
		str[l] = '\0';
		return 0;
	}
	if (str != NULL)
		snprintf(str, len, "%.*s", (int)strcspn(p, ",}"), p);
	return strtod(p, NULL);
}

static void
member_line(FILE *out, const char *obj, const char *end, uint64_t now)
{
	char name[SW_CLUSTER_NAME_MAX], ready[8], reach[8];
	double t = field(obj, end, "time_ns", NULL, 0);

	field(obj, end, "member", name, sizeof(name));
	field(obj, end, "ready", ready, sizeof(ready));
	field(obj, end, "reachable", reach, sizeof(reach));
	fprintf(out, "  %-24s %-5s %-9s %8.0f %8.0f %12.0f %12.0f %8.0f %8.0f %8.0f %7.1f\n", name,
		strcmp(ready, "true") == 0 ? "yes" : "no",
		strcmp(reach, "true") == 0 ? "yes" : "no", field(obj, end, "lag_p50_us", NULL, 0),
		field(obj, end, "lag_p99_us", NULL, 0), field(obj, end, "sent", NULL, 0),
		field(obj, end, "applied", NULL, 0), field(obj, end, "unsent", NULL, 0),
		field(obj, end, "ring_lost", NULL, 0), field(obj, end, "missed", NULL, 0),
		t > 0 && now > t ? (now - t) / 1e9 : 0.0);
}

void
sw_cluster_status_print(const char *instance, FILE *out)
{
	char path[512], group[SW_CLUSTER_NAME_MAX], redis[300], buf[32768];
	struct timespec ts;
	struct stat sb;
	const char *self, *members, *p;
	uint64_t now;
	size_t n;
	FILE *f;

	if (sw_cluster_status_path(path, sizeof(path), instance) < 0 || stat(path, &sb) < 0)
		return;
	f = fopen(path, "r");
	if (f == NULL)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	self = strstr(buf, "\"self\":");
	members = strstr(buf, "\"members\":[");
	if (self == NULL || members == NULL) {
		fprintf(out, "cluster: unreadable status file %s\n", path);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	field(buf, self, "group", group, sizeof(group));
	field(buf, self, "redis", redis, sizeof(redis));
	fprintf(out, "cluster group %s, redis %s\n", group, redis);
	if ((uint64_t)ts.tv_sec > (uint64_t)sb.st_mtime + 5)
		fprintf(out, "  status file %lld s old: is sigwall-cluster running?\n",
			(long long)ts.tv_sec - (long long)sb.st_mtime);
	fprintf(out, "  %-24s %-5s %-9s %8s %8s %12s %12s %8s %8s %8s %7s\n", "member", "ready",
		"reachable", "p50_us", "p99_us", "sent", "applied", "unsent", "ringlost", "missed",
		"age_s");
	fprintf(out, "  this member:\n");
	member_line(out, self, members, now);
	fprintf(out, "  group (as Redis shows it):\n");
	for (p = strchr(members, '{'); p != NULL; p = strchr(p + 1, '{')) {
		const char *e = strchr(p, '}');

		member_line(out, p, e, now);
		if (e == NULL)
			break;
		p = e;
	}
}

/* ---- Prometheus (D4): sigwall-control's /metrics appends these --------------------------- */

struct mbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void mprintf(struct mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
mprintf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p != NULL ? b->p + b->len : NULL, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		size_t cap = b->cap == 0 ? 8192 : b->cap;
		char *np;

		while (cap < b->len + (size_t)n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* What a member object carries, as metric name (sigwall_cluster_<name>), JSON key, type, scale
 * (microseconds to seconds for the lags). */
static const struct {
	const char *name, *key, *type, *help;
	double scale;
} cl_metrics[] = {
	{"lag_seconds", "lag_p50_us", "gauge",
	 "Replication lag from the sender's drain to this apply, over the last 5-10 s.", 1e-6},
	{"lag_seconds", "lag_p99_us", NULL, NULL, 1e-6},
	{"lag_max_seconds", "lag_max_us", "gauge", "Largest replication lag, last 5-10 s.", 1e-6},
	{"deltas_total", "sent", "counter",
	 "Deltas by kind: sent, applied, received, stale, unsent, ring_lost, missed, bad, busy, "
	 "warm_loaded, dumped.",
	 1},
	{"deltas_total", "applied", NULL, NULL, 1},
	{"deltas_total", "received", NULL, NULL, 1},
	{"deltas_total", "stale", NULL, NULL, 1},
	{"deltas_total", "unsent", NULL, NULL, 1},
	{"deltas_total", "ring_lost", NULL, NULL, 1},
	{"deltas_total", "missed", NULL, NULL, 1},
	{"deltas_total", "bad", NULL, NULL, 1},
	{"deltas_total", "busy", NULL, NULL, 1},
	{"deltas_total", "warm_loaded", NULL, NULL, 1},
	{"deltas_total", "dumped", NULL, NULL, 1},
	{"resyncs_total", "resyncs", "counter", "Warm-copy loads (the first included).", 1},
	{"disconnects_total", "disconnects", "counter", "Times Redis became unreachable.", 1},
	{"reachable", "reachable", "gauge", "1 when both Redis connections are up.", 1},
	{"ready", "ready", "gauge", "1 once the first warm load is done.", 1},
	{"degraded", "degraded", "gauge",
	 "1 while Redis is unreachable or the resync not done (the policy's cluster-degraded).", 1},
};

static void
member_metric(struct mbuf *b, size_t k, const char *instance, const char *group, const char *source,
	      const char *obj, const char *end)
{
	char name[SW_CLUSTER_NAME_MAX], v[32];
	double x;

	field(obj, end, "member", name, sizeof(name));
	field(obj, end, cl_metrics[k].key, v, sizeof(v));
	if (v[0] == '\0' || name[0] == '\0')
		return;
	x = strcmp(v, "true") == 0 ? 1 : strcmp(v, "false") == 0 ? 0 : strtod(v, NULL);
	mprintf(b, "sigwall_cluster_%s{instance=\"%s\",group=\"%s\",member=\"%s\",source=\"%s\"",
		cl_metrics[k].name, instance, group, name, source);
	if (strcmp(cl_metrics[k].name, "lag_seconds") == 0)
		mprintf(b, ",quantile=\"%s\"",
			strcmp(cl_metrics[k].key, "lag_p50_us") == 0 ? "0.5" : "0.99");
	else if (strcmp(cl_metrics[k].name, "deltas_total") == 0)
		mprintf(b, ",kind=\"%s\"", cl_metrics[k].key);
	mprintf(b, "} %.9g\n", x * cl_metrics[k].scale);
}

char *
sw_cluster_metrics(const char *instance)
{
	char path[512], group[SW_CLUSTER_NAME_MAX], buf[32768];
	struct mbuf b = {0};
	struct timespec ts;
	struct stat sb;
	const char *self, *members;
	size_t n;
	FILE *f;

	if (sw_cluster_status_path(path, sizeof(path), instance) < 0 || stat(path, &sb) < 0)
		return NULL;
	f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	self = strstr(buf, "\"self\":");
	members = strstr(buf, "\"members\":[");
	if (self == NULL || members == NULL)
		return NULL;
	field(buf, self, "group", group, sizeof(group));
	clock_gettime(CLOCK_REALTIME, &ts);
	/* Per member: this one as its replicator counts (source "local"), and every member of the
	 * group as its heartbeat in Redis last showed it (source "redis"). */
	for (size_t k = 0; k < sizeof(cl_metrics) / sizeof(cl_metrics[0]); k++) {
		if (cl_metrics[k].type != NULL)
			mprintf(&b, "# HELP sigwall_cluster_%s %s\n# TYPE sigwall_cluster_%s %s\n",
				cl_metrics[k].name, cl_metrics[k].help, cl_metrics[k].name,
				cl_metrics[k].type);
		member_metric(&b, k, instance, group, "local", self, members);
		for (const char *p = strchr(members, '{'); p != NULL; p = strchr(p + 1, '{')) {
			const char *e = strchr(p, '}');

			member_metric(&b, k, instance, group, "redis", p, e);
			if (e == NULL)
				break;
			p = e;
		}
	}
	mprintf(&b,
		"# HELP sigwall_cluster_status_age_seconds Age of sigwall-cluster's status file "
		"(rewritten every heartbeat; large: not running).\n"
		"# TYPE sigwall_cluster_status_age_seconds gauge\n"
		"sigwall_cluster_status_age_seconds{instance=\"%s\",group=\"%s\"} %lld\n",
		instance, group, (long long)ts.tv_sec - (long long)sb.st_mtime);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
