/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-dataplane: options, then set-up (EAL, mbufs, ports and queues, shared memory, workers,
 * telemetry), then the main lcore's loop (image attach and validation, NIC counters, stop
 * conditions), then a clean shutdown. The packet path is in worker.c.
 *
 *   sigwall-dataplane [EAL options] -- --mode inline|monitor --ports A:B --instance NAME
 *       [--non-sctp pass|drop] [--default pass|drop] [--burst N] [--no-repair] [--no-events]
 *       [--mbufs N] [--nic-interval MS] [--exit-on-idle MS] [--max-packets N]
 *   sigwall-dataplane --help | --version
 *
 * Exit codes: 0 ok, 1 runtime failure, 2 usage or invalid input (enum sw_exit).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_version.h>

#include "dataplane/policy/policy.h"
#include "dataplane/policy/ratelimit.h"
#include "shadow.h"
#include "dataplane/enforce/enforce.h"
#include "dataplane/reasm/ipfrag.h" /* reasm: --ip-frag-* defaults */
#include "app.h"
#include "enforce_dp.h"
#include "dataplane/proxy/proxy_dpdk.h"
#include "dataplane/state/rings.h"
#include "log.h"

#ifndef SW_VERSION
#define SW_VERSION "unknown"
#endif

#define NB_RXD 1024
#define NB_TXD 1024
#define MBUF_CACHE 256
#define POLL_MS 10
#define IMAGE_POLL_MS 100

static const char usage_text[] =
	"usage: sigwall-dataplane [EAL options] -- --mode inline|monitor --ports A:B --instance NAME\n"
	"         [--non-sctp pass|drop] [--no-image drop|pass] [--burst 1-64] [--no-repair]\n"
	"         [--no-events] [--mbufs N] [--nic-interval MS] [--exit-on-idle MS]\n"
	"         [--max-packets N] [--repair-fail open|closed] [--repair-fail-link LINK=open|closed]\n"
	"         [--rl-entries N] [--rl-per-worker] [--walk-all]\n"
	"         [--ip-frag-entries N] [--ip-frag-timeout MS] [--sctp-reasm on|off]\n"
	"       sigwall-dataplane --help | --version\n"
	"  --mode inline    forward A<->B, take dropped MSUs out (needs two ports)\n"
	"  --mode monitor   transmit nothing; count and raise events (one or two ports)\n"
	"  --mode proxy     terminate M3UA on --site's links and route (1-2 ports)\n"
	"  --site FILE      proxy mode: the site file with links and routes\n"
	"  --ports A:B      DPDK port ids or device names (e.g. 0:1, net_pcap0:net_pcap1)\n"
	"  --instance NAME  shared memory /sigwall.NAME.image and /sigwall.NAME.stats\n"
	"  --non-sctp       what to do with packets that are not SCTP/M3UA (default pass)\n"
	"  --no-image       verdict while no policy image is published (default drop; also\n"
	"                   --default)\n"
	"  --mbufs N        mbuf pool size (default: computed from queues, descriptors, vdevs)\n"
	"  --nic-interval   NIC counters (xstats) into the stats region every MS ms (1000)\n"
	"  --exit-on-idle   stop when nothing was received for MS milliseconds (tests)\n"
	"  --max-packets    stop after N received packets (tests)\n"
	"  --rl-entries N   buckets of the rate-limit table all workers share (65536)\n"
	"  --rl-per-worker  one rate-limit table per worker, as before issue 18: N workers admit\n"
	"                   N times a rule's rate (tests and benchmarks compare)\n"
	"  --walk-all       walk every MAP/CAP argument, also where the operation and addresses\n"
	"                   decide the verdict (every event then carries the IMSI)\n"
	"  --repair-fail    a blocked chunk repair cannot remove (association not tracked, state\n"
	"                   lost): closed (default) replaces its M3UA message by a BEAT, open\n"
	"                   passes it (dataplane/enforce/README.md)\n"
	"  --repair-fail-link  the same for the associations whose outside endpoint is a peer of\n"
	"                   site link LINK (site.links); repeatable; others: --repair-fail\n"
	"  --ip-frag-entries  IP datagrams in reassembly per worker (rte_ip_frag; default 256,\n"
	"                   0: fragments are not joined and get the malformed verdict)\n"
	"  --ip-frag-timeout  a datagram not whole this many ms after its first fragment fails\n"
	"                   (ip_reasm_timeout; default 3000); dataplane/reasm/README.md\n"
	"  --sctp-reasm     SCTP user-message fragments judged as one message, inline held until\n"
	"                   judged (on), or the malformed verdict (off); dataplane/reasm/README.md\n"
	"Logging: EAL option --log-level=sigwall.dataplane:LEVEL (error, warning, notice, info,\n"
	"debug). Telemetry: /sigwall/stats[,WORKER] and /sigwall/status on the DPDK telemetry socket\n"
	"(usertools/dpdk-telemetry.py). Exit codes: 0 ok, 1 runtime failure, 2 usage or invalid input.\n";

static volatile bool quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = true;
}

