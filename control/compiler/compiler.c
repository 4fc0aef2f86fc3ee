/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy compiler: rule file + site file (libconfig) -> policy image (dataplane/policy/image.h).
 *
 * Pass 1 parses and validates both files into a builder (rules, conditions, integer sets,
 * string patterns per field, bulk prefix tables); pass 2 compiles one Hyperscan block-mode
 * database per string field and lays everything out in one zeroed, 64-byte aligned buffer.
 * Every error is "file:line: message"; on error nothing is returned. Same input, same bytes:
 * nothing depends on addresses, time or hash seeds (generation lives in the header only).
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hs/hs.h>
#include <libconfig.h>

#include "compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"

#define ROUND64(x) (((x) + 63u) & ~(size_t)63u)

enum list_type { LT_PREFIX, LT_REGEX, LT_OPCODE, LT_PC, LT_INT };
static const char *const list_type_names[] = { "prefix", "regex", "opcode", "pc", "int" };

struct list {
	char *name;
	enum list_type type;
	const char *file; /* where the list is defined */
	int line;
	size_t n;
	char **entries;   /* prefix, regex */
	int *elines;      /* line of each entry */
	const char **efile;
	uint32_t *ints;   /* opcode, pc, int */
	uint16_t atom[SW_SF_COUNT]; /* per field, 0xffff: not compiled for that field */
};

struct pat {
	char *expr;       /* Hyperscan expression */
	char *digits;     /* the prefix when expr is "^digits", else NULL */
	uint16_t atom;
};

struct ptent {
	uint64_t key;
	uint8_t len;
	uint16_t atom;
};

struct partner {
	char *name;
	char **plmn, **gt, **msisdn;
	size_t nplmn, ngt, nmsisdn;
	uint32_t *pc;
	size_t npc;
};

struct site {
	char *name;
	char **plmn, **gt, **msisdn;
	size_t nplmn, ngt, nmsisdn;
	uint32_t *pc;
	size_t npc;
	struct partner *p;
	size_t np;
};

struct rule {
	char *name;
	struct sw_img_rule r;
	bool indexed;
	uint32_t opset;   /* data offset of the opcode set when indexed */
};

struct buf {
	uint8_t *p;
	size_t n, cap;
};

struct builder {
	char *err;
	size_t errlen;
	const char *rules_path;
	char rules_dir[PATH_MAX];
	struct site site;
	struct list *lists;
	size_t nlists;
	struct rule *rules;
	size_t nrules;
	struct sw_img_cond *conds;
	size_t nconds, cconds;
	struct buf data;     /* integer sets */
	size_t *setoffs;     /* data offsets of every set, to relocate big_off */
	size_t nsets, csets;
	struct buf strtab;
	struct pat *pats[SW_SF_COUNT];
	size_t npats[SW_SF_COUNT];
	struct ptent *pt[SW_SF_COUNT];
	size_t npt[SW_SF_COUNT];
	uint32_t natoms;
	struct sw_image_hdr hdr;
	uint8_t default_action, malformed_action, monitor;
	char *policy_name;
};

/* ---- small helpers ---- */

static int
errat(struct builder *b, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err == NULL || b->errlen == 0)
		return -EINVAL;
	n = snprintf(b->err, b->errlen, "%s:%d: ", file != NULL ? file : b->rules_path, line);
	if (n < 0 || (size_t)n >= b->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(b->err + n, b->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int
errs(struct builder *b, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	char msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return errat(b, config_setting_source_file(s), (int)config_setting_source_line(s), "%s",
		     msg);
}

static void *
grow(void *p, size_t *cap, size_t need, size_t elem)
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

static int
buf_put(struct buf *bf, const void *p, size_t n, size_t *off)
{
	uint8_t *q = grow(bf->p, &bf->cap, bf->n + n, 1);

	if (q == NULL)
		return -ENOMEM;
	bf->p = q;
	if (off != NULL)
		*off = bf->n;
	memcpy(bf->p + bf->n, p, n);
	bf->n += n;
	return 0;
}

static int
str_add(struct builder *b, const char *s, uint32_t *off)
{
	size_t o = 0;
	int rc = buf_put(&b->strtab, s, strlen(s) + 1, &o);

	*off = (uint32_t)o;
	return rc;
}

static int
name_index(const char *const *names, unsigned n, const char *s)
{
	for (unsigned i = 0; i < n; i++)
		if (names[i] != NULL && strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

static bool
valid_prefix(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > SW_PTAB_DIGITS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (sw_ptab_nibble(s[i]) == 0)
			return false;
	return true;
}

/* ---- integer sets ---- */

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Append a set of vals to data; *off receives its data offset. */
static int
set_add(struct builder *b, const uint32_t *vals, size_t n, uint32_t *off)
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
	if (buf_put(&b->data, &s, sizeof(s), NULL) != 0 ||
	    (nbig > 0 && buf_put(&b->data, big, nbig * sizeof(*big), NULL) != 0)) {
		free(big);
		return -ENOMEM;
	}
	/* keep 8-byte alignment of the next set */
	while (b->data.n % 8 != 0) {
		uint8_t z = 0;
		if (buf_put(&b->data, &z, 1, NULL) != 0) {
			free(big);
			return -ENOMEM;
		}
	}
	free(big);
	so = grow(b->setoffs, &b->csets, b->nsets + 1, sizeof(*so));
	if (so == NULL)
		return -ENOMEM;
	b->setoffs = so;
	b->setoffs[b->nsets++] = o;
	*off = (uint32_t)o;
	return 0;
}

/* ---- site file ---- */

static int
get_strings(struct builder *b, const config_setting_t *s, char ***out, size_t *n, bool prefix)
{
	int len;

	if (config_setting_is_array(s) == CONFIG_FALSE && config_setting_is_list(s) == CONFIG_FALSE)
		return errs(b, s, "'%s' must be a list of strings", config_setting_name(s));
	len = config_setting_length(s);
	*n = 0;
	*out = calloc((size_t)len + 1, sizeof(char *));
	if (*out == NULL)
		return -ENOMEM;
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);

		if (v == NULL)
			return errs(b, e, "'%s' must be a list of strings", config_setting_name(s));
		if (prefix && !valid_prefix(v))
			return errs(b, e, "invalid prefix \"%s\" in '%s' (1-%d digits)", v,
				    config_setting_name(s), SW_PTAB_DIGITS);
		(*out)[i] = strdup(v);
		if ((*out)[i] == NULL)
			return -ENOMEM;
		*n = (size_t)i + 1; /* what builder_free releases on a later error */
	}
	return 0;
}

static int
get_ints(struct builder *b, const config_setting_t *s, uint32_t **out, size_t *n, int64_t max)
{
	int len;

	if (config_setting_is_array(s) == CONFIG_FALSE && config_setting_is_list(s) == CONFIG_FALSE)
		return errs(b, s, "'%s' must be a list of integers", config_setting_name(s));
	len = config_setting_length(s);
	*out = calloc((size_t)len + 1, sizeof(uint32_t));
	if (*out == NULL)
		return -ENOMEM;
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		long long v;

		if (config_setting_type(e) != CONFIG_TYPE_INT &&
		    config_setting_type(e) != CONFIG_TYPE_INT64)
			return errs(b, e, "'%s' must be a list of integers", config_setting_name(s));
		v = config_setting_get_int64(e);
		if (v < 0 || v > max)
			return errs(b, e, "%lld out of range 0-%lld in '%s'", v, (long long)max,
				    config_setting_name(s));
		(*out)[i] = (uint32_t)v;
	}
	*n = (size_t)len;
	return 0;
}

static int
check_keys(struct builder *b, const config_setting_t *g, const char *const *keys, const char *what)
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
			return errs(b, e, "unknown key '%s' in %s", k != NULL ? k : "?", what);
	}
	return 0;
}

