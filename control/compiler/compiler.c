/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy compiler: rule file + site file (libconfig) -> policy image (dataplane/policy/image.h).
 *
 * Pass 1 parses and validates the site (site.c) and the rule file (rules.c, with its lists,
 * lists.c, and conditions, conds.c) into a builder (builder.h): rules, conditions, integer
 * sets, string patterns per field, bulk prefix tables; pass 2 (layout.c) compiles one Hyperscan
 * block-mode database per string field (atoms.c), builds the gates (gates.c) and lays
 * everything out with the image writer (dataplane/policy/image_write.h). Every error is
 * "file:line: message"; on error nothing is returned. Same input, same bytes: nothing depends
 * on addresses, time or hash seeds (generation lives in the header only).
 *
 * This file: the entry points, the builder's life and the helpers every pass uses.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builder.h"
#include "dataplane/policy/policy.h"

/* ---- errors and small helpers ---- */

int
cpl_errat(struct builder *b, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	size_t pos = 0;
	int n;

	if (b->err == NULL || b->errlen == 0 || (b->nerrs > 0 && !b->opts.all_errors)) {
		b->nerrs++;
		return -EINVAL;
	}
	if (b->nerrs > 0) {
		/* one more line, if it fits */
		pos = strlen(b->err);
		if (pos + 2 >= b->errlen) {
			b->nerrs++;
			return -EINVAL;
		}
		b->err[pos++] = '\n';
	}
	b->nerrs++;
	n = snprintf(b->err + pos, b->errlen - pos, "%s:%d: ",
		     file != NULL ? file : b->rules_path, line);
	if (n < 0 || (size_t)n >= b->errlen - pos)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(b->err + pos + n, b->errlen - pos - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void
cpl_warn(struct builder *b, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	b->nwarn++;
	if (b->opts.warn == NULL)
		return;
	fprintf(b->opts.warn, "%s:%d: warning: ", file != NULL ? file : b->rules_path, line);
	va_start(ap, fmt);
	vfprintf(b->opts.warn, fmt, ap);
	va_end(ap);
	fputc('\n', b->opts.warn);
}

bool
cpl_recover(struct builder *b, int rc)
{
	return rc == -EINVAL && b->opts.all_errors;
}

int
cpl_errs(struct builder *b, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cpl_errat(b, config_setting_source_file(s), (int)config_setting_source_line(s), "%s",
		     msg);
}

void *
cpl_grow(void *p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap;
	void *q;

	if (need <= c)
		return p;
	c = c == 0 ? 16 : c;
	while (c < need)
		c *= 2;
	q = realloc(p, c * elem);
	if (q == NULL)
		return NULL;
	*cap = c;
	return q;
}

int
cpl_buf_put(struct buf *bf, const void *p, size_t n, size_t *off)
{
	uint8_t *q = cpl_grow(bf->p, &bf->cap, bf->n + n, 1);

	if (q == NULL)
		return -ENOMEM;
	bf->p = q;
	if (off != NULL)
		*off = bf->n;
	memcpy(bf->p + bf->n, p, n);
	bf->n += n;
	return 0;
}

int
cpl_str_add(struct builder *b, const char *s, uint32_t *off)
{
	size_t o = 0;
	int rc = cpl_buf_put(&b->strtab, s, strlen(s) + 1, &o);

	*off = (uint32_t)o;
	return rc;
}

int
cpl_name_index(const char *const *names, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

bool
cpl_valid_prefix(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SW_PTAB_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (sw_ptab_nibble(s[i]) == 0)
			return false;
	return true;
}

int
cpl_check_keys(struct builder *b, const config_setting_t *g, const char *const *keys, const char *what)
{
	int n = config_setting_length(g);

	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(g, (unsigned)i);
		const char *k = config_setting_name(e);
		bool ok = false;

		for (const char *const *p = keys; *p != NULL; p++)
			if (k != NULL && strcmp(*p, k) == 0)
				ok = true;
		if (!ok)
			return cpl_errs(b, e, "unknown key '%s' in %s", k != NULL ? k : "?", what);
	}
	return 0;
}

int
cpl_get_bool(struct builder *b, const config_setting_t *s, uint8_t *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cpl_errs(b, s, "'%s' must be true or false", config_setting_name(s));
	*out = (uint8_t)config_setting_get_bool(s);
	return 0;
}

/* ---- integer sets ---- */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Append a set of vals to data; *off receives its data offset. */
int
cpl_set_add(struct builder *b, const uint32_t *vals, size_t n, uint32_t *off)
{
	struct sw_img_set s = { 0 };
	uint32_t *big = malloc((n + 1) * sizeof(*big));
	size_t nbig = 0, o, bo = 0;
	size_t *so;

	if (big == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (vals[i] < 256)
			s.bits[vals[i] >> 6] |= 1ull << (vals[i] & 63);
		else
			big[nbig++] = vals[i];
	}
	qsort(big, nbig, sizeof(*big), cmp_u32);
	/* dedup */
	size_t k = 0;
	for (size_t i = 0; i < nbig; i++)
		if (k == 0 || big[k - 1] != big[i])
			big[k++] = big[i];
	nbig = k;
	s.nbig = (uint32_t)nbig;
	o = b->data.n;
	bo = o + sizeof(s);
	s.big_off = (uint32_t)bo; /* data-relative; relocated at layout */
	if (cpl_buf_put(&b->data, &s, sizeof(s), NULL) != 0 ||
	    (nbig > 0 && cpl_buf_put(&b->data, big, nbig * sizeof(*big), NULL) != 0)) {
		free(big);
		return -ENOMEM;
	}
	/* keep 8-byte alignment of the next set */
	while (b->data.n % 8 != 0) {
		uint8_t z = 0;
		if (cpl_buf_put(&b->data, &z, 1, NULL) != 0) {
			free(big);
			return -ENOMEM;
		}
	}
	free(big);
	so = cpl_grow(b->setoffs, &b->csets, b->nsets + 1, sizeof(*so));
	if (so == NULL)
		return -ENOMEM;
	b->setoffs = so;
	b->setoffs[b->nsets++] = o;
	*off = (uint32_t)o;
	return 0;
}

/* Values of the integer set at data offset off (before relocation): count, and the values when
 * vals is not NULL. */
size_t
cpl_set_values(const struct builder *b, uint32_t off, uint32_t *vals)
{
	struct sw_img_set st;
	size_t n = 0;

	memcpy(&st, b->data.p + off, sizeof(st));
	for (unsigned v = 0; v < 256; v++)
		if ((st.bits[v >> 6] >> (v & 63)) & 1) {
			if (vals != NULL)
				vals[n] = v;
			n++;
		}
	for (uint32_t i = 0; i < st.nbig; i++) {
		if (vals != NULL)
			memcpy(&vals[n], b->data.p + st.big_off + 4 * (size_t)i, 4);
		n++;
	}
	return n;
}

/* ---- the builder ---- */

static void
builder_free(struct builder *b)
{
	struct site *s = &b->site;

	for (size_t i = 0; i < b->nlists; i++) {
		struct list *l = &b->lists[i];
		for (size_t j = 0; j < l->n; j++)
			free(l->entries[j]);
		free(l->entries);
		free(l->elines);
		free(l->efile);
		free(l->ints);
		free(l->name);
		free((char *)l->file);
	}
	free(b->lists);
	for (size_t i = 0; i < b->nrules; i++)
		free(b->rules[i].name);
	free(b->rules);
	free(b->conds);
	free(b->data.p);
	free(b->setoffs);
	free(b->strtab.p);
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		for (size_t i = 0; i < b->npats[f]; i++) {
			free(b->pats[f][i].expr);
			free(b->pats[f][i].digits);
		}
		free(b->pats[f]);
		free(b->pt[f]);
	}
	free(b->policy_name);
#define FREEV(v, n)                              \
	do {                                     \
		for (size_t _i = 0; _i < (n); _i++) \
			free((v)[_i]);           \
		free(v);                         \
	} while (0)
	FREEV(s->plmn, s->nplmn);
	FREEV(s->gt, s->ngt);
	FREEV(s->msisdn, s->nmsisdn);
	free(s->pc);
	for (size_t k = 0; k < s->np; k++) {
		FREEV(s->p[k].plmn, s->p[k].nplmn);
		FREEV(s->p[k].gt, s->p[k].ngt);
		FREEV(s->p[k].msisdn, s->p[k].nmsisdn);
		free(s->p[k].pc);
		free(s->p[k].ops);
		free(s->p[k].links);
		free(s->p[k].name);
	}
	free(s->p);
	free(s->pidx);
	for (size_t k = 0; k < s->ngroups; k++) {
		free(s->groups[k].name);
		free(s->groups[k].members);
	}
	free(s->groups);
	for (size_t k = 0; k < s->nlinks; k++)
		free(s->links[k].name);
	free(s->links);
	free(s->peers);
	free(s->name);
#undef FREEV
}

int
sw_compile_files(const char *rules_path, const char *site_path, uint64_t generation,
		 struct sw_compiled *out, char *err, size_t errlen)
{
	return sw_compile_files_opts(rules_path, site_path, generation, NULL, out, err, errlen);
}

int
sw_compile_files_opts(const char *rules_path, const char *site_path, uint64_t generation,
		      const struct sw_compile_opts *opts, struct sw_compiled *out, char *err,
		      size_t errlen)
{
	struct builder b;
	struct timespec t0, t1;
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&b, 0, sizeof(b));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	b.err = err;
	b.errlen = errlen;
	b.rules_path = rules_path;
	if (opts != NULL)
		b.opts = *opts;
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		b.hdr.fields[f].net_home = 0xffff;
		b.hdr.fields[f].net_partner = 0xffff;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = cpl_parse_site(&b, site_path);
	if (rc == 0 || cpl_recover(&b, rc)) {
		/* the rule file's own errors too (opts.all_errors) */
		int rc2 = cpl_parse_rules_file(&b, rules_path);
		rc = rc != 0 ? rc : rc2;
	}
	if (rc == 0)
		rc = cpl_build_image(&b, generation, out);
	builder_free(&b);
	if (rc != 0) {
		if (rc != -EINVAL && err != NULL && errlen > 0 && err[0] == '\0')
			snprintf(err, errlen, "%s:0: %s", rules_path, strerror(-rc));
		memset(out, 0, sizeof(*out));
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	out->nwarnings = b.nwarn;
	out->compile_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			  (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	return 0;
}

void
sw_compiled_free(struct sw_compiled *c)
{
	if (c == NULL)
		return;
	free(c->image);
	c->image = NULL;
	c->size = 0;
}

void
sw_compiled_summary(FILE *f, const struct sw_compiled *c)
{
	const struct sw_image_hdr *h = c->image;

	fprintf(f, "policy: %s\n", sw_img_str(h, h->name_off));
	fprintf(f, "rules: %u\nlists: %u\n", c->nrules, c->nlists);
	fprintf(f, "default: %s\nmalformed: %s\nmonitor: %s\n", sw_action_name(h->default_action),
		sw_action_name(h->malformed_action), h->monitor ? "yes" : "no");
	fprintf(f, "patterns:");
	for (unsigned i = 0; i < SW_SF_COUNT; i++)
		if (c->npatterns[i] > 0)
			fprintf(f, " %s=%u", sw_sfield_names[i], c->npatterns[i]);
	fprintf(f, "\nimage: %zu bytes\ncompile: %.1f ms\nchecksum: %016llx\n", c->size,
		c->compile_ms, (unsigned long long)h->checksum);
	fprintf(f, "hyperscan: %s\n", h->hs_version);
	const struct sw_img_state *ss = sw_img_state(h);
	if (ss != NULL) {
		/* issue 15: what the state tables will be used for */
		const struct sw_img_partner *pa = (const void *)((const char *)h + ss->partners_off);
		unsigned nc = 0;
		char cc[3];
		for (uint32_t k = 0; k < ss->npartners; k++)
			nc += pa[k].country != 0;
		fprintf(f, "state:");
		for (unsigned i = 0; i < SW_ST_COUNT; i++)
			if (ss->used & (1u << i))
				fprintf(f, " %s", sw_state_cond_names[i]);
		if (ss->used == 0)
			fprintf(f, " (no rule uses state)");
		uint32_t npairs;
		memcpy(&npairs, (const char *)h + ss->travel_off + 8, 4);
		fprintf(f, "; home country %s, %u of %u partners with a country, %u travel pairs\n",
			ss->home_country != 0 ? sw_state_country_str(ss->home_country, cc) : "-", nc,
			ss->npartners, npairs);
	}
}
