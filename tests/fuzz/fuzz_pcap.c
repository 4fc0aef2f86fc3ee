/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz the capture reader and everything inspect does with a file: libpcap parses the bytes as a
 * pcap or pcapng file, every frame is decoded. Corrupt files must end in a clean error. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pcapread.h" /* dep_pcapread */
#include "dataplane/decode/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_msu msu;
	char path[] = "/tmp/sw-fuzz-pcap-XXXXXX", err[512];
	struct sw_pcap_in *in;
	enum sw_link link;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	in = sw_pcap_open(path, err, sizeof(err));
	if (in != NULL && sw_pcap_link(in, &link, err, sizeof(err)) == 0) {
		const uint8_t *d;
		uint32_t len;
		uint64_t ts;
		unsigned frame, i, n = 0;
		struct sw_pkt pkt;

		while (n++ < 10000 && sw_pcap_next(in, &d, &len, &ts, &frame, err, sizeof(err)) == 1) {
			sw_decode_packet(d, len, link, &pkt);
			for (i = 0; i < pkt.nchunks; i++)
				if (pkt.chunks[i].type == 0 || pkt.chunks[i].type == 64)
					sw_decode_msu(d, &pkt, i, &msu);
		}
	}
	sw_pcap_close(in);
	unlink(path);
	return 0;
}
