/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * /sigwall.INSTANCE.assoc (issue 12 Deliver 5, dataplane/shm/shm_assoc.h): what a worker
 * publishes is what a reader gets, and the reader trusts nothing in the object (issue 13 D8):
 * a header of another version, size or geometry is refused, a count beyond the block is
 * clamped, strings are terminated, a block held odd by its writer is not read. Also the
 * enforcer's busiest-first order (sw_enforce_assoc_top).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "dataplane/shm/shm.h"
#include "dataplane/shm/shm_assoc.h"
#include "enforce_build.h"

static char inst[32];
static struct sw_shm_assoc_rec out[SW_SHM_ASSOC_MAX];

static struct sw_shm_assoc
make(unsigned nworkers)
{
	struct sw_shm_assoc m;

	snprintf(inst, sizeof(inst), "ut%denfshm", (int)getpid());
	assert_int_equal(sw_shm_assoc_create(inst, nworkers, &m), 0);
	return m;
}

static void
test_roundtrip(void **state)
{
	struct sw_shm_assoc w = make(2), r;
	struct sw_shm_assoc_block *b = sw_shm_assoc_block(&w, 1);
	uint64_t t = 0;
	uint32_t tracked = 0;

	(void)state;
	assert_null(sw_shm_assoc_block(&w, 2));
	sw_shm_assoc_write_begin(b);
	b->rec[0].vtag[0] = 0x11;
	b->rec[0].chunks_removed[0] = 7;
	b->rec[0].ip_ver = 4;
	snprintf(b->rec[0].last_error, sizeof(b->rec[0].last_error), "window_full");
	b->count = 1;
	b->tracked = 3;
	sw_shm_assoc_write_end(b, 1234);
	assert_int_equal(sw_shm_assoc_attach(inst, &r), 0);
	assert_int_equal(sw_shm_assoc_read(&r, 1, out, SW_SHM_ASSOC_MAX, &t, &tracked), 1);
	assert_int_equal(out[0].vtag[0], 0x11);
	assert_int_equal(out[0].chunks_removed[0], 7);
	assert_string_equal(out[0].last_error, "window_full");
	assert_int_equal(t, 1234);
	assert_int_equal(tracked, 3);
	assert_int_equal(sw_shm_assoc_read(&r, 0, out, SW_SHM_ASSOC_MAX, &t, &tracked), 0);
	assert_int_equal(sw_shm_assoc_read(&r, 2, out, SW_SHM_ASSOC_MAX, &t, &tracked), -EINVAL);
	/* hostile contents: a count beyond the block, an unterminated string, a bad ip_ver */
	b->count = 100000;
	memset(b->rec[0].last_error, 'x', sizeof(b->rec[0].last_error));
	b->rec[0].ip_ver = 9;
	assert_int_equal(sw_shm_assoc_read(&r, 1, out, SW_SHM_ASSOC_MAX, &t, &tracked),
			 SW_SHM_ASSOC_MAX);
	assert_int_equal(strlen(out[0].last_error), sizeof(out[0].last_error) - 1);
	assert_int_equal(out[0].ip_ver, 0);
	assert_int_equal(sw_shm_assoc_read(&r, 1, out, 5, &t, &tracked), 5);
	/* a writer that never finishes: not read */
	sw_shm_assoc_write_begin(b);
	assert_int_equal(sw_shm_assoc_read(&r, 1, out, SW_SHM_ASSOC_MAX, &t, &tracked), -EAGAIN);
	sw_shm_assoc_detach(&r);
	sw_shm_assoc_detach(&w);
	sw_shm_assoc_unlink(inst);
}

/* Each header field that says where things are is checked against the real object. */
static void
test_header_validated(void **state)
{
	static const size_t fields[] = {
		offsetof(struct sw_shm_assoc_hdr, version),
		offsetof(struct sw_shm_assoc_hdr, hdr_size),
		offsetof(struct sw_shm_assoc_hdr, rec_size),
		offsetof(struct sw_shm_assoc_hdr, max_assocs),
		offsetof(struct sw_shm_assoc_hdr, nworkers),
		offsetof(struct sw_shm_assoc_hdr, block_off),
		offsetof(struct sw_shm_assoc_hdr, block_stride),
		offsetof(struct sw_shm_assoc_hdr, region_size),
	};
	static const uint32_t bad32[] = {0, 0xffffffffu, 1000};
	unsigned f, k;

	(void)state;
	for (f = 0; f < sizeof(fields) / sizeof(fields[0]); f++) {
		for (k = 0; k < 3; k++) {
			struct sw_shm_assoc w = make(2), r;
			uint8_t *p = (uint8_t *)w.hdr + fields[f];

			if (fields[f] >= offsetof(struct sw_shm_assoc_hdr, block_off)) {
				uint64_t v = k == 0 ? 8 : k == 1 ? ~0ull : w.len + 4096;

				memcpy(p, &v, sizeof(v));
			} else {
				uint32_t v = bad32[k];

				memcpy(p, &v, sizeof(v));
			}
			assert_int_equal(sw_shm_assoc_attach(inst, &r), -EPROTO);
			sw_shm_assoc_detach(&w);
			sw_shm_assoc_unlink(inst);
		}
	}
	{
		struct sw_shm_assoc r;

		assert_int_equal(sw_shm_assoc_attach(inst, &r), -ENOENT);
	}
}

/* Busiest first: repair activity, then the most recent. */
static void
test_assoc_top(void **state)
{
	struct sw_enforce_assoc_info info[8];
	struct sw_enforce *e = sw_enforce_new(8, true);
	struct tb t;
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		uint16_t port = (uint16_t)(3000 + i);
		uint32_t tag_b = 0xb000u + i;

		tb_start(&t, 0x0a000001u, 0x0a000002u, port, 2905, 0);
		tb_init(&t, 1, 0xa000u + i, 65536, 100);
		tb_finish(&t);
		sw_enforce_packet(e, t.b, t.len, sizeof(t.b), &t.pkt, 0, 0, 10 + i, NULL, 0, NULL);
		tb_start(&t, 0x0a000002u, 0x0a000001u, 2905, port, 0xa000u + i);
		tb_init(&t, 2, tag_b, 65536, 500);
		tb_finish(&t);
		sw_enforce_packet(e, t.b, t.len, sizeof(t.b), &t.pkt, 0, 1, 10 + i, NULL, 0, NULL);
		/* association 1 loses one chunk of two: the busiest */
		tb_start(&t, 0x0a000001u, 0x0a000002u, port, 2905, tag_b);
		tb_data(&t, 100, 1, 0, 3, 'a');
		tb_data(&t, 101, 1, 1, 3, 'b');
		tb_finish(&t);
		sw_enforce_packet(e, t.b, t.len, sizeof(t.b), &t.pkt, i == 1 ? 2 : 0, 0, 20 + i, NULL,
				  0, NULL);
	}
	assert_int_equal(sw_enforce_assoc_top(e, info, 8), 3);
	assert_int_equal(info[0].port[0], 3001);
	assert_int_equal(info[0].chunks_removed[0], 1);
	assert_int_equal(info[0].tsn_offset[0], 1);
	assert_int_equal(info[1].port[0], 3002); /* then the most recent */
	assert_int_equal(info[2].port[0], 3000);
	assert_int_equal(info[2].last_ns, 20);
	assert_int_equal(sw_enforce_assoc_top(e, info, 1), 1);
	assert_int_equal(info[0].port[0], 3001);
	sw_enforce_free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_header_validated),
		cmocka_unit_test(test_assoc_top),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
