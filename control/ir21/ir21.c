/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `sigwallctl site import-ir21 FILE.xml... > partners.conf` (issue 18 D3): GSMA IR.21 roaming
 * database exports (RAEX IR.21 XML, root element TADIGRAEXIR21) turned into site-file partners.
 *
 * What is read, per OrganisationInfo/NetworkList/Network (element names compared without their
 * namespace prefix, so files of every schema version with or without one read alike):
 *   TADIGCode                                    -> name (5 characters: 3 letters, 2 letters/digits)
 *   OrganisationInfo/CountryInitials (alpha-3)   -> country (ISO 3166-1 alpha-2)
 *   any CCITT_E212_NumberSeries or NetworkProperties {MCC, MNC}        -> plmn (MCC + MNC)
 *   NwNode/GTAddressInfo {CC, NDC, SN_Range {SN_RangeStart, SN_RangeStop}} -> gt (E.164 prefixes
 *       of the partner's signalling nodes: the calling GTs its HLR/VLR/MSC/SMSC/STP use)
 *   MSISDN_NumberRanges//NumberRange {CC, NDC, SN_Range}                -> msisdn
 * A number range CC+NDC+[start..stop] becomes the fewest prefixes that cover it exactly
 * (E.164 numbers are matched by prefix in the site file). Everything else in the file (E.214
 * MGT, SCCP carriers, IP ranges, contacts) is not a site-file key and is left alone.
 *
 * Output (stdout): one `partners = ( ... );` setting, for `@include` inside the site group.
 * Report (stderr): one line per thing skipped, with the reason, then a summary. Exit status:
 * 0 when every file was an IR.21 file (entries inside may have been skipped), 2 when a file
 * could not be read, is not XML or not IR.21, or no partner came out (the others still print).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "control/ir21/iso3166.h"
#include "control/sigwallctl.h"

#define IR21_FILE_MAX (64u << 20) /* an IR.21 export is a few MB */
#define IR21_RANGE_PREFIXES_MAX 512 /* one SN range: at most 18 prefixes per digit position */
#define E164_MAX 15                 /* ITU-T E.164 section 6: at most 15 digits */

struct strlist {
	char **v;
	size_t n, cap;
};

struct partner {
	char name[8];
	char country[3];
	char *org, *net, *file;
	struct strlist plmn, gt, msisdn;
};

struct import {
	struct partner *p;
	size_t n, cap;
	unsigned skipped;
	const char *file; /* the file being read, for the report */
};

static void
report(struct import *im, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "import-ir21: %s: ", im->file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
skip(struct import *im, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "import-ir21: %s: skipped ", im->file);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	im->skipped++;
}

static int
strlist_add(struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 8;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(s)) == NULL)
		return -ENOMEM;
	l->n++;
	return 0;
}

static void
strlist_free(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted, and without a prefix that a shorter one in the list already covers. */
static void
strlist_sort(struct strlist *l)
{
	if (l->n > 1) /* an empty list has no array: qsort's first argument must not be NULL */
		qsort(l->v, l->n, sizeof(*l->v), cmp_str);
}

static void
strlist_minimise(struct strlist *l)
{
	size_t k = 0;

	strlist_sort(l);
	for (size_t i = 0; i < l->n; i++) {
		/* sorted: a covering prefix sorts right before what it covers (or before a run of
		 * such) and was kept */
		if (k > 0 && strncmp(l->v[i], l->v[k - 1], strlen(l->v[k - 1])) == 0) {
			free(l->v[i]);
			continue;
		}
		l->v[k++] = l->v[i];
	}
	l->n = k;
}

/* ---- XML helpers: elements by local name, trimmed text ---- */

static bool
is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c != NULL; c = c->next)
		if (is_el(c, name))
			return c;
	return NULL;
}

/* Every descendant element called NAME (not below one already found). */
static void
find_all(xmlNode *n, const char *name, void (*fn)(xmlNode *, void *), void *arg)
{
	for (xmlNode *c = n ? n->children : NULL; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(c, name))
			fn(c, arg);
		else
			find_all(c, name, fn, arg);
	}
}