static int
parse_site(struct builder *b, const char *path)
{
	static const char *const top_keys[] = { "site", NULL };
	static const char *const site_keys[] = { "name", "home", "partners", NULL };
	static const char *const home_keys[] = { "plmn", "gt", "msisdn", "point_codes", "hlr",
						 "vlr", "msc", "smsc", "sgsn", NULL };
	static const char *const partner_keys[] = { "name", "plmn", "gt", "msisdn", "point_codes",
						    NULL };
	config_t cf;
	const config_setting_t *root, *site, *home, *parts, *s;
	const char *str;
	int rc = 0;

	config_init(&cf);
	if (config_read_file(&cf, path) == CONFIG_FALSE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			rc = errat(b, path, 0, "cannot read site file: %s", strerror(errno));
		else
			rc = errat(b, config_error_file(&cf) ? config_error_file(&cf) : path,
				   config_error_line(&cf), "%s", config_error_text(&cf));
		goto out;
	}
	root = config_root_setting(&cf);
	if ((rc = check_keys(b, root, top_keys, "site file")) != 0)
		goto out;
	site = config_setting_get_member(root, "site");
	if (site == NULL || !config_setting_is_group(site)) {
		rc = errat(b, path, site ? (int)config_setting_source_line(site) : 1,
			   "missing group 'site'");
		goto out;
	}
	if ((rc = check_keys(b, site, site_keys, "'site'")) != 0)
		goto out;
	s = config_setting_get_member(site, "name");
	str = s ? config_setting_get_string(s) : NULL;
	if (str == NULL) {
		rc = s ? errs(b, s, "'name' must be a string")
		       : errs(b, site, "missing 'site.name'");
		goto out;
	}
	b->site.name = strdup(str);
	home = config_setting_get_member(site, "home");
	if (home == NULL || !config_setting_is_group(home)) {
		rc = errs(b, home ? home : site, "missing group 'site.home'");
		goto out;
	}
	if ((rc = check_keys(b, home, home_keys, "'site.home'")) != 0)
		goto out;
	for (const char *const *k = home_keys; *k != NULL; k++) {
		s = config_setting_get_member(home, *k);
		if (s == NULL)
			continue;
		if (strcmp(*k, "point_codes") == 0)
			rc = get_ints(b, s, &b->site.pc, &b->site.npc, 0xffffff);
		else if (strcmp(*k, "plmn") == 0)
			rc = get_strings(b, s, &b->site.plmn, &b->site.nplmn, true);
		else if (strcmp(*k, "gt") == 0)
			rc = get_strings(b, s, &b->site.gt, &b->site.ngt, true);
		else if (strcmp(*k, "msisdn") == 0)
			rc = get_strings(b, s, &b->site.msisdn, &b->site.nmsisdn, true);
		else {
			/* node GTs: validated, informational (sigwall-gen uses them) */
			char **tmp = NULL;
			size_t nt = 0;
			rc = get_strings(b, s, &tmp, &nt, true);
			for (size_t i = 0; tmp != NULL && i < nt; i++)
				free(tmp[i]);
			free(tmp);
		}
		if (rc != 0)
			goto out;
	}
	if (b->site.nplmn == 0 || b->site.ngt == 0) {
		rc = errs(b, home, "'site.home' needs non-empty 'plmn' and 'gt'");
		goto out;
	}
	parts = config_setting_get_member(site, "partners");
	if (parts != NULL) {
		int np = config_setting_length(parts);
		if (!config_setting_is_list(parts)) {
			rc = errs(b, parts, "'partners' must be a list of groups");
			goto out;
		}
		if (np > SW_PARTNERS_MAX) {
			rc = errs(b, parts, "more than %d partners", SW_PARTNERS_MAX);
			goto out;
		}
		b->site.p = calloc((size_t)np + 1, sizeof(*b->site.p));
		if (b->site.p == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < np; i++) {
			const config_setting_t *g = config_setting_get_elem(parts, (unsigned)i);
			struct partner *p = &b->site.p[i];

			b->site.np = (size_t)i + 1;
			if (!config_setting_is_group(g)) {
				rc = errs(b, g, "a partner must be a group");
				goto out;
			}
			if ((rc = check_keys(b, g, partner_keys, "a partner")) != 0)
				goto out;
			s = config_setting_get_member(g, "name");
			str = s ? config_setting_get_string(s) : NULL;
			if (str == NULL) {
				rc = errs(b, s ? s : g, "a partner needs a string 'name'");
				goto out;
			}
			p->name = strdup(str);
			if ((s = config_setting_get_member(g, "plmn")) != NULL &&
			    (rc = get_strings(b, s, &p->plmn, &p->nplmn, true)) != 0)
				goto out;
			if ((s = config_setting_get_member(g, "gt")) != NULL &&
			    (rc = get_strings(b, s, &p->gt, &p->ngt, true)) != 0)
				goto out;
			if ((s = config_setting_get_member(g, "msisdn")) != NULL &&
			    (rc = get_strings(b, s, &p->msisdn, &p->nmsisdn, true)) != 0)
				goto out;
			if ((s = config_setting_get_member(g, "point_codes")) != NULL &&
			    (rc = get_ints(b, s, &p->pc, &p->npc, 0xffffff)) != 0)
				goto out;
		}
	}
out:
	config_destroy(&cf);
	return rc;
}

/* ---- lists ---- */

static struct list *
find_list(struct builder *b, const char *name)
{
	if (name[0] == '@')
		name++;
	for (size_t i = 0; i < b->nlists; i++)
		if (strcmp(b->lists[i].name, name) == 0)
			return &b->lists[i];
	return NULL;
}

static int
list_add_entry(struct builder *b, struct list *l, const char *file, int line, const char *v,
	       long long iv, bool is_int, size_t *cap)
{
	char **e;
	int *el;
	const char **ef;
	uint32_t *iv32;
	size_t c = *cap;

	if (l->n + 1 > c) {
		c = c == 0 ? 64 : c * 2;
		e = realloc(l->entries, c * sizeof(*e));
		if (e != NULL)
			l->entries = e;
		el = realloc(l->elines, c * sizeof(*el));
		if (el != NULL)
			l->elines = el;
		ef = realloc(l->efile, c * sizeof(*ef));
		if (ef != NULL)
			l->efile = ef;
		iv32 = realloc(l->ints, c * sizeof(*iv32));
		if (iv32 != NULL)
			l->ints = iv32;
		if (e == NULL || el == NULL || ef == NULL || iv32 == NULL)
			return -ENOMEM;
		*cap = c;
	}
	l->entries[l->n] = NULL;
	l->elines[l->n] = line;
	l->efile[l->n] = file;
	l->ints[l->n] = 0;
	switch (l->type) {
	case LT_PREFIX:
		if (is_int || !valid_prefix(v))
			return errat(b, file, line, "invalid prefix \"%s\" in list '%s' (1-%d digits)",
				     is_int ? "(integer)" : v, l->name, SW_PTAB_DIGITS);
		break;
	case LT_REGEX: {
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *ce = NULL;
		if (is_int)
			return errat(b, file, line, "regex list '%s' needs strings", l->name);
		if (hs_expression_info(v, HS_FLAG_SINGLEMATCH, &info, &ce) != HS_SUCCESS) {
			int rc = errat(b, file, line, "invalid regex \"%s\" in list '%s': %s", v,
				       l->name, ce != NULL ? ce->message : "?");
			hs_free_compile_error(ce);
			return rc;
		}
		free(info);
		break;
	}
	case LT_OPCODE:
		if (!is_int) {
			iv = sw_map_op_code(v);
			if (iv < 0)
				return errat(b, file, line, "unknown MAP operation \"%s\" in list '%s'",
					     v, l->name);
		}
		if (iv < 0 || iv > 255)
			return errat(b, file, line, "opcode %lld out of range 0-255 in list '%s'", iv,
				     l->name);
		l->ints[l->n] = (uint32_t)iv;
		break;
	case LT_PC:
	case LT_INT:
		if (!is_int) {
			char *end;
			iv = strtoll(v, &end, 0);
			if (*v == '\0' || *end != '\0')
				return errat(b, file, line, "list '%s' needs integers, got \"%s\"",
					     l->name, v);
		}
		if (iv < 0 || iv > (l->type == LT_PC ? 0xffffff : 0xffffffffll))
			return errat(b, file, line, "%lld out of range in list '%s'", iv, l->name);
		l->ints[l->n] = (uint32_t)iv;
		break;
	}
	if (!is_int) {
		l->entries[l->n] = strdup(v);
		if (l->entries[l->n] == NULL)
			return -ENOMEM;
	}
	l->n++;
	return 0;
}

