/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in for the proxy lcore's status object (dataplane/proxy/proxy_shm.h) for
 * test_proxy_control.py: `publish INSTANCE` creates /sigwall.INSTANCE.proxy with a known
 * snapshot and exits (leaving it, as a dead dataplane would); `unlink INSTANCE` removes it.
 * Figures (the test checks them): three links, every counter distinct.
 *   partner: outside, sgp, SCTP up, ASP active, AS active, routable
 *   home:    inside, asp, SCTP down, ASP down, AS pending, not routable
 *   ho"ney\pot: inside, asp, honeypot, SCTP up, ASP inactive, AS inactive (a name to escape)
 *   ctr[o] = 100 + o (enum sw_proxy_outcome); judged 1000, rx_msu 1001, ssnm_tx 1002,
 *   decode_mal 1003, generation 42; link i: rx 10i+1, tx 10i+2, err_rx 10i+3, err_tx 10i+4,
 *   looped 10i+5, duna 10i+6, dava 10i+7, beat_aborts 10i+8.
 */
#include <stdio.h>
#include <string.h>

#include "dataplane/proxy/proxy_shm.h"

int
main(int argc, char **argv)
{
	static const char *const names[] = {"partner", "home", "ho\"ney\\pot"};
	struct sw_proxy_snap s;
	struct sw_proxy_shm *m;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: proxy_status_pub publish|unlink INSTANCE\n");
		return 2;
	}
	if (strcmp(argv[1], "unlink") == 0) {
		if (sw_proxy_shm_create(argv[2], &m) != 0)
			return 1;
		sw_proxy_shm_destroy(m, argv[2]);
		return 0;
	}
	memset(&s, 0, sizeof(s));
	s.nlinks = 3;
	s.generation = 42;
	s.judged = 1000;
	s.rx_msu = 1001;
	s.ssnm_tx = 1002;
	s.decode_mal = 1003;
	for (unsigned o = 0; o < SW_PXO_COUNT; o++)
		s.ctr[o] = 100 + o;
	for (unsigned i = 0; i < 3; i++) {
		struct sw_proxy_snap_link *l = &s.link[i];

		strncpy(l->name, names[i], sizeof(l->name) - 1);
		l->side = i != 0;
		l->client = i != 0;
		l->honeypot = i == 2;
		l->sctp_up = i != 1;
		l->routable = i == 0;
		l->asp_state = (uint8_t)(i == 0 ? SW_M3UA_ASP_ACTIVE
					 : i == 1 ? SW_M3UA_ASP_DOWN : SW_M3UA_ASP_INACTIVE);
		l->as_state = (uint8_t)(i == 0 ? SW_M3UA_AS_ACTIVE
					: i == 1 ? SW_M3UA_AS_PENDING : SW_M3UA_AS_INACTIVE);
		l->rx_data = 10 * i + 1;
		l->tx_data = 10 * i + 2;
		l->err_rx = 10 * i + 3;
		l->err_tx = 10 * i + 4;
		l->looped = 10 * i + 5;
		l->duna_rx = 10 * i + 6;
		l->dava_rx = 10 * i + 7;
		l->beat_aborts = 10 * i + 8;
	}
	rc = sw_proxy_shm_create(argv[2], &m);
	if (rc != 0) {
		fprintf(stderr, "proxy_status_pub: %s\n", strerror(-rc));
		return 1;
	}
	sw_proxy_shm_publish(m, &s);
	return 0;
}
