/* SPDX-License-Identifier: BSD-3-Clause */
/* Policy compiler: the rule file (policy settings, lists, rules; patterns/README.md). */
#include <errno.h>
#include <libgen.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "dataplane/policy/policy.h"

static int
parse_action(struct builder *b, const config_setting_t *s, uint8_t *a, bool allow_rl)
{
	const char *v = s ? config_setting_get_string(s) : NULL;

	if (v == NULL)
		return cpl_errs(b, s, "'%s' must be a string: allow, drop, alert%s",
			    config_setting_name(s), allow_rl ? " or rate-limit" : "");
	if (strcmp(v, "allow") == 0)
		*a = SW_ACTION_ALLOW;
	else if (strcmp(v, "drop") == 0)
		*a = SW_ACTION_DROP;
	else if (strcmp(v, "alert") == 0)
		*a = SW_ACTION_ALERT;
	else if (allow_rl && strcmp(v, "rate-limit") == 0)
		*a = SW_IMG_ACTION_RATE_LIMIT;
	else
		return cpl_errs(b, s, "unknown action \"%s\" (allow, drop, alert%s)", v,
			    allow_rl ? ", rate-limit" : "");
	return 0;
}

/* An ISO 8601 date "2027-01-31" (00:00 UTC that day) or time "2027-01-31T12:00:00Z" (UTC) as
 * Unix seconds. */
static int
parse_date(struct builder *b, const config_setting_t *s, int64_t *out)
{
	const char *v = config_setting_get_string(s);
	struct tm tm = { 0 };
	int n = 0, len = v != NULL ? (int)strlen(v) : 0;
	time_t t;

	if (v == NULL)
		goto bad;
	if (sscanf(v, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
		goto bad;
	if (len > 10 && (sscanf(v + 10, "T%2d:%2d:%2dZ%n", &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
				&n) != 3 || n != len - 10))
		goto bad;
	if (tm.tm_year < 1970 || tm.tm_year > 9999 || tm.tm_mon < 1 || tm.tm_mon > 12 ||
	    tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 59)
		goto bad;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	{
		struct tm chk = tm;
		t = timegm(&tm);
		/* timegm normalises 2027-02-30 into March: refuse what it moved */
		if (t <= 0 || tm.tm_mday != chk.tm_mday || tm.tm_mon != chk.tm_mon)
			goto bad;
	}
	*out = (int64_t)t;
	return 0;
bad:
	return cpl_errs(b, s, "'%s' takes an ISO 8601 UTC date \"2027-01-31\" or time "
			      "\"2027-01-31T12:00:00Z\"%s%s%s", config_setting_name(s),
			v != NULL ? ", not \"" : "", v != NULL ? v : "", v != NULL ? "\"" : "");
}

/* Identity of a rule (issue 18, Deliver 4): id, severity, enabled, monitor_until, expires. */
static int
parse_identity(struct builder *b, struct rule *r, const config_setting_t *g, size_t idx)
{
	const config_setting_t *s;
	int rc;

	r->r.severity = SW_SEV_MEDIUM;
	r->r.enabled = 1;
	if ((s = config_setting_get_member(g, "id")) != NULL) {
		long long v = config_setting_type(s) == CONFIG_TYPE_INT ||
				      config_setting_type(s) == CONFIG_TYPE_INT64
			      ? config_setting_get_int64(s)
			      : -1;
		if (v < 1 || v > UINT32_MAX)
			return cpl_errs(b, s, "'id' must be an integer 1-%u", UINT32_MAX);
		for (size_t i = 0; i < idx; i++)
			if (b->rules[i].r.id == (uint32_t)v)
				return cpl_errs(b, s, "duplicate rule id %lld (rule '%s', line %u)", v,
						b->rules[i].name != NULL ? b->rules[i].name : "?",
						b->rules[i].r.line);
		r->r.id = (uint32_t)v;
	}
	if ((s = config_setting_get_member(g, "severity")) != NULL) {
		const char *v = config_setting_get_string(s);
		int sev = v != NULL ? cpl_name_index(sw_severity_names, SW_SEV_COUNT, v) : -1;
		if (sev < 0)
			return cpl_errs(b, s, "'severity' takes \"info\", \"low\", \"medium\", "
					      "\"high\" or \"critical\"");
		r->r.severity = (uint8_t)sev;
	}
	if ((s = config_setting_get_member(g, "enabled")) != NULL &&
	    (rc = cpl_get_bool(b, s, &r->r.enabled)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "monitor_until")) != NULL &&
	    (rc = parse_date(b, s, &r->r.monitor_until)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "expires")) != NULL &&
	    (rc = parse_date(b, s, &r->r.expires)) != 0)
		return rc;
	return 0;
}

