/* SPDX-License-Identifier: BSD-3-Clause */
/* site.links and site.routes (proxy_conf.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "m3ua_wire.h"
#include "proxy_conf.h"

struct conf {
	const char *path;
	char *err;
	size_t errlen;
	struct sw_proxy_conf_err *where; /* the error's file, line, message (NULL: not asked) */
};

/* err holds "file:line: message": where gets them apart */
static void
conf_where(struct conf *c, const char *file, int line, size_t msg)
{
	if (c->where == NULL)
		return;
	snprintf(c->where->file, sizeof(c->where->file), "%s", file);
	c->where->line = line;
	snprintf(c->where->msg, sizeof(c->where->msg), "%s", c->err + msg);
}

static int
conf_err(struct conf *c, const config_setting_t *s, const char *fmt, ...)
{
	/* a setting of an @include'd file is that file's */
	const char *file = s != NULL && config_setting_source_file(s) != NULL
				   ? config_setting_source_file(s)
				   : c->path;
	int line = s != NULL ? (int)config_setting_source_line(s) : 0;
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s:%d: ", file, line);
	if (n < 0 || (size_t)n >= c->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	conf_where(c, file, line, (size_t)n);
	return -EINVAL;
}

static int
check_keys(struct conf *c, const config_setting_t *g, const char *const *keys, const char *what)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(e);
		unsigned k;

		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(keys[k], name) == 0)
				break;
		if (keys[k] == NULL)
			return conf_err(c, e, "unknown key '%s' in %s", name, what);
	}
	return 0;
}

static int
get_str(struct conf *c, const config_setting_t *g, const char *key, bool required,
	const char **out)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	*out = NULL;
	if (s == NULL)
		return required ? conf_err(c, g, "'%s' is required", key) : 0;
	*out = config_setting_get_string(s);
	if (*out == NULL)
		return conf_err(c, s, "'%s' must be a string", key);
	return 0;
}

static int
get_int(struct conf *c, const config_setting_t *g, const char *key, long long max,
	uint32_t *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);
	long long v;

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return conf_err(c, s, "'%s' must be an integer", key);
	v = config_setting_get_int64(s);
	if (v < 0 || v > max)
		return conf_err(c, s, "'%s' %lld out of range 0-%lld", key, v, max);
	*out = (uint32_t)v;
	return 0;
}

static int
get_bool(struct conf *c, const config_setting_t *g, const char *key, bool *out)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return conf_err(c, s, "'%s' must be true or false", key);
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

/* One of names[] (index into vals[]). */
static int
get_enum(struct conf *c, const config_setting_t *g, const char *key, bool required,
	 const char *const *names, const int *vals, int *out)
{
	const char *v;
	int rc = get_str(c, g, key, required, &v);

	if (rc != 0 || v == NULL)
		return rc;
	for (unsigned i = 0; names[i] != NULL; i++)
		if (strcmp(names[i], v) == 0) {
			*out = vals[i];
			return 0;
		}
	return conf_err(c, config_setting_get_member(g, key), "'%s' cannot be \"%s\"", key, v);
}

/* "a.b.c.d:port" */
static int
get_addr(struct conf *c, const config_setting_t *g, const char *key, uint32_t *ip,
	 uint16_t *port)
{
	const char *v;
	char host[INET_ADDRSTRLEN];
	const char *colon;
	struct in_addr a;
	char *end;
	unsigned long p;
	int rc = get_str(c, g, key, true, &v);

	if (rc != 0)
		return rc;
	colon = strrchr(v, ':');
	if (colon == NULL || (size_t)(colon - v) >= sizeof(host))
		goto bad;
	memcpy(host, v, (size_t)(colon - v));
	host[colon - v] = '\0';
	p = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || p == 0 || p > 65535 || inet_pton(AF_INET, host, &a) != 1)
		goto bad;
	*ip = ntohl(a.s_addr);
	/* An end of an association is one host: not 0.0.0.0/8 ("this network", RFC 1122
	 * 3.2.1.3), multicast (224/4, RFC 5771) or the broadcast address. */
	if ((*ip >> 24) == 0 || (*ip >> 28) == 0xe || *ip == 0xffffffffu)
		return conf_err(c, config_setting_get_member(g, key),
				"'%s' must be a unicast IPv4 address (got \"%s\")", key, v);
	*port = (uint16_t)p;
	return 0;