void
sw_app_die(enum sw_exit code, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sw_log(RTE_LOG_ERR, "%s", msg);
	/* _exit: after rte_eal_init, exit() would run the EAL's and the sanitizers' exit
	 * handlers over a half-initialised process; nothing of ours needs flushing but stdout. */
	fflush(stdout);
	fflush(stderr);
	_exit(code);
}

#define die_usage(...) sw_app_die(SW_EXIT_USAGE, __VA_ARGS__)
#define die_runtime(...) sw_app_die(SW_EXIT_RUNTIME, __VA_ARGS__)

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------------------------------ */
/* Options                                                                                    */

static void
print_version(void)
{
	printf("sigwall-dataplane %s (%s, shm layout %u)\n", SW_VERSION, rte_version(),
	       SW_SHM_LAYOUT_VERSION);
}

static uint64_t
parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		die_usage("%s wants a number in %" PRIu64 "..%" PRIu64 ", got '%s'", opt, min, max,
			  s);
	return v;
}

static bool
parse_pass_drop(const char *opt, const char *s)
{
	if (strcmp(s, "pass") == 0 || strcmp(s, "allow") == 0)
		return true;
	if (strcmp(s, "drop") == 0)
		return false;
	die_usage("%s wants pass or drop, got '%s'", opt, s);
}

static void
parse_ports(struct app *a)
{
	const char *colon = strchr(a->ports_arg, ':');
	size_t l0 = colon != NULL ? (size_t)(colon - a->ports_arg) : strlen(a->ports_arg);

	if (l0 == 0 || l0 >= RTE_ETH_NAME_MAX_LEN ||
	    (colon != NULL && (colon[1] == '\0' || strlen(colon + 1) >= RTE_ETH_NAME_MAX_LEN)))
		die_usage("--ports wants A:B (ids or names), got '%s'", a->ports_arg);
	memcpy(a->port_name[0], a->ports_arg, l0);
	a->port_name[0][l0] = '\0';
	a->nports = 1;
	if (colon != NULL) {
		snprintf(a->port_name[1], sizeof(a->port_name[1]), "%s", colon + 1);
		a->nports = 2;
	}
}

/* App options: everything after "--". Parsed before rte_eal_init so that a mistake is
 * reported in one line, without the EAL's start-up noise. */
/* --mode proxy (issue 21): dataplane/proxy runs on the first worker lcore, the workers idle. */
static struct sw_proxy_dpdk_args proxy_args;
static bool proxy_mode;

