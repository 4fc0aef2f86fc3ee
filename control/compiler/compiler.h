/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy compiler: rule file + site file (libconfig, schema in patterns/README.md) ->
 * one flat, position-independent policy image (dataplane/policy/image.h).
 */
#ifndef SW_COMPILER_COMPILER_H
#define SW_COMPILER_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SW_COMPILED_FIELDS 32

struct sw_compiled {
	void *image;  /* 64-byte aligned (aligned_alloc); free with sw_compiled_free */
	size_t size;
	unsigned nrules, nlists, npatterns[SW_COMPILED_FIELDS]; /* per string field (image.h) */
	unsigned nwarnings; /* warnings written to sw_compile_opts.warn */
	double compile_ms;
};

struct sw_compile_opts {
	/* Compile the Hyperscan databases for a generic x86-64 (no AVX, generic tuning) instead
	 * of this machine: the image is then the same bytes on every machine with the same
	 * Hyperscan release (tests/policy/test_image_golden.c; a fleet of mixed CPUs). */
	bool hs_generic;
	/* Report every error, one "file:line: message" line each in err (`sigwallctl check`),
	 * instead of stopping at the first: parsing goes on with the next rule, list, partner
	 * or link. */
	bool all_errors;
	/* Where "file:line: warning: message" lines go (NULL: no such analysis): rules an
	 * earlier rule shadows, partner ranges that overlap each other or the home ranges, PLMNs
	 * that are not 5-6 digits, duplicate list entries. */
	FILE *warn;
};

/* Parse, validate and compile. On error: -EINVAL (or -errno), err holds "file:line: message",
 * and out->image is NULL. generation is written into the image header. */
int sw_compile_files(const char *rules_path, const char *site_path, uint64_t generation,
		     struct sw_compiled *out, char *err, size_t errlen);
/* The same with options (NULL: defaults, as sw_compile_files). */
int sw_compile_files_opts(const char *rules_path, const char *site_path, uint64_t generation,
			  const struct sw_compile_opts *opts, struct sw_compiled *out, char *err,
			  size_t errlen);
void sw_compiled_free(struct sw_compiled *c);
/* What `sigwallctl check` prints: rules, lists, patterns per field, image size, compile time,
 * checksum. */
void sw_compiled_summary(FILE *f, const struct sw_compiled *c);

#endif /* SW_COMPILER_COMPILER_H */