bad:
	return conf_err(c, config_setting_get_member(g, key),
			"'%s' must be \"IPv4:port\" (got \"%s\")", key, v);
}

static int
load_link(struct sw_proxy *px, struct conf *c, const config_setting_t *g)
{
	/* the last three are the policy's (control/compiler/site.c), not the proxy's */
	static const char *const keys[] = {"name", "local", "remote", "sctp", "m3ua",
					   "ipsp_initiator", "rctx", "na", "traffic_mode", "pc",
					   "side", "honeypot", "beat_ms", "port", "description",
					   "peers", "variant", NULL};
	static const char *const sctp_names[] = {"server", "client", NULL};
	static const int sctp_vals[] = {1, 0};
	static const char *const m3ua_names[] = {"asp", "sgp", "ipsp", NULL};
	static const int m3ua_vals[] = {SW_M3UA_ROLE_ASP, SW_M3UA_ROLE_SGP, SW_M3UA_ROLE_IPSP};
	static const char *const tmt_names[] = {"override", "loadshare", NULL};
	static const int tmt_vals[] = {M3UA_TMT_OVERRIDE, M3UA_TMT_LOADSHARE};
	static const char *const side_names[] = {"outside", "inside", NULL};
	static const int side_vals[] = {0, 1};
	struct sw_proxy_link_cfg lc = {0};
	const char *name;
	int server = 0, role = 0, tmt = M3UA_TMT_OVERRIDE, side = 0, rc;
	uint32_t na = UINT32_MAX, port = 0;

	if (!config_setting_is_group(g))
		return conf_err(c, g, "each of 'links' must be a group { ... }");
	if ((rc = check_keys(c, g, keys, "a link")) != 0 ||
	    (rc = get_str(c, g, "name", true, &name)) != 0)
		return rc;
	if (name[0] == '\0' || strlen(name) >= sizeof(lc.name))
		return conf_err(c, g, "link name must be 1-%zu characters", sizeof(lc.name) - 1);
	strcpy(lc.name, name);
	if ((rc = get_addr(c, g, "local", &lc.laddr, &lc.lport)) != 0 ||
	    (rc = get_addr(c, g, "remote", &lc.raddr, &lc.rport)) != 0 ||
	    (rc = get_enum(c, g, "sctp", true, sctp_names, sctp_vals, &server)) != 0 ||
	    (rc = get_enum(c, g, "m3ua", true, m3ua_names, m3ua_vals, &role)) != 0 ||
	    (rc = get_enum(c, g, "traffic_mode", false, tmt_names, tmt_vals, &tmt)) != 0 ||
	    (rc = get_enum(c, g, "side", true, side_names, side_vals, &side)) != 0 ||
	    (rc = get_bool(c, g, "ipsp_initiator", &lc.ipsp_initiator)) != 0 ||
	    (rc = get_bool(c, g, "honeypot", &lc.honeypot)) != 0 ||
	    (rc = get_int(c, g, "rctx", UINT32_MAX, &lc.rctx)) != 0 ||
	    (rc = get_int(c, g, "na", UINT32_MAX - 1, &na)) != 0 ||
	    (rc = get_int(c, g, "pc", 16777215, &lc.local_pc)) != 0 ||
	    (rc = get_int(c, g, "beat_ms", 3600000, &lc.beat_ms)) != 0 ||
	    (rc = get_int(c, g, "port", SW_PROXY_PORTS - 1, &port)) != 0)
		return rc;
	lc.port = (uint8_t)port;
	if (lc.ipsp_initiator && role != SW_M3UA_ROLE_IPSP)
		return conf_err(c, config_setting_get_member(g, "ipsp_initiator"),
				"'ipsp_initiator' only goes with m3ua = \"ipsp\"");
	/* proxy_frame.c tells the links' packets apart by their addresses and ports */
	for (unsigned k = 0; k < px->nlinks; k++) {
		const struct sw_proxy_link_cfg *o = &px->link[k].cfg;

		if (strcmp(o->name, name) == 0)
			return conf_err(c, g, "link '%s' defined twice", name);
		if (o->port == lc.port && o->laddr == lc.laddr && o->lport == lc.lport &&
		    o->raddr == lc.raddr && o->rport == lc.rport)
			return conf_err(c, g, "link '%s' has the local and remote address and "
					      "port of link '%s'", name, o->name);
	}
	lc.sctp_server = server != 0;
	lc.role = (enum sw_m3ua_role)role;
	lc.tmt = (uint32_t)tmt;
	lc.side = (uint8_t)side;
	lc.na_set = na != UINT32_MAX;
	lc.na = lc.na_set ? na : 0;
	rc = sw_proxy_add_link(px, &lc);
	if (rc == -EEXIST)
		return conf_err(c, g, "link '%s' defined twice", name);
	if (rc < 0)
		return conf_err(c, g, "too many links (at most %d)", SW_PROXY_LINKS);
	return 0;
}