static void
parse_app_args(struct app *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{"mode", required_argument, NULL, 'm'},
		{"ports", required_argument, NULL, 'p'},
		{"instance", required_argument, NULL, 'i'},
		{"non-sctp", required_argument, NULL, 'n'},
		{"default", required_argument, NULL, 'd'},
		{"no-image", required_argument, NULL, 'd'}, /* issue 13: --default's name; drop */
		{"burst", required_argument, NULL, 'b'},
		{"no-repair", no_argument, NULL, 'R'},
		{"walk-all", no_argument, NULL, 'A'},
		{"no-events", no_argument, NULL, 'E'},
		{"mbufs", required_argument, NULL, 'B'},
		{"nic-interval", required_argument, NULL, 'N'},
		{"exit-on-idle", required_argument, NULL, 'I'},
		{"max-packets", required_argument, NULL, 'M'},
		{"rl-entries", required_argument, NULL, 'r'},
		{"rl-per-worker", no_argument, NULL, 'W'},
		{"site", required_argument, NULL, 'S'},
		{"repair-fail", required_argument, NULL, 'F'},
		{"repair-fail-link", required_argument, NULL, 'L'},
		{"ip-frag-entries", required_argument, NULL, 'G'}, /* reasm: issue 14 D1 */
		{"ip-frag-timeout", required_argument, NULL, 'T'},
		{"sctp-reasm", required_argument, NULL, 'Q'}, /* reasm: issue 14 D2 */
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (strcmp(optarg, "inline") == 0)
				a->mode = SW_MODE_INLINE;
			else if (strcmp(optarg, "monitor") == 0)
				a->mode = SW_MODE_MONITOR;
			else if (strcmp(optarg, "proxy") == 0)
				a->mode = SW_MODE_MONITOR, proxy_mode = true;
			else
				die_usage("--mode wants inline or monitor, got '%s'", optarg);
			a->have_mode = true;
			break;
		case 'p':
			a->ports_arg = optarg;
			break;
		case 'i':
			a->instance = optarg;
			break;
		case 'n':
			a->non_sctp_pass = parse_pass_drop("--non-sctp", optarg);
			break;
		case 'd':
			a->def_action = parse_pass_drop("--no-image", optarg) ? SW_ACT_ALLOW
									      : SW_ACT_DROP;
			break;
		case 'b':
			a->burst = (unsigned)parse_u64("--burst", optarg, 1, SW_BURST_MAX);
			break;
		case 'R':
			a->no_repair = true;
			break;
		case 'A':
			a->walk_all = true;
			break;
		case 'E':
			a->events = false;
			break;
		case 'B':
			a->mbufs = (unsigned)parse_u64("--mbufs", optarg, 64, 1u << 24);
			break;
		case 'N':
			a->nic_interval_ms = parse_u64("--nic-interval", optarg, 10, 3600000);
			break;
		case 'I':
			a->exit_on_idle_ms = parse_u64("--exit-on-idle", optarg, 1, 86400000);
			break;
		case 'M':
			a->max_packets = parse_u64("--max-packets", optarg, 1, UINT64_MAX);
			break;
		case 'r':
			a->rl_entries = (uint32_t)parse_u64("--rl-entries", optarg, SW_RL_WAYS,
							    1u << 30);
			break;
		case 'W':
			a->rl_per_worker = true;
			break;
		case 'S':
			proxy_args.site = optarg;
			break;
		case 'F':
			if (strcmp(optarg, "open") != 0 && strcmp(optarg, "closed") != 0)
				die_usage("--repair-fail wants open or closed, got '%s'", optarg);
			a->repair_fail_open = strcmp(optarg, "open") == 0;
			break;
		case 'L': { /* enforce: per-link fallback (issue 12 Deliver 4) */
			char *eq = strrchr(optarg, '=');

			if (eq == NULL || eq == optarg || eq - optarg >= SW_ENF_CLASS_NAME ||
			    (strcmp(eq + 1, "open") != 0 && strcmp(eq + 1, "closed") != 0))
				die_usage("--repair-fail-link wants LINK=open|closed (a site.links name "
					  "of at most %d bytes), got '%s'", SW_ENF_CLASS_NAME - 1, optarg);
			if (a->nrepair_links == RTE_DIM(a->repair_link))
				die_usage("--repair-fail-link: at most %zu links",
					  RTE_DIM(a->repair_link));
			a->repair_link_open[a->nrepair_links] = strcmp(eq + 1, "open") == 0;
			*eq = '\0';
			a->repair_link[a->nrepair_links++] = optarg;
			break;
		}
		case 'G': /* reasm: IP fragments (issue 14 D1) */
			a->ip_frag_entries = (unsigned)parse_u64("--ip-frag-entries", optarg, 0, 65536);
			break;
		case 'T':
			a->ip_frag_timeout_ms = (unsigned)parse_u64("--ip-frag-timeout", optarg, 1, 600000);
			break;
		case 'Q': /* reasm: SCTP fragments (issue 14 D2); nohold: tests/e2e/frag_e2e.sh only */
			if (strcmp(optarg, "on") == 0)
				a->sctp_reasm = SW_SCTP_REASM_ON;
			else if (strcmp(optarg, "off") == 0)
				a->sctp_reasm = SW_SCTP_REASM_OFF;
			else if (strcmp(optarg, "nohold") == 0)
				a->sctp_reasm = SW_SCTP_REASM_NOHOLD;
			else
				die_usage("--sctp-reasm wants on or off, got '%s'", optarg);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(SW_EXIT_OK);
		case 'V':
			print_version();
			exit(SW_EXIT_OK);
		default:
			if (optopt != 0)
				die_usage("option -%c is unknown or lacks its value; see --help", optopt);
			die_usage("option '%s' is unknown or lacks its value; see --help",
				  argv[optind - 1]);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'; see --help", argv[optind]);
	if (!a->have_mode)
		die_usage("--mode inline|monitor is required; see --help");
	if (a->ports_arg == NULL)
		die_usage("--ports A:B is required (DPDK port ids or names); see --help");
	if (sw_shm_instance_valid(a->instance) < 0)
		die_usage("--instance wants 1-%d characters of [A-Za-z0-9_-], got '%s'",
			  SW_SHM_INSTANCE_MAX, a->instance);
	parse_ports(a);
	if (a->mode == SW_MODE_INLINE && a->nports != 2)
		die_usage("--mode inline needs two ports: --ports A:B");
	if (proxy_mode && proxy_args.site == NULL)
		die_usage("--mode proxy needs --site FILE (its links and routes)");
}