/* The element's text, leading and trailing blanks removed, into buf ("" when absent). */
static const char *
text(const xmlNode *n, char *buf, size_t len)
{
	xmlChar *t;
	const char *s, *e;

	buf[0] = '\0';
	if (n == NULL || (t = xmlNodeGetContent(n)) == NULL)
		return buf;
	s = (const char *)t;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	snprintf(buf, len, "%.*s", (int)(e - s), s);
	xmlFree(t);
	return buf;
}

static bool
all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s);

	if (n < min || n > max)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* ---- number ranges to prefixes ---- */

/*
 * The fewest digit prefixes covering every number from lo to hi (equal lengths, lo <= hi):
 * at each position, the part of lo's branch above lo, the whole digits between, and the part
 * of hi's branch below hi. Returns the count, or -E2BIG past IR21_RANGE_PREFIXES_MAX.
 */
static int
cover(struct strlist *out, char *pfx, size_t plen, const char *lo, const char *hi)
{
	size_t len = strlen(lo);
	bool lo_min = strspn(lo, "0") == len, hi_max = strspn(hi, "9") == len;
	int rc;

	if (len == 0 || (lo_min && hi_max)) {
		if (out->n >= IR21_RANGE_PREFIXES_MAX)
			return -E2BIG;
		pfx[plen] = '\0';
		return strlist_add(out, pfx);
	}
	if (lo[0] == hi[0]) {
		pfx[plen] = lo[0];
		return cover(out, pfx, plen + 1, lo + 1, hi + 1);
	}
	{
		char zeros[E164_MAX + 1], nines[E164_MAX + 1];

		memset(zeros, '0', len - 1);
		memset(nines, '9', len - 1);
		zeros[len - 1] = nines[len - 1] = '\0';
		pfx[plen] = lo[0];
		if ((rc = cover(out, pfx, plen + 1, lo + 1, nines)) != 0)
			return rc;
		for (char d = (char)(lo[0] + 1); d < hi[0]; d++) {
			pfx[plen] = d;
			if ((rc = cover(out, pfx, plen + 1, zeros, nines)) != 0)
				return rc;
		}
		pfx[plen] = hi[0];
		return cover(out, pfx, plen + 1, zeros, hi + 1);
	}
}

/* CC + NDC [+ SN_Range] of one GTAddressInfo / NumberRange element into prefixes of `out`. */
static int
add_range(struct import *im, struct partner *p, const xmlNode *n, struct strlist *out,
	  const char *what)
{
	char cc[32], ndc[32], lo[32], hi[32], pfx[2 * 32 + 2];
	const xmlNode *r = child(n, "SN_Range");
	struct strlist tmp = { 0 };
	int rc;

	text(child(n, "CC"), cc, sizeof(cc));
	text(child(n, "NDC"), ndc, sizeof(ndc));
	if (!all_digits(cc, 1, 3) || !all_digits(ndc, 0, E164_MAX)) {
		skip(im, "%s %s: CC \"%s\" NDC \"%s\": not an E.164 country code and NDC", p->name,
		     what, cc, ndc);
		return 0;
	}
	text(child(r, "SN_RangeStart"), lo, sizeof(lo));
	text(child(r, "SN_RangeStop"), hi, sizeof(hi));
	if (r == NULL || (lo[0] == '\0' && hi[0] == '\0')) {
		lo[0] = hi[0] = '\0'; /* no range: the whole CC+NDC */
	} else if (!all_digits(lo, 1, E164_MAX) || !all_digits(hi, 1, E164_MAX) ||
		   strlen(lo) != strlen(hi) || strcmp(lo, hi) > 0) {
		skip(im, "%s %s %s%s: SN range \"%s\"-\"%s\": not two digit strings of one length, "
		     "start <= stop", p->name, what, cc, ndc, lo, hi);
		return 0;
	}
	if (strlen(cc) + strlen(ndc) + strlen(lo) > E164_MAX) {
		skip(im, "%s %s %s%s%s: longer than the 15 digits of E.164", p->name, what, cc, ndc, lo);
		return 0;
	}
	snprintf(pfx, sizeof(pfx), "%s%s", cc, ndc);
	rc = cover(&tmp, pfx, strlen(pfx), lo, hi);
	if (rc == -E2BIG) {
		skip(im, "%s %s %s%s %s-%s: needs more than %d prefixes", p->name, what, cc, ndc, lo,
		     hi, IR21_RANGE_PREFIXES_MAX);
		rc = 0;
	} else {
		for (size_t i = 0; rc == 0 && i < tmp.n; i++)
			rc = strlist_add(out, tmp.v[i]);
	}
	strlist_free(&tmp);
	return rc;
}