static int
load_route(struct sw_proxy *px, struct conf *c, const config_setting_t *g)
{
	static const char *const keys[] = {"dpc", "links", "gt", "ssn", NULL};
	const config_setting_t *ls;
	const char *gt;
	uint32_t dpc = UINT32_MAX, ssn = 0;
	uint16_t ids[SW_ROUTE_LINKS];
	int rc, n;

	if (!config_setting_is_group(g))
		return conf_err(c, g, "each of 'routes' must be a group { ... }");
	if ((rc = check_keys(c, g, keys, "a route")) != 0 ||
	    (rc = get_int(c, g, "dpc", 16777215, &dpc)) != 0 ||
	    (rc = get_int(c, g, "ssn", 255, &ssn)) != 0 || (rc = get_str(c, g, "gt", false, &gt)))
		return rc;
	if (dpc == UINT32_MAX)
		return conf_err(c, g, "'dpc' is required");
	ls = config_setting_get_member(g, "links");
	if (gt != NULL) {
		/* GT translation: prefix -> DPC (+ SSN); the DPC's own route says where to. */
		if (ls != NULL)
			return conf_err(c, ls, "a 'gt' route translates to a 'dpc'; put 'links' on "
					       "the dpc's route");
		rc = sw_route_add_gt(&px->routes, gt, dpc, (uint8_t)ssn);
		if (rc == -EEXIST)
			return conf_err(c, g, "gt \"%s\" routed twice", gt);
		if (rc != 0)
			return conf_err(c, g, "invalid gt \"%s\" (1-%d digits 0-9a-f) or too many",
					gt, SW_ROUTE_GT_DIGITS);
		px->gt_routing = true;
		return 0;
	}
	if (ls == NULL || (!config_setting_is_array(ls) && !config_setting_is_list(ls)))
		return conf_err(c, g, "'links' (a list of link names) is required");
	n = config_setting_length(ls);
	if (n < 1 || n > SW_ROUTE_LINKS)
		return conf_err(c, ls, "'links' must name 1-%d links", SW_ROUTE_LINKS);
	for (int i = 0; i < n; i++) {
		const char *name = config_setting_get_string_elem(ls, i);
		int id = name != NULL ? sw_proxy_link_by_name(px, name) : -ENOENT;

		if (id < 0)
			return conf_err(c, g, "unknown link \"%s\"", name != NULL ? name : "?");
		ids[i] = (uint16_t)id;
	}
	rc = sw_route_add(&px->routes, dpc, ids, (unsigned)n);
	if (rc == -EEXIST)
		return conf_err(c, g, "dpc %u routed twice", dpc);
	if (rc != 0)
		return conf_err(c, g, "too many routes (at most %d)", SW_ROUTE_MAX);
	return 0;
}

