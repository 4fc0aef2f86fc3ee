/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * site.cluster of the site file (issue 16 D2), read with libconfig by sigwall-cluster itself:
 *
 *   site.cluster = { name = "pair-1"; redis = "10.0.0.5:6379"; member = "sw-a";
 *                    flush_us = 1000; timeout_ms = 200; retry_ms = 500; heartbeat_ms = 1000;
 *                    batch = 256; };
 *
 * name and redis are required; no site.cluster is a single box (nothing replicated).
 */
#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/cluster/cluster.h"

void
sw_cluster_conf_defaults(struct sw_cluster_conf *c)
{
	if (c->flush_us == 0)
		c->flush_us = 1000;
	if (c->timeout_ms == 0)
		c->timeout_ms = 200;
	if (c->retry_ms == 0)
		c->retry_ms = 500;
	if (c->batch_max == 0)
		c->batch_max = 256;
	if (c->heartbeat_ms == 0)
		c->heartbeat_ms = 1000;
}

int
sw_cluster_parse_redis(const char *s, struct sw_cluster_conf *c)
{
	const char *colon;
	char *end;
	size_t hl;
	long port;

	if (s == NULL)
		return -EINVAL;
	if (strncmp(s, "sentinel:", 9) == 0) {
		struct sw_cluster_conf t;

		if (c->nsentinels >= SW_CLUSTER_SENTINELS_MAX ||
		    strncmp(s + 9, "sentinel:", 9) == 0 || sw_cluster_parse_redis(s + 9, &t) < 0)
			return -EINVAL;
		snprintf(c->sentinel[c->nsentinels].host, sizeof(c->sentinel[0].host), "%s",
			 t.host);
		c->sentinel[c->nsentinels++].port = t.port;
		return 0;
	}
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			return -EINVAL;
		hl = (size_t)(rb - s - 1);
		s++;
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || strchr(s, ':') != colon)
			return -EINVAL;
		hl = (size_t)(colon - s);
	}
	if (hl == 0 || hl >= sizeof(c->host))
		return -EINVAL;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == colon + 1 || port < 1 || port > 65535)
		return -EINVAL;
	memcpy(c->host, s, hl);
	c->host[hl] = '\0';
	c->port = (int)port;
	return 0;
}

/* Group and member names go into Redis key and channel names: [A-Za-z0-9_.-]{1,63}. */
static bool
name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= SW_CLUSTER_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