/* No hugepages reserved and no --no-huge: say so before the EAL fails obscurely. */
static void
check_hugepages(int eal_argc, char **argv)
{
	FILE *f;
	char line[128];
	long total = -1;
	int i;

	for (i = 1; i < eal_argc; i++)
		if (strcmp(argv[i], "--no-huge") == 0 || strncmp(argv[i], "--in-memory", 11) == 0)
			return;
	f = fopen("/proc/meminfo", "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "HugePages_Total: %ld", &total) == 1)
			break;
	fclose(f);
	if (total == 0)
		die_usage("no hugepages are reserved: reserve some (echo 512 > "
			  "/proc/sys/vm/nr_hugepages, mount hugetlbfs) or pass --no-huge -m 256 "
			  "before --");
}

/*
 * The whole command line: `--help` / `--version` alone, or EAL options, "--", app options.
 * Returns the number of EAL arguments (argv[0] included). Remembers the --vdev arguments
 * (nic.c sizes the mbuf pool from them) before the EAL may reorder argv.
 */
static int
options(struct app *a, int argc, char **argv)
{
	int sep = -1, i;

	a->non_sctp_pass = true;
	a->def_action = SW_ACT_DROP; /* fail closed (issue 13): --no-image pass to forward */
	a->burst = 32;
	a->events = true;
	a->ip_frag_entries = SW_IPFRAG_ENTRIES_DEFAULT; /* reasm: issue 14 D1 */
	a->ip_frag_timeout_ms = SW_IPFRAG_TIMEOUT_DEFAULT_MS;
	a->instance = "default";
	a->nic_interval_ms = 1000;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			sep = i;
			break;
		}
		if (strcmp(argv[i], "--vdev") == 0 && i + 1 < argc &&
		    a->nvdev < SW_APP_MAX_VDEVS)
			a->vdev[a->nvdev++] = argv[i + 1];
		else if (strncmp(argv[i], "--vdev=", 7) == 0 && a->nvdev < SW_APP_MAX_VDEVS)
			a->vdev[a->nvdev++] = argv[i] + 7;
	}
	if (sep < 0) {
		if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			fputs(usage_text, stdout);
			exit(SW_EXIT_OK);
		}
		if (argc == 2 && strcmp(argv[1], "--version") == 0) {
			print_version();
			exit(SW_EXIT_OK);
		}
		die_usage("application options go after '--' (EAL options before it); see --help");
	}
	/* getopt sees argv[sep] as its program name. */
	parse_app_args(a, argc - sep, argv + sep);
	check_hugepages(sep, argv);
	return sep;
}

/* ------------------------------------------------------------------------------------------ */
/* Set-up                                                                                     */

static void
eal_setup(struct app *a, int eal_argc, char **argv)
{
	int rc = rte_eal_init(eal_argc, argv);

	if (rc < 0) {
		int e = rte_errno;

		/* EINVAL: an option the EAL does not take; ENODEV, ENOTSUP: a device it could not
		 * probe (unknown driver, bad device arguments, a capture that is not there). */
		sw_app_die(e == EINVAL || e == ENOTSUP || e == ENODEV ? SW_EXIT_USAGE : SW_EXIT_RUNTIME,
			   "EAL initialisation failed (%s); check the EAL options before '--' "
			   "(-l, --vdev, --no-huge -m 256, --file-prefix)", rte_strerror(e));
	}
	sw_log_init();
	if (rte_lcore_count() < 2)
		die_usage("%u lcore given; one main and at least one worker lcore are needed: "
			  "pass -l 0-1 (or more)", rte_lcore_count());
	a->nworkers = rte_lcore_count() - 1;
	a->start_real_ns = sw_shm_real_ns();
}

static void
resolve_ports(struct app *a)
{
	unsigned i;

	for (i = 0; i < a->nports; i++) {
		char *end;
		unsigned long id = strtoul(a->port_name[i], &end, 10);
		uint16_t pid;

		if (*end == '\0' && end != a->port_name[i]) {
			if (id >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port((uint16_t)id))
				die_usage("port %s does not exist (%u ports found); add a --vdev or "
					  "bind a NIC, or fix --ports",
					  a->port_name[i], rte_eth_dev_count_avail());
			pid = (uint16_t)id;
		} else if (rte_eth_dev_get_port_by_name(a->port_name[i], &pid) != 0) {
			die_usage("port '%s' does not exist (%u ports found); add --vdev %s,... or "
				  "fix --ports",
				  a->port_name[i], rte_eth_dev_count_avail(), a->port_name[i]);
		}
		a->port[i] = pid;
	}
	if (a->nports == 2 && a->port[0] == a->port[1])
		die_usage("--ports names the same port twice; inline needs two different ports");
}

/* Descriptors per queue: ours, adjusted to what every port accepts. */
static void
ring_sizes(struct app *a)
{
	unsigned i;

	a->nrxd = NB_RXD;
	a->ntxd = NB_TXD;
	for (i = 0; i < a->nports; i++)
		rte_eth_dev_adjust_nb_rx_tx_desc(a->port[i], &a->nrxd, &a->ntxd);
}

