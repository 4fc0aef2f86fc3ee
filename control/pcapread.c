/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapread.h"

#include "dataplane/decode/decode.h"
#include "dataplane/reasm/ipfrag.h"

struct sw_pcap_in {
	pcap_t *p;
	const char *path;
	unsigned frame;
	int nano;
	struct sw_ipfrag *ipf; /* IP fragments in reassembly, created on the first one */
};

struct sw_pcap_in *
sw_pcap_open(const char *path, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct sw_pcap_in *in;
	FILE *f;

	/* Open the file ourselves so that a missing file gives errno's message, not libpcap's. */
	f = fopen(path, "rb");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	in = calloc(1, sizeof(*in));
	if (in == NULL) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	in->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, perr);
	if (in->p == NULL) {
		fclose(f);
		free(in);
		snprintf(err, errlen, "%s: not a pcap or pcapng capture (%s)", path, perr);
		return NULL;
	}
	in->path = path;
	return in;
}

int
sw_pcap_link(struct sw_pcap_in *in, enum sw_link *link, char *err, size_t errlen)
{
	int dlt = pcap_datalink(in->p);

	switch (dlt) {
	case DLT_EN10MB:
		*link = SW_LINK_ETH;
		return 0;
	case DLT_LINUX_SLL:
		*link = SW_LINK_SLL;
		return 0;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		*link = SW_LINK_SLL2;
		return 0;
#endif
	case DLT_RAW:
		*link = SW_LINK_RAW;
		return 0;
#ifdef DLT_IPV4
	case DLT_IPV4:
		*link = SW_LINK_IPV4;
		return 0;
	case DLT_IPV6:
		*link = SW_LINK_IPV6;
		return 0;
#endif
	default:
		snprintf(err, errlen, "%s: unsupported link type %s (%d); supported: EN10MB, LINUX_SLL, "
			 "LINUX_SLL2, RAW, IPV4, IPV6", in->path,
			 pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "?", dlt);
		return -1;
	}
}

int
sw_pcap_next(struct sw_pcap_in *in, const uint8_t **data, uint32_t *len, uint64_t *ts_ns,
	     unsigned *frame, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc = pcap_next_ex(in->p, &h, &d);

	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(err, errlen, "%s: frame %u: %s", in->path, in->frame + 1,
			 pcap_geterr(in->p));
		return -1;
	}
	in->frame++;
	*data = d;
	*len = h->caplen;
	*ts_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
	*frame = in->frame;
	return 1;
}

void
sw_pcap_close(struct sw_pcap_in *in)
{
	if (in == NULL)
		return;
	pcap_close(in->p);
	sw_ipfrag_free(in->ipf);
	free(in);
}

int
sw_pcap_defrag(struct sw_pcap_in *in, const uint8_t **data, uint32_t *len, uint64_t ts_ns,
	       enum sw_link link, struct sw_pkt *pkt)
{
	const uint8_t *out;
	uint32_t outlen;
	enum sw_mal mal;

	if (in->ipf == NULL) {
		/* The dataplane's defaults (sigwall-dataplane --ip-frag-entries, --ip-frag-timeout). */
		in->ipf = sw_ipfrag_new(SW_IPFRAG_ENTRIES_DEFAULT,
					SW_IPFRAG_TIMEOUT_DEFAULT_MS * 1000000ull, SW_IPFRAG_LEN_MAX);
		if (in->ipf == NULL)
			return 0; /* out of memory: judged as the fragment it is */
	}
	switch (sw_ipfrag_put(in->ipf, *data, *len, pkt, ts_ns, &out, &outlen, &mal)) {
	case SW_IPFRAG_HELD:
		return 1;
	case SW_IPFRAG_DONE:
		*data = out;
		*len = outlen;
		sw_decode_packet(out, outlen, link, pkt);
		return 0;
	case SW_IPFRAG_FAIL:
		pkt->mal = mal;
		return 0;
	default:
		return 0;
	}
}
