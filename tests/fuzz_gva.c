/*
 * Fuzz harness for kernel/mm/gva.c (and the guest walker of mm/paging.c
 * under it): the input is a guest's paging registers, a pointer range and
 * an access, then the guest's memory, page tables and all: 64 bytes per
 * 4 KiB page, repeated across the page (entry i of page k is entry i % 8
 * of its 64 bytes), the last page cut short by a header byte. The memory
 * is an exactly-sized heap buffer that the read callback bounds-checks, so
 * a walk that strays outside it fails cleanly and AddressSanitizer catches
 * any read past it; entries that set bit 9 get their address folded into
 * the memory, so walks go deep. Invariants: table reads are aligned 4- or
 * 8-byte reads, at most six per page; pieces tile a prefix of the range
 * (the whole range on success), each within one 4 KiB page, each the
 * translation of its first byte; each access is allowed or forbidden as
 * the walker's rights and CR0.WP say; a stronger access never succeeds
 * where a weaker one fails, and all that succeed agree; a supervisor read
 * is never forbidden; with paging off every access is allowed and
 * identity.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tandem/errno.h>

#include "fuzz.h"
#include "mm/gva.h"

#define HEADER	  24
#define MAX_PAGES 8
#define ADDR_BITS 0x000ffffffffff000ull
#define CR0_PG	  (1ull << 31)
#define CR0_WP	  (1ull << 16)
#define CR4_PSE	  (1ull << 4)
#define CR4_PAE	  (1ull << 5)
#define CR4_LA57  (1ull << 12)
#define EFER_LMA  (1ull << 10)
#define EFER_NXE  (1ull << 11)

struct mem {
	const uint8_t *p;
	size_t size;
	unsigned reads;
};

static int mem_read(void *ctx, uint64_t gpa, unsigned size, uint64_t *val)
{
	struct mem *m = ctx;

	FUZZ_CHECK(size == 4 || size == 8);
	FUZZ_CHECK(gpa % size == 0);
	m->reads++;
	if (gpa >= m->size || m->size - gpa < size)
		return -TANDEM_EIO;
	*val = 0;
	memcpy(val, m->p + gpa, size);
	return 0;
}

struct pieces {
	uint64_t va;
	size_t next; /* offset the next piece must start at */
	const struct pt_guest_regs *regs;
	unsigned access;
	struct mem *mem;
	bool stop_early; /* refuse the third piece */
	unsigned seen;
};

