/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reloads: compile off to the side in a thread, publish with one release store (shm.c), wait
 * for the live workers to pick the new generation up, report. A failure leaves the running
 * image untouched and carries "file:line: message" back to whoever asked.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "control/compiler/compiler.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"

void
sw_names_free(struct sw_names *n)
{
	if (n->name != NULL) {
		for (uint32_t i = 0; i < n->nrules; i++)
			free(n->name[i]);
		free(n->name);
	}
	free(n->action);
	free(n->monitor);
	free(n->id);
	free(n->severity);
	memset(n, 0, sizeof(*n));
}

/* The image was validated (sw_image_validate) before this reads its tables. */
int
sw_names_from_image(const void *image, uint64_t generation, struct sw_names *n)
{
	const struct sw_image_hdr *h = image;
	const struct sw_img_rule *r = (const void *)((const char *)image + h->rules_off);
	const char *pol = sw_img_str(image, h->name_off);

	memset(n, 0, sizeof(*n));
	n->generation = generation;
	n->checksum = sw_image_checksum(image);
	n->default_action = h->default_action;
	n->malformed_action = h->malformed_action;
	n->policy_monitor = h->monitor;
	snprintf(n->policy, sizeof(n->policy), "%s", pol != NULL ? pol : "");
	n->nrules = sw_image_nrules(image);
	if (n->nrules == 0)
		return 0;
	n->name = calloc(n->nrules, sizeof(*n->name));
	n->action = calloc(n->nrules, 1);
	n->monitor = calloc(n->nrules, 1);
	n->id = calloc(n->nrules, sizeof(*n->id));
	n->severity = calloc(n->nrules, 1);
	if (n->name == NULL || n->action == NULL || n->monitor == NULL || n->id == NULL ||
	    n->severity == NULL)
		goto fail;
	for (uint32_t i = 0; i < n->nrules; i++) {
		const char *s = sw_image_rule_name(image, (int32_t)i);

		n->name[i] = strdup(s != NULL ? s : "?");
		if (n->name[i] == NULL)
			goto fail;
		n->action[i] = r[i].action;
		n->monitor[i] = r[i].monitor != 0 || h->monitor != 0;
		n->id[i] = r[i].id;
		n->severity[i] = r[i].severity < SW_SEV_COUNT ? r[i].severity : SW_SEV_MEDIUM;
	}
	return 0;
fail:
	sw_names_free(n);
	return -ENOMEM;
}

/* Takes ownership of *n. */
void
sw_names_add(struct sw_ctl *c, struct sw_names *n)
{
	struct sw_names *slot = &c->names[c->names_next % SW_NAMES_KEEP];

	sw_names_free(slot);
	*slot = *n;
	memset(n, 0, sizeof(*n));
	c->names_next++;
}

/*
 * The names of `generation`: from the table of finished reloads, or from the running job, whose
 * names the reload thread wrote before publishing its image. A worker raises events under the new
 * generation as soon as it picks it up, before the job finishes (and the other workers pick it
 * up): those events were named "#N" with a null id. j->generation is set before the thread
 * starts, and an event of it exists only after the publish, so reading j->names is ordered after
 * the thread's writes (publish -> worker epoch -> event ring, each release/acquire).
 */
const struct sw_names *
sw_names_get(const struct sw_ctl *c, uint64_t generation)
{
	if (generation == 0)
		return NULL;
	for (unsigned i = 0; i < SW_NAMES_KEEP; i++)
		if (c->names[i].generation == generation)
			return &c->names[i];
	if (c->running && c->job != NULL && c->job->generation == generation &&
	    c->job->names.generation == generation)
		return &c->job->names;
	return NULL;
}

const char *
sw_names_find(const struct sw_ctl *c, uint64_t generation, int32_t rule)
{
	const struct sw_names *n;

	if (rule == SW_RULE_DEFAULT)
		return "default";
	if (rule == SW_RULE_MALFORMED)
		return "malformed";
	n = sw_names_get(c, generation);
	if (n != NULL && n->name != NULL && rule >= 0 && (uint32_t)rule < n->nrules)
		return n->name[rule];
	return NULL;
}

/*
 * Wait (bounded) until every live worker's `field` of its block (an _Atomic uint64_t: epoch, the
 * generation it runs, or shadow_seen, the shadow_seq it synchronised with) reached target.
 */