static void
pool_setup(struct app *a)
{
	unsigned vdev_frames = 0, need = sw_mbuf_need(a, &vdev_frames);

	/* reasm: the mbufs the IP fragment tables may hold (issue 14 D1) */
	need += a->nworkers * a->ip_frag_entries * SW_IPFRAG_MAX_FRAG;
	need += a->nworkers * SW_SCTP_HOLD_MAX; /* reasm: SCTP packets held inline (issue 14 D2) */
	a->pool_size = a->mbufs != 0 ? a->mbufs : need;
	if (a->mbufs != 0 && a->mbufs < need)
		SW_LOG_WARNING("--mbufs %u is below the %u the queues and devices need; expect "
			       "queue set-up failures or rx_nombuf", a->mbufs, need);
	a->pool = rte_pktmbuf_pool_create("sw_mbufs", a->pool_size, MBUF_CACHE, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (a->pool == NULL)
		die_runtime("cannot create a pool of %u mbufs (%s); give the EAL more memory (-m) "
			    "or fewer mbufs (--mbufs)", a->pool_size, rte_strerror(rte_errno));
	SW_LOG_INFO("mbuf pool: %u mbufs (%u RX + %u TX descriptors per queue, %u preloaded by "
		    "virtual devices)", a->pool_size, a->nrxd, a->ntxd, vdev_frames);
}

static void
setup_port(struct app *a, uint16_t port)
{
	/* Symmetric Toeplitz key (0x6d5a repeated): hash(src,dst) == hash(dst,src), so both
	 * directions of an association, hashed on the IP addresses only, land on one queue. */
	static uint8_t key[64];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nq = (uint16_t)a->nworkers, q;
	int rc;
	unsigned i;

	for (i = 0; i < sizeof(key); i += 2) {
		key[i] = 0x6d;
		key[i + 1] = 0x5a;
	}
	rc = rte_eth_dev_info_get(port, &info);
	if (rc != 0)
		die_runtime("port %u: cannot read device info: %s", port, rte_strerror(-rc));
	if (info.max_rx_queues < nq || info.max_tx_queues < nq)
		die_usage("port %u (%s) has %u RX / %u TX queues, %u workers need one each; "
			  "use fewer worker lcores (-l)",
			  port, info.driver_name, info.max_rx_queues, info.max_tx_queues, nq);
	memset(&conf, 0, sizeof(conf));
	if (nq > 1 && (info.flow_type_rss_offloads & RTE_ETH_RSS_IP) != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = key;
		conf.rx_adv_conf.rss_conf.rss_key_len =
			info.hash_key_size != 0 && info.hash_key_size <= sizeof(key)
				? info.hash_key_size
				: 40;
		/* NICs classify SCTP packets as their own flow type: without the SCTP types
		 * they would all hash to queue 0. The key's 16-bit period makes the hash
		 * symmetric for the address pair and the port pair swapped together, so with
		 * or without ports both directions of an association meet on one worker. */
		conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_SCTP) &
						   info.flow_type_rss_offloads;
	}
	rc = rte_eth_dev_configure(port, nq, nq, &conf);
	if (rc != 0)
		die_runtime("port %u: configure %u queues failed: %s", port, nq, rte_strerror(-rc));
	for (q = 0; q < nq; q++) {
		rc = rte_eth_rx_queue_setup(port, q, a->nrxd, (unsigned)rte_eth_dev_socket_id(port),
					    NULL, a->pool);
		if (rc != 0)
			die_runtime("port %u: RX queue %u setup failed: %s (mbuf pool of %u)", port,
				    q, rte_strerror(-rc), a->pool_size);
		rc = rte_eth_tx_queue_setup(port, q, a->ntxd, (unsigned)rte_eth_dev_socket_id(port),
					    NULL);
		if (rc != 0)
			die_runtime("port %u: TX queue %u setup failed: %s", port, q,
				    rte_strerror(-rc));
	}
	rc = rte_eth_dev_start(port);
	if (rc != 0)
		die_runtime("port %u: start failed: %s", port, rte_strerror(-rc));
	/* Bump in the wire: every frame, whatever its MAC. Virtual devices may refuse: fine. */
	(void)rte_eth_promiscuous_enable(port);
}

static void
stats_setup(struct app *a)
{
	bool reused;
	unsigned i;
	int rc;

	rc = sw_shm_stats_create(a->instance, 0, 0, &a->stats, &reused);
	if (rc < 0) {
		SW_LOG_WARNING("cannot open /sigwall.%s.stats (%s); counters and events stay "
			       "private to this process", a->instance, strerror(-rc));
	} else if (a->nworkers > a->stats.geo.max_workers) {
		die_usage("%u workers but /sigwall.%s.stats has room for %u; use fewer lcores",
			  a->nworkers, a->instance, a->stats.geo.max_workers);
	} else {
		a->have_stats = true;
		/* A restarted dataplane zeroes its blocks (shm.h). */
		for (i = 0; i < a->nworkers; i++) {
			struct sw_shm_worker *sw = sw_shm_worker(&a->stats, i);

			memset(&sw->c, 0, sizeof(sw->c));
			atomic_store_explicit(&sw->epoch, 0, memory_order_relaxed);
			atomic_store_explicit(&sw->alive, 0, memory_order_relaxed);
		}
		atomic_store_explicit(&a->stats.hdr->nworkers, a->nworkers, memory_order_relaxed);
		atomic_store_explicit(&a->stats.hdr->mode, a->mode == SW_MODE_INLINE ? 1 : 2,
				      memory_order_relaxed);
		atomic_store_explicit(&a->stats.hdr->dataplane_start_ns, a->start_real_ns,
				      memory_order_relaxed);
		atomic_store_explicit(&a->stats.hdr->dataplane_pid, (int32_t)getpid(),
				      memory_order_release);
		return;
	}
	a->local_blocks = rte_zmalloc("sw_blocks", sizeof(struct sw_shm_worker) * a->nworkers,
				      RTE_CACHE_LINE_SIZE);
	if (a->local_blocks == NULL)
		die_runtime("out of memory for counters; give the EAL more memory (-m)");
}