static int
list_load_file(struct builder *b, struct list *l, const config_setting_t *s, size_t *cap)
{
	const char *name = config_setting_get_string(s);
	char path[PATH_MAX + 256], *line = NULL, *fname;
	size_t lcap = 0;
	ssize_t n;
	int lineno = 0, rc = 0;
	FILE *f;

	if (name == NULL)
		return errs(b, s, "'file' must be a string");
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", b->rules_dir, name);
	f = fopen(path, "r");
	if (f == NULL)
		return errs(b, s, "cannot read list file \"%s\": %s", path, strerror(errno));
	/* The entries keep pointing at this name for their messages: store it in strtab-like
	 * storage that lives as long as the builder (leaked into the list). */
	fname = strdup(path);
	if (fname == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	while ((n = getline(&line, &lcap, f)) >= 0) {
		char *p = line, *e;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		e = p + strlen(p);
		while (e > p && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
		if (*p == '\0' || *p == '#')
			continue;
		if ((rc = list_add_entry(b, l, fname, lineno, p, 0, false, cap)) != 0)
			break;
	}
	if (rc == 0 && ferror(f))
		rc = errs(b, s, "cannot read list file \"%s\": %s", path, strerror(errno));
	free(line);
	fclose(f);
	if (rc == 0)
		l->file = fname; /* owned by the list from now on */
	else
		free(fname);
	return rc;
}

static int
parse_lists(struct builder *b, const config_setting_t *lists)
{
	static const char *const keys[] = { "type", "entries", "file", "description", NULL };
	int n;

	if (!config_setting_is_group(lists))
		return errs(b, lists, "'lists' must be a group of named lists");
	n = config_setting_length(lists);
	b->lists = calloc((size_t)n + 1, sizeof(*b->lists));
	if (b->lists == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(lists, (unsigned)i);
		const config_setting_t *t, *en, *fl;
		struct list *l = &b->lists[b->nlists];
		size_t cap = 0;
		int rc, ti;

		if (!config_setting_is_group(g))
			return errs(b, g, "list '%s' must be a group with 'type' and 'entries' or 'file'",
				    config_setting_name(g));
		if ((rc = check_keys(b, g, keys, "a list")) != 0)
			return rc;
		l->name = strdup(config_setting_name(g));
		l->line = (int)config_setting_source_line(g);
		for (unsigned f = 0; f < SW_SF_COUNT; f++)
			l->atom[f] = 0xffff;
		b->nlists++;
		t = config_setting_get_member(g, "type");
		if (t == NULL || config_setting_get_string(t) == NULL)
			return errs(b, t ? t : g, "list '%s' needs a string 'type' (%s)", l->name,
				    "prefix, regex, opcode, pc or int");
		ti = name_index(list_type_names, 5, config_setting_get_string(t));
		if (ti < 0)
			return errs(b, t, "unknown list type \"%s\" (prefix, regex, opcode, pc, int)",
				    config_setting_get_string(t));
		l->type = (enum list_type)ti;
		en = config_setting_get_member(g, "entries");
		fl = config_setting_get_member(g, "file");
		if (en == NULL && fl == NULL)
			return errs(b, g, "list '%s' needs 'entries' or 'file'", l->name);
		if (en != NULL) {
			if (!config_setting_is_array(en) && !config_setting_is_list(en))
				return errs(b, en, "'entries' of list '%s' must be a list", l->name);
			for (int k = 0; k < config_setting_length(en); k++) {
				const config_setting_t *e = config_setting_get_elem(en, (unsigned)k);
				int ty = config_setting_type(e);
				if (ty == CONFIG_TYPE_STRING)
					rc = list_add_entry(b, l, config_setting_source_file(e),
							    (int)config_setting_source_line(e),
							    config_setting_get_string(e), 0, false,
							    &cap);
				else if (ty == CONFIG_TYPE_INT || ty == CONFIG_TYPE_INT64)
					rc = list_add_entry(b, l, config_setting_source_file(e),
							    (int)config_setting_source_line(e), NULL,
							    config_setting_get_int64(e), true, &cap);
				else
					rc = errs(b, e, "entries of list '%s' must be strings or integers",
						  l->name);
				if (rc != 0)
					return rc;
			}
		}
		if (fl != NULL && (rc = list_load_file(b, l, fl, &cap)) != 0)
			return rc;
		if (l->n == 0)
			return errs(b, g, "list '%s' is empty", l->name);
		for (size_t j = 0; j + 1 < b->nlists; j++)
			if (strcmp(b->lists[j].name, l->name) == 0)
				return errs(b, g, "duplicate list name '%s'", l->name);
	}
	return 0;
}

/* ---- string patterns and atoms ---- */

static int
atom_new(struct builder *b, const config_setting_t *s, uint16_t *atom)
{
	if (b->natoms >= SW_ATOMS_MAX)
		return errs(b, s, "too many distinct string conditions (max %d)", SW_ATOMS_MAX);
	*atom = (uint16_t)b->natoms++;
	return 0;
}

static int
pat_add(struct builder *b, unsigned f, const char *expr, bool prefix, uint16_t atom)
{
	size_t cap = b->npats[f];
	struct pat *p;
	char *e;

	/* grow by powers of two: cap tracks n */
	if ((b->npats[f] & (b->npats[f] - 1)) == 0 || b->npats[f] < 16) {
		size_t c = b->npats[f] < 16 ? 16 : b->npats[f] * 2;
		p = realloc(b->pats[f], c * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		b->pats[f] = p;
	}
	(void)cap;
	if (prefix) {
		e = malloc(strlen(expr) + 2);
		if (e == NULL)
			return -ENOMEM;
		e[0] = '^';
		strcpy(e + 1, expr);
	} else {
		e = strdup(expr);
		if (e == NULL)
			return -ENOMEM;
	}
	b->pats[f][b->npats[f]].expr = e;
	b->pats[f][b->npats[f]].digits = NULL;
	b->pats[f][b->npats[f]].atom = atom;
	if (prefix && valid_prefix(expr)) {
		b->pats[f][b->npats[f]].digits = strdup(expr);
		if (b->pats[f][b->npats[f]].digits == NULL) {
			free(e);
			return -ENOMEM;
		}
	}
	b->npats[f]++;
	return 0;
}

static int
ptab_add(struct builder *b, unsigned f, const char *prefix, uint16_t atom)
{
	struct ptent *p;
	uint64_t key = 0;
	size_t len = strlen(prefix);

	if ((b->npt[f] & (b->npt[f] - 1)) == 0 || b->npt[f] < 16) {
		size_t c = b->npt[f] < 16 ? 16 : b->npt[f] * 2;
		p = realloc(b->pt[f], c * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		b->pt[f] = p;
	}
	for (size_t i = 0; i < len; i++)
		key |= (uint64_t)sw_ptab_nibble(prefix[i]) << (4 * i);
	b->pt[f][b->npt[f]].key = key;
	b->pt[f][b->npt[f]].len = (uint8_t)len;
	b->pt[f][b->npt[f]].atom = atom;
	b->npt[f]++;
	return 0;
}

/* Atom of list l on field f: its entries become patterns of f (once per field). */
static int
list_atom(struct builder *b, const config_setting_t *s, struct list *l, unsigned f, uint16_t *atom)
{
	int rc;

	if (l->type != LT_PREFIX && l->type != LT_REGEX)
		return errs(b, s, "list '%s' is a %s list, '%s' needs a prefix or regex list",
			    l->name, list_type_names[l->type], sw_sfield_names[f]);
	if (l->atom[f] != 0xffff) {
		*atom = l->atom[f];
		return 0;
	}
	if ((rc = atom_new(b, s, atom)) != 0)
		return rc;
	l->atom[f] = *atom;
	for (size_t i = 0; i < l->n; i++) {
		if (l->type == LT_PREFIX && l->n > SW_HS_PREFIX_MAX)
			rc = ptab_add(b, f, l->entries[i], *atom);
		else
			rc = pat_add(b, f, l->entries[i], l->type == LT_PREFIX, *atom);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Network prefixes of a field: home and per partner. */
static int
field_nets(struct builder *b, const config_setting_t *s, unsigned f)
{
	struct sw_img_field *fd = &b->hdr.fields[f];
	char **home = NULL;
	size_t nhome = 0;
	int rc;
	uint16_t a = 0;

	if (fd->net_home != 0xffff || fd->net_partner != 0xffff)
		return 0;
	switch (f) {
	case SW_SF_IMSI:
		home = b->site.plmn;
		nhome = b->site.nplmn;
		break;
	case SW_SF_MSISDN:
	case SW_SF_CGPN:
	case SW_SF_CDPN:
		home = b->site.msisdn;
		nhome = b->site.nmsisdn;
		break;
	case SW_SF_USSD:
	case SW_SF_ACN:
		return errs(b, s, "'%s' has no network (home/partner)", sw_sfield_names[f]);
	default:
		home = b->site.gt;
		nhome = b->site.ngt;
		break;
	}
	if ((rc = atom_new(b, s, &a)) != 0)
		return rc;
	fd->net_home = a;
	for (size_t i = 0; i < nhome; i++)
		if ((rc = pat_add(b, f, home[i], true, a)) != 0)
			return rc;
	if (b->site.np == 0)
		return 0;
	for (size_t k = 0; k < b->site.np; k++) {
		const struct partner *p = &b->site.p[k];
		char **v = f == SW_SF_IMSI ? p->plmn
			   : (f == SW_SF_MSISDN || f == SW_SF_CGPN || f == SW_SF_CDPN) ? p->msisdn
										    : p->gt;
		size_t nv = f == SW_SF_IMSI ? p->nplmn
			    : (f == SW_SF_MSISDN || f == SW_SF_CGPN || f == SW_SF_CDPN) ? p->nmsisdn
										     : p->ngt;

		if ((rc = atom_new(b, s, &a)) != 0)
			return rc;
		if (k == 0)
			fd->net_partner = a;
		for (size_t i = 0; i < nv; i++)
			if ((rc = pat_add(b, f, v[i], true, a)) != 0)
				return rc;
	}
	return 0;
}

/* ---- rules ---- */

struct named { const char *name; uint32_t v; };

static const struct named direction_names[] = { { "outside", 0 }, { "inside", 1 }, { "A", 0 },
						 { "B", 1 }, { NULL, 0 } };
static const struct named sccp_names[] = { /* Q.713 4.1 message type codes */
	{ "udt", 0x09 }, { "udts", 0x0a }, { "xudt", 0x11 }, { "xudts", 0x12 }, { "ludt", 0x13 },
	{ "ludts", 0x14 }, { NULL, 0 } };
static const struct named tcap_names[] = {
	{ "unidirectional", SW_TCAP_UNIDIRECTIONAL }, { "begin", SW_TCAP_BEGIN },
	{ "end", SW_TCAP_END }, { "continue", SW_TCAP_CONTINUE }, { "abort", SW_TCAP_ABORT },
	{ NULL, 0 } };
static const struct named comp_names[] = {
	{ "invoke", SW_COMP_INVOKE }, { "returnResultLast", SW_COMP_RESULT_LAST },
	{ "returnResult", SW_COMP_RESULT }, { "returnResultNotLast", SW_COMP_RESULT },
	{ "returnError", SW_COMP_ERROR }, { "reject", SW_COMP_REJECT }, { NULL, 0 } };
static const struct named isup_names[] = { /* Q.763 table 4 */
	{ "IAM", 0x01 }, { "SAM", 0x02 }, { "ACM", 0x06 }, { "CON", 0x07 }, { "ANM", 0x09 },
	{ "REL", 0x0c }, { "RLC", 0x10 }, { "CPG", 0x2c }, { NULL, 0 } };
static const struct named si_names[] = { { "sccp", 3 }, { "isup", 5 }, { NULL, 0 } };

enum vkind { VK_INT, VK_OPCODE, VK_COMP };

static const struct named *
ifield_names_of(unsigned f)
{
	switch (f) {
	case SW_IF_DIRECTION:
		return direction_names;
	case SW_IF_SCCP_TYPE:
		return sccp_names;
	case SW_IF_TCAP_TYPE:
		return tcap_names;
	case SW_IF_ISUP_TYPE:
		return isup_names;
	case SW_IF_SI:
		return si_names;
	}
	return NULL;
}

/* One value of an integer condition into vals (a list reference adds all of its entries). */
static int
int_value(struct builder *b, const config_setting_t *e, const char *key, const struct named *names,
	  enum vkind vk, uint32_t **vals, size_t *n, size_t *cap)
{
	int ty = config_setting_type(e);
	long long v = -1;

	if (ty == CONFIG_TYPE_INT || ty == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(e);
	} else if (ty == CONFIG_TYPE_STRING) {
		const char *s = config_setting_get_string(e);
		if (s[0] == '@') {
			struct list *l = find_list(b, s);
			if (l == NULL)
				return errs(b, e, "unknown list '%s'", s + 1);
			if (l->type == LT_PREFIX || l->type == LT_REGEX ||
			    (vk == VK_OPCODE && l->type != LT_OPCODE))
				return errs(b, e, "list '%s' is a %s list, not usable for '%s'",
					    l->name, list_type_names[l->type], key);
			for (size_t i = 0; i < l->n; i++) {
				uint32_t *q = grow(*vals, cap, *n + 1, sizeof(**vals));
				if (q == NULL)
					return -ENOMEM;
				*vals = q;
				(*vals)[(*n)++] = l->ints[i];
			}
			return 0;
		}
		if (vk == VK_OPCODE)
			v = sw_map_op_code(s);
		for (const struct named *p = names; v < 0 && p != NULL && p->name != NULL; p++)
			if (strcasecmp(p->name, s) == 0)
				v = p->v;
		if (v < 0)
			return errs(b, e, "unknown value \"%s\" for '%s'", s, key);
	} else {
		return errs(b, e, "'%s' takes an integer, a name or \"@list\"", key);
	}
	if (v < 0 || v > 0xffffffffll || (vk == VK_OPCODE && v > 255))
		return errs(b, e, "value %lld out of range for '%s'", v, key);
	uint32_t *q = grow(*vals, cap, *n + 1, sizeof(**vals));
	if (q == NULL)
		return -ENOMEM;
	*vals = q;
	(*vals)[(*n)++] = (uint32_t)v;
	return 0;
}

static int
int_set(struct builder *b, const config_setting_t *s, const struct named *names, enum vkind vk,
	uint32_t *off)
{
	uint32_t *vals = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	const char *key = config_setting_name(s);

	if (config_setting_is_aggregate(s)) {
		if (config_setting_is_group(s))
			return errs(b, s, "'%s' takes a value or a list of values", key);
		if (config_setting_length(s) == 0)
			return errs(b, s, "'%s' has an empty list", key);
		for (int i = 0; rc == 0 && i < config_setting_length(s); i++)
			rc = int_value(b, config_setting_get_elem(s, (unsigned)i), key, names, vk,
				       &vals, &n, &cap);
	} else if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		rc = errs(b, s, "'%s' takes an integer, a name or \"@list\", not a boolean", key);
	} else {
		rc = int_value(b, s, key, names, vk, &vals, &n, &cap);
	}
	if (rc == 0)
		rc = set_add(b, vals, n, off);
	free(vals);
	return rc;
}

static int
cond_push(struct builder *b, struct sw_img_cond c)
{
	struct sw_img_cond *q = grow(b->conds, &b->cconds, b->nconds + 1, sizeof(*q));

	if (q == NULL)
		return -ENOMEM;
	b->conds = q;
	b->conds[b->nconds++] = c;
	return 0;
}

/* String condition: prefixes, /regex/ values, or one "@list". */
static int
string_cond(struct builder *b, const config_setting_t *s, unsigned f, bool neg)
{
	struct sw_img_cond c = { .kind = SW_COND_ATOM, .field = (uint8_t)f, .neg = neg };
	uint16_t atom;
	int n, rc;

	if (config_setting_type(s) == CONFIG_TYPE_STRING &&
	    config_setting_get_string(s)[0] == '@') {
		struct list *l = find_list(b, config_setting_get_string(s));
		if (l == NULL)
			return errs(b, s, "unknown list '%s'", config_setting_get_string(s) + 1);
		if ((rc = list_atom(b, s, l, f, &atom)) != 0)
			return rc;
		c.arg = atom;
		return cond_push(b, c);
	}
	if ((rc = atom_new(b, s, &atom)) != 0)
		return rc;
	n = config_setting_is_aggregate(s) ? config_setting_length(s) : 1;
	if (config_setting_is_group(s) || n == 0)
		return errs(b, s, "'%s' takes a prefix, \"/regex/\", a list of them or \"@list\"",
			    sw_sfield_names[f]);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
			config_setting_is_aggregate(s) ? config_setting_get_elem(s, (unsigned)i) : s;
		const char *v = config_setting_get_string(e);
		size_t len;

		if (v == NULL)
			return errs(b, e, "'%s' takes strings: a prefix, \"/regex/\" or \"@list\"",
				    sw_sfield_names[f]);
		len = strlen(v);
		if (v[0] == '@')
			return errs(b, e, "'%s': a list reference must stand alone", sw_sfield_names[f]);
		if (len >= 2 && v[0] == '/' && v[len - 1] == '/') {
			char *re = strndup(v + 1, len - 2);
			hs_expr_info_t *info = NULL;
			hs_compile_error_t *ce = NULL;
			if (re == NULL)
				return -ENOMEM;
			if (hs_expression_info(re, HS_FLAG_SINGLEMATCH, &info, &ce) != HS_SUCCESS) {
				rc = errs(b, e, "invalid regex \"%s\" in '%s': %s", re,
					  sw_sfield_names[f], ce != NULL ? ce->message : "?");
				hs_free_compile_error(ce);
				free(re);
				return rc;
			}
			free(info);
			rc = pat_add(b, f, re, false, atom);
			free(re);
		} else if (f != SW_SF_USSD && f != SW_SF_ACN) {
			if (!valid_prefix(v))
				return errs(b, e, "invalid prefix \"%s\" for '%s' (1-%d digits, or "
						  "\"/regex/\")", v, sw_sfield_names[f], SW_PTAB_DIGITS);
			rc = pat_add(b, f, v, true, atom);
		} else {
			/* text fields: a plain string is a literal prefix */
			char *re = malloc(2 * len + 1), *q = re;
			if (re == NULL)
				return -ENOMEM;
			for (size_t k = 0; k < len; k++) {
				if (strchr("\\^$.|?*+()[]{}", v[k]) != NULL)
					*q++ = '\\';
				*q++ = v[k];
			}
			*q = '\0';
			rc = pat_add(b, f, re, true, atom);
			free(re);
		}
		if (rc != 0)
			return rc;
	}
	c.arg = atom;
	return cond_push(b, c);
}

/* `<field>_in = "home" | "partner" | "list" | [ ... ]`: any of the values (OR). */
static int
in_cond(struct builder *b, const config_setting_t *s, const char *k, size_t kl, bool neg)
{
	char fn[32];
	bool pc;
	int f = -1, rc, n;
	uint32_t netmask = 0, *vals = NULL, off;
	size_t nv = 0, cap = 0;
	struct list *l = NULL;

	snprintf(fn, sizeof(fn), "%.*s", (int)(kl - 3), k);
	pc = strcmp(fn, "opc") == 0 || strcmp(fn, "dpc") == 0;
	if (!pc && (f = name_index(sw_sfield_names, SW_SF_COUNT, fn)) < 0)
		return errs(b, s, "unknown field '%s' in '%s'", fn, k);
	n = config_setting_is_aggregate(s) ? config_setting_length(s) : 1;
	if (config_setting_is_group(s) || n == 0)
		return errs(b, s, "'%s' takes \"home\", \"partner\", a list name or a list of them", k);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
			config_setting_is_aggregate(s) ? config_setting_get_elem(s, (unsigned)i) : s;
		const char *v = config_setting_get_string(e);

		if (v == NULL) {
			free(vals);
			return errs(b, e, "'%s' takes \"home\", \"partner\" or a list name", k);
		}
		if (strcmp(v, "home") == 0) {
			netmask |= SW_NET_IN_HOME;
			continue;
		}
		if (strcmp(v, "partner") == 0) {
			netmask |= SW_NET_IN_PARTNER;
			continue;
		}
		if ((l = find_list(b, v)) == NULL) {
			free(vals);
			return errs(b, e, "unknown list '%s'", v[0] == '@' ? v + 1 : v);
		}
		if (!pc && n > 1) {
			free(vals);
			return errs(b, e, "'%s': a list goes alone, not with home/partner", k);
		}
		if (pc) {
			if (l->type != LT_PC && l->type != LT_INT) {
				free(vals);
				return errs(b, e, "list '%s' is a %s list, '%s' needs a pc list",
					    l->name, list_type_names[l->type], k);
			}
			for (size_t j = 0; j < l->n; j++) {
				uint32_t *g2 = grow(vals, &cap, nv + 1, 4);
				if (g2 == NULL) {
					free(vals);
					return -ENOMEM;
				}
				vals = g2;
				vals[nv++] = l->ints[j];
			}
		}
	}
	if (pc) {
		struct sw_img_cond c = { .kind = SW_COND_INT, .neg = neg,
					 .field = strcmp(fn, "opc") == 0 ? SW_IF_OPC : SW_IF_DPC };
		for (size_t p = 0; p <= b->site.np; p++) {
			const uint32_t *pcs = p == 0 ? b->site.pc : b->site.p[p - 1].pc;
			size_t npcs = p == 0 ? b->site.npc : b->site.p[p - 1].npc;
			if (!(netmask & (p == 0 ? SW_NET_IN_HOME : SW_NET_IN_PARTNER)))
				continue;
			for (size_t j = 0; j < npcs; j++) {
				uint32_t *g2 = grow(vals, &cap, nv + 1, 4);
				if (g2 == NULL) {
					free(vals);
					return -ENOMEM;
				}
				vals = g2;
				vals[nv++] = pcs[j];
			}
		}
		rc = set_add(b, vals, nv, &off);
		free(vals);
		if (rc != 0)
			return rc;
		c.arg = off;
		return cond_push(b, c);
	}
	if (netmask == 0) {
		uint16_t atom;
		struct sw_img_cond c = { .kind = SW_COND_ATOM, .field = (uint8_t)f, .neg = neg };
		if ((rc = list_atom(b, s, l, (unsigned)f, &atom)) != 0)
			return rc;
		c.arg = atom;
		return cond_push(b, c);
	}
	if ((rc = field_nets(b, s, (unsigned)f)) != 0)
		return rc;
	struct sw_img_cond c = { .kind = SW_COND_NET_IN, .field = (uint8_t)f, .neg = neg,
				 .arg = netmask };
	return cond_push(b, c);
}

static int
field_by_name(const char *k, bool *is_if)
{
	int i = name_index(sw_sfield_names, SW_SF_COUNT, k);

	if (i >= 0) {
		*is_if = false;
		return i;
	}
	*is_if = true;
	return name_index(sw_ifield_names, SW_IF_COUNT, k);
}

/* Conditions of one group (the rule itself, or its `not` group when neg). */
static int
parse_conds(struct builder *b, struct rule *r, const config_setting_t *g, bool neg)
{
	static const char *const rule_keys[] = { "name", "action", "monitor", "malformed", "rate",
						 "not", "description", NULL };
	const config_setting_t *ctype = NULL, *cop = NULL, *cglob = NULL, *cunk = NULL;
	int n = config_setting_length(g), rc;

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *k = config_setting_name(s);
		size_t kl = strlen(k);
		bool is_if;
		int f;
		uint32_t off;

		if (!neg && name_index(rule_keys, 7, k) >= 0)
			continue;
		if (strcmp(k, "component") == 0) {
			ctype = s;
			continue;
		}
		if (strcmp(k, "opcode") == 0) {
			cop = s;
			continue;
		}
		if (strcmp(k, "opcode_global") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_BOOL || !config_setting_get_bool(s))
				return errs(b, s, "'opcode_global' takes true");
			cglob = s;
			continue;
		}
		if (strcmp(k, "opcode_unknown") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_BOOL || !config_setting_get_bool(s))
				return errs(b, s, "'opcode_unknown' takes true");
			cunk = s;
			continue;
		}
		if (strcmp(k, "present") == 0 || strcmp(k, "absent") == 0) {
			int m = config_setting_is_aggregate(s) ? config_setting_length(s) : -1;
			if (m <= 0 || config_setting_is_group(s))
				return errs(b, s, "'%s' takes a list of field names", k);
			for (int j = 0; j < m; j++) {
				const config_setting_t *e = config_setting_get_elem(s, (unsigned)j);
				const char *fn = config_setting_get_string(e);
				if (fn == NULL || (f = field_by_name(fn, &is_if)) < 0)
					return errs(b, e, "unknown field \"%s\" in '%s'",
						    fn ? fn : "(not a string)", k);
				struct sw_img_cond c = { .kind = SW_COND_PRESENT, .field = (uint8_t)f,
							 .field2 = is_if,
							 .neg = (k[0] == 'a') != neg };
				if ((rc = cond_push(b, c)) != 0)
					return rc;
			}
			continue;
		}
		if (kl > 3 && strcmp(k + kl - 3, "_in") == 0) {
			if ((rc = in_cond(b, s, k, kl, neg)) != 0)
				return rc;
			continue;
		}
		if (kl > 8 && strcmp(k + kl - 8, "_network") == 0) {
			char fn[32];
			const char *v = config_setting_get_string(s);
			int f2;
			snprintf(fn, sizeof(fn), "%.*s", (int)(kl - 8), k);
			f = name_index(sw_sfield_names, SW_SF_COUNT, fn);
			if (f < 0)
				return errs(b, s, "unknown field '%s' in '%s'", fn, k);
			if (v == NULL || (f2 = name_index(sw_sfield_names, SW_SF_COUNT, v)) < 0)
				return errs(b, s, "'%s' takes the name of another string field", k);
			if ((rc = field_nets(b, s, (unsigned)f)) != 0 ||
			    (rc = field_nets(b, s, (unsigned)f2)) != 0)
				return rc;
			struct sw_img_cond c = { .kind = SW_COND_NET_EQ, .field = (uint8_t)f,
						 .field2 = (uint8_t)f2, .neg = neg };
			if ((rc = cond_push(b, c)) != 0)
				return rc;
			continue;
		}
		f = field_by_name(k, &is_if);
		if (f < 0)
			return errs(b, s, "unknown field or key '%s'", k);
		if (!is_if) {
			if ((rc = string_cond(b, s, (unsigned)f, neg)) != 0)
				return rc;
			continue;
		}
		if ((rc = int_set(b, s, ifield_names_of((unsigned)f), VK_INT, &off)) != 0)
			return rc;
		struct sw_img_cond c = { .kind = SW_COND_INT, .field = (uint8_t)f, .neg = neg,
					 .arg = off };
		if ((rc = cond_push(b, c)) != 0)
			return rc;
	}
	if (ctype != NULL || cop != NULL || cglob != NULL || cunk != NULL) {
		struct sw_img_cond c = { .kind = SW_COND_COMP, .neg = neg, .arg = UINT32_MAX,
					 .arg2 = UINT32_MAX,
					 .field2 = (cglob != NULL ? SW_COMP_F_GLOBAL : 0) |
						   (cunk != NULL ? SW_COMP_F_UNKNOWN : 0) };
		uint32_t off;
		if (ctype != NULL) {
			if ((rc = int_set(b, ctype, comp_names, VK_COMP, &off)) != 0)
				return rc;
			c.arg = off;
		}
		if (cop != NULL) {
			if ((rc = int_set(b, cop, NULL, VK_OPCODE, &off)) != 0)
				return rc;
			c.arg2 = off;
			if (!neg) {
				r->indexed = true;
				r->opset = off;
			}
		}
		if ((rc = cond_push(b, c)) != 0)
			return rc;
	}
	return 0;
}