/* ---- one Network element ---- */

struct walk {
	struct import *im;
	struct partner *p;
	int rc;
};

static void
on_e212(xmlNode *n, void *arg)
{
	struct walk *w = arg;
	char mcc[16], mnc[16], plmn[2 * 16];

	text(child(n, "MCC"), mcc, sizeof(mcc));
	text(child(n, "MNC"), mnc, sizeof(mnc));
	if (mcc[0] == '\0' && mnc[0] == '\0')
		return; /* a NetworkProperties without E.212 */
	/* E.212: MCC three digits, MNC two or three */
	if (!all_digits(mcc, 3, 3) || !all_digits(mnc, 2, 3)) {
		skip(w->im, "%s PLMN MCC \"%s\" MNC \"%s\": MCC must be 3 digits, MNC 2-3", w->p->name,
		     mcc, mnc);
		return;
	}
	snprintf(plmn, sizeof(plmn), "%s%s", mcc, mnc);
	if (w->rc == 0)
		w->rc = strlist_add(&w->p->plmn, plmn);
}

static void
on_gt_info(xmlNode *n, void *arg)
{
	struct walk *w = arg;

	if (w->rc == 0)
		w->rc = add_range(w->im, w->p, n, &w->p->gt, "node GT");
}

static void
on_nwnode(xmlNode *n, void *arg)
{
	for (xmlNode *c = n->children; c != NULL; c = c->next)
		if (is_el(c, "GTAddressInfo"))
			on_gt_info(c, arg);
}

static void
on_number_range(xmlNode *n, void *arg)
{
	struct walk *w = arg;

	if (w->rc == 0)
		w->rc = add_range(w->im, w->p, n, &w->p->msisdn, "MSISDN range");
}

static void
on_msisdn_ranges(xmlNode *n, void *arg)
{
	find_all(n, "NumberRange", on_number_range, arg);
}

static void
partner_free(struct partner *p)
{
	free(p->org);
	free(p->net);
	free(p->file);
	strlist_free(&p->plmn);
	strlist_free(&p->gt);
	strlist_free(&p->msisdn);
}

static int
cmp_a3(const void *key, const void *elem)
{
	return strncmp(key, elem, 3);
}

static bool
valid_tadig(const char *t)
{
	/* TADIG code (GSMA TD.13): 3 letters (country) then 2 letters or digits (operator) */
	if (strlen(t) != 5)
		return false;
	for (int i = 0; i < 5; i++)
		if (i < 3 ? !isupper((unsigned char)t[i]) : !isalnum((unsigned char)t[i]))
			return false;
	return true;
}

/* Merge src into the partner called the same (two files, or two Network elements of one). */
static int
merge(struct import *im, struct partner *dst, struct partner *src)
{
	struct strlist *from[] = { &src->plmn, &src->gt, &src->msisdn };
	struct strlist *to[] = { &dst->plmn, &dst->gt, &dst->msisdn };
	int rc = 0;

	report(im, "%s appears again: ranges merged into one partner", src->name);
	for (size_t k = 0; k < 3; k++)
		for (size_t i = 0; rc == 0 && i < from[k]->n; i++)
			rc = strlist_add(to[k], from[k]->v[i]);
	partner_free(src);
	return rc;
}

