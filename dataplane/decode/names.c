/* SPDX-License-Identifier: BSD-3-Clause */
/* Names of malformation reasons and layers: the one table `sigwallctl stats` and inspect print. */
#include <stddef.h>

#include "decode.h"

static const struct {
	const char *name;
	const char *desc;
	enum sw_layer layer;
} mal_table[SW_MAL_COUNT] = {
#define X(n, l, d) [SW_MAL_##n] = {#n, d, SW_LAYER_##l},
#include "malformed.def"
#undef X
};

static const char *const layer_names[SW_LAYER_COUNT] = {
	[SW_LAYER_NONE] = "none", [SW_LAYER_LINK] = "link", [SW_LAYER_IP] = "ip",
	[SW_LAYER_SCTP] = "sctp", [SW_LAYER_M3UA] = "m3ua", [SW_LAYER_SCCP] = "sccp",
	[SW_LAYER_TCAP] = "tcap", [SW_LAYER_MAP] = "map",   [SW_LAYER_ISUP] = "isup",
	[SW_LAYER_M2PA] = "m2pa",
	[SW_LAYER_CAP] = "cap",
};

/* Lowercase names are built once from the upper-case X-macro names. */
static char mal_lower[SW_MAL_COUNT][40];

const char *
sw_mal_name(enum sw_mal m)
{
	if ((unsigned)m >= SW_MAL_COUNT)
		return "unknown";
	if (mal_lower[m][0] == '\0') {
		const char *s = mal_table[m].name;
		unsigned i;

		for (i = 0; s[i] != '\0' && i < sizeof(mal_lower[m]) - 1; i++)
			mal_lower[m][i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
		mal_lower[m][i] = '\0';
	}
	return mal_lower[m];
}

const char *
sw_mal_desc(enum sw_mal m)
{
	return (unsigned)m < SW_MAL_COUNT ? mal_table[m].desc : "unknown";
}

enum sw_layer
sw_mal_layer(enum sw_mal m)
{
	return (unsigned)m < SW_MAL_COUNT ? mal_table[m].layer : SW_LAYER_NONE;
}

const char *
sw_layer_name(enum sw_layer l)
{
	return (unsigned)l < SW_LAYER_COUNT ? layer_names[l] : "unknown";
}
