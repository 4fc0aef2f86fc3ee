/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-cluster: the replicator of one appliance instance (issue 16; control/cluster/README.md).
 *
 *   sigwall-cluster [--instance NAME] [--site FILE] [--redis HOST:PORT] [--group NAME]
 *                   [--member NAME] [--events FILE] [--status FILE] [--rings N] [--check]
 *                   [--master NAME]   (--redis sentinel:HOST:PORT[,sentinel:HOST:PORT...])
 *
 * Configuration from site.cluster of --site, each option overriding it. Nothing configured:
 * says so and exits 0 (a single box). Exit status as every program of the appliance:
 * 0 ok, 1 runtime failure, 2 usage or invalid input (control/README.md).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control/cluster/cluster.h"
#include "dataplane/shm/shm.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: sigwall-cluster [--instance NAME] [--site FILE] [--redis HOST:PORT] "
		   "[--group NAME] [--member NAME]\n"
		   "                       [--events FILE] [--status FILE] [--rings N] [--check]\n"
		   "                       [--redis sentinel:HOST:PORT[,...] --master NAME]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"site", required_argument, NULL, 's'},
		{"redis", required_argument, NULL, 'r'},
		{"group", required_argument, NULL, 'g'},
		{"member", required_argument, NULL, 'm'},
		{"events", required_argument, NULL, 'e'},
		{"status", required_argument, NULL, 'S'},
		{"rings", required_argument, NULL, 'R'},
		{"check", no_argument, NULL, 'c'},
		{"master", required_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *instance = "default", *site = NULL, *redis = NULL, *group = NULL;
	const char *member = NULL, *events = NULL, *status = NULL, *master = NULL;
	struct sw_cluster_conf conf;
	struct sw_cluster *c;
	struct sigaction sa;
	unsigned rings = 0;
	bool check = false, ready_said = false;
	char err[1024];
	int o, rc;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'i':
			instance = optarg;
			break;
		case 's':
			site = optarg;
			break;
		case 'r':
			redis = optarg;
			break;
		case 'g':
			group = optarg;
			break;
		case 'm':
			member = optarg;
			break;
		case 'e':
			events = optarg;
			break;
		case 'S':
			status = optarg;
			break;
		case 'R':
			rings = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'c':
			check = true;
			break;
		case 'M':
			master = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || sw_shm_instance_valid(instance) < 0 || rings > SW_STATE_MAX_WORKERS) {
		usage(stderr);
		return 2;
	}
	memset(&conf, 0, sizeof(conf));
	if (site != NULL) {
		rc = sw_cluster_conf_site(site, instance, &conf, err, sizeof(err));
		if (rc < 0) {
			fprintf(stderr, "%s\n", err);
			return 2;
		}
	}
	if (redis != NULL) {
		/* HOST:PORT, or a comma-separated list of sentinel:HOST:PORT (D2). */
		char list[1024], *save = NULL;

		snprintf(list, sizeof(list), "%s", redis);
		conf.host[0] = '\0';
		conf.nsentinels = 0;
		for (char *t = strtok_r(list, ",", &save); t != NULL;
		     t = strtok_r(NULL, ",", &save))
			if (sw_cluster_parse_redis(t, &conf) < 0 ||
			    (conf.host[0] != '\0' && conf.nsentinels > 0)) {
				fprintf(stderr,
					"sigwall-cluster: --redis %s: expected HOST:PORT or "
					"sentinel:HOST:PORT[,...]\n",
					redis);
				return 2;
			}
	}
	if (master != NULL)
		snprintf(conf.master, sizeof(conf.master), "%s", master);
	if (conf.nsentinels > 0 && conf.master[0] == '\0') {
		fprintf(stderr, "sigwall-cluster: Sentinels need the master's name (--master or "
				"site.cluster.master)\n");
		return 2;
	}
	if (group != NULL)
		snprintf(conf.group, sizeof(conf.group), "%s", group);
	if (member != NULL)
		snprintf(conf.member, sizeof(conf.member), "%s", member);
	if (conf.group[0] == '\0' && conf.host[0] == '\0' && conf.nsentinels == 0) {
		printf("sigwall-cluster: no cluster configured for instance '%s' (no site.cluster, "
		       "no --redis): a single box, nothing to replicate\n",
		       instance);
		return 0;
	}
	if (conf.group[0] == '\0' || (conf.host[0] == '\0' && conf.nsentinels == 0)) {
		fprintf(stderr, "sigwall-cluster: a cluster needs a group name and a Redis "
				"(site.cluster.name and .redis, or --group and --redis)\n");
		return 2;
	}
	if (conf.member[0] == '\0')
		snprintf(conf.member, sizeof(conf.member), "member.%s", instance);
	sw_cluster_conf_defaults(&conf);
	if (check) {
		if (conf.nsentinels > 0)
			printf("cluster group %s, member %s, master %s of %u Sentinel(s), first "
			       "%s:%d\n",
			       conf.group, conf.member, conf.master, conf.nsentinels,
			       conf.sentinel[0].host, conf.sentinel[0].port);
		else
			printf("cluster group %s, member %s, redis %s:%d\n", conf.group,
			       conf.member, conf.host, conf.port);
		return 0;
	}
	if (events != NULL)
		snprintf(conf.events, sizeof(conf.events), "%s", events);
	if (status != NULL)
		snprintf(conf.status, sizeof(conf.status), "%s", status);
	else
		sw_cluster_status_path(conf.status, sizeof(conf.status), instance);
	c = sw_cluster_new(&conf, instance, NULL, NULL, rings);
	if (c == NULL) {
		fprintf(stderr, "sigwall-cluster: instance '%s': %s\n", instance, strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = sw_cluster_start(c);
	if (rc < 0) {
		fprintf(stderr, "sigwall-cluster: threads: %s\n", strerror(-rc));
		sw_cluster_free(c);
		return 1;
	}
	if (conf.nsentinels > 0)
		fprintf(stderr,
			"sigwall-cluster: instance %s, group %s, member %s, master %s of the "
			"Sentinels\n",
			instance, conf.group, conf.member, conf.master);
	else
		fprintf(stderr, "sigwall-cluster: instance %s, group %s, member %s, redis %s:%d\n",
			instance, conf.group, conf.member, conf.host, conf.port);
	while (!stop) {
		if (!ready_said && sw_cluster_wait_ready(c, 100)) {
			struct sw_cluster_stats s;

			sw_cluster_stats(c, &s);
			fprintf(stderr, "sigwall-cluster: ready (warm copy: %llu entries read)\n",
				(unsigned long long)s.warm_loaded);
			ready_said = true;
		}
		usleep(100000);
	}
	sw_cluster_free(c);
	return 0;
}