static int
read_network(struct import *im, xmlNode *net, const char *org, const char *country)
{
	char tadig[64], name[128];
	struct partner p = { 0 };
	struct walk w = { im, &p, 0 };

	text(child(net, "TADIGCode"), tadig, sizeof(tadig));
	text(child(net, "NetworkName"), name, sizeof(name));
	if (!valid_tadig(tadig)) {
		skip(im, "a network (\"%s\"): TADIGCode \"%s\" missing or not 5 characters "
		     "(3 letters, 2 letters or digits)", name, tadig);
		return 0;
	}
	snprintf(p.name, sizeof(p.name), "%s", tadig);
	snprintf(p.country, sizeof(p.country), "%s", country);
	p.org = strdup(org);
	p.net = strdup(name);
	p.file = strdup(im->file);
	if (p.org == NULL || p.net == NULL || p.file == NULL) {
		partner_free(&p);
		return -ENOMEM;
	}
	find_all(net, "CCITT_E212_NumberSeries", on_e212, &w);
	find_all(net, "NetworkProperties", on_e212, &w);
	find_all(net, "NwNode", on_nwnode, &w);
	find_all(net, "MSISDN_NumberRanges", on_msisdn_ranges, &w);
	if (w.rc != 0) {
		partner_free(&p);
		return w.rc;
	}
	if (p.plmn.n == 0 && p.gt.n == 0) {
		skip(im, "%s: no valid E.212 PLMN and no network node GT: nothing to match it by",
		     p.name);
		partner_free(&p);
		return 0;
	}
	if (p.gt.n == 0)
		report(im, "%s: no network node GT (NwNode/GTAddressInfo): partner by PLMN only",
		       p.name);
	for (size_t i = 0; i < im->n; i++)
		if (strcmp(im->p[i].name, p.name) == 0)
			return merge(im, &im->p[i], &p);
	if (im->n == im->cap) {
		size_t cap = im->cap ? 2 * im->cap : 16;
		struct partner *v = realloc(im->p, cap * sizeof(*v));

		if (v == NULL) {
			partner_free(&p);
			return -ENOMEM;
		}
		im->p = v;
		im->cap = cap;
	}
	im->p[im->n++] = p;
	return 0;
}

/* One file: 0 read (entries may have been skipped), 1 skipped whole, <0 out of memory. */
static int
read_file(struct import *im, const char *path)
{
	FILE *f = fopen(path, "rb");
	char org[256], a3[16], country[3] = "";
	xmlNode *root, *oi, *nl;
	xmlDoc *doc;
	char *buf;
	size_t len;
	int rc = 0;

	im->file = path;
	if (f == NULL) {
		skip(im, "the file: cannot read it: %s", strerror(errno));
		return 1;
	}
	buf = malloc(IR21_FILE_MAX + 1);
	len = buf ? fread(buf, 1, IR21_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (buf == NULL)
		return -ENOMEM;
	if (len > IR21_FILE_MAX) {
		free(buf);
		skip(im, "the file: larger than %u MiB", IR21_FILE_MAX >> 20);
		return 1;
	}
	/* no network access, no entity substitution (XXE), libxml2's amplification limits on */
	doc = xmlReadMemory(buf, (int)len, path, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(buf);
	if (doc == NULL) {
		const xmlError *e = xmlGetLastError();
		char msg[160];

		snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "parse error");
		msg[strcspn(msg, "\n")] = '\0';
		skip(im, "the file: not XML (line %d: %s)", e ? e->line : 0, msg);
		return 1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !is_el(root, "TADIGRAEXIR21")) {
		skip(im, "the file: root element <%s>, not an IR.21 RAEX export <TADIGRAEXIR21>",
		     root ? (const char *)root->name : "");
		xmlFreeDoc(doc);
		return 1;
	}
	oi = child(root, "OrganisationInfo");
	nl = child(oi, "NetworkList");
	if (nl == NULL) {
		skip(im, "the file: no OrganisationInfo/NetworkList");
		xmlFreeDoc(doc);
		return 1;
	}
	text(child(oi, "OrganisationName"), org, sizeof(org));
	text(child(oi, "CountryInitials"), a3, sizeof(a3));
	if (strlen(a3) == 3) {
		const char *e = bsearch(a3, sw_iso3166_a3a2,
					sizeof(sw_iso3166_a3a2) / sizeof(sw_iso3166_a3a2[0]),
					sizeof(sw_iso3166_a3a2[0]), cmp_a3);
		if (e != NULL)
			snprintf(country, sizeof(country), "%s", e + 3);
	}
	if (country[0] == '\0')
		report(im, "CountryInitials \"%s\" is no ISO 3166-1 alpha-3 code: partners without "
		       "country", a3);
	for (xmlNode *n = nl->children; rc == 0 && n != NULL; n = n->next)
		if (is_el(n, "Network"))
			rc = read_network(im, n, org, country);
	xmlFreeDoc(doc);
	return rc;
}

/* libconfig string: the report names come from the file, so quote what must be */
static void
put_str(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', o);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, o);
	}
	fputc('"', o);
}

