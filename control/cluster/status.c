/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cluster section of `sigwallctl status` (issue 16 D5), from the status file sigwall-cluster
 * rewrites every heartbeat (<rundir>/<instance>.cluster.json: this member's figures and the
 * group's members as their heartbeat keys in Redis last showed them). No file: no cluster
 * configured, nothing printed. Built without hiredis too (it only reads a file).
 */
#include <errno.h>
#include <inttypes.h>
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
