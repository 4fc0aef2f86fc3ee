/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Corpus replay without libFuzzer: runs LLVMFuzzerTestOneInput over every file named on the
 * command line or found in the directories named, so the gcc and sanitizer builds replay the
 * corpora in every test run. Each input is copied into an exact-size heap buffer so that ASan
 * catches any read past its end.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long nfiles;

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
		fclose(f);
		free(buf);
		fprintf(stderr, "%s: read error\n", path);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	nfiles++;
	return 0;
}

static int
run_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (stat(path, &st) < 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	d = opendir(path);
	if (d == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		char sub[4096];

		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		if (run_path(sub) < 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int
main(int argc, char **argv)
{
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		/* A directory that is optional (../shared/captures) is prefixed with '?'. */
		if (argv[i][0] == '?') {
			struct stat st;

			if (stat(argv[i] + 1, &st) < 0) {
				printf("skipping absent %s\n", argv[i] + 1);
				continue;
			}
			argv[i]++;
		}
		if (run_path(argv[i]) < 0)
			rc = 1;
	}
	printf("replayed %lu inputs\n", nfiles);
	if (nfiles == 0) {
		fprintf(stderr, "no inputs replayed: the corpus is missing\n");
		return 1;
	}
	return rc;
}
