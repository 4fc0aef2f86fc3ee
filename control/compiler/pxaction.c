/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy compiler: proxy mode's actions (issue 21, patterns/README.md "Proxy mode's actions").
 *
 *   { name = "..."; ...; action = "reject"; cause = "no-translation"; }    UDTS/XUDTS back
 *   { name = "..."; ...; action = "abort"; abort_kind = "u"; }             TCAP abort back
 *   { name = "..."; ...; action = "redirect"; to = "honeypot"; }           to a honeypot link
 *
 * They exist only where the appliance terminates the associations: a policy may use them when
 * its site file declares proxy links (a link with `sctp`, which `sigwall-dataplane --mode proxy
 * --site FILE` reads); with any other site the policy is an inline or monitor instance's and the
 * compiler refuses them. In the image the rule's action is a drop (what any other mode would
 * enforce) and px_action/px_arg/px_link say what the proxy does instead.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "dataplane/policy/policy.h"
#include "dataplane/proxy/proxy_conf.h"
#include "dataplane/proxy/sccp_wire.h"

static const char *const px_action_names[] = {
	[SW_PX_REJECT] = "reject",
	[SW_PX_ABORT] = "abort",
	[SW_PX_REDIRECT] = "redirect",
};

/* Return causes a reject may give (Q.713 3.12); the rest are SCCP's own failures. */
static const struct {
	const char *name;
	uint8_t cause;
} px_causes[] = {
	{"no-translation-nature", SCCP_CAUSE_NO_TRANS_NATURE},
	{"no-translation", SCCP_CAUSE_NO_TRANS_ADDR},
	{"subsystem-congestion", SCCP_CAUSE_SS_CONGESTION},
	{"subsystem-failure", SCCP_CAUSE_SS_FAILURE},
	{"unequipped-user", SCCP_CAUSE_UNEQUIPPED},
	{"mtp-failure", SCCP_CAUSE_MTP_FAILURE},
	{"network-congestion", SCCP_CAUSE_NET_CONGESTION},
	{"unqualified", SCCP_CAUSE_UNQUALIFIED},
};

static const char *
str_of(const config_setting_t *s)
{
	return s != NULL ? config_setting_get_string(s) : NULL;
}

/* A key that belongs to another proxy action (or to none) is a mistake worth a line. */
static int
px_key_only_for(struct builder *b, const config_setting_t *g, const char *key, uint8_t px,
		uint8_t want, const char *name)
{
	const config_setting_t *s = config_setting_get_member(g, key);

	if (s != NULL && px != want)
		return cpl_errs(b, s, "rule '%s': '%s' only goes with action \"%s\"", name, key,
				px_action_names[want]);
	return 0;
}

static bool
site_is_proxy(const struct builder *b)
{
	for (size_t i = 0; i < b->site.nlinks; i++)
		if (b->site.links[i].proxy)
			return true;
	return false;
}

static int
px_redirect_link(struct builder *b, const config_setting_t *g, struct rule *r, const char *name)
{
	const config_setting_t *s = config_setting_get_member(g, "to");
	const char *to = str_of(s);

	if (s != NULL && (to == NULL || to[0] == '\0'))
		return cpl_errs(b, s, "rule '%s': 'to' must be the name of a honeypot link", name);
	for (size_t i = 0; i < b->site.nlinks; i++) {
		const struct link *l = &b->site.links[i];
		if (to != NULL ? strcmp(l->name, to) != 0 : !(l->proxy && l->honeypot))
			continue;
		if (!l->proxy || !l->honeypot)
			return cpl_errs(b, s,
					"rule '%s': link '%s' (line %d) is not a proxy link "
					"with honeypot = true",
					name, to, l->line);
		r->r.px_link = (uint16_t)i;
		return 0;
	}
	if (to != NULL)
		return cpl_errs(b, s, "rule '%s': no link '%s' in the site file", name, to);
	return cpl_errs(b, g,
			"rule '%s': redirect needs 'to' or a link with honeypot = true in "
			"the site file",
			name);
}

