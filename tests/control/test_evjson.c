/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event records -> JSON lines (control/daemon/evjson.c), without a daemon or a dataplane.
 *
 * Issue 19 regression: a record of traffic judged while no image is bound (SW_EV_NO_IMAGE,
 * issue 13's fail-closed default) was written with event_type "drop" and a rule "#-1" of no
 * policy, as if the policy had dropped it; it is a "system" event (control/README.md).
 *
 * Rule names of a generation still being picked up: control registered a generation's names
 * only when its reload job finished (after every worker picked it up), so the events a worker
 * raised under the new generation before that carried rule "#0" with a null id and no policy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/daemon/control.h"

static struct sw_ctl ctl;

static char *
line_of(const struct sw_shm_event *e, enum sw_ev_type *t)
{
	struct sw_buf b = {0};

	*t = sw_evjson_verdict(&ctl, e, &b);
	assert_non_null(b.p);
	assert_false(b.oom);
	return b.p;
}

static void
record(struct sw_shm_event *e, uint8_t kind, uint8_t action, uint64_t generation)
{
	memset(e, 0, sizeof(*e));
	e->time_ns = 1765000000ull * 1000000000ull;
	e->kind = kind;
	e->action = action;
	e->generation = generation;
	e->rule = -1;
	e->opc = 4001;
	e->dpc = 1001;
}

static void
test_no_image_is_system(void **state)
{
	struct sw_shm_event e;
	enum sw_ev_type t;
	char *l;

	(void)state;
	record(&e, SW_EV_NO_IMAGE, SW_EV_ACT_DROP, 0);
	l = line_of(&e, &t);
	assert_int_equal(t, SW_ET_SYSTEM);
	assert_non_null(strstr(l, "\"event_type\":\"system\""));
	assert_non_null(strstr(l, "\"system\":{\"event\":\"no_image\",\"action\":\"drop\"}"));
	/* no policy judged it: no rule, no policy object */
	assert_null(strstr(l, "\"rule\":"));
	assert_null(strstr(l, "\"policy\":"));
	assert_non_null(strstr(l, "\"generation\":0"));
	free(l);

	/* --no-image pass raises the same record with action allow: still a system event */
	record(&e, SW_EV_NO_IMAGE, SW_EV_ACT_ALLOW, 0);
	l = line_of(&e, &t);
	assert_int_equal(t, SW_ET_SYSTEM);
	assert_non_null(strstr(l, "\"system\":{\"event\":\"no_image\",\"action\":\"allow\"}"));
	free(l);
}

static void
test_verdicts_keep_their_types(void **state)
{
	static const struct {
		uint8_t action;
		enum sw_ev_type t;
		const char *name;
	} v[] = {
		{SW_EV_ACT_DROP, SW_ET_DROP, "\"event_type\":\"drop\""},
		{SW_EV_ACT_RATE_LIMIT, SW_ET_DROP, "\"event_type\":\"drop\""},
		{SW_EV_ACT_ALERT, SW_ET_ALERT, "\"event_type\":\"alert\""},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sw_shm_event e;
		enum sw_ev_type t;
		char *l;

		record(&e, SW_EV_VERDICT, v[i].action, 3);
		l = line_of(&e, &t);
		assert_int_equal(t, v[i].t);
		assert_non_null(strstr(l, v[i].name));
		assert_non_null(strstr(l, "\"rule\":{\"id\":-1"));
		assert_null(strstr(l, "no_image"));
		free(l);
	}
}

/* An event of the generation the running reload job publishes: named from the job. */
static void
test_names_of_running_job(void **state)
{
	static char *name[] = {"fs11-cat1"};
	static uint32_t id[] = {1101};
	static uint8_t action[] = {1}, monitor[] = {0}, severity[] = {0};
	static struct sw_reload job;
	struct sw_shm_event e;
	enum sw_ev_type t;
	char *l;

	(void)state;
	job.generation = 7;
	job.names.generation = 7;
	job.names.nrules = 1;
	job.names.name = name;
	job.names.id = id;
	job.names.action = action;
	job.names.monitor = monitor;
	job.names.severity = severity;
	job.names.checksum = 0x1234;
	strcpy(job.names.policy, "shipped");
	ctl.job = &job;
	ctl.running = true;
	record(&e, SW_EV_VERDICT, SW_EV_ACT_DROP, 7);
	e.rule = 0;
	l = line_of(&e, &t);
	assert_non_null(strstr(l, "\"rule\":{\"id\":1101,\"index\":0,\"name\":\"fs11-cat1\""));
	assert_non_null(strstr(l, "\"policy\":{\"name\":\"shipped\",\"checksum\":\"0000000000001234\"}"));
	free(l);

	/* another generation is not named from the job */
	record(&e, SW_EV_VERDICT, SW_EV_ACT_DROP, 6);
	e.rule = 0;
	l = line_of(&e, &t);
	assert_non_null(strstr(l, "\"name\":\"#0\""));
	free(l);
	/* nor is any once the job has finished (its names move to the table, or are freed) */
	ctl.running = false;
	record(&e, SW_EV_VERDICT, SW_EV_ACT_DROP, 7);
	e.rule = 0;
	l = line_of(&e, &t);
	assert_non_null(strstr(l, "\"name\":\"#0\""));
	free(l);
	ctl.job = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_image_is_system),
		cmocka_unit_test(test_verdicts_keep_their_types),
		cmocka_unit_test(test_names_of_running_job),
	};

	strcpy(ctl.host, "test-host");
	ctl.instance = "evjson";
	return cmocka_run_group_tests(tests, NULL, NULL);
}