static int
cond_cost(const struct sw_img_cond *c)
{
	switch (c->kind) {
	case SW_COND_COMP:
	case SW_COND_INT:
		return 0;
	case SW_COND_PRESENT:
		return 1;
	}
	return 2;
}

static int
parse_action(struct builder *b, const config_setting_t *s, uint8_t *a, bool allow_rl)
{
	const char *v = s ? config_setting_get_string(s) : NULL;

	if (v == NULL)
		return errs(b, s, "'%s' must be a string: allow, drop, alert%s",
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
		return errs(b, s, "unknown action \"%s\" (allow, drop, alert%s)", v,
			    allow_rl ? ", rate-limit" : "");
	return 0;
}

static int
get_bool(struct builder *b, const config_setting_t *s, uint8_t *out)
{
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return errs(b, s, "'%s' must be true or false", config_setting_name(s));
	*out = (uint8_t)config_setting_get_bool(s);
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
		return errs(b, g, "a rule must be a group");
	s = config_setting_get_member(g, "name");
	name = s ? config_setting_get_string(s) : NULL;
	if (name == NULL || name[0] == '\0')
		return errs(b, s ? s : g, "a rule needs a non-empty string 'name'");
	for (size_t i = 0; i < idx; i++)
		if (strcmp(b->rules[i].name, name) == 0)
			return errs(b, s, "duplicate rule name '%s' (first at line %u)", name,
				    b->rules[i].r.line);
	r->name = strdup(name);
	r->r.line = config_setting_source_line(g);
	r->r.rl_key = SW_RL_KEY_NONE;
	s = config_setting_get_member(g, "action");
	if (s == NULL)
		return errs(b, g, "rule '%s' needs an 'action'", name);
	if ((rc = parse_action(b, s, &r->r.action, true)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "monitor")) != NULL &&
	    (rc = get_bool(b, s, &r->r.monitor)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "malformed")) != NULL &&
	    (rc = get_bool(b, s, &r->r.malformed)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "description")) != NULL &&
	    config_setting_type(s) != CONFIG_TYPE_STRING)
		return errs(b, s, "'description' must be a string");
	s = config_setting_get_member(g, "rate");
	if (r->r.action == SW_IMG_ACTION_RATE_LIMIT) {
		static const char *const rkeys[] = { "rate", "burst", "key", NULL };
		const config_setting_t *x;
		if (s == NULL || !config_setting_is_group(s))
			return errs(b, s ? s : g,
				    "rule '%s': rate-limit needs 'rate = { rate; burst; key; }'", name);
		if ((rc = check_keys(b, s, rkeys, "'rate'")) != 0)
			return rc;
		x = config_setting_get_member(s, "rate");
		if (x == NULL || config_setting_type(x) != CONFIG_TYPE_INT ||
		    config_setting_get_int(x) <= 0)
			return errs(b, x ? x : s, "'rate.rate' must be a positive integer (per second)");
		r->r.rl_rate = (uint32_t)config_setting_get_int(x);
		x = config_setting_get_member(s, "burst");
		if (x == NULL || config_setting_type(x) != CONFIG_TYPE_INT ||
		    config_setting_get_int(x) <= 0 || config_setting_get_int(x) > 1000000)
			return errs(b, x ? x : s, "'rate.burst' must be an integer 1-1000000");
		r->r.rl_burst = (uint32_t)config_setting_get_int(x);
		x = config_setting_get_member(s, "key");
		if (x != NULL) {
			const char *kn = config_setting_get_string(x);
			int f;
			if (kn == NULL)
				return errs(b, x, "'rate.key' must be a field name");
			if (strcmp(kn, "opc") == 0)
				r->r.rl_key = SW_RL_KEY_OPC;
			else if (strcmp(kn, "dpc") == 0)
				r->r.rl_key = SW_RL_KEY_DPC;
			else if (strcmp(kn, "none") == 0)
				r->r.rl_key = SW_RL_KEY_NONE;
			else if ((f = name_index(sw_sfield_names, SW_SF_COUNT, kn)) >= 0 &&
				 f != SW_SF_USSD && f != SW_SF_ACN)
				r->r.rl_key = (uint8_t)f;
			else
				return errs(b, x, "unknown rate-limit key '%s'", kn);
		}
	} else if (s != NULL) {
		return errs(b, s, "'rate' only goes with action \"rate-limit\"");
	}
	if ((rc = parse_conds(b, r, g, false)) != 0)
		return rc;
	s = config_setting_get_member(g, "not");
	if (s != NULL) {
		if (!config_setting_is_group(s))
			return errs(b, s, "'not' must be a group of conditions");
		if ((rc = parse_conds(b, r, s, true)) != 0)
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
		while (j > c0 && cond_cost(&b->conds[j - 1]) > cond_cost(&t)) {
			b->conds[j] = b->conds[j - 1];
			j--;
		}
		b->conds[j] = t;
	}
	return 0;
}