int
cpl_parse_px_action(struct builder *b, const config_setting_t *g, struct rule *r, const char *name)
{
	const config_setting_t *act = config_setting_get_member(g, "action"), *s;
	const char *v = str_of(act);
	uint8_t px = SW_PX_NONE;
	int rc;

	for (uint8_t a = SW_PX_REJECT; v != NULL && a <= SW_PX_REDIRECT; a++)
		if (strcmp(v, px_action_names[a]) == 0)
			px = a;
	if ((rc = px_key_only_for(b, g, "cause", px, SW_PX_REJECT, name)) != 0 ||
	    (rc = px_key_only_for(b, g, "abort_kind", px, SW_PX_ABORT, name)) != 0 ||
	    (rc = px_key_only_for(b, g, "to", px, SW_PX_REDIRECT, name)) != 0)
		return rc;
	if (px == SW_PX_NONE)
		return 0;
	if (!site_is_proxy(b))
		return cpl_errs(b, act,
				"rule '%s': action \"%s\" is proxy mode's, and this site file "
				"declares no proxy link (a link with 'sctp'): the policy is for an "
				"inline or monitor instance",
				name, v);
	r->r.action = SW_ACTION_DROP;
	r->r.px_action = px;
	switch (px) {
	case SW_PX_REJECT:
		r->r.px_arg = SCCP_CAUSE_SS_FAILURE;
		if ((s = config_setting_get_member(g, "cause")) == NULL)
			break;
		v = str_of(s);
		for (size_t i = 0; v != NULL && i < sizeof(px_causes) / sizeof(px_causes[0]); i++)
			if (strcmp(v, px_causes[i].name) == 0) {
				r->r.px_arg = px_causes[i].cause;
				return 1;
			}
		return cpl_errs(b, s,
				"rule '%s': unknown cause \"%s\" (no-translation-nature, "
				"no-translation, subsystem-congestion, subsystem-failure, "
				"unequipped-user, mtp-failure, network-congestion, unqualified)",
				name, v != NULL ? v : "");
	case SW_PX_ABORT:
		r->r.px_arg = SW_PX_ABORT_P;
		if ((s = config_setting_get_member(g, "abort_kind")) == NULL)
			break;
		v = str_of(s);
		if (v != NULL && strcmp(v, "p") == 0)
			break;
		if (v != NULL && strcmp(v, "u") == 0) {
			r->r.px_arg = SW_PX_ABORT_U;
			break;
		}
		return cpl_errs(b, s,
				"rule '%s': 'abort_kind' must be \"p\" (P-Abort) or \"u\" "
				"(U-Abort)",
				name);
	default:
		if ((rc = px_redirect_link(b, g, r, name)) != 0)
			return rc;
	}
	return 1;
}

/*
 * A site that declares proxy links is the site file of `sigwall-dataplane --mode proxy --site`:
 * its links and routes are checked here as the proxy loads them at start (addresses, roles,
 * routing contexts, routes to known links, GT translations ...), so that `check` and a reload
 * refuse what the proxy would, with its file:line. The first mistake only (the proxy's loader
 * stops there).
 */
int
cpl_proxy_site(struct builder *b, const char *path)
{
	struct sw_proxy_conf_err *e;
	bool proxy = false;
	int rc;

	for (size_t k = 0; k < b->site.nlinks; k++)
		proxy |= b->site.links[k].proxy;
	if (!proxy)
		return 0;
	e = malloc(sizeof(*e));
	if (e == NULL)
		return -ENOMEM;
	rc = sw_proxy_conf_check(path, e);
	if (rc == -ENOMEM) {
		free(e);
		return rc;
	}
	if (rc != 0)
		rc = cpl_errat(b, e->file, e->line, "%s (proxy mode)", e->msg);
	free(e);
	return rc;
}
