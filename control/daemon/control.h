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
#include "dataplane/state/state.h"

/* A growing string buffer. */
struct sw_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

#define SW_NAMES_KEEP 8 /* generations whose rule names are kept for events */

/* Rule names and actions of one generation (copied out of its image), for events and metrics. */
struct sw_names {
	uint64_t generation;
	uint32_t nrules;
	char **name;
	uint8_t *action;          /* per rule: enum sw_action or SW_IMG_ACTION_RATE_LIMIT */
	uint8_t *monitor;         /* per rule: 1 if the rule only alerts */
	uint32_t *id;             /* per rule: its `id` (issue 18 D4), 0 when it has none */
	uint8_t *severity;        /* per rule: enum sw_severity */
	uint8_t default_action, malformed_action, policy_monitor;
	uint64_t checksum;
	char policy[64];          /* the rule file's policy.name */
};

/* One output file of the event pipeline (JSON lines or the pcap of drops). */
struct sw_evfile {
	const char *path;
	int fd;                   /* -1: none */
	uint64_t records;         /* whole records written */
	uint64_t bytes;
	uint64_t short_writes;    /* writes cut short (disk full, I/O error), file truncated back */
	uint64_t records_lost;    /* records not written because of them */
	uint64_t reopens;
	uint64_t open_errors;
	unsigned long long dev, ino; /* of the open file: a removed or renamed path is noticed */
};

/* Malformed events of one reason, aggregated over one second. */
struct sw_malagg {
	uint64_t events;          /* records drained from the rings this second */
	uint64_t ctr_prev;        /* sum of the workers' mal[] counter at the last tick */
	bool have_sample;
	struct sw_shm_event sample; /* the first record of the second */
};

/* What a job of the reload thread does (issue 18 D7 adds the shadow policy's two). */
enum sw_job_kind {
	SW_JOB_RELOAD,  /* compile and publish as the active image */
	SW_JOB_SHADOW,  /* compile and publish as the shadow, beside the active one */
	SW_JOB_PROMOTE, /* make the shadow active (no compile) */
};

/* One reload, as run by the reload thread. */
struct sw_reload {
	enum sw_job_kind kind;
	uint32_t sample;          /* SW_JOB_SHADOW: evaluate 1 MSU in sample (0, 1: all) */
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
	bool invalid;             /* the rule or site files were refused (usage error, exit 2) */
	struct sw_names names;
	char **partner;           /* SW_JOB_SHADOW: the site's partner names, site order */
	uint32_t npartners;
};

/* The workers' shadow counters summed (shm.h, struct sw_shm_counters). */
struct sw_shadow_counts {
	uint64_t msus, changed, to_drop, to_pass, deflt, malformed, refused;
	uint64_t partner_other, partner_none;
	uint64_t rule[SW_SHM_MAX_RULES];
	uint64_t partner[SW_SHM_SHADOW_PARTNERS];
};

#define SW_SHADOW_EXAMPLES 16 /* example events kept for `sigwallctl shadow diff` */

/* The shadow policy this control published (issue 18 D7, shadow.c). The workers' counters
 * count since their dataplane started: a diff is the difference to `base`, their sum when the
 * shadow was published (zero again when another dataplane process runs: base_pid). */
struct sw_shadow_ctl {
	uint64_t generation;      /* 0: none */
	char rules[4096], site[4096];
	uint32_t sample;
	uint64_t published_real_ns;
	uint64_t size, checksum;
	struct sw_names names;    /* the candidate's rules */
	char **partner;           /* its site's partners, site order (sw_policy_partner_of) */
	uint32_t npartners;
	int32_t base_pid;
	struct sw_shadow_counts *base;
	char *example[SW_SHADOW_EXAMPLES];
	unsigned example_next;
	uint64_t published, promoted, dropped, failed;
};

/* Counters of one snapshot (per worker, and the rules summed over workers). */
struct sw_snap {
	uint64_t t_ns;
	uint64_t rx_pkts[SW_SHM_MAX_WORKERS], msus[SW_SHM_MAX_WORKERS];
	uint64_t dropped[SW_SHM_MAX_WORKERS];
	uint64_t rule[SW_SHM_MAX_RULES];
};