static int errat(char *err, size_t len, const char *file, const config_setting_t *s,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
errat(char *err, size_t len, const char *file, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(err, len, "%s:%u: ", file, s != NULL ? config_setting_source_line(s) : 0);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < len)
		vsnprintf(err + n, len - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int
sw_cluster_conf_site(const char *path, const char *instance, struct sw_cluster_conf *c, char *err,
		     size_t errlen)
{
	static const char *const keys[] = {"name",	 "redis",    "member",	     "flush_us",
					   "timeout_ms", "retry_ms", "heartbeat_ms", "batch",
					   "master",	 NULL};
	static const struct {
		const char *key;
		size_t off;
		int min, max;
	} nums[] = {
		{"flush_us", offsetof(struct sw_cluster_conf, flush_us), 10, 1000000},
		{"timeout_ms", offsetof(struct sw_cluster_conf, timeout_ms), 1, 60000},
		{"retry_ms", offsetof(struct sw_cluster_conf, retry_ms), 10, 600000},
		{"heartbeat_ms", offsetof(struct sw_cluster_conf, heartbeat_ms), 100, 60000},
		{"batch", offsetof(struct sw_cluster_conf, batch_max), 1, 1024},
	};
	config_t cf;
	const config_setting_t *cl, *s;
	const char *str;
	int rc = 1;

	memset(c, 0, sizeof(*c));
	config_init(&cf);
	if (config_read_file(&cf, path) == CONFIG_FALSE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			snprintf(err, errlen, "%s:0: cannot read site file: %s", path,
				 strerror(errno));
		else
			snprintf(err, errlen, "%s:%d: %s",
				 config_error_file(&cf) ? config_error_file(&cf) : path,
				 config_error_line(&cf), config_error_text(&cf));
		rc = -EINVAL;
		goto out;
	}
	cl = config_lookup(&cf, "site.cluster");
	if (cl == NULL) {
		rc = 0;
		goto out;
	}
	if (!config_setting_is_group(cl)) {
		rc = errat(err, errlen, path, cl, "'site.cluster' must be a group");
		goto out;
	}
	for (int i = 0; (s = config_setting_get_elem(cl, (unsigned)i)) != NULL; i++) {
		const char *const *k;

		for (k = keys; *k != NULL && strcmp(*k, config_setting_name(s)) != 0; k++)
			;
		if (*k == NULL) {
			rc = errat(err, errlen, path, s, "unknown key 'site.cluster.%s'",
				   config_setting_name(s));
			goto out;
		}
	}
	s = config_setting_get_member(cl, "name");
	str = s != NULL ? config_setting_get_string(s) : NULL;
	if (str == NULL || !name_valid(str)) {
		rc = errat(err, errlen, path, s != NULL ? s : cl,
			   "'site.cluster.name' must be a name of [A-Za-z0-9_.-], 1-63 characters");
		goto out;
	}
	snprintf(c->group, sizeof(c->group), "%s", str);
	s = config_setting_get_member(cl, "redis");
	if (s != NULL && (config_setting_is_array(s) || config_setting_is_list(s)) &&
	    config_setting_length(s) > 0) {
		/* A list of Sentinels (D2). */
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);

			str = config_setting_get_string(e);
			if (str == NULL || strncmp(str, "sentinel:", 9) != 0 ||
			    sw_cluster_parse_redis(str, c) < 0) {
				rc = errat(err, errlen, path, e,
					   "'site.cluster.redis' list: each element must be "
					   "\"sentinel:host:port\" (at most %d)",
					   SW_CLUSTER_SENTINELS_MAX);
				goto out;
			}
		}
	} else {
		str = s != NULL ? config_setting_get_string(s) : NULL;
		if (str == NULL || sw_cluster_parse_redis(str, c) < 0) {
			rc = errat(err, errlen, path, s != NULL ? s : cl,
				   "'site.cluster.redis' must be \"host:port\" (or \"[v6]:port\", "
				   "\"sentinel:host:port\" or a list of them)");
			goto out;
		}
	}
	s = config_setting_get_member(cl, "master");
	if (s != NULL) {
		str = config_setting_get_string(s);
		if (str == NULL || !name_valid(str) || c->nsentinels == 0) {
			rc = errat(
				err, errlen, path, s,
				"'site.cluster.master' is the Sentinels' master name "
				"([A-Za-z0-9_.-]), with redis = [ \"sentinel:host:port\", ... ]");
			goto out;
		}
		snprintf(c->master, sizeof(c->master), "%s", str);
	} else if (c->nsentinels > 0) {
		rc = errat(err, errlen, path, cl,
			   "'site.cluster.master' (the Sentinels' master name) is required with "
			   "Sentinels");
		goto out;
	}
	s = config_setting_get_member(cl, "member");
	if (s != NULL) {
		str = config_setting_get_string(s);
		if (str == NULL || !name_valid(str)) {
			rc = errat(err, errlen, path, s,
				   "'site.cluster.member' must be a name of [A-Za-z0-9_.-], "
				   "1-63 characters");
			goto out;
		}
		snprintf(c->member, sizeof(c->member), "%s", str);
	}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		s = config_setting_get_member(cl, nums[i].key);
		if (s == NULL)
			continue;
		if (config_setting_type(s) != CONFIG_TYPE_INT ||
		    config_setting_get_int(s) < nums[i].min ||
		    config_setting_get_int(s) > nums[i].max) {
			rc = errat(err, errlen, path, s,
				   "'site.cluster.%s' must be an integer %d..%d", nums[i].key,
				   nums[i].min, nums[i].max);
			goto out;
		}
		*(uint32_t *)((char *)c + nums[i].off) = (uint32_t)config_setting_get_int(s);
	}
	if (c->member[0] == '\0') {
		char host[SW_CLUSTER_NAME_MAX] = "";

		gethostname(host, sizeof(host) - 1);
		for (char *p = host; *p != '\0'; p++)
			if (!name_valid((char[]){*p, '\0'}))
				*p = '_';
		snprintf(c->member, sizeof(c->member), "%.30s.%.31s", host,
			 instance != NULL ? instance : "default");
	}
	sw_cluster_conf_defaults(c);
out:
	config_destroy(&cf);
	return rc;
}