static struct sw_shm_worker *
worker_block(struct app *a, unsigned i, struct sw_shm_ring **ring)
{
	if (a->have_stats) {
		*ring = sw_shm_ring(&a->stats, i);
		return sw_shm_worker(&a->stats, i);
	}
	*ring = NULL;
	return &a->local_blocks[i];
}

static void
workers_setup(struct app *a)
{
	struct sw_worker_conf wc;
	unsigned lcore, wi = 0, i;
	int rc;

	a->workers = rte_zmalloc("sw_workers", sizeof(struct sw_worker) * a->nworkers,
				 RTE_CACHE_LINE_SIZE);
	if (a->workers == NULL)
		die_runtime("out of memory for worker state; give the EAL more memory (-m)");
	a->rl = sw_rl_table_new(a->rl_entries != 0 ? a->rl_entries : SW_RL_DEFAULT_ENTRIES,
				sw_shm_mono_ns(), 0);
	a->rl_shadow = sw_rl_table_new(a->rl_entries != 0 ? a->rl_entries : SW_RL_DEFAULT_ENTRIES,
				       sw_shm_mono_ns(), 0);
	if (a->rl == NULL || a->rl_shadow == NULL)
		die_runtime("out of memory for the rate-limit table");
	memset(&wc, 0, sizeof(wc));
	wc.mode = a->mode;
	wc.non_sctp_pass = a->non_sctp_pass;
	wc.def_action = a->def_action;
	wc.no_repair = a->no_repair;
	wc.no_decide = a->walk_all;
	wc.events = a->events;
	wc.main_validates = true;
	wc.ip_frag_entries = a->ip_frag_entries; /* reasm: issue 14 D1 */
	wc.ip_frag_timeout_ms = a->ip_frag_timeout_ms;
	wc.sctp_reasm = (uint8_t)a->sctp_reasm; /* reasm: issue 14 D2 */
	/* enforce: per-association stats for sigwallctl assoc (issue 12 Deliver 5) */
	if (a->mode == SW_MODE_INLINE && !a->no_repair &&
	    (rc = sw_shm_assoc_create(a->instance, a->nworkers, &a->assoc)) < 0)
		SW_LOG_WARNING("cannot create /sigwall.%s.assoc (%s): no per-association stats",
			       a->instance, strerror(-rc));
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct sw_worker *w = &a->workers[wi];
		struct sw_shm_ring *ring;
		struct sw_shm_worker *blk = worker_block(a, wi, &ring);

		w->burst = (uint16_t)a->burst;
		rc = sw_worker_init(w, wi, &wc, blk, ring);
		if (rc < 0)
			die_runtime("worker %u: init failed: %s", wi, strerror(-rc));
		w->queue = (uint16_t)wi;
		w->nports = (uint16_t)a->nports;
		for (i = 0; i < a->nports; i++)
			w->port[i] = a->port[i];
		w->quit = &quit;
		w->watch = &a->watch;
		if (w->enforce != NULL) { /* enforce: issue 12 Deliver 4 */
			sw_enforce_set_fail_open(w->enforce, a->repair_fail_open);
			for (i = 0; i < a->nrepair_links; i++) {
				sw_enforce_set_class_name(w->enforce, i + 1, a->repair_link[i]);
				sw_enforce_set_class_fail(w->enforce, i + 1,
							  a->repair_link_open[i] ? SW_ENF_FAIL_OPEN
										 : SW_ENF_FAIL_CLOSED);
			}
			sw_enforce_set_classifier(w->enforce, sw_enforce_dp_classify, w);
			w->assoc_blk = sw_shm_assoc_block(&a->assoc, wi); /* Deliver 5 */
		}
		w->pool = a->pool; /* generated SACKs are sent (issue 12: they were only counted) */
		/* Rate limits: every worker charges the same buckets, so N workers do not admit
		 * N times a rule's rate (dataplane/policy/ratelimit.h says why shared). */
		if (!a->rl_per_worker)
			sw_policy_ctx_set_ratelimit(w->pctx, a->rl, &w->c->rl);
		else /* its own table (made when it binds an image), counted in the region */
			sw_policy_ctx_set_ratelimit(w->pctx, NULL, &w->c->rl);
		/* Shadow policy (issue 18 D7): evaluated beside the active image, never acted on. */
		if (sw_shadow_init(w, a->rl_shadow) < 0)
			die_runtime("worker %u: out of memory for the shadow policy", wi);
		wi++;
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Images                                                                                     */

static void
image_poll(struct app *a)
{
	struct sw_shm_image *cur = atomic_load_explicit(&a->watch.cur, memory_order_relaxed);
	struct sw_shm_image *m;
	int rc;

	if (cur != NULL &&
	    atomic_load_explicit(&cur->hdr->retired, memory_order_acquire) == 0)
		return;
	if (a->nmaps == RTE_DIM(a->maps))
		return; /* control re-created the object 64 times: keep the last image */
	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return;
	rc = sw_shm_image_attach_ro(a->instance, m);
	/* Control sets `retired` before it unlinks the object: until the new one exists, the
	 * name may still give the old one. Try again at the next poll. */
	if (rc < 0 || atomic_load_explicit(&m->hdr->retired, memory_order_acquire) != 0) {
		if (rc == -EPROTO)
			SW_LOG_ERR("/sigwall.%s.image has another layout version; not attached "
				   "(restart sigwall-control of this build)", a->instance);
		if (rc == 0)
			sw_shm_image_detach(m);
		free(m);
		return;
	}
	/* The previous mapping is kept: a worker may still evaluate on an image in it. The
	 * validation records name image addresses, which differ between mappings. */
	printf("sigwall-dataplane: attached %s (generation %" PRIu64 ")\n", m->name,
	       (uint64_t)atomic_load_explicit(&m->hdr->generation, memory_order_acquire));
	fflush(stdout);
	a->maps[a->nmaps++] = m;
	atomic_store_explicit(&a->watch.cur, m, memory_order_release);
}

static void
image_validate(struct app *a)
{
	char err[192];
	uint64_t t0 = rte_get_tsc_cycles(), g;

	g = sw_image_watch_validate(&a->watch, err, sizeof(err));
	if (g == 0)
		return;
	if (atomic_load_explicit(&a->watch.ok_gen, memory_order_relaxed) == g)
		printf("sigwall-dataplane: image generation %" PRIu64 " validated in %.1f ms\n", g,
		       (double)(rte_get_tsc_cycles() - t0) * 1e3 / (double)rte_get_tsc_hz());
	fflush(stdout);
}

static void
log_refusals(struct app *a)
{
	unsigned i;

	for (i = 0; i < a->nworkers; i++) {
		struct sw_refusal *r = &a->workers[i].refusal;
		uint64_t g = atomic_load_explicit(&r->gen, memory_order_acquire);

		if (g == 0 || g == r->logged)
			continue;
		r->logged = g;
		SW_LOG_ERR("worker %u refused image generation %" PRIu64 ": %s; keeping "
			   "generation %" PRIu64, i, g, r->msg, a->workers[i].gen);
	}
}

static void
print_start(struct app *a)
{
	unsigned i;

	if (atomic_load_explicit(&a->watch.cur, memory_order_relaxed) == NULL)
		printf("sigwall-dataplane: no image published for instance '%s' yet; running "
		       "under the default action (%s) until one is\n",
		       a->instance, a->def_action == SW_ACT_DROP ? "drop" : "pass");
	printf("sigwall-dataplane: %s mode, %u worker(s), ports", a->mode == SW_MODE_INLINE ?
	       "inline" : "monitor", a->nworkers);
	for (i = 0; i < a->nports; i++) {
		char name[RTE_ETH_NAME_MAX_LEN] = "?";

		rte_eth_dev_get_name_by_port(a->port[i], name);
		printf(" %c=%u(%s)", 'A' + i, a->port[i], name);
	}
	printf(", instance '%s'\n", a->instance);
	fflush(stdout);
}

/* State tables (issue 15, dataplane/judge/jstate.c): the instance's object, opened once at
 * start with the sizes of the image published then (site.state; else the defaults), said once;
 * every worker gets its context, on the clock of the arrival times (CLOCK_REALTIME). */
static struct sw_state dp_state;
static bool have_dp_state;
static struct sw_state_rings dp_rings; /* issue 16: sigwall-cluster's, when it runs */

static void
state_setup(struct app *a)
{
	char line[256];
	int rc = sw_judge_state_open(a->instance,
				     atomic_load_explicit(&a->watch.ok_image, memory_order_acquire),
				     &dp_state, line, sizeof(line));

	printf("sigwall-dataplane: state %s\n", line);
	if (rc < 0)
		return;
	have_dp_state = true;
	for (unsigned i = 0; i < a->nworkers; i++) {
		struct sw_worker *w = &a->workers[i];
		sw_judge_state_attach(&w->judge, &dp_state, i,
				      (int64_t)(w->real0_ns - w->mono0_ns));
	}
	/* Issue 16: sigwall-cluster (control/cluster) created the instance's delta rings when a
	 * cluster is configured: worker i hands what it learns to ring i. No rings: nothing
	 * replicated, as on a single box. */
	if (sw_state_rings_attach(a->instance, &dp_rings) == 0) {
		for (unsigned i = 0; i < a->nworkers; i++)
			a->workers[i].judge.state_ctx.ring = sw_state_rings_get(&dp_rings, i);
		printf("sigwall-dataplane: state replicated (delta rings of sigwall-cluster pid %d)\n",
		       (int)atomic_load(&dp_rings.hdr->consumer_pid));
	}
}

static void
setup(struct app *a, int eal_argc, char **argv)
{
	unsigned i;

	eal_setup(a, eal_argc, argv);
	resolve_ports(a);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	ring_sizes(a);
	pool_setup(a);
	for (i = 0; i < a->nports; i++)
		setup_port(a, a->port[i]);
	stats_setup(a);
	sw_nic_setup(a);
	workers_setup(a);
	image_poll(a);
	image_validate(a);
	state_setup(a);
	sw_telemetry_register(a);
	print_start(a);
}

/* ------------------------------------------------------------------------------------------ */
/* Main loop and shutdown                                                                     */

static uint64_t
total_rx(struct app *a)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < a->nworkers; i++)
		n += atomic_load_explicit(&a->workers[i].c->rx_pkts, memory_order_relaxed);
	return n;
}

