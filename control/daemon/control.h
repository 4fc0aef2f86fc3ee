/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-control: state shared by the files of the daemon. One process per instance; the main
 * thread runs a poll loop (sockets, signals, event drain, rates), one reload thread at a time
 * compiles and publishes off to the side.
 */
#ifndef SW_CONTROL_DAEMON_CONTROL_H
#define SW_CONTROL_DAEMON_CONTROL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dataplane/shm/shm.h"

/* A growing string buffer. */
struct sw_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

#define SW_NAMES_KEEP 8 /* generations whose rule names are kept for events */

/* Rule names of one generation (copied out of its image). */
struct sw_names {
	uint64_t generation;
	uint32_t nrules;
	char **name;
};

/* One reload, as run by the reload thread. */
struct sw_reload {
	char rules[4096], site[4096];
	uint64_t generation;
	uint64_t t_start_ns;      /* CLOCK_MONOTONIC when the command arrived */
	/* results */
	int rc;
	char err[1024];
	double compile_ms, publish_ms, pickup_ms, total_ms;
	uint64_t size, checksum;
	unsigned nrules, workers_waited;
	bool picked_up;           /* every live worker's epoch reached the new generation */
	struct sw_names names;
};

/* Counters of one snapshot (per worker, and the rules summed over workers). */
struct sw_snap {
	uint64_t t_ns;
	uint64_t rx_pkts[SW_SHM_MAX_WORKERS], msus[SW_SHM_MAX_WORKERS];
	uint64_t dropped[SW_SHM_MAX_WORKERS];
	uint64_t rule[SW_SHM_MAX_RULES];
};

struct sw_ctl {
	const char *instance;
	char rules[4096], site[4096];       /* absolute paths of the running rule set */
	const char *metrics_addr;
	const char *events_path, *pcap_path;
	bool foreground;
	uint64_t slot_size;
	unsigned max_workers, reload_timeout_ms;

	char rundir[4096], sock_path[256], lock_path[4096];
	int lock_fd, listen_fd, metrics_fd, sig_fd, done_fd;

	struct sw_shm_image image;
	struct sw_shm_stats stats;

	/* startup: the first image, compiled before the shm exists to size its slots */
	void *pre_image;
	size_t pre_size;
	uint64_t pre_ns;

	/* reload state (main thread; the thread owns *job while running) */
	pthread_t thread;
	bool running;
	struct sw_reload *job;
	bool pending;                       /* another reload requested while one runs */
	char pending_rules[4096], pending_site[4096];
	uint64_t reloads_ok, reloads_failed;
	struct sw_reload last_ok;           /* results of the last successful reload */
	char last_error[1024];
	uint64_t last_error_ns;             /* CLOCK_REALTIME */
	double last_total_ms;

	struct sw_names names[SW_NAMES_KEEP];
	unsigned names_next;

	/* events */
	int events_fd, pcap_fd;             /* -1: none */
	struct sw_buf *evbuf, *pcapbuf;     /* whole lines/records, written once per drain */
	uint64_t events_total, events_dropped_pcap;
	uint64_t lost_seen[SW_SHM_MAX_WORKERS];
	char *recent[256];                  /* last JSON lines, ring */
	unsigned recent_next;

	/* rates: the last two 1-second snapshots */
	struct sw_snap *snap_prev, *snap_cur;
	uint64_t start_ns;
};

/* reload.c */
int sw_reload_start(struct sw_ctl *c, const char *rules, const char *site);
void sw_reload_finish(struct sw_ctl *c);
int sw_reload_sync(struct sw_ctl *c, char *err, size_t errlen);
void sw_names_add(struct sw_ctl *c, struct sw_names *n);
const char *sw_names_find(const struct sw_ctl *c, uint64_t generation, int32_t rule);
void sw_names_free(struct sw_names *n);
int sw_names_from_image(const void *image, uint64_t generation, struct sw_names *n);

/* report.c: each returns a malloc'd NUL-terminated text (NULL on ENOMEM). */
char *sw_report_status(struct sw_ctl *c, bool json);
char *sw_report_stats(struct sw_ctl *c, bool json);
char *sw_report_metrics(struct sw_ctl *c);
void sw_snap_take(struct sw_ctl *c);
unsigned sw_report_nworkers(const struct sw_ctl *c);

/* events.c */
int sw_events_open(struct sw_ctl *c);
/* Drain every ring; each JSON line is also passed to sink (followers). */
unsigned sw_events_drain(struct sw_ctl *c, void (*sink)(struct sw_ctl *, const char *));
void sw_events_close(struct sw_ctl *c);
char *sw_events_recent(struct sw_ctl *c);

void sw_buf_add(struct sw_buf *b, const void *p, size_t n);
void sw_buf_printf(struct sw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sw_buf_json_str(struct sw_buf *b, const char *s);
void sw_fmt_time(char *out, size_t len, uint64_t real_ns);

#endif /* SW_CONTROL_DAEMON_CONTROL_H */