static int
parse_rules_file(struct builder *b, const char *path)
{
	static const char *const top_keys[] = { "policy", "lists", "rules", NULL };
	static const char *const pol_keys[] = { "name", "default", "malformed", "monitor",
						"description", NULL };
	config_t cf;
	const config_setting_t *root, *pol, *lists, *rules, *s;
	int rc = 0, n;
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(b->rules_dir, sizeof(b->rules_dir), "%s", dirname(tmp));
	config_init(&cf);
	config_set_include_dir(&cf, b->rules_dir);
	if (config_read_file(&cf, path) == CONFIG_FALSE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			rc = errat(b, path, 0, "cannot read rule file: %s", strerror(errno));
		else
			rc = errat(b, config_error_file(&cf) ? config_error_file(&cf) : path,
				   config_error_line(&cf), "%s", config_error_text(&cf));
		goto out;
	}
	root = config_root_setting(&cf);
	if ((rc = check_keys(b, root, top_keys, "rule file")) != 0)
		goto out;
	b->default_action = SW_ACTION_ALLOW;
	b->malformed_action = SW_ACTION_DROP;
	pol = config_setting_get_member(root, "policy");
	if (pol != NULL) {
		if (!config_setting_is_group(pol)) {
			rc = errs(b, pol, "'policy' must be a group");
			goto out;
		}
		if ((rc = check_keys(b, pol, pol_keys, "'policy'")) != 0)
			goto out;
		if ((s = config_setting_get_member(pol, "name")) != NULL) {
			if (config_setting_get_string(s) == NULL) {
				rc = errs(b, s, "'name' must be a string");
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
		    (rc = get_bool(b, s, &b->monitor)) != 0)
			goto out;
	}
	lists = config_setting_get_member(root, "lists");
	if (lists != NULL && (rc = parse_lists(b, lists)) != 0)
		goto out;
	rules = config_setting_get_member(root, "rules");
	if (rules == NULL || (n = config_setting_length(rules)) == 0) {
		rc = errat(b, path, rules ? (int)config_setting_source_line(rules) : 1,
			   "empty rule set: no 'rules'");
		goto out;
	}
	if (!config_setting_is_list(rules)) {
		rc = errs(b, rules, "'rules' must be a list of groups: rules = ( { ... }, ... );");
		goto out;
	}
	if (n > SW_RULES_MAX) {
		rc = errs(b, rules, "more than %d rules", SW_RULES_MAX);
		goto out;
	}
	b->rules = calloc((size_t)n, sizeof(*b->rules));
	if (b->rules == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < n; i++) {
		b->nrules = (size_t)i + 1;
		if ((rc = parse_rule(b, config_setting_get_elem(rules, (unsigned)i), (size_t)i)) != 0)
			goto out;
	}
out:
	/* Messages point into libconfig's file names: copy the message before destroying. */
	config_destroy(&cf);
	return rc;
}

/* ---- layout ---- */

static int
compile_field(struct builder *b, unsigned f, char **ser, size_t *serlen, size_t *dbsize,
	      const hs_platform_info_t *plat)
{
	size_t n = b->npats[f];
	const char **exprs = calloc(n, sizeof(*exprs));
	unsigned *flags = calloc(n, sizeof(*flags)), *ids = calloc(n, sizeof(*ids));
	hs_database_t *db = NULL;
	hs_compile_error_t *ce = NULL;
	int rc = 0;

	if (exprs == NULL || flags == NULL || ids == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		exprs[i] = b->pats[f][i].expr;
		flags[i] = HS_FLAG_SINGLEMATCH;
		ids[i] = b->pats[f][i].atom;
	}
	if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, plat, &db, &ce) !=
	    HS_SUCCESS) {
		int e = ce != NULL ? ce->expression : -1;
		rc = errat(b, b->rules_path, 0, "cannot compile the '%s' patterns%s%s%s: %s",
			   sw_sfield_names[f], e >= 0 ? " (pattern \"" : "",
			   e >= 0 ? exprs[e] : "", e >= 0 ? "\")" : "",
			   ce != NULL ? ce->message : "?");
		hs_free_compile_error(ce);
		goto out;
	}
	if (hs_serialize_database(db, ser, serlen) != HS_SUCCESS ||
	    hs_serialized_database_size(*ser, *serlen, dbsize) != HS_SUCCESS) {
		rc = errat(b, b->rules_path, 0, "cannot serialize the '%s' database",
			   sw_sfield_names[f]);
		goto out;
	}