static bool
wait_workers(struct sw_ctl *c, size_t field, uint64_t target, unsigned timeout_ms,
	     unsigned *nlive)
{
	uint64_t deadline = sw_shm_mono_ns() + (uint64_t)timeout_ms * 1000000ull;

	for (;;) {
		bool all = true;

		*nlive = 0;
		for (unsigned w = 0; w < c->stats.geo.max_workers; w++) {
			const _Atomic uint64_t *v;

			if (!sw_shm_worker_live(&c->stats, w))
				continue;
			(*nlive)++;
			v = (const _Atomic uint64_t *)(const void *)((const char *)sw_shm_worker(
									     &c->stats, w) + field);
			if (atomic_load_explicit(v, memory_order_acquire) < target)
				all = false;
		}
		if (all)
			return true;
		if (sw_shm_mono_ns() >= deadline)
			return false;
		usleep(100);
	}
}

static bool
wait_pickup(struct sw_ctl *c, uint64_t gen, unsigned timeout_ms, unsigned *nlive)
{
	return wait_workers(c, offsetof(struct sw_shm_worker, epoch), gen, timeout_ms, nlive);
}

/* SW_JOB_PROMOTE: the shadow becomes the active image with the two stores of a publication
 * (sw_shm_shadow_promote); then the workers pick it up as after a reload. */
static void
run_promote(struct sw_ctl *c, struct sw_reload *j)
{
	uint64_t t1 = sw_shm_mono_ns(), t2;
	int rc = sw_shm_shadow_promote(&c->image, j->err, sizeof(j->err));

	t2 = sw_shm_mono_ns();
	j->publish_ms = (double)(t2 - t1) / 1e6;
	j->rc = rc;
	if (rc < 0)
		return;
	j->picked_up = wait_pickup(c, j->generation, c->reload_timeout_ms, &j->workers_waited);
	j->pickup_ms = (double)(sw_shm_mono_ns() - t2) / 1e6;
	j->total_ms = (double)(sw_shm_mono_ns() - j->t_start_ns) / 1e6;
}

static void
run_job(struct sw_ctl *c, struct sw_reload *j)
{
	struct sw_compiled comp;
	uint64_t t1, t2, t3;
	int rc;

	memset(&comp, 0, sizeof(comp));
	if (j->kind == SW_JOB_PROMOTE) {
		run_promote(c, j);
		return;
	}
	if (c->pre_image != NULL && j->kind == SW_JOB_RELOAD) {
		/* Startup: the image compiled to size the slots. Its generation lives in the header,
		 * outside the checksum (image.h), so renumbering it keeps it valid. */
		comp.image = c->pre_image;
		comp.size = c->pre_size;
		((struct sw_image_hdr *)comp.image)->generation = j->generation;
		c->pre_image = NULL;
		rc = 0;
		j->t_start_ns -= c->pre_ns;
	} else {
		rc = sw_compile_files(j->rules, j->site, j->generation, &comp, j->err,
				      sizeof(j->err));
	}
	t1 = sw_shm_mono_ns();
	j->compile_ms = (double)(t1 - j->t_start_ns) / 1e6;
	if (rc < 0 || comp.image == NULL) {
		j->rc = rc < 0 ? rc : -EINVAL;
		j->invalid = true;
		if (j->err[0] == '\0')
			snprintf(j->err, sizeof(j->err), "%.900s: compile failed: %s", j->rules,
				 strerror(-j->rc));
		return;
	}
	/* Refuse here what the dataplane would refuse, so the operator hears about it. */
	rc = sw_image_validate(comp.image, comp.size, j->err, sizeof(j->err));
	if (rc < 0) {
		j->rc = rc;
		goto out;
	}
	j->size = comp.size;
	j->checksum = sw_image_checksum(comp.image);
	/* From the image: the startup image's compile result is not kept (comp.nrules was 0
	 * there, and the first "generation 1 active" line said 0 rules). */
	j->nrules = sw_image_nrules(comp.image);
	rc = sw_names_from_image(comp.image, j->generation, &j->names);
	if (rc < 0) {
		j->rc = rc;
		snprintf(j->err, sizeof(j->err), "out of memory");
		goto out;
	}
	if (j->kind == SW_JOB_SHADOW) {
		/* Partner names for `shadow diff` (the image has their prefixes, not names). */
		rc = sw_shadow_partners(j->site, &j->partner, &j->npartners);
		if (rc == 0)
			rc = sw_shm_shadow_publish(&c->image, &c->stats, comp.image, comp.size,
						   j->generation, j->checksum, j->sample,
						   c->reload_timeout_ms, j->err, sizeof(j->err));
		else
			snprintf(j->err, sizeof(j->err), "%.900s: partner names: %s", j->site,
				 strerror(-rc));
	} else {
		rc = sw_shm_image_publish(&c->image, &c->stats, comp.image, comp.size,
					  j->generation, j->checksum, t1 - j->t_start_ns,
					  c->reload_timeout_ms, j->err, sizeof(j->err));
	}
	t2 = sw_shm_mono_ns();
	j->publish_ms = (double)(t2 - t1) / 1e6;
	if (rc < 0) {
		j->rc = rc;
		goto out;
	}
	if (j->kind == SW_JOB_SHADOW)
		j->picked_up = wait_workers(c, offsetof(struct sw_shm_worker, shadow_seen),
					    atomic_load(&c->image.hdr->shadow_seq),
					    c->reload_timeout_ms, &j->workers_waited);
	else
		j->picked_up = wait_pickup(c, j->generation, c->reload_timeout_ms,
					   &j->workers_waited);
	t3 = sw_shm_mono_ns();
	j->pickup_ms = (double)(t3 - t2) / 1e6;
	j->total_ms = (double)(t3 - j->t_start_ns) / 1e6;
	j->rc = 0;
out:
	sw_compiled_free(&comp);
}