/* The main lcore while the workers poll: stop conditions, refusals, image attach and
 * validation, NIC counters. Returns the seconds it ran. */
static double
run(struct app *a)
{
	uint64_t t0, last_rx = 0, last_change, last_image_poll = 0, last_nic;
	bool stats_retired_logged = false;
	unsigned lcore, wi = 0;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		if (proxy_mode) {
			proxy_args.port = a->port[0];
			proxy_args.nports = a->nports; /* links on either port (issue 21 D1) */
			for (unsigned p = 0; p < a->nports && p < SW_PROXY_PORTS; p++)
				proxy_args.ports[p] = a->port[p];
			proxy_args.pool = a->pool;
			proxy_args.watch = &a->watch;
			proxy_args.quit = &quit;
			proxy_args.status_every_ms = 1000;
			proxy_args.default_drop = a->def_action == SW_ACT_DROP;
			/* issue 21 D5: worker 0's block (epoch, counters, events), status object */
			proxy_args.sw = a->workers[0].sw;
			proxy_args.ring = a->workers[0].ring;
			proxy_args.instance = a->instance;
			rte_eal_remote_launch(sw_proxy_dpdk_main, &proxy_args, lcore);
			break;
		}
		rte_eal_remote_launch(sw_worker_main, &a->workers[wi], lcore);
		wi++;
	}
	t0 = mono_ms();
	last_change = last_nic = t0;
	while (!quit) {
		uint64_t now, rx;

		usleep(POLL_MS * 1000);
		now = mono_ms();
		rx = total_rx(a);
		if (rx != last_rx) {
			last_rx = rx;
			last_change = now;
		}
		if (a->exit_on_idle_ms != 0 && now - last_change >= a->exit_on_idle_ms)
			quit = true;
		if (a->max_packets != 0 && rx >= a->max_packets)
			quit = true;
		log_refusals(a);
		/* A new generation is validated here, once, at most POLL_MS after it was
		 * published; the workers bind it at their next burst boundary. */
		image_validate(a);
		if (now - last_nic >= a->nic_interval_ms) {
			last_nic = now;
			sw_nic_update(a);
		}
		if (now - last_image_poll < IMAGE_POLL_MS)
			continue;
		last_image_poll = now;
		image_poll(a);
		if (a->have_stats && !stats_retired_logged &&
		    atomic_load_explicit(&a->stats.hdr->retired, memory_order_acquire) != 0) {
			/* Only a stats object of another layout is re-created by control. */
			stats_retired_logged = true;
			SW_LOG_WARNING("/sigwall.%s.stats was re-created by another process; "
				       "counters and events of this run stay in the old object: "
				       "restart the dataplane to publish them again", a->instance);
		}
	}
	rte_eal_mp_wait_lcore();
	log_refusals(a);
	sw_nic_update(a);
	return (double)(mono_ms() - t0) / 1000.0;
}

