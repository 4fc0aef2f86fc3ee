/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What every benchmark in bench/ needs around its measurement: clocks and medians (the house
 * rule: medians of several runs on a shared machine). Header-only, for the benchmarks and the
 * tests that time something; each bench had its own copy of these.
 */
#ifndef SW_BENCH_UTIL_H
#define SW_BENCH_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t
sw_bench_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Wall time for intervals. */
static inline uint64_t
sw_bench_mono_ns(void)
{
	return sw_bench_clock_ns(CLOCK_MONOTONIC);
}

/* Wall time as a date (what the state tables take as "now"). */
static inline uint64_t
sw_bench_real_ns(void)
{
	return sw_bench_clock_ns(CLOCK_REALTIME);
}

/* CPU time of the calling thread: on a shared machine (load above the core count) wall time
 * mostly measures waiting for a core; this measures the work. */
static inline uint64_t
sw_bench_cpu_ns(void)
{
	return sw_bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

static inline int
sw_bench_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static inline int
sw_bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of v[0..n) (sorts v in place); 0 for n == 0. */
static inline double
sw_bench_median(double *v, unsigned n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), sw_bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