static void *
reload_thread(void *arg)
{
	struct sw_ctl *c = arg;
	uint64_t one = 1;

	run_job(c, c->job);
	if (write(c->done_fd, &one, sizeof(one)) < 0) {
		/* eventfd cannot fail for a counter of 1; nothing to do if it did */
	}
	return NULL;
}

/*
 * Generations only grow, also across a re-created image object (bigger slots, stale object
 * replaced): a worker's epoch may still hold a generation of the old object, and a new image
 * numbered below it would look reclaimable while in use. So the next generation is above both
 * the object's and every worker's epoch.
 */
static uint64_t
next_generation(const struct sw_ctl *c)
{
	const struct sw_shm_image_hdr *h = c->image.hdr;
	uint64_t g = atomic_load(&h->generation);

	/* nor the number of a shadow (issue 18 D7) or of a slot's image: one generation, one
	 * slot (sw_shm_shadow_find) */
	if (atomic_load(&h->shadow_generation) > g)
		g = atomic_load(&h->shadow_generation);
	if (atomic_load(&h->shadow_prev_generation) > g)
		g = atomic_load(&h->shadow_prev_generation);
	for (unsigned s = 0; s < h->nslots && s < SW_SHM_MAX_SLOTS; s++)
		if (atomic_load(&h->slot[s].generation) > g)
			g = atomic_load(&h->slot[s].generation);

	for (unsigned w = 0; w < c->stats.geo.max_workers; w++) {
		uint64_t e = atomic_load_explicit(&sw_shm_worker(&c->stats, w)->epoch,
						  memory_order_acquire);

		if (e > g)
			g = e;
	}
	return g + 1;
}

int
sw_reload_start(struct sw_ctl *c, const char *rules, const char *site)
{
	return sw_reload_start_kind(c, SW_JOB_RELOAD, rules, site, 0);
}

int
sw_reload_start_kind(struct sw_ctl *c, enum sw_job_kind kind, const char *rules,
		     const char *site, uint32_t sample)
{
	struct sw_reload *j;
	int rc;

	if (c->running && kind != SW_JOB_RELOAD)
		return -EBUSY;
	if (c->running) {
		c->pending = true;
		snprintf(c->pending_rules, sizeof(c->pending_rules), "%s", rules);
		snprintf(c->pending_site, sizeof(c->pending_site), "%s", site);
		return 0;
	}
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return -ENOMEM;
	j->kind = kind;
	j->sample = sample;
	snprintf(j->rules, sizeof(j->rules), "%s", rules);
	snprintf(j->site, sizeof(j->site), "%s", site);
	j->t_start_ns = sw_shm_mono_ns();
	/* A promotion makes the shadow's generation active: it was numbered above the active. */
	j->generation = kind == SW_JOB_PROMOTE ? atomic_load(&c->image.hdr->shadow_generation)
					       : next_generation(c);
	c->job = j;
	c->running = true;
	rc = pthread_create(&c->thread, NULL, reload_thread, c);
	if (rc != 0) {
		c->running = false;
		c->job = NULL;
		free(j);
		return -rc;
	}
	return 0;
}

/* Main thread, after the done eventfd fired: account for the finished job (the caller answers
 * the waiting clients from c->job before freeing it with the next start). */