static int
parse_rule(struct builder *b, const config_setting_t *g, size_t idx)
{
	struct rule *r = &b->rules[idx];
	const config_setting_t *s;
	const char *name;
	int rc;
	size_t c0 = b->nconds;

	if (!config_setting_is_group(g))
		return cpl_errs(b, g, "a rule must be a group");
	s = config_setting_get_member(g, "name");
	name = s ? config_setting_get_string(s) : NULL;
	if (name == NULL || name[0] == '\0')
		return cpl_errs(b, s ? s : g, "a rule needs a non-empty string 'name'");
	for (size_t i = 0; i < idx; i++)
		if (b->rules[i].name != NULL && strcmp(b->rules[i].name, name) == 0)
			return cpl_errs(b, s, "duplicate rule name '%s' (first at line %u)", name,
				    b->rules[i].r.line);
	r->name = strdup(name);
	r->r.line = config_setting_source_line(g);
	r->r.rl_key = SW_RL_KEY_NONE;
	if ((rc = parse_identity(b, r, g, idx)) != 0)
		return rc;
	s = config_setting_get_member(g, "action");
	if (s == NULL)
		return cpl_errs(b, g, "rule '%s' needs an 'action'", name);
	if ((rc = cpl_parse_px_action(b, g, r, name)) < 0 ||
	    (rc == 0 && (rc = parse_action(b, s, &r->r.action, true)) != 0))
		return rc;
	if ((s = config_setting_get_member(g, "monitor")) != NULL &&
	    (rc = cpl_get_bool(b, s, &r->r.monitor)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "malformed")) != NULL &&
	    (rc = cpl_get_bool(b, s, &r->r.malformed)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "description")) != NULL &&
	    config_setting_type(s) != CONFIG_TYPE_STRING)
		return cpl_errs(b, s, "'description' must be a string");
	s = config_setting_get_member(g, "rate");
	if (r->r.action == SW_IMG_ACTION_RATE_LIMIT) {
		static const char *const rkeys[] = { "rate", "burst", "key", NULL };
		const config_setting_t *x;
		if (s == NULL || !config_setting_is_group(s))
			return cpl_errs(b, s ? s : g,
				    "rule '%s': rate-limit needs 'rate = { rate; burst; key; }'", name);
		if ((rc = cpl_check_keys(b, s, rkeys, "'rate'")) != 0)
			return rc;
		x = config_setting_get_member(s, "rate");
		if (x == NULL || config_setting_type(x) != CONFIG_TYPE_INT ||
		    config_setting_get_int(x) <= 0)
			return cpl_errs(b, x ? x : s, "'rate.rate' must be a positive integer (per second)");
		r->r.rl_rate = (uint32_t)config_setting_get_int(x);
		x = config_setting_get_member(s, "burst");
		if (x == NULL || config_setting_type(x) != CONFIG_TYPE_INT ||
		    config_setting_get_int(x) <= 0 || config_setting_get_int(x) > 1000000)
			return cpl_errs(b, x ? x : s, "'rate.burst' must be an integer 1-1000000");
		r->r.rl_burst = (uint32_t)config_setting_get_int(x);
		x = config_setting_get_member(s, "key");
		if (x != NULL) {
			const char *kn = config_setting_get_string(x);
			int f;
			if (kn == NULL)
				return cpl_errs(b, x, "'rate.key' must be a field name");
			if (strcmp(kn, "opc") == 0)
				r->r.rl_key = SW_RL_KEY_OPC;
			else if (strcmp(kn, "dpc") == 0)
				r->r.rl_key = SW_RL_KEY_DPC;
			else if (strcmp(kn, "none") == 0)
				r->r.rl_key = SW_RL_KEY_NONE;
			else if ((f = cpl_name_index(sw_sfield_names, SW_SF_COUNT, kn)) >= 0 &&
				 f != SW_SF_USSD && f != SW_SF_ACN)
				r->r.rl_key = (uint8_t)f;
			else
				return cpl_errs(b, x, "unknown rate-limit key '%s'", kn);
		}
	} else if (s != NULL) {
		return cpl_errs(b, s, "'rate' only goes with action \"rate-limit\"");
	}
	if ((rc = cpl_parse_conds(b, r, g, false)) != 0)
		return rc;
	s = config_setting_get_member(g, "not");
	if (s != NULL) {
		if (!config_setting_is_group(s))
			return cpl_errs(b, s, "'not' must be a group of conditions");
		if ((rc = cpl_parse_conds(b, r, s, true)) != 0)
			return rc;
	}
	r->r.cond_first = (uint32_t)c0;
	r->r.ncond = (uint32_t)(b->nconds - c0);
	/* Cheap conditions first (all must hold, so the order is free): component and integer
	 * tests before presence, and those before string fields, which cost a scan the first
	 * time a field is needed. Stable, so the image stays deterministic. */
	for (size_t i = c0 + 1; i < b->nconds; i++) {
		struct sw_img_cond t = b->conds[i];
		size_t j = i;
		while (j > c0 && cpl_cond_cost(&b->conds[j - 1]) > cpl_cond_cost(&t)) {
			b->conds[j] = b->conds[j - 1];
			j--;
		}
		b->conds[j] = t;
	}
	return 0;
}

