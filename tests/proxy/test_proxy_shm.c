/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The proxy's status object (dataplane/proxy/proxy_shm.h, issue 21 D5): what the proxy lcore
 * publishes is what `sigwallctl status` reads back and prints, one formatter for both; no object,
 * no proxy section; a foreign object is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "dataplane/proxy/proxy_shm.h"

static int
noop_send(void *user, uint16_t link, uint16_t stream, const uint8_t *msg, size_t len)
{
	(void)user, (void)link, (void)stream, (void)msg, (void)len;
	return 0;
}

static void
test_roundtrip(void **state)
{
	static struct sw_proxy px;
	static struct sw_proxy_shm back;
	struct sw_proxy_ops ops = {.send = noop_send};
	struct sw_proxy_judge j = {0};
	struct sw_proxy_link_cfg lc[2] = {
		{.name = "partner", .sctp_server = true, .role = SW_M3UA_ROLE_SGP, .rctx = 100},
		{.name = "home", .role = SW_M3UA_ROLE_ASP, .rctx = 200, .side = 1},
	};
	struct sw_proxy_snap snap;
	struct sw_proxy_shm *m;
	char inst[32], text[4096] = "", line[8192] = "";
	FILE *f;

	(void)state;
	snprintf(inst, sizeof(inst), "t%dpxshm", (int)getpid());
	assert_int_equal(sw_proxy_shm_read(inst, &back), -ENOENT);
	f = fmemopen(line, sizeof(line), "w");
	sw_proxy_status_print(inst, f); /* no object: nothing */
	fclose(f);
	assert_string_equal(line, "");

	sw_proxy_init(&px, &ops, &j);
	assert_int_equal(sw_proxy_add_link(&px, &lc[0]), 0);
	assert_int_equal(sw_proxy_add_link(&px, &lc[1]), 1);
	sw_proxy_seal(&px);
	sw_proxy_link_up(&px, 0, 1);
	px.ctr[SW_PXO_ROUTED] = 7;
	px.ctr[SW_PXO_REJECTED] = 2;
	px.link[1].looped = 3;
	px.link[1].beat_aborts = 4;
	assert_int_equal(sw_proxy_shm_create(inst, &m), 0);
	assert_int_equal(sw_proxy_shm_read(inst, &back), -EAGAIN); /* created, not yet published */
	sw_proxy_snapshot(&px, 9, 42, &snap);
	sw_proxy_shm_publish(m, &snap);
	assert_int_equal(sw_proxy_shm_read(inst, &back), 0);
	assert_int_equal(back.pid, getpid());
	assert_memory_equal(&back.snap, &snap, sizeof(snap));

	/* The same formatter as the proxy's status lines (sw_proxy_status). */
	sw_proxy_snap_format(&back.snap, true, text, sizeof(text));
	assert_non_null(strstr(text, "link partner sctp=up m3ua=sgp asp=down as=down "));
	assert_non_null(strstr(text, "link home sctp=down m3ua=asp asp=down "));
	assert_non_null(strstr(text, " beat_aborts=4 looped=3\n"));
	assert_non_null(strstr(text, "proxy routed=7 rejected=2 "));
	assert_non_null(strstr(text, " judged=9 "));
	assert_non_null(strstr(text, " generation=42\n"));
	f = fmemopen(line, sizeof(line), "w");
	sw_proxy_status_print(inst, f);
	fclose(f);
	assert_non_null(strstr(line, "proxy mode: 2 association(s), dataplane pid "));
	assert_non_null(strstr(line, "\n  link partner sctp=up m3ua=sgp"));
	assert_non_null(strstr(line, "\n  proxy routed=7 "));

	/* A writer in the middle of an update: the reader waits, then gives up (never a torn
	 * copy). */
	atomic_fetch_add(&m->seq, 1);
	assert_int_equal(sw_proxy_shm_read(inst, &back), -EAGAIN);
	atomic_fetch_add(&m->seq, 1);
	assert_int_equal(sw_proxy_shm_read(inst, &back), 0);
	/* Another layout: refused. */
	m->version++;
	assert_int_equal(sw_proxy_shm_read(inst, &back), -EINVAL);
	m->version--;

	sw_proxy_shm_destroy(m, inst);
	assert_int_equal(sw_proxy_shm_read(inst, &back), -ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