/* A shadow job finished (main thread). */
static void
shadow_finish(struct sw_ctl *c, struct sw_reload *j)
{
	if (j->rc == 0) {
		sw_shadow_published(c, j);
		sw_log(j->picked_up ? LOG_INFO : LOG_WARNING,
		       "shadow generation %" PRIu64 " published beside generation %" PRIu64
		       ": %u rules, %" PRIu64 " bytes, checksum %016" PRIx64 ", sample 1 in %u, "
		       "compile %.1f ms, publish %.2f ms, pickup %.2f ms (%u workers%s)",
		       j->generation, atomic_load(&c->image.hdr->generation), j->nrules, j->size,
		       j->checksum, j->sample > 1 ? j->sample : 1, j->compile_ms, j->publish_ms,
		       j->pickup_ms, j->workers_waited,
		       j->picked_up ? "" : ", NOT all picked it up in time");
	} else {
		c->shadow.failed++;
		sw_names_free(&j->names);
		sw_log(LOG_ERR, "shadow not published, generation %" PRIu64 " stays active: %s",
		       atomic_load(&c->image.hdr->generation), j->err);
	}
	sw_shadow_names_free(j->partner, j->npartners);
	j->partner = NULL;
	j->npartners = 0;
}

void
sw_reload_finish(struct sw_ctl *c)
{
	struct sw_reload *j = c->job;
	struct sw_reload_rec *h;

	pthread_join(c->thread, NULL);
	c->running = false;
	if (j->kind == SW_JOB_SHADOW) {
		shadow_finish(c, j);
		return;
	}
	if (j->kind == SW_JOB_PROMOTE && j->rc == 0) {
		/* the candidate's rule names now name the active generation's */
		j->nrules = c->shadow.names.nrules;
		j->checksum = c->shadow.checksum;
		j->size = c->shadow.size;
		snprintf(j->rules, sizeof(j->rules), "%s", c->shadow.rules);
		snprintf(j->site, sizeof(j->site), "%s", c->shadow.site);
		sw_names_free(&j->names);
		j->names = c->shadow.names;
		memset(&c->shadow.names, 0, sizeof(c->shadow.names));
		c->shadow.promoted++;
		sw_shadow_clear(c);
	}
	h = &c->hist[c->hist_next++ % SW_RELOAD_HIST];
	h->real_ns = sw_shm_real_ns();
	h->generation = j->generation;
	h->ok = j->rc == 0;
	h->picked_up = j->picked_up;
	h->total_ms = j->total_ms;
	snprintf(h->err, sizeof(h->err), "%.159s", j->rc == 0 ? "" : j->err);
	if (j->rc == 0 && !j->picked_up)
		c->reloads_not_picked_up++;
	if (j->rc == 0) {
		if (j->kind == SW_JOB_PROMOTE && j->names.generation != j->generation)
			sw_names_free(&j->names); /* a shadow this control did not publish */
		c->reloads_ok++;
		c->last_total_ms = j->total_ms;
		snprintf(c->rules, sizeof(c->rules), "%s", j->rules);
		snprintf(c->site, sizeof(c->site), "%s", j->site);
		sw_names_add(c, &j->names);
		c->last_ok = *j;
		sw_log(j->picked_up ? LOG_INFO : LOG_WARNING,
		       "generation %" PRIu64 " active: %u rules, %" PRIu64
		       " bytes, checksum %016" PRIx64 ", compile %.1f ms, publish %.2f ms, "
		       "pickup %.2f ms (%u workers%s), total %.1f ms",
		       j->generation, j->nrules, j->size, j->checksum, j->compile_ms,
			j->publish_ms, j->pickup_ms, j->workers_waited,
			j->picked_up ? "" : ", NOT all picked it up in time", j->total_ms);
	} else {
		c->reloads_failed++;
		snprintf(c->last_error, sizeof(c->last_error), "%s", j->err);
		c->last_error_ns = sw_shm_real_ns();
		sw_names_free(&j->names);
		sw_log(LOG_ERR, "reload failed, generation %" PRIu64 " stays active: %s",
		       atomic_load(&c->image.hdr->generation), j->err);
	}
}

/* Startup: run one reload synchronously. */
int
sw_reload_sync(struct sw_ctl *c, char *err, size_t errlen)
{
	uint64_t v;
	int rc;

	rc = sw_reload_start(c, c->rules, c->site);
	if (rc < 0) {
		snprintf(err, errlen, "cannot start the compiler thread: %s", strerror(-rc));
		return rc;
	}
	while (read(c->done_fd, &v, sizeof(v)) < 0 && errno == EINTR)
		;
	sw_reload_finish(c);
	rc = c->job->rc;
	if (rc < 0)
		snprintf(err, errlen, "%s", c->job->err);
	free(c->job);
	c->job = NULL;
	return rc;
}