out:
	if (db != NULL)
		hs_free_database(db);
	free(exprs);
	free(flags);
	free(ids);
	return rc;
}

/* Gate fields in order of preference: the one whose prefix lists are the most selective
 * (calling and called GT, IMSI), other digit fields, then the free text ones. */
static const uint8_t gate_rank[SW_SF_COUNT] = {
	[SW_SF_CGPA] = 0, [SW_SF_CDPA] = 1, [SW_SF_IMSI] = 2, [SW_SF_MSISDN] = 3,
	[SW_SF_VLR] = 4, [SW_SF_MSC] = 4, [SW_SF_HLR] = 4, [SW_SF_SGSN] = 4, [SW_SF_SMSC] = 4,
	[SW_SF_SM_RP_DA] = 5, [SW_SF_SM_RP_OA] = 5, [SW_SF_CGPN] = 5, [SW_SF_CDPN] = 5,
	[SW_SF_ACN] = 6, [SW_SF_USSD] = 7,
};

/* Integer gate fields in order of preference (point codes, then SSNs, then the rest). */
static unsigned
igate_rank(unsigned f)
{
	return f == SW_IF_OPC ? 0 : f == SW_IF_DPC ? 1
	       : (f == SW_IF_CGPA_SSN || f == SW_IF_CDPA_SSN) ? 2 : 3;
}

struct itrip {
	uint32_t value;
	uint32_t field;
	uint32_t rule;
};

struct igate {
	struct itrip *t;  /* sorted by (field, value, rule) */
	size_t n;
	size_t nvals;     /* distinct (field, value) */
};

static bool
atom_gated(const struct builder *b, const struct sw_img_rule *r)
{
	for (uint32_t j = 0; j < r->ncond; j++) {
		const struct sw_img_cond *c = &b->conds[r->cond_first + j];
		if (c->kind == SW_COND_ATOM && !c->neg && c->field < SW_SF_COUNT &&
		    c->arg < b->natoms)
			return true;
	}
	return false;
}