/* One entry of the reload history (status, metrics). */
struct sw_reload_rec {
	uint64_t real_ns;         /* CLOCK_REALTIME when it finished */
	uint64_t generation;
	bool ok, picked_up;
	double total_ms;
	char err[160];
};
#define SW_RELOAD_HIST 16

/* A CIDR of --metrics-allow. */
struct sw_cidr {
	int af;                   /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned bits;
};
#define SW_METRICS_ALLOW_MAX 32

struct sw_ctl {
	const char *instance;
	/* The instance's state tables (dataplane/state), mapped when the dataplane made them, for
	 * the table metrics (report.c); live entries counted by a scan at most every second (10 s
	 * for tables over 1M entries). */
	struct sw_state state;
	uint64_t state_retry_ns, state_count_ns;
	uint64_t state_entries[SW_STATE_NTABLES];
	char rules[4096], site[4096];       /* absolute paths of the running rule set */
	const char *metrics_addr;
	const char *events_path, *pcap_path;
	bool foreground;
	uint64_t slot_size;
	unsigned max_workers, reload_timeout_ms;
	unsigned nslots;                    /* image slots (--slots, default 3) */

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
	struct sw_reload_rec hist[SW_RELOAD_HIST];
	unsigned hist_next;
	uint64_t reloads_not_picked_up;

	/* clients (main.c): refusals per reason, for metrics */
	struct sw_cidr metrics_allow[SW_METRICS_ALLOW_MAX];
	unsigned nmetrics_allow;
	uint64_t refused_ctl_full, refused_ctl_peer, refused_http_full, refused_http_peer,
		refused_http_acl, signals_hup;

	struct sw_names names[SW_NAMES_KEEP];
	unsigned names_next;

	struct sw_shadow_ctl shadow; /* issue 18 D7 */

	/* events (events.c, evjson.c) */
	char host[256];
	struct sw_evfile evf, pcapf;
	struct sw_buf *evbuf, *pcapbuf;     /* whole lines/records, written once per drain */
	unsigned evbuf_records, pcapbuf_records;
	const char *syslog_addr;            /* --events-syslog: udp:HOST:PORT or a unix path */
	int syslog_fd;                      /* -1: none */
	int syslog_facility;
	uint64_t syslog_sent, syslog_errors;
	uint64_t events_total, events_dropped_pcap;
	uint64_t ev_by_type[5];             /* drop, alert, malformed, state, system */
	uint64_t ev_mal_sampled;            /* malformed records folded into per-second lines */
	uint64_t lost_seen[SW_SHM_MAX_WORKERS];
	uint64_t lost_total;                /* ring records lost, all workers, since control start */
	struct sw_malagg mal[SW_MAL_COUNT];
	bool mal_primed;
	uint64_t reopen_requests;           /* SIGHUP and log-reopen */
	char *recent[256];                  /* last JSON lines, ring */
	unsigned recent_next;

	/* rates: the last two 1-second snapshots */
	struct sw_snap *snap_prev, *snap_cur;
	uint64_t start_ns;
};

/* reload.c */
int sw_reload_start(struct sw_ctl *c, const char *rules, const char *site);
/* A shadow publication or a promotion in the reload thread (none may run: the caller checks). */
int sw_reload_start_kind(struct sw_ctl *c, enum sw_job_kind kind, const char *rules,
			 const char *site, uint32_t sample);
void sw_reload_finish(struct sw_ctl *c);
int sw_reload_sync(struct sw_ctl *c, char *err, size_t errlen);
void sw_names_add(struct sw_ctl *c, struct sw_names *n);
const char *sw_names_find(const struct sw_ctl *c, uint64_t generation, int32_t rule);
void sw_names_free(struct sw_names *n);
int sw_names_from_image(const void *image, uint64_t generation, struct sw_names *n);

