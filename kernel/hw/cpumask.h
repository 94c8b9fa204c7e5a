/* A set of logical CPUs 0..TANDEM_MAX_CPUS-1 (more than 64 of them). */
#ifndef TANDEM_HW_CPUMASK_H
#define TANDEM_HW_CPUMASK_H

#include <stdbool.h>
#include <stdint.h>

#include "layout.h"

#define CPUMASK_WORDS ((TANDEM_MAX_CPUS + 63) / 64)

struct cpumask {
	uint64_t w[CPUMASK_WORDS];
};

static inline void cpumask_set(struct cpumask *m, unsigned int cpu)
{
	if (cpu < TANDEM_MAX_CPUS)
		m->w[cpu / 64] |= 1ull << (cpu % 64);
}

static inline bool cpumask_test(const struct cpumask *m, unsigned int cpu)
{
	return cpu < TANDEM_MAX_CPUS && ((m->w[cpu / 64] >> (cpu % 64)) & 1);
}

static inline bool cpumask_empty(const struct cpumask *m)
{
	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		if (m->w[i])
			return false;
	return true;
}

static inline struct cpumask cpumask_invert(const struct cpumask *m)
{
	struct cpumask r;

	for (unsigned int i = 0; i < CPUMASK_WORDS; i++)
		r.w[i] = ~m->w[i];
	return r;
}

#endif
