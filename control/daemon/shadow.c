/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shadow policy in sigwall-control (issue 18 D7): `sigwallctl reload --shadow` publishes a
 * candidate beside the active image (reload.c, sw_shm_shadow_publish); the workers evaluate it
 * on the same MSUs and count, in their blocks of the stats region, the MSUs whose action it
 * would change (dataplane/app/shadow.c). Here: the candidate's rule and partner names, the
 * counters' base when it was published, the example events, and `sigwallctl shadow diff`.
 */
#include <errno.h>
#include <inttypes.h>
#include <libconfig.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"

void
sw_shadow_names_free(char **names, uint32_t n)
{
	if (names == NULL)
		return;
	for (uint32_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* site.partners[k].name, k in site order: the compiler numbers partners so (site.c). The file
 * was just compiled, so only its shape is trusted here; a partner without a name is "?". */
int
sw_shadow_partners(const char *site, char ***names, uint32_t *n)
{
	const config_setting_t *ps;
	char dir[PATH_MAX];
	config_t cf;
	int rc = 0;

	*names = NULL;
	*n = 0;
	config_init(&cf);
	snprintf(dir, sizeof(dir), "%s", site);
	config_set_include_dir(&cf, dirname(dir));
	if (config_read_file(&cf, site) == CONFIG_FALSE) {
		config_destroy(&cf);
		return -EINVAL;
	}
	ps = config_lookup(&cf, "site.partners");
	if (ps != NULL && config_setting_length(ps) > 0) {
		uint32_t np = (uint32_t)config_setting_length(ps);

		*names = calloc(np, sizeof(**names));
		if (*names == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		for (uint32_t k = 0; k < np; k++) {
			const config_setting_t *g = config_setting_get_elem(ps, k);
			const config_setting_t *s = g != NULL ? config_setting_get_member(g, "name")
							     : NULL;
			const char *str = s != NULL ? config_setting_get_string(s) : NULL;

			(*names)[k] = strdup(str != NULL ? str : "?");
			if ((*names)[k] == NULL) {
				rc = -ENOMEM;
				break;
			}
			*n = k + 1;
		}
	}
out:
	if (rc < 0) {
		sw_shadow_names_free(*names, *n);
		*names = NULL;
		*n = 0;
	}
	config_destroy(&cf);
	return rc;
}

#define LD(x) atomic_load_explicit(&(x), memory_order_relaxed)

/* The live dataplane's workers' shadow counters, summed. */
static void
shadow_sum(const struct sw_ctl *c, struct sw_shadow_counts *t)
{
	unsigned nw = sw_report_nworkers(c);

	memset(t, 0, sizeof(*t));
	for (unsigned w = 0; w < nw; w++) {
		const struct sw_shm_counters *k = &sw_shm_worker(&c->stats, w)->c;

		t->msus += LD(k->shadow_msus);
		t->changed += LD(k->shadow_changed);
		t->to_drop += LD(k->shadow_to_drop);
		t->to_pass += LD(k->shadow_to_pass);
		t->deflt += LD(k->shadow_default);
		t->malformed += LD(k->shadow_malformed);
		t->refused += LD(k->shadow_images_refused);
		t->partner_other += LD(k->shadow_partner_other);
		t->partner_none += LD(k->shadow_partner_none);
		for (unsigned r = 0; r < SW_SHM_MAX_RULES; r++)
			t->rule[r] += LD(k->shadow_rule[r]);
		for (unsigned p = 0; p < SW_SHM_SHADOW_PARTNERS; p++)
			t->partner[p] += LD(k->shadow_partner[p]);
	}
}

static int32_t
dataplane_pid(const struct sw_ctl *c)
{
	return c->stats.hdr != NULL ? atomic_load(&c->stats.hdr->dataplane_pid) : 0;
}

static void
take_base(struct sw_ctl *c)
{
	struct sw_shadow_ctl *s = &c->shadow;

	if (s->base == NULL)
		s->base = calloc(1, sizeof(*s->base));
	if (s->base == NULL)
		return; /* diffs count since the dataplane started: still bounded, never wrong way */
	shadow_sum(c, s->base);
	s->base_pid = dataplane_pid(c);
}

void
sw_shadow_clear(struct sw_ctl *c)
{
	struct sw_shadow_ctl *s = &c->shadow;

	s->generation = 0;
	s->rules[0] = s->site[0] = '\0';
	sw_names_free(&s->names);
	sw_shadow_names_free(s->partner, s->npartners);
	s->partner = NULL;
	s->npartners = 0;
	for (unsigned i = 0; i < SW_SHADOW_EXAMPLES; i++) {
		free(s->example[i]);
		s->example[i] = NULL;
	}
	s->example_next = 0;
}

void
sw_shadow_published(struct sw_ctl *c, struct sw_reload *j)
{
	struct sw_shadow_ctl *s = &c->shadow;

	sw_shadow_clear(c);
	s->generation = j->generation;
	snprintf(s->rules, sizeof(s->rules), "%s", j->rules);
	snprintf(s->site, sizeof(s->site), "%s", j->site);
	s->sample = j->sample > 1 ? j->sample : 1;
	s->published_real_ns = sw_shm_real_ns();
	s->size = j->size;
	s->checksum = j->checksum;
	s->names = j->names;
	memset(&j->names, 0, sizeof(j->names));
	s->partner = j->partner;
	s->npartners = j->npartners;
	j->partner = NULL;
	j->npartners = 0;
	s->published++;
	take_base(c);
}

/*
 * The image header names the shadow the workers run; a control restarted since it was published
 * (or a shadow dropped or promoted behind its back) is brought in line: names from the image in
 * its slot, counted from now on, partners by index.
 */
static void
shadow_adopt(struct sw_ctl *c)
{
	struct sw_shadow_ctl *s = &c->shadow;
	uint64_t g = atomic_load(&c->image.hdr->shadow_generation), size;
	const void *img;
	char err[256];

	if (g == s->generation)
		return;
	sw_shadow_clear(c);
	if (g == 0)
		return;
	img = sw_shm_shadow_find(&c->image, g, &size);
	if (img == NULL || sw_image_validate(img, size, err, sizeof(err)) < 0 ||
	    sw_names_from_image(img, g, &s->names) < 0)
		return;
	s->generation = g;
	s->size = size;
	s->checksum = s->names.checksum;
	s->sample = atomic_load(&c->image.hdr->shadow_sample);
	if (s->sample == 0)
		s->sample = 1;
	snprintf(s->rules, sizeof(s->rules), "(published before this control started)");
	take_base(c);
}

void
sw_shadow_example(struct sw_ctl *c, const char *line)
{
	struct sw_shadow_ctl *s = &c->shadow;
	unsigned i = s->example_next++ % SW_SHADOW_EXAMPLES;

	free(s->example[i]);
	s->example[i] = strdup(line);
}

void
sw_shadow_delta(struct sw_ctl *c, struct sw_shadow_counts *d)
{
	const struct sw_shadow_counts *b = c->shadow.base;
	const uint64_t *bv = (const uint64_t *)(const void *)b;
	uint64_t *dv = (uint64_t *)(void *)d;

	shadow_adopt(c);
	if (c->shadow.generation == 0) {
		memset(d, 0, sizeof(*d));
		return;
	}
	shadow_sum(c, d);
	/* Another dataplane process zeroed its blocks: it counts from its start. */
	if (b == NULL || c->shadow.base_pid != dataplane_pid(c))
		return;
	for (size_t i = 0; i < sizeof(*d) / sizeof(uint64_t); i++)
		dv[i] = dv[i] >= bv[i] ? dv[i] - bv[i] : dv[i];
}

static const char *
action_name(uint8_t a)
{
	static const char *const names[] = {"allow", "drop", "alert", "rate-limit"};

	return a < 4 ? names[a] : "?";
}

static const char *
partner_name(const struct sw_shadow_ctl *s, unsigned p, char *buf, size_t len)
{
	if (p < s->npartners)
		return s->partner[p];
	snprintf(buf, len, "partner#%u", p);
	return buf;
}

char *
sw_shadow_report(struct sw_ctl *c, bool json)
{
	static struct sw_shadow_counts d;
	struct sw_shadow_ctl *s = &c->shadow;
	uint64_t active = atomic_load(&c->image.hdr->generation);
	unsigned nr, np;
	struct sw_buf b = {0};
	const char *sep = "";
	char pbuf[32];

	sw_shadow_delta(c, &d);
	nr = s->names.nrules < SW_SHM_MAX_RULES ? s->names.nrules : SW_SHM_MAX_RULES;
	np = s->npartners < SW_SHM_SHADOW_PARTNERS ? s->npartners : SW_SHM_SHADOW_PARTNERS;
	if (s->generation != 0 && np == 0)
		np = SW_SHM_SHADOW_PARTNERS; /* adopted: by index */
	if (json) {
		sw_buf_printf(&b, "{\"instance\":");
		sw_buf_json_str(&b, c->instance);
		sw_buf_printf(&b, ",\"active_generation\":%" PRIu64 ",\"shadow_generation\":%" PRIu64,
			      active, s->generation);
		if (s->generation == 0) {
			sw_buf_printf(&b, ",\"shadow\":null}\n");
			goto out;
		}
		sw_buf_printf(&b, ",\"rules_file\":");
		sw_buf_json_str(&b, s->rules);
		sw_buf_printf(&b, ",\"policy\":");
		sw_buf_json_str(&b, s->names.policy);
		sw_buf_printf(&b, ",\"sample\":%u,\"promotable\":%s,\"msus\":%" PRIu64
			      ",\"changed\":%" PRIu64 ",\"to_drop\":%" PRIu64 ",\"to_pass\":%" PRIu64
			      ",\"default\":%" PRIu64 ",\"malformed\":%" PRIu64 ",\"refused\":%"
			      PRIu64 ",\"estimated\":", s->sample, s->generation > active ? "true" : "false",
			      d.msus, d.changed, d.to_drop, d.to_pass, d.deflt, d.malformed,
			      d.refused);
		/* sampled 1 in N: the counts are of the sampled MSUs; "estimated" scales the
		 * totals to all traffic (equal to them when every MSU is judged) */
		sw_buf_printf(&b, "{\"changed\":%" PRIu64 ",\"to_drop\":%" PRIu64
			      ",\"to_pass\":%" PRIu64 "},\"rules\":[", d.changed * s->sample,
			      d.to_drop * s->sample, d.to_pass * s->sample);
		for (unsigned r = 0; r < nr; r++) {
			if (d.rule[r] == 0)
				continue;
			sw_buf_printf(&b, "%s{\"rule\":", sep);
			sw_buf_json_str(&b, s->names.name[r]);
			sw_buf_printf(&b, ",\"index\":%u,\"action\":\"%s\",\"changed\":%" PRIu64 "}",
				      r, action_name(s->names.action[r]), d.rule[r]);
			sep = ",";
		}
		/* the candidate's default and malformed actions, as the events name them */
		if (d.deflt != 0) {
			sw_buf_printf(&b, "%s{\"rule\":\"default\",\"index\":-1,\"action\":\"%s\","
				      "\"changed\":%" PRIu64 "}", sep,
				      action_name(s->names.default_action), d.deflt);
			sep = ",";
		}
		if (d.malformed != 0)
			sw_buf_printf(&b, "%s{\"rule\":\"malformed\",\"index\":-2,\"action\":\"%s\","
				      "\"changed\":%" PRIu64 "}", sep,
				      action_name(s->names.malformed_action), d.malformed);
		sw_buf_printf(&b, "],\"partners\":[");
		sep = "";
		for (unsigned p = 0; p < np; p++) {
			if (d.partner[p] == 0)
				continue;
			sw_buf_printf(&b, "%s{\"partner\":", sep);
			sw_buf_json_str(&b, partner_name(s, p, pbuf, sizeof(pbuf)));
			sw_buf_printf(&b, ",\"changed\":%" PRIu64 "}", d.partner[p]);
			sep = ",";
		}
		sw_buf_printf(&b, "],\"no_partner\":%" PRIu64 ",\"other_partners\":%" PRIu64
			      ",\"examples\":[", d.partner_none, d.partner_other);
		sep = "";
		for (unsigned i = 0; i < SW_SHADOW_EXAMPLES; i++) {
			const char *e = s->example[(s->example_next + i) % SW_SHADOW_EXAMPLES];

			if (e == NULL)
				continue;
			sw_buf_printf(&b, "%s%s", sep, e);
			sep = ",";
		}
		sw_buf_printf(&b, "]}\n");
		goto out;
	}
	if (s->generation == 0) {
		sw_buf_printf(&b, "instance %s generation %" PRIu64 " active, no shadow policy "
			      "(sigwallctl reload --shadow)\n", c->instance, active);
		goto out;
	}
	sw_buf_printf(&b, "instance %s generation %" PRIu64 " active, shadow generation %" PRIu64
		      " (%s, policy %s), sampling 1 in %u%s\n", c->instance, active, s->generation,
		      s->rules, s->names.policy, s->sample,
		      s->generation > active ? "" : "; NOT promotable: the active image is newer, "
		      "reload --shadow again");
	sw_buf_printf(&b, "MSUs judged by the shadow %" PRIu64 ", action changed %" PRIu64
		      " (to drop %" PRIu64 ", to pass %" PRIu64 "), by its default %" PRIu64
		      ", by its malformed action %" PRIu64 ", images refused %" PRIu64 "\n",
		      d.msus, d.changed, d.to_drop, d.to_pass, d.deflt, d.malformed, d.refused);
	if (s->sample > 1)
		sw_buf_printf(&b, "the shadow judges 1 MSU in %u: over all traffic, about %" PRIu64
			      " changed (to drop %" PRIu64 ", to pass %" PRIu64 "); the counts below "
			      "are of the sampled MSUs\n", s->sample, d.changed * s->sample,
			      d.to_drop * s->sample, d.to_pass * s->sample);
	sw_buf_printf(&b, "changed per candidate rule:\n  %-40s %-10s %12s\n", "rule", "action",
		      "changed");
	for (unsigned r = 0; r < nr; r++)
		if (d.rule[r] != 0)
			sw_buf_printf(&b, "  %-40s %-10s %12" PRIu64 "\n", s->names.name[r],
				      action_name(s->names.action[r]), d.rule[r]);
	if (d.deflt != 0)
		sw_buf_printf(&b, "  %-40s %-10s %12" PRIu64 "\n", "(default)",
			      action_name(s->names.default_action), d.deflt);
	if (d.malformed != 0)
		sw_buf_printf(&b, "  %-40s %-10s %12" PRIu64 "\n", "(malformed)",
			      action_name(s->names.malformed_action), d.malformed);
	sw_buf_printf(&b, "changed per partner (calling party GT):\n  %-40s %12s\n", "partner",
		      "changed");
	for (unsigned p = 0; p < np; p++)
		if (d.partner[p] != 0)
			sw_buf_printf(&b, "  %-40s %12" PRIu64 "\n",
				      partner_name(s, p, pbuf, sizeof(pbuf)), d.partner[p]);
	sw_buf_printf(&b, "  %-40s %12" PRIu64 "\n", "(no partner)", d.partner_none);
	if (d.partner_other != 0)
		sw_buf_printf(&b, "  %-40s %12" PRIu64 "\n", "(partners past the counters)",
			      d.partner_other);
	sw_buf_printf(&b, "example events (the last %d):\n", SW_SHADOW_EXAMPLES);
	for (unsigned i = 0; i < SW_SHADOW_EXAMPLES; i++) {
		const char *e = s->example[(s->example_next + i) % SW_SHADOW_EXAMPLES];

		if (e != NULL)
			sw_buf_printf(&b, "  %s\n", e);
	}
out:
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* The shadow's line of `sigwallctl stats` (text) or its "shadow" member (JSON, null: none). */
void
sw_shadow_stats(struct sw_ctl *c, struct sw_buf *b, bool json)
{
	static struct sw_shadow_counts d;
	const struct sw_shadow_ctl *s = &c->shadow;

	sw_shadow_delta(c, &d);
	if (json) {
		if (s->generation == 0) {
			sw_buf_printf(b, ",\"shadow\":null");
			return;
		}
		sw_buf_printf(b, ",\"shadow\":{\"generation\":%" PRIu64 ",\"sample\":%u,\"msus\":%"
			      PRIu64 ",\"changed\":%" PRIu64 ",\"to_drop\":%" PRIu64 ",\"to_pass\":%"
			      PRIu64 ",\"refused\":%" PRIu64 "}", s->generation, s->sample, d.msus,
			      d.changed, d.to_drop, d.to_pass, d.refused);
		return;
	}
	if (s->generation == 0) {
		sw_buf_printf(b, "shadow: none\n");
		return;
	}
	sw_buf_printf(b, "shadow generation %" PRIu64 " (1 in %u MSUs): judged %" PRIu64
		      ", action changed %" PRIu64 " (to drop %" PRIu64 ", to pass %" PRIu64
		      "), images refused %" PRIu64 "; `sigwallctl shadow diff` for the rules\n",
		      s->generation, s->sample, d.msus, d.changed, d.to_drop, d.to_pass, d.refused);
}

/* Metrics of the shadow policy (control/README.md): since it was published. */
void
sw_shadow_metrics(struct sw_ctl *c, struct sw_buf *b)
{
	static struct sw_shadow_counts d;
	const struct sw_shadow_ctl *s = &c->shadow;
	const char *in = c->instance;
	unsigned nr = s->names.nrules < SW_SHM_MAX_RULES ? s->names.nrules : SW_SHM_MAX_RULES;

	sw_shadow_delta(c, &d);
	sw_buf_printf(b, "# HELP sigwall_shadow_generation Generation of the shadow policy, 0: "
		      "none.\n# TYPE sigwall_shadow_generation gauge\n"
		      "sigwall_shadow_generation{instance=\"%s\"} %" PRIu64 "\n", in, s->generation);
	if (s->generation == 0)
		return;
	sw_buf_printf(b, "# HELP sigwall_shadow_msus_total MSUs the shadow policy judged since it "
		      "was published.\n# TYPE sigwall_shadow_msus_total counter\n"
		      "sigwall_shadow_msus_total{instance=\"%s\",shadow_generation=\"%" PRIu64
		      "\"} %" PRIu64 "\n", in, s->generation, d.msus);
	sw_buf_printf(b, "# HELP sigwall_shadow_changed_total MSUs whose action the shadow policy "
		      "would change, by what it would do.\n"
		      "# TYPE sigwall_shadow_changed_total counter\n"
		      "sigwall_shadow_changed_total{instance=\"%s\",shadow_generation=\"%" PRIu64
		      "\",change=\"to_drop\"} %" PRIu64 "\n"
		      "sigwall_shadow_changed_total{instance=\"%s\",shadow_generation=\"%" PRIu64
		      "\",change=\"to_pass\"} %" PRIu64 "\n"
		      "sigwall_shadow_changed_total{instance=\"%s\",shadow_generation=\"%" PRIu64
		      "\",change=\"other\"} %" PRIu64 "\n", in, s->generation, d.to_drop, in,
		      s->generation, d.to_pass, in, s->generation,
		      d.changed - d.to_drop - d.to_pass);
	sw_buf_printf(b, "# HELP sigwall_shadow_rule_changed_total Changed MSUs per rule of the "
		      "shadow policy that decided them.\n"
		      "# TYPE sigwall_shadow_rule_changed_total counter\n");
	for (unsigned r = 0; r < nr; r++) {
		if (d.rule[r] == 0)
			continue;
		sw_buf_printf(b, "sigwall_shadow_rule_changed_total{instance=\"%s\",shadow_generation="
			      "\"%" PRIu64 "\",rule_id=\"%u\",rule=", in, s->generation, r);
		sw_prom_label(b, s->names.name[r]);
		sw_buf_printf(b, "} %" PRIu64 "\n", d.rule[r]);
	}
}