/* shadow.c (issue 18 D7): the shadow policy's state in control. */
/* The partner names of a site file in site order (the image's partner indices); 0 or -errno. */
int sw_shadow_partners(const char *site, char ***names, uint32_t *n);
void sw_shadow_names_free(char **names, uint32_t n);
/* Main thread, a shadow job succeeded: take its names and partners, the counters' base. */
void sw_shadow_published(struct sw_ctl *c, struct sw_reload *j);
/* Forget the shadow (promoted or dropped). */
void sw_shadow_clear(struct sw_ctl *c);
/* An example event line (events.c). */
void sw_shadow_example(struct sw_ctl *c, const char *line);
/* The changes since the shadow was published (zero when there is none). */
void sw_shadow_delta(struct sw_ctl *c, struct sw_shadow_counts *d);
/* `sigwallctl shadow diff`: malloc'd text or JSON; NULL on ENOMEM. */
char *sw_shadow_report(struct sw_ctl *c, bool json);
/* Its part of `sigwallctl stats` (a line, or the JSON member ,"shadow":...) and the metrics. */
void sw_shadow_stats(struct sw_ctl *c, struct sw_buf *b, bool json);
void sw_shadow_metrics(struct sw_ctl *c, struct sw_buf *b);

/* report.c: each returns a malloc'd NUL-terminated text (NULL on ENOMEM). */
char *sw_report_status(struct sw_ctl *c, bool json);
char *sw_report_stats(struct sw_ctl *c, bool json);
char *sw_report_metrics(struct sw_ctl *c);
void sw_snap_take(struct sw_ctl *c);
/* A Prometheus label value, quoted and escaped. */
void sw_prom_label(struct sw_buf *b, const char *s);
unsigned sw_report_nworkers(const struct sw_ctl *c);

/* events.c */
typedef void sw_event_sink(struct sw_ctl *, const char *);
int sw_events_open(struct sw_ctl *c);
/* Drain every ring; each JSON line is also passed to sink (followers). */
unsigned sw_events_drain(struct sw_ctl *c, sw_event_sink *sink);
/* Once a second: malformed lines per reason, lost records, removed/renamed files. */
void sw_events_tick(struct sw_ctl *c, sw_event_sink *sink);
/* Close and open every output file again (SIGHUP, `sigwallctl log-reopen`); 0 or -errno of
 * the first file that could not be opened (the others are still reopened). */
int sw_events_reopen(struct sw_ctl *c, sw_event_sink *sink, const char *why);
/* A "state" or "system" line (what: short name; detail: JSON members without braces, or ""). */
void sw_events_note(struct sw_ctl *c, sw_event_sink *sink, const char *type, const char *what,
		    const char *detail);
void sw_events_close(struct sw_ctl *c);
char *sw_events_recent(struct sw_ctl *c);

/* evjson.c: one event's JSON line (the schema is in control/README.md). */
enum sw_ev_type { SW_ET_DROP, SW_ET_ALERT, SW_ET_MALFORMED, SW_ET_STATE, SW_ET_SYSTEM };
extern const char *const sw_ev_type_names[5];
void sw_evjson_head(struct sw_ctl *c, struct sw_buf *b, uint64_t real_ns, enum sw_ev_type t);
/* A drop/alert record: returns its event type. */
/* SW_EV_REPAIR_FALLBACK (enforce, issue 12 Deliver 4): a "state" record, event repair_fallback */
void sw_evjson_repair(struct sw_ctl *c, const struct sw_shm_event *e, struct sw_buf *b);
/* An example of an MSU the shadow policy would act on otherwise (issue 18 D7). */
void sw_evjson_shadow(struct sw_ctl *c, const struct sw_shm_event *e, struct sw_buf *b);
enum sw_ev_type sw_evjson_verdict(struct sw_ctl *c, const struct sw_shm_event *e,
				  struct sw_buf *b);
/* The per-second line of one malformed reason; sample may be NULL. */
void sw_evjson_malformed(struct sw_ctl *c, unsigned reason, uint64_t count, uint64_t sampled,
			 const struct sw_shm_event *sample, uint64_t real_ns, struct sw_buf *b);
/* Rule metadata of a generation (NULL if not kept). */
const struct sw_names *sw_names_get(const struct sw_ctl *c, uint64_t generation);

void sw_buf_add(struct sw_buf *b, const void *p, size_t n);
void sw_buf_printf(struct sw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sw_buf_json_str(struct sw_buf *b, const char *s);
void sw_fmt_time(char *out, size_t len, uint64_t real_ns);

#endif /* SW_CONTROL_DAEMON_CONTROL_H */
