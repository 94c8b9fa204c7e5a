/*
 * Unaligned little-endian loads and stores, for fields of firmware tables,
 * boot information and guest images that sit at any byte offset. memcpy of
 * a fixed size compiles to a single move on x86 and keeps the compiler's
 * alignment and aliasing assumptions intact. x86 is little-endian, so the
 * value is the field as the formats define it.
 */
#ifndef TANDEM_LIB_UNALIGNED_H
#define TANDEM_LIB_UNALIGNED_H

#include <stdint.h>

#include "lib/klib.h"

static inline uint16_t rd16(const void *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t rd32(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t rd64(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void wr16(void *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void wr32(void *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static inline void wr64(void *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

#endif
