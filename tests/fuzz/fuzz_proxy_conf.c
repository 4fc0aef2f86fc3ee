/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz proxy mode's site loader (dataplane/proxy/proxy_conf.c, issue 21): the input is a site
 * file, loaded as `sigwall-dataplane --mode proxy` loads it and checked as the policy compiler
 * checks it. Every input must load or be refused with a file, a line and a message.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataplane/proxy/proxy_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
noop_send(void *user, uint16_t link, uint16_t stream, const uint8_t *msg, size_t len)
{
	(void)user, (void)link, (void)stream, (void)msg, (void)len;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_proxy px;
	static struct sw_proxy_conf_err where;
	struct sw_proxy_ops ops = {.send = noop_send};
	struct sw_proxy_judge judge = {0};
	char path[] = "/tmp/sw-fuzz-pxconf-XXXXXX", err[1024];
	int fd, rc, rc2;

	/* @include would read files outside the input (a device, a FIFO): not this harness's */
	if (size > 4096 || memmem(data, size, "@include", 8) != NULL)
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
	sw_proxy_init(&px, &ops, &judge);
	rc = sw_proxy_conf_load(&px, path, err, sizeof(err));
	if (rc == 0)
		sw_proxy_seal(&px);
	rc2 = sw_proxy_conf_check(path, &where);
	unlink(path);
	/* the same verdict both ways; a refusal says where */
	if (rc != rc2 || (rc != 0 && rc != -EINVAL) ||
	    (rc != 0 && (strncmp(err, path, strlen(path)) != 0 || where.msg[0] == '\0' ||
			 strcmp(where.file, path) != 0))) {
		fprintf(stderr, "load %d check %d: \"%s\" / %s:%d: %s\n", rc, rc2, err, where.file,
			where.line, where.msg);
		abort();
	}
	return 0;
}