static void
put_list(FILE *o, const char *key, const struct strlist *l)
{
	if (l->n == 0)
		return;
	fprintf(o, " %s = [", key);
	for (size_t i = 0; i < l->n; i++)
		fprintf(o, "%s\"%s\"", i ? ", " : " ", l->v[i]);
	fputs(" ];", o);
}

/* comments must stay on one line: newlines in names become blanks */
static void
put_comment_text(FILE *o, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 ? ' ' : *s, o);
}

static void
emit(FILE *o, struct import *im)
{
	fputs("# Roaming partners from GSMA IR.21 exports: sigwallctl site import-ir21.\n"
	      "# Include it inside the site group of a site file: @include \"partners.conf\"\n"
	      "partners = (\n", o);
	for (size_t i = 0; i < im->n; i++) {
		struct partner *p = &im->p[i];

		strlist_minimise(&p->gt);
		strlist_minimise(&p->msisdn);
		strlist_sort(&p->plmn);
		fputs("\t# ", o);
		put_comment_text(o, p->org);
		fputs(", network ", o);
		put_comment_text(o, p->net[0] ? p->net : "(unnamed)");
		fputs(" (", o);
		put_comment_text(o, p->file);
		fputs(")\n\t{ name = ", o);
		put_str(o, p->name);
		fputc(';', o);
		if (p->country[0] != '\0')
			fprintf(o, " country = \"%s\";", p->country);
		put_list(o, "plmn", &p->plmn);
		put_list(o, "gt", &p->gt);
		put_list(o, "msisdn", &p->msisdn);
		fprintf(o, " }%s\n", i + 1 < im->n ? "," : "");
	}
	fputs(");\n", o);
}

static int
usage(void)
{
	fprintf(stderr, "usage: sigwallctl site import-ir21 FILE.xml... > partners.conf\n");
	return 2;
}

int
sw_cmd_site(int argc, char **argv)
{
	struct import im = { 0 };
	unsigned bad = 0;
	size_t ngt = 0, nplmn = 0, nmsisdn = 0;
	int rc = 0;

	if (argc < 3 || strcmp(argv[1], "import-ir21") != 0)
		return usage();
	LIBXML_TEST_VERSION
	for (int i = 2; i < argc && rc >= 0; i++) {
		rc = read_file(&im, argv[i]);
		if (rc == 1)
			bad++;
	}
	if (rc < 0) {
		fprintf(stderr, "import-ir21: %s\n", strerror(-rc));
		rc = 1;
		goto out;
	}
	emit(stdout, &im);
	for (size_t i = 0; i < im.n; i++) {
		nplmn += im.p[i].plmn.n;
		ngt += im.p[i].gt.n;
		nmsisdn += im.p[i].msisdn.n;
	}
	fprintf(stderr, "import-ir21: %zu partner%s (%zu PLMNs, %zu GT prefixes, %zu MSISDN "
		"prefixes) from %d file%s; %u skipped, %u file%s unreadable or not IR.21\n", im.n,
		im.n == 1 ? "" : "s", nplmn, ngt, nmsisdn, argc - 2, argc == 3 ? "" : "s",
		im.skipped, bad, bad == 1 ? "" : "s");
	rc = bad > 0 || im.n == 0 ? 2 : 0;
out:
	for (size_t i = 0; i < im.n; i++)
		partner_free(&im.p[i]);
	free(im.p);
	xmlCleanupParser();
	return rc;
}
