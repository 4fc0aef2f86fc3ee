/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz the rule-file parser and compiler: the input is a rule file compiled against the example
 * site file. Every input must either compile or be rejected with a "file:line: message". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/compiler/compiler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/sw-fuzz-rules-XXXXXX", err[1024];
	struct sw_compiled c;
	int fd, rc;

	/* Large inputs only make Hyperscan compile slowly; they find nothing more. */
	if (size > 4096)
		return 0;
	fd = mkstemp(path);
	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	memset(&c, 0, sizeof(c));
	err[0] = '\0';
	rc = sw_compile_files(path, SW_SITE_EXAMPLE, 1, &c, err, sizeof(err));
	if (rc == 0) {
		sw_compiled_free(&c);
	} else if (strncmp(err, path, strlen(path)) != 0 && strstr(err, ".conf:") == NULL) {
		/* A rejection must say where: file:line (or the site file's). */
		fprintf(stderr, "rejection without file:line: %s\n", err);
		abort();
	}
	unlink(path);
	return 0;
}
