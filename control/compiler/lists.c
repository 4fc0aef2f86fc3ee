/* SPDX-License-Identifier: BSD-3-Clause */
/* Policy compiler: named lists of the rule file (inline entries and list files). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "dataplane/decode/decode.h"

const char *const cpl_list_type_names[] = { "prefix", "regex", "opcode", "pc", "int" };

struct list *
cpl_find_list(struct builder *b, const char *name)
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
		if (is_int || !cpl_valid_prefix(v))
			return cpl_errat(b, file, line, "invalid prefix \"%s\" in list '%s' (1-%d digits)",
				     is_int ? "(integer)" : v, l->name, SW_PTAB_DIGITS);
		break;
	case LT_REGEX: {
		hs_expr_info_t *info = NULL;
		hs_compile_error_t *ce = NULL;
		if (is_int)
			return cpl_errat(b, file, line, "regex list '%s' needs strings", l->name);
		if (hs_expression_info(v, HS_FLAG_SINGLEMATCH, &info, &ce) != HS_SUCCESS) {
			int rc = cpl_errat(b, file, line, "invalid regex \"%s\" in list '%s': %s", v,
				       l->name, ce != NULL ? ce->message : "?");
			hs_free_compile_error(ce);
			return rc;
		}
		free(info);
		break;
	}
	case LT_OPCODE:
		if (!is_int) {
			iv = sw_policy_op_code(v); /* MAP name, or "cap:<name>" (issue 17) */
			if (iv < 0)
				return cpl_errat(b, file, line, "unknown MAP operation \"%s\" in list '%s'",
					     v, l->name);
		}
		if (iv < 0 || (is_int && iv > 255) || iv > CAP_OP_NS_MAX)
			return cpl_errat(b, file, line, "opcode %lld out of range 0-255 in list '%s'", iv,
				     l->name);
		l->ints[l->n] = (uint32_t)iv;
		break;
	case LT_PC:
	case LT_INT:
		if (!is_int) {
			char *end;
			uint32_t pc;

			iv = strtoll(v, &end, 0);
			/* "n-c-m" in a pc list of an ANSI site or link (issue 17 D6) */
			if (l->type == LT_PC && *v != '\0' && *end != '\0') {
				int r = cpl_ansi_pc(b, v, true, &pc);

				if (r == -2)
					return cpl_errat(b, file, line, "point code \"%s\" in list "
							 "'%s': n-c-m needs an ANSI site or link", v,
							 l->name);
				if (r == 0) {
					iv = pc;
					end = (char *)v + strlen(v);
				}
			}
			if (*v == '\0' || *end != '\0')
				return cpl_errat(b, file, line, "list '%s' needs integers, got \"%s\"",
					     l->name, v);
		}
		if (iv < 0 || iv > (l->type == LT_PC ? 0xffffff : 0xffffffffll))
			return cpl_errat(b, file, line, "%lld out of range in list '%s'", iv, l->name);
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
		return cpl_errs(b, s, "'file' must be a string");
	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else
		snprintf(path, sizeof(path), "%s/%s", b->rules_dir, name);
	f = fopen(path, "r");
	if (f == NULL)
		return cpl_errs(b, s, "cannot read list file \"%s\": %s", path, strerror(errno));
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
		rc = cpl_errs(b, s, "cannot read list file \"%s\": %s", path, strerror(errno));
	free(line);
	fclose(f);
	if (rc == 0)
		l->file = fname; /* owned by the list from now on */
	else
		free(fname);
	return rc;
}

/* One list of the 'lists' group. */
static int
parse_list(struct builder *b, const config_setting_t *g)
{
	static const char *const keys[] = { "type", "entries", "file", "description", NULL };
	const config_setting_t *t, *en, *fl;
	struct list *l = &b->lists[b->nlists];
	size_t cap = 0;
	int rc, ti;

	if (!config_setting_is_group(g))
		return cpl_errs(b, g, "list '%s' must be a group with 'type' and 'entries' or 'file'",
				config_setting_name(g));
	if ((rc = cpl_check_keys(b, g, keys, "a list")) != 0)
		return rc;
	l->name = strdup(config_setting_name(g));
	if (l->name == NULL)
		return -ENOMEM;
	l->line = (int)config_setting_source_line(g);
	for (unsigned f = 0; f < SW_SF_COUNT; f++)
		l->atom[f] = 0xffff;
	b->nlists++;
	for (size_t j = 0; j + 1 < b->nlists; j++)
		if (strcmp(b->lists[j].name, l->name) == 0)
			return cpl_errs(b, g, "duplicate list name '%s'", l->name);
	t = config_setting_get_member(g, "type");
	if (t == NULL || config_setting_get_string(t) == NULL)
		return cpl_errs(b, t ? t : g, "list '%s' needs a string 'type' (%s)", l->name,
				"prefix, regex, opcode, pc or int");
	ti = cpl_name_index(cpl_list_type_names, 5, config_setting_get_string(t));
	if (ti < 0)
		return cpl_errs(b, t, "unknown list type \"%s\" (prefix, regex, opcode, pc, int)",
				config_setting_get_string(t));
	l->type = (enum list_type)ti;
	en = config_setting_get_member(g, "entries");
	fl = config_setting_get_member(g, "file");
	if (en == NULL && fl == NULL)
		return cpl_errs(b, g, "list '%s' needs 'entries' or 'file'", l->name);
	if (en != NULL) {
		if (!config_setting_is_array(en) && !config_setting_is_list(en))
			return cpl_errs(b, en, "'entries' of list '%s' must be a list", l->name);
		for (int k = 0; k < config_setting_length(en); k++) {
			const config_setting_t *e = config_setting_get_elem(en, (unsigned)k);
			int ty = config_setting_type(e);
			if (ty == CONFIG_TYPE_STRING)
				rc = list_add_entry(b, l, config_setting_source_file(e),
						    (int)config_setting_source_line(e),
						    config_setting_get_string(e), 0, false, &cap);
			else if (ty == CONFIG_TYPE_INT || ty == CONFIG_TYPE_INT64)
				rc = list_add_entry(b, l, config_setting_source_file(e),
						    (int)config_setting_source_line(e), NULL,
						    config_setting_get_int64(e), true, &cap);
			else
				rc = cpl_errs(b, e, "entries of list '%s' must be strings or integers",
					      l->name);
			if (rc != 0)
				return rc;
		}
	}
	if (fl != NULL && (rc = list_load_file(b, l, fl, &cap)) != 0)
		return rc;
	if (l->n == 0)
		return cpl_errs(b, g, "list '%s' is empty", l->name);
	cpl_warn_list(b, l);
	return 0;
}

int
cpl_parse_lists(struct builder *b, const config_setting_t *lists)
{
	bool bad = false;
	int n;

	if (!config_setting_is_group(lists))
		return cpl_errs(b, lists, "'lists' must be a group of named lists");
	n = config_setting_length(lists);
	b->lists = calloc((size_t)n + 1, sizeof(*b->lists));
	if (b->lists == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		int rc = parse_list(b, config_setting_get_elem(lists, (unsigned)i));
		if (rc != 0 && !cpl_recover(b, rc))
			return rc;
		bad |= rc != 0;
	}
	return bad ? -EINVAL : 0;
}