int
cpl_parse_rules_file(struct builder *b, const char *path)
{
	static const char *const top_keys[] = { "policy", "lists", "rules", NULL };
	static const char *const pol_keys[] = { "name", "default", "malformed", "monitor",
						"description", NULL };
	config_t cf;
	const config_setting_t *root, *pol, *lists, *rules, *s;
	int rc = 0, n;
	bool bad = false;
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(b->rules_dir, sizeof(b->rules_dir), "%s", dirname(tmp));
	config_init(&cf);
	config_set_include_dir(&cf, b->rules_dir);
	if (config_read_file(&cf, path) == CONFIG_FALSE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			rc = cpl_errat(b, path, 0, "cannot read rule file: %s", strerror(errno));
		else
			rc = cpl_errat(b, config_error_file(&cf) ? config_error_file(&cf) : path,
				   config_error_line(&cf), "%s", config_error_text(&cf));
		goto out;
	}
	root = config_root_setting(&cf);
	if ((rc = cpl_check_keys(b, root, top_keys, "rule file")) != 0)
		goto out;
	b->default_action = SW_ACTION_ALLOW;
	b->malformed_action = SW_ACTION_DROP;
	pol = config_setting_get_member(root, "policy");
	if (pol != NULL) {
		if (!config_setting_is_group(pol)) {
			rc = cpl_errs(b, pol, "'policy' must be a group");
			goto out;
		}
		if ((rc = cpl_check_keys(b, pol, pol_keys, "'policy'")) != 0)
			goto out;
		if ((s = config_setting_get_member(pol, "name")) != NULL) {
			if (config_setting_get_string(s) == NULL) {
				rc = cpl_errs(b, s, "'name' must be a string");
				goto out;
			}
			b->policy_name = strdup(config_setting_get_string(s));
		}
		if ((s = config_setting_get_member(pol, "default")) != NULL &&
		    (rc = parse_action(b, s, &b->default_action, false)) != 0)
			goto out;
		if ((s = config_setting_get_member(pol, "malformed")) != NULL &&
		    (rc = parse_action(b, s, &b->malformed_action, false)) != 0)
			goto out;
		if ((s = config_setting_get_member(pol, "monitor")) != NULL &&
		    (rc = cpl_get_bool(b, s, &b->monitor)) != 0)
			goto out;
	}
	lists = config_setting_get_member(root, "lists");
	if (lists != NULL && (rc = cpl_parse_lists(b, lists)) != 0) {
		if (!cpl_recover(b, rc))
			goto out;
		bad = true; /* the rules' errors too */
	}
	rules = config_setting_get_member(root, "rules");
	if (rules == NULL || (n = config_setting_length(rules)) == 0) {
		rc = cpl_errat(b, path, rules ? (int)config_setting_source_line(rules) : 1,
			   "empty rule set: no 'rules'");
		goto out;
	}
	if (!config_setting_is_list(rules)) {
		rc = cpl_errs(b, rules, "'rules' must be a list of groups: rules = ( { ... }, ... );");
		goto out;
	}
	if (n > SW_RULES_MAX) {
		rc = cpl_errs(b, rules, "more than %d rules", SW_RULES_MAX);
		goto out;
	}
	b->rules = calloc((size_t)n, sizeof(*b->rules));
	if (b->rules == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		b->nrules = (size_t)i + 1;
		rc = parse_rule(b, config_setting_get_elem(rules, (unsigned)i), (size_t)i);
		if (rc != 0 && !cpl_recover(b, rc))
			goto out;
		bad |= rc != 0;
	}
	rc = bad ? -EINVAL : 0;
	if (rc == 0 && b->nerrs == 0)
		cpl_warn_rules(b, rules);
out:
	/* Messages point into libconfig's file names: copy the message before destroying. */
	config_destroy(&cf);
	return rc;
}