static int
cmp_itrip(const void *a, const void *b)
{
	const struct itrip *x = a, *y = b;

	if (x->field != y->field)
		return x->field < y->field ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Values of the integer set at data offset off (before relocation): count, and the values when
 * vals is not NULL. */
static size_t
set_values(const struct builder *b, uint32_t off, uint32_t *vals)
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

/*
 * Integer gate: a rule that no atom gates is gated by one non-negated integer condition with
 * at most SW_IGATE_SET_MAX values (best-ranked field, then fewest values, then first), while
 * the image stays under SW_IGATE_VALS_MAX values. Before layout: the sets are still
 * data-relative.
 */
static int
igate_pick(struct builder *b, struct igate *ig)
{
	size_t cap = 0;
	uint32_t vals[SW_IGATE_SET_MAX];

	memset(ig, 0, sizeof(*ig));
	for (size_t i = 0; i < b->nrules; i++) {
		const struct sw_img_rule *r = &b->rules[i].r;
		const struct sw_img_cond *best = NULL;
		size_t bestn = 0;

		if (atom_gated(b, r))
			continue;
		for (uint32_t j = 0; j < r->ncond; j++) {
			const struct sw_img_cond *c = &b->conds[r->cond_first + j];
			size_t n;
			if (c->kind != SW_COND_INT || c->neg || c->field >= SW_IF_COUNT)
				continue;
			n = set_values(b, c->arg, NULL);
			if (n == 0 || n > SW_IGATE_SET_MAX)
				continue;
			if (best == NULL || igate_rank(c->field) < igate_rank(best->field) ||
			    (igate_rank(c->field) == igate_rank(best->field) && n < bestn)) {
				best = c;
				bestn = n;
			}
		}
		if (best == NULL || ig->n + bestn > SW_IGATE_VALS_MAX)
			continue;
		struct itrip *t = grow(ig->t, &cap, ig->n + bestn, sizeof(*t));
		if (t == NULL)
			return -ENOMEM;
		ig->t = t;
		set_values(b, best->arg, vals);
		for (size_t k = 0; k < bestn; k++)
			ig->t[ig->n++] = (struct itrip){ vals[k], best->field, (uint32_t)i };
	}
	if (ig->n > 0)
		qsort(ig->t, ig->n, sizeof(*ig->t), cmp_itrip);
	for (size_t k = 0; k < ig->n; k++)
		if (k == 0 || ig->t[k].field != ig->t[k - 1].field ||
		    ig->t[k].value != ig->t[k - 1].value)
			ig->nvals++;
	return 0;
}

/*
 * Gate (image.h): each rule with a non-negated atom condition is gated by one of them, the
 * one on the best-ranked field (the first such condition on a tie, so the image is
 * deterministic); the others by an integer condition when igate_pick chose one. A negated
 * condition never gates: its rule matches when the atom is NOT set. Returns the number of
 * gated rules.
 */
static uint32_t
gate_build(struct builder *b, uint64_t *g, size_t rw, const struct igate *ig)
{
	uint64_t *gated = g, *mal = g + rw, *gfield = g + 2 * rw;
	uint64_t *arow = g + (2 + SW_SF_COUNT) * rw;
	uint64_t *gifield = arow + (size_t)b->natoms * rw;
	uint64_t *vrow = gifield + (size_t)SW_IF_COUNT * rw;
	struct sw_img_ival *ivals = (void *)(vrow + ig->nvals * rw);
	uint32_t n = 0;
	size_t v = 0;

	for (size_t k = 0; k < ig->n; k++) {
		const struct itrip *t = &ig->t[k];
		uint32_t i = t->rule;
		uint64_t bit = 1ull << (i % 64);

		if (k > 0 && (t->field != ig->t[k - 1].field || t->value != ig->t[k - 1].value))
			v++;
		ivals[v].value = t->value;
		ivals[v].field = (uint8_t)t->field;
		vrow[v * rw + i / 64] |= bit;
		gifield[(size_t)t->field * rw + i / 64] |= bit;
		if (!(gated[i / 64] & bit)) {
			gated[i / 64] |= bit;
			n++;
		}
	}

	for (size_t i = 0; i < b->nrules; i++) {
		const struct sw_img_rule *r = &b->rules[i].r;
		const struct sw_img_cond *best = NULL;
		uint64_t bit = 1ull << (i % 64);

		if (r->malformed)
			mal[i / 64] |= bit;
		for (uint32_t j = 0; j < r->ncond; j++) {
			const struct sw_img_cond *c = &b->conds[r->cond_first + j];
			if (c->kind != SW_COND_ATOM || c->neg || c->field >= SW_SF_COUNT ||
			    c->arg >= b->natoms)
				continue;
			if (best == NULL || gate_rank[c->field] < gate_rank[best->field])
				best = c;
		}
		if (best == NULL)
			continue;
		gated[i / 64] |= bit;
		gfield[(size_t)best->field * rw + i / 64] |= bit;
		arow[(size_t)best->arg * rw + i / 64] |= bit;
		n++;
	}
	return n;
}

static int
build_image(struct builder *b, uint64_t generation, struct sw_compiled *out)
{
	struct sw_image_hdr *h = &b->hdr;
	hs_platform_info_t plat;
	char *ser[SW_SF_COUNT] = { 0 };
	size_t serlen[SW_SF_COUNT] = { 0 }, dbsize[SW_SF_COUNT] = { 0 };
	size_t off, rules_off, conds_off, data_off, opidx_off, gate_off, strtab_off;
	size_t ptoff[SW_SF_COUNT] = { 0 };
	size_t nslots[SW_SF_COUNT] = { 0 }, rw = (b->nrules + 63) / 64;
	size_t bloomoff[SW_SF_COUNT] = { 0 }, bloombits[SW_SF_COUNT] = { 0 };
	uint32_t name_off, *rname;
	uint8_t *img = NULL;
	struct igate ig = { 0 };
	int rc = 0;

	if (hs_populate_platform(&plat) != HS_SUCCESS)
		return errat(b, b->rules_path, 0, "hs_populate_platform failed");
	rname = calloc(b->nrules + 1, sizeof(*rname));
	if (rname == NULL)
		return -ENOMEM;
	if ((rc = str_add(b, b->policy_name != NULL ? b->policy_name : "", &name_off)) != 0)
		goto out;
	for (size_t i = 0; i < b->nrules; i++)
		if ((rc = str_add(b, b->rules[i].name, &rname[i])) != 0)
			goto out;
	/* How many leading digits of each field the verdict can depend on (the cache key keeps
	 * only those): the longest prefix when every pattern of the field is a digit prefix, the
	 * whole string as soon as one is a regex; text fields are always keyed whole. */
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		size_t kd = 0;
		for (size_t i = 0; i < b->npats[f] && kd != SW_KEY_DIGITS_ALL; i++) {
			const char *d = b->pats[f][i].digits;
			if (d == NULL)
				kd = SW_KEY_DIGITS_ALL;
			else if (strlen(d) > kd)
				kd = strlen(d);
		}
		for (size_t i = 0; i < b->npt[f] && kd != SW_KEY_DIGITS_ALL; i++)
			if (b->pt[f][i].len > SW_PTAB_DIGITS)
				kd = SW_KEY_DIGITS_ALL;
			else if (b->pt[f][i].len > kd)
				kd = b->pt[f][i].len;
		if (f == SW_SF_USSD || f == SW_SF_ACN)
			kd = SW_KEY_DIGITS_ALL;
		h->fields[f].key_digits = (uint8_t)kd;
	}
	/* A field with many prefixes (many small lists, or site ranges plus lists) moves all of
	 * them from Hyperscan to its prefix table, which compiles in linear time; Hyperscan keeps
	 * the regexes. Below the threshold, prefixes stay anchored Hyperscan literals. */
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		size_t nd = 0, k = 0;
		for (size_t i = 0; i < b->npats[f]; i++)
			nd += b->pats[f][i].digits != NULL;
		if (nd <= SW_HS_PREFIX_MAX)
			continue;
		for (size_t i = 0; i < b->npats[f]; i++) {
			struct pat *pt = &b->pats[f][i];
			if (pt->digits == NULL) {
				b->pats[f][k++] = *pt;
				continue;
			}
			if ((rc = ptab_add(b, f, pt->digits, pt->atom)) != 0)
				goto out;
			free(pt->expr);
			free(pt->digits);
		}
		b->npats[f] = k;
	}
	for (unsigned f = 0; f < SW_SF_COUNT; f++)
		if (b->npats[f] > 0 && (rc = compile_field(b, f, &ser[f], &serlen[f], &dbsize[f],
							   &plat)) != 0)
			goto out;

	if ((rc = igate_pick(b, &ig)) != 0)
		goto out;
	off = ROUND64(sizeof(*h));
	rules_off = off;
	off = ROUND64(off + b->nrules * sizeof(struct sw_img_rule));
	conds_off = off;
	off = ROUND64(off + b->nconds * sizeof(struct sw_img_cond));
	data_off = off;
	off = ROUND64(off + b->data.n);
	opidx_off = off;
	off = ROUND64(off + SW_OPIDX_ROWS * rw * 8);
	gate_off = off;
	off = ROUND64(off + SW_GATE_WORDS(rw, b->natoms, ig.nvals) * 8);
	strtab_off = off;
	off = ROUND64(off + b->strtab.n);
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		if (b->npt[f] == 0)
			continue;
		nslots[f] = 16;
		while (nslots[f] < 2 * b->npt[f])
			nslots[f] *= 2;
		ptoff[f] = off;
		off = ROUND64(off + nslots[f] * sizeof(struct sw_img_pslot));
		/* 8 bits per slot (>= 16 per entry), k = 2: about 1% false positives per probe */
		bloombits[f] = nslots[f] * 8 > (1u << 24) ? (1u << 24) : nslots[f] * 8;
		bloomoff[f] = off;
		off = ROUND64(off + bloombits[f] / 8);
	}
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		if (ser[f] == NULL)
			continue;
		h->fields[f].db_off = (uint32_t)off;
		h->fields[f].db_size = (uint32_t)dbsize[f];
		off = ROUND64(off + dbsize[f]);
	}
	if (off > UINT32_MAX) {
		rc = errat(b, b->rules_path, 0, "image too large (%zu bytes)", off);
		goto out;
	}
	img = aligned_alloc(SW_IMAGE_ALIGN, off);
	if (img == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	/* Zero everything first: padding is part of the checksum and must not be garbage. */
	memset(img, 0, off);

	for (size_t i = 0; i < b->nsets; i++) {
		struct sw_img_set *s = (void *)(b->data.p + b->setoffs[i]);
		s->big_off += (uint32_t)data_off;
	}
	if (b->data.n > 0)
		memcpy(img + data_off, b->data.p, b->data.n);
	for (size_t i = 0; i < b->nconds; i++) {
		struct sw_img_cond *c = &b->conds[i];
		if (c->kind == SW_COND_INT) {
			c->arg += (uint32_t)data_off;
		} else if (c->kind == SW_COND_COMP) {
			c->arg = c->arg == UINT32_MAX ? 0 : c->arg + (uint32_t)data_off;
			c->arg2 = c->arg2 == UINT32_MAX ? 0 : c->arg2 + (uint32_t)data_off;
		}
	}
	if (b->nconds > 0)
		memcpy(img + conds_off, b->conds, b->nconds * sizeof(struct sw_img_cond));

	uint64_t *opidx = (uint64_t *)(img + opidx_off);
	for (size_t i = 0; i < b->nrules; i++) {
		struct rule *r = &b->rules[i];
		/* Only an indexed rule has an opcode set in the data area (which may be empty). */
		const struct sw_img_set *os =
			r->indexed ? (const void *)(b->data.p + r->opset) : NULL;

		r->r.name_off = rname[i];
		memcpy(img + rules_off + i * sizeof(struct sw_img_rule), &r->r, sizeof(r->r));
		if (os != NULL && os->nbig == 0) {
			for (unsigned v = 0; v < 256; v++)
				if ((os->bits[v >> 6] >> (v & 63)) & 1)
					opidx[v * rw + i / 64] |= 1ull << (i % 64);
		} else {
			opidx[SW_OPIDX_BASE * rw + i / 64] |= 1ull << (i % 64);
		}
	}
	h->ngated = gate_build(b, (uint64_t *)(img + gate_off), rw, &ig);
	h->nivals = (uint32_t)ig.nvals;
	memcpy(img + strtab_off, b->strtab.p, b->strtab.n);

	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		struct sw_img_pslot *slots = (void *)(img + ptoff[f]);
		if (b->npt[f] == 0)
			continue;
		uint64_t *bloom = (void *)(img + bloomoff[f]);
		h->fields[f].ptab_off = (uint32_t)ptoff[f];
		h->fields[f].ptab_nslots = (uint32_t)nslots[f];
		h->fields[f].bloom_off = (uint32_t)bloomoff[f];
		h->fields[f].bloom_bits = (uint32_t)bloombits[f];
		for (size_t i = 0; i < b->npt[f]; i++) {
			const struct ptent *e = &b->pt[f][i];
			uint64_t hv = sw_ptab_hash(e->key, e->len);
			size_t m = nslots[f] - 1, j = hv & m;
			uint32_t bit = SW_BLOOM_BIT(hv, (uint32_t)bloombits[f]);
			uint32_t bit2 = SW_BLOOM_BIT2(hv, (uint32_t)bloombits[f]);
			bool dup = false;

			bloom[bit >> 6] |= 1ull << (bit & 63);
			bloom[bit2 >> 6] |= 1ull << (bit2 & 63);
			for (; slots[j].key != 0; j = (j + 1) & m)
				if (slots[j].key == e->key && slots[j].len == e->len &&
				    slots[j].atom == e->atom)
					dup = true;
			if (dup)
				continue;
			slots[j].key = e->key;
			slots[j].len = e->len;
			slots[j].atom = e->atom;
			h->fields[f].ptab_lens |= 1u << (e->len - 1);
		}
	}
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		h->fields[f].npatterns = (uint32_t)(b->npats[f] + b->npt[f]);
		if (ser[f] == NULL)
			continue;
		if (hs_deserialize_database_at(ser[f], serlen[f],
					       (hs_database_t *)(img + h->fields[f].db_off)) !=
		    HS_SUCCESS) {
			rc = errat(b, b->rules_path, 0, "cannot place the '%s' database",
				   sw_sfield_names[f]);
			goto out;
		}
	}

	/* What the engine must scan, resolve and key its cache on. */
	for (size_t i = 0; i < b->nconds; i++) {
		const struct sw_img_cond *c = &b->conds[i];
		switch (c->kind) {
		case SW_COND_INT:
			h->key_mask |= SW_KEY_IFIELD(c->field);
			break;
		case SW_COND_ATOM:
			h->scan_mask |= 1u << c->field;
			h->key_mask |= SW_KEY_SFIELD(c->field);
			break;
		case SW_COND_PRESENT:
			h->key_mask |= c->field2 ? SW_KEY_IFIELD(c->field) : SW_KEY_SFIELD(c->field);
			break;
		case SW_COND_NET_EQ:
			h->scan_mask |= 1u << c->field2;
			h->net_mask |= 1u << c->field2;
			h->key_mask |= SW_KEY_SFIELD(c->field2);
			/* fall through */
		case SW_COND_NET_IN:
			h->scan_mask |= 1u << c->field;
			h->net_mask |= 1u << c->field;
			h->key_mask |= SW_KEY_SFIELD(c->field);
			break;
		case SW_COND_COMP:
			h->key_mask |= SW_KEY_COMP;
			break;
		}
	}
	for (size_t i = 0; i < b->nrules; i++)
		if (b->rules[i].indexed)
			h->key_mask |= SW_KEY_COMP;

	h->magic = SW_IMAGE_MAGIC;
	h->abi = SW_IMAGE_ABI;
	h->hdr_size = sizeof(*h);
	h->generation = generation;
	h->size = off;
	snprintf(h->hs_version, sizeof(h->hs_version), "%s", hs_version());
	h->hs_cpu_features = plat.cpu_features;
	h->hs_tune = plat.tune;
	h->nrules = (uint32_t)b->nrules;
	h->nconds = (uint32_t)b->nconds;
	h->natoms = b->natoms;
	h->nlists = (uint32_t)b->nlists;
	h->npartners = (uint32_t)b->site.np;
	h->default_action = b->default_action;
	h->malformed_action = b->malformed_action;
	h->monitor = b->monitor;
	h->name_off = name_off;
	h->rules_off = (uint32_t)rules_off;
	h->conds_off = (uint32_t)conds_off;
	h->opidx_off = (uint32_t)opidx_off;
	h->rule_words = (uint32_t)rw;
	h->gate_off = (uint32_t)gate_off;
	h->strtab_off = (uint32_t)strtab_off;
	h->strtab_size = (uint32_t)b->strtab.n;
	memcpy(img, h, sizeof(*h));
	((struct sw_image_hdr *)img)->checksum = sw_image_compute_checksum(img, off);

	out->image = img;
	out->size = off;
	out->nrules = (unsigned)b->nrules;
	out->nlists = (unsigned)b->nlists;
	for (unsigned f = 0; f < SW_SF_COUNT; f++)
		out->npatterns[f] = h->fields[f].npatterns;
	img = NULL;
out:
	free(img);
	free(rname);
	free(ig.t);
	for (unsigned f = 0; f < SW_SF_COUNT; f++)
		free(ser[f]);
	return rc;
}

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
		free(s->p[k].name);
	}
	free(s->p);
	free(s->name);
#undef FREEV
}

int
sw_compile_files(const char *rules_path, const char *site_path, uint64_t generation,
		 struct sw_compiled *out, char *err, size_t errlen)
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
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		b.hdr.fields[f].net_home = 0xffff;
		b.hdr.fields[f].net_partner = 0xffff;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = parse_site(&b, site_path);
	if (rc == 0)
		rc = parse_rules_file(&b, rules_path);
	if (rc == 0)
		rc = build_image(&b, generation, out);
	builder_free(&b);
	if (rc != 0) {
		if (rc != -EINVAL && err != NULL && errlen > 0 && err[0] == '\0')
			snprintf(err, errlen, "%s:0: %s", rules_path, strerror(-rc));
		memset(out, 0, sizeof(*out));
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
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
}