static int piece(void *ctx, uint64_t gpa, size_t offset, size_t len)
{
	struct pieces *p = ctx;
	uint64_t again = 0, at = p->va + offset;
	bool wide = (p->regs->cr0 & CR0_PG) && (p->regs->efer & EFER_LMA);

	if (!wide)
		at = (uint32_t)at;
	FUZZ_CHECK(offset == p->next);
	FUZZ_CHECK(len >= 1 && len <= 4096);
	FUZZ_CHECK((gpa & 0xfff) + len <= 4096);
	FUZZ_CHECK((at & 0xfff) + len <= 4096);
	FUZZ_CHECK((gpa & 0xfff) == (at & 0xfff));
	FUZZ_CHECK(gva_translate(p->regs, at, p->access, mem_read, p->mem,
				 &again) == 0);
	FUZZ_CHECK(again == gpa);
	p->next += len;
	if (p->stop_early && ++p->seen == 3)
		return -TANDEM_E2BIG;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned acc[4] = { 0, GVA_WRITE, GVA_USER,
					 GVA_USER | GVA_WRITE };
	struct pt_guest_regs r = { 0 };
	struct mem m = { 0 };
	uint8_t *copy;
	uint64_t va, gpa[4];
	int ret[4];
	size_t len, chunk;
	unsigned mode, bits;

	if (size < HEADER)
		return 0;
	mode = data[0];
	bits = data[1];
	memcpy(&va, data + 2, 8);
	len = (size_t)(data[10] | data[11] << 8) % (3 * 4096 + 2);
	memcpy(&r.cr3, data + 12, 8);
	/* Paging off, 32-bit, PAE, 4-level, 5-level. */
	switch (mode % 5) {
	case 0:
		break;
	case 1:
		r.cr0 = CR0_PG;
		r.cr4 = (bits & 1) ? CR4_PSE : 0;
		break;
	case 2:
		r.cr0 = CR0_PG;
		r.cr4 = CR4_PAE;
		break;
	case 3:
		r.cr0 = CR0_PG;
		r.cr4 = CR4_PAE;
		r.efer = EFER_LMA;
		break;
	default:
		r.cr0 = CR0_PG;
		r.cr4 = CR4_PAE | CR4_LA57;
		r.efer = EFER_LMA;
		break;
	}
	if (bits & 2)
		r.cr0 |= CR0_WP;
	if (bits & 4)
		r.efer |= EFER_NXE;
	if (bits & 8) /* low addresses: mostly inside the memory */
		va &= 0xffffffffull;
	chunk = (size - HEADER) / 64;
	if (chunk > MAX_PAGES)
		chunk = MAX_PAGES;
	m.size = chunk * 4096;
	if (m.size)
		m.size -= data[20] < 64 ? 0 : data[20] * 16u;
	if (m.size)
		r.cr3 %= m.size;
	/* Exactly sized, so ASan sees any read past the end. */
	copy = malloc(m.size ? m.size : 1);
	FUZZ_CHECK(copy);
	for (size_t i = 0; i + 8 <= m.size; i += 8) {
		uint64_t e;

		memcpy(&e, data + HEADER + (i / 4096) * 64 + i % 64, 8);
		if (e & 0x200)
			e = (e & ~ADDR_BITS) |
			    (((e & ADDR_BITS) % m.size) & ADDR_BITS);
		memcpy(copy + i, &e, 8);
	}
	m.p = copy;

	for (unsigned i = 0; i < 4; i++) {
		m.reads = 0;
		ret[i] = gva_translate(&r, va, acc[i], mem_read, &m, &gpa[i]);
		FUZZ_CHECK(m.reads <= 6);
		FUZZ_CHECK(ret[i] == 0 || ret[i] == -TANDEM_ENOENT ||
			   ret[i] == -TANDEM_EINVAL || ret[i] == -TANDEM_EIO ||
			   ret[i] == -TANDEM_EPERM);
		if (!(r.cr0 & CR0_PG)) {
			FUZZ_CHECK(ret[i] == 0 && gpa[i] == (uint32_t)va);
			FUZZ_CHECK(m.reads == 0);
		}
	}
	/* The rights rule against the walker's own flags (SDM Vol. 3A 4.6). */
	{
		uint64_t wgpa = 0;
		unsigned fl = 0;
		int w = pt_guest_walk(&r, va, mem_read, &m, &wgpa, &fl);

		for (unsigned i = 0; i < 4; i++) {
			bool user = acc[i] & GVA_USER, write = acc[i] & GVA_WRITE;
			bool deny = (user && !(fl & PT_USER)) ||
				    (write && !(fl & PT_WRITE) &&
				     (user || (r.cr0 & CR0_WP)));

			if (w)
				FUZZ_CHECK(ret[i] == w);
			else if (deny)
				FUZZ_CHECK(ret[i] == -TANDEM_EPERM);
			else
				FUZZ_CHECK(ret[i] == 0 && gpa[i] == wgpa);
		}
	}
	FUZZ_CHECK(ret[0] != -TANDEM_EPERM);
	for (unsigned i = 1; i < 4; i++) {
		/* accesses 1 and 2 are each weaker than 3, stronger than 0 */
		if (ret[i] == 0)
			FUZZ_CHECK(ret[0] == 0 && gpa[i] == gpa[0]);
		if (ret[i] != 0 && ret[i] != -TANDEM_EPERM)
			FUZZ_CHECK(ret[i] == ret[0]);
	}
	if (ret[3] == 0)
		FUZZ_CHECK(ret[1] == 0 && ret[2] == 0);

	for (unsigned i = 0; i < 4; i++) {
		struct pieces p = { va, 0, &r, acc[i], &m, bits & 16, 0 };
		int rr = gva_for_each(&r, va, len, acc[i], mem_read, &m, piece,
				      &p);

		if (rr == 0)
			FUZZ_CHECK(p.next == len);
		else
			FUZZ_CHECK(p.next < len || rr == -TANDEM_E2BIG);
		if (len && rr != -TANDEM_EINVAL && p.next == 0 && rr)
			FUZZ_CHECK(p.stop_early || rr == ret[i] || p.seen == 0);
	}
	free(copy);
	return 0;
}

/* Seeds: a 4-level walk to a 4 KiB page, a 2 MiB page, 32-bit with a
 * 4 MiB page, PAE. Tables in pages 0-3 of the memory, entries at index 0
 * and 1 of each (entries with bit 9 set keep their address inside). */
size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	const size_t size = HEADER + 5 * 64;
	uint64_t va = 0x1ff0, cr3 = 0, e;

	if (idx > 3 || cap < size)
		return 0;
	memset(buf, 0, size);
	buf[0] = idx == 2 ? 1 : idx == 3 ? 2 : 3;
	buf[1] = 1 | 2 | 4 | 8;
	if (idx == 1)
		va = 0x200ff0;
	memcpy(buf + 2, &va, 8);
	buf[10] = 0x40;
	memcpy(buf + 12, &cr3, 8);
	if (idx == 2) { /* 32-bit: PDE 0 a 4 MiB page */
		uint32_t pde = 0x87 | 0x200;

		memcpy(buf + HEADER, &pde, 4);
		return size;
	}
	e = 0x1000 | 0x207;
	memcpy(buf + HEADER, &e, 8);
	e = 0x2000 | 0x207;
	memcpy(buf + HEADER + 64, &e, 8);
	e = idx == 1 ? 0x287 : 0x3000 | 0x207;
	memcpy(buf + HEADER + 128 + (idx == 1 ? 8 : 0), &e, 8);
	e = 0x4000 | 0x207;
	memcpy(buf + HEADER + 192 + 8, &e, 8);
	e = 0x1000 | 0x205;
	memcpy(buf + HEADER + 192 + 16, &e, 8);
	return size;
}