static void
teardown(struct app *a)
{
	unsigned i;

	sw_telemetry_unregister();
	for (i = 0; i < a->nports; i++) {
		rte_eth_dev_stop(a->port[i]);
		rte_eth_dev_close(a->port[i]);
	}
	for (i = 0; i < a->nworkers; i++) {
		struct sw_worker *w = &a->workers[i];

		if (w->enforce != NULL && w->assoc_blk != NULL) { /* enforce: final figures */
			w->assoc_next_ns = 0;
			sw_enforce_dp_publish(w);
		}
		sw_shadow_fini(w);
		sw_worker_fini(w);
	}
	sw_rl_table_free(a->rl); /* after the workers' policy contexts that charged it */
	sw_rl_table_free(a->rl_shadow);
	a->rl = a->rl_shadow = NULL;
	if (have_dp_state)
		sw_state_close(&dp_state);
	sw_state_rings_close(&dp_rings);
	/* The workers are stopped: no image is in use any more. */
	for (i = 0; i < a->nmaps; i++) {
		sw_shm_image_detach(a->maps[i]);
		free(a->maps[i]);
	}
	sw_nic_fini(a);
	if (a->have_stats) {
		atomic_store_explicit(&a->stats.hdr->dataplane_pid, 0, memory_order_release);
		sw_shm_stats_detach(&a->stats);
	}
	if (a->assoc.hdr != NULL) /* enforce: the final figures stay readable (sw_shm_unlink) */
		sw_shm_assoc_detach(&a->assoc);
	rte_eal_cleanup();
}

int
main(int argc, char **argv)
{
	static struct app a;
	int eal_argc = options(&a, argc, argv);

	setup(&a, eal_argc, argv);
	sw_app_print_final(&a, run(&a));
	teardown(&a);
	return SW_EXIT_OK;
}