static int
conf_load(struct sw_proxy *px, struct conf *c)
{
	config_t cf;
	const config_setting_t *site, *links, *routes;
	char dir[PATH_MAX];
	int rc = 0, n;

	config_init(&cf);
	/* `@include "partners.conf"` is read beside the site file, as by the policy compiler */
	snprintf(dir, sizeof(dir), "%s", c->path);
	config_set_include_dir(&cf, dirname(dir));
	if (config_read_file(&cf, c->path) != CONFIG_TRUE) {
		bool io = config_error_type(&cf) == CONFIG_ERR_FILE_IO;
		const char *file = io || config_error_file(&cf) == NULL ? c->path
									: config_error_file(&cf);
		int line = io ? 0 : config_error_line(&cf);

		n = snprintf(c->err, c->errlen, "%s:%d: ", file, line);
		if (n > 0 && (size_t)n < c->errlen) {
			snprintf(c->err + n, c->errlen - (size_t)n, "%s",
				 io ? "cannot read the file" : config_error_text(&cf));
			conf_where(c, file, line, (size_t)n);
		}
		rc = io ? -ENOENT : -EINVAL;
		goto out;
	}
	site = config_lookup(&cf, "site");
	links = site != NULL ? config_setting_get_member(site, "links") : NULL;
	if (links == NULL || !config_setting_is_list(links) || config_setting_length(links) == 0) {
		rc = conf_err(c, site, "proxy mode needs 'site.links', a list of links ( { ... } )");
		goto out;
	}
	for (int i = 0; i < config_setting_length(links) && rc == 0; i++)
		rc = load_link(px, c, config_setting_get_elem(links, (unsigned)i));
	routes = config_setting_get_member(site, "routes");
	if (rc == 0 && routes != NULL && !config_setting_is_list(routes))
		rc = conf_err(c, routes, "'routes' must be a list of routes ( { ... } )");
	for (int i = 0; rc == 0 && routes != NULL && i < config_setting_length(routes); i++)
		rc = load_route(px, c, config_setting_get_elem(routes, (unsigned)i));
	/* A GT translation's DPC needs a route of its own (else every message it translates
	 * would meet "no route"). */
	for (int i = 0; rc == 0 && routes != NULL && i < config_setting_length(routes); i++) {
		const config_setting_t *g = config_setting_get_elem(routes, (unsigned)i);
		const config_setting_t *gt = config_setting_get_member(g, "gt");
		long long dpc = config_setting_get_int64(config_setting_get_member(g, "dpc"));
		unsigned k = 0;

		while (gt != NULL && k < px->routes.nroutes && px->routes.route[k].dpc != dpc)
			k++;
		if (gt != NULL && k == px->routes.nroutes)
			rc = conf_err(c, g, "gt \"%s\" translates to dpc %lld, which has no route",
				      config_setting_get_string(gt), dpc);
	}
out:
	config_destroy(&cf);
	return rc;
}

int
sw_proxy_conf_load(struct sw_proxy *px, const char *site_path, char *err, size_t errlen)
{
	struct conf c = {.path = site_path, .err = err, .errlen = errlen};

	if (errlen > 0)
		err[0] = '\0';
	return conf_load(px, &c);
}

int
sw_proxy_conf_check(const char *site_path, struct sw_proxy_conf_err *where)
{
	static const struct sw_proxy_ops ops; /* nothing is sent: the links are only loaded */
	static const struct sw_proxy_judge judge;
	struct sw_proxy *px = calloc(1, sizeof(*px));
	char err[sizeof(where->file) + sizeof(where->msg) + 16];
	struct conf c = {.path = site_path, .err = err, .errlen = sizeof(err), .where = where};
	int rc;

	memset(where, 0, sizeof(*where));
	if (px == NULL)
		return -ENOMEM;
	sw_proxy_init(px, &ops, &judge);
	rc = conf_load(px, &c);
	free(px);
	return rc;
}
