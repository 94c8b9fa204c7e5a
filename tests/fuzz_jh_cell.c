/*
 * Fuzz harness for the Jailhouse cell description translator
 * (kernel/fmt/jh_cell.c), then Tandem's validator on its translation.
 *
 * Each input is tried twice: as raw bytes, and "shaped" (signature,
 * architecture and revision set, counts folded small and the size made to
 * agree, so that most shaped inputs reach the per-field rules). For both,
 * a naive reference written from fmt/jh_cell.h's rule list says which
 * error codes the description deserves; the translator must accept exactly
 * when no rule is broken, return one of those codes otherwise, and write
 * a translation that says what the description said. Every translation is
 * then validated by cell_config_validate() against a permissive system
 * (every CPU free, all memory the root's, no other cell): it may only
 * answer 0 or -EINVAL, never crash.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell/config_check.h"
#include "fmt/jh_cell.h"
#include "fuzz.h"
#include "tandem/errno.h"

#define HDR	 sizeof(struct jh_cell_desc)
#define MIB	 UINT64_C(0x100000)
#define R_EINVAL (1u << 0)
#define R_E2BIG	 (1u << 1)

static const struct cfg_range everything[] = {
	{ 0, CELL_CONFIG_PHYS_LIMIT },
};
static const struct cell_config_ctx permissive = {
	.online_cpus = UINT64_MAX,
	.caller_cpu = TANDEM_CELL_MAX_CPUS, /* none of the cell's */
	.root_ram = everything,
	.n_root_ram = 1,
};

static uint64_t output[JH_CELL_TRANSLATION_MAX / 8 + 1];

/* ---- the naive reference ---- */

static uint64_t ref_size(const struct jh_cell_desc *h)
{
	return HDR + (uint64_t)h->cpu_set_size +
	       (uint64_t)h->num_memory_regions * 32 +
	       (uint64_t)h->num_cache_regions * 12 +
	       (uint64_t)h->num_irqchips * 32 + (uint64_t)h->num_pio_regions * 4 +
	       (uint64_t)h->num_pci_devices * 56 +
	       (uint64_t)h->num_pci_caps * 8 + (uint64_t)h->num_stream_ids * 4;
}

/* The codes @d[0..@len) deserves; 0: none. When only J4 - J12 are left,
 * the first one broken decides the code, so this is exact for the
 * header-level rules and a set where several apply. */
static unsigned reference(const uint8_t *d, size_t len)
{
	struct jh_cell_desc h;
	unsigned want = 0;
	uint64_t total, mem_at;
	bool named = false;

	if (len < HDR)
		return R_EINVAL;
	if (len > JH_CELL_CONFIG_MAX)
		return R_E2BIG;
	memcpy(&h, d, HDR);
	if (memcmp(h.signature, "JHCLL", 5) || h.architecture != 0 ||
	    h.revision != 14)
		return R_EINVAL;
	if (h.num_memory_regions > 64 || h.num_pio_regions > 64)
		return R_E2BIG;
	total = ref_size(&h);
	if (total > 8192)
		return R_E2BIG;
	if (total != len)
		return R_EINVAL;

	for (int i = 0; i < 32; i++) {
		if (!h.name[i]) {
			named = i > 0;
			break;
		}
		if ((unsigned char)h.name[i] < 0x20 ||
		    (unsigned char)h.name[i] > 0x7e)
			break;
	}
	if (!named)
		want |= R_EINVAL;
	if (h.flags & ~0xc0000003u)
		want |= R_EINVAL;
	if (h.cpu_set_size == 0 || h.cpu_set_size % 8)
		want |= R_EINVAL;
	else {
		bool any_low = false, any_high = false;

		for (uint32_t i = 0; i < h.cpu_set_size; i++) {
			if (i < 8 && d[HDR + i])
				any_low = true;
			if (i >= 8 && d[HDR + i])
				any_high = true;
		}
		if (!any_low || any_high)
			want |= R_EINVAL;
	}
	if (h.num_irqchips || h.num_pci_devices || h.num_pci_caps ||
	    h.num_stream_ids)
		want |= R_EINVAL;
	if (h.cpu_reset_address >> 32)
		want |= R_EINVAL;
	mem_at = HDR + h.cpu_set_size;
	for (uint32_t i = 0; i < h.num_memory_regions; i++) {
		struct jh_memory m;

		memcpy(&m, d + mem_at + i * 32, 32);
		if (m.flags & ~UINT64_C(0xf81ff))
			want |= R_EINVAL;
		if (m.flags & (0x8 | 0x8000 | 0xf0000))
			want |= R_EINVAL;
		if ((m.virt_start | m.size) & 0xfff)
			want |= R_EINVAL;
	}
	return want;
}

/* ---- the check ---- */

static void check(const uint8_t *d, size_t len)
{
	const struct jh_cell_desc *h = (const void *)d;
	struct cell_config_error ce;
	struct jh_cell_error e;
	struct jh_cell_info info;
	size_t out_len = 0, total;
	unsigned want = reference(d, len);
	int ret, v;

	memset(&info, 0, sizeof(info));
	ret = jh_cell_translate(d, len, output, sizeof(output), &out_len, &info,
				&e);
	if (ret) {
		FUZZ_CHECK(e.why != NULL);
		FUZZ_CHECK((ret == -TANDEM_EINVAL && (want & R_EINVAL)) ||
			   (ret == -TANDEM_E2BIG && (want & R_E2BIG)));
		return;
	}
	FUZZ_CHECK(want == 0);
	FUZZ_CHECK(e.why == NULL);
	/* Step 1 on the same header agrees. */
	FUZZ_CHECK(jh_cell_size(h, &total, NULL) == 0 && total == len);

	/* The translation says what the description said. */
	{
		const struct tandem_cell_desc *t = (const void *)output;
		const struct tandem_memory_region *m = cell_config_mem(t);
		const struct tandem_pio_region *p = cell_config_pio(t);
		const uint8_t *jm = d + HDR + h->cpu_set_size;
		const uint8_t *jp = jm + h->num_memory_regions * 32 +
				    h->num_cache_regions * 12;
		uint64_t cpus;

		memcpy(&cpus, d + HDR, 8);
		FUZZ_CHECK(out_len ==
			   TANDEM_CELL_CONFIG_SIZE((size_t)h->num_memory_regions,
						   (size_t)h->num_pio_regions));
		FUZZ_CHECK(!memcmp(t->signature, "TNDMCELL", 8));
		FUZZ_CHECK(t->cpu_set == cpus && cpus);
		FUZZ_CHECK(!strncmp(t->name, h->name, 32));
		FUZZ_CHECK(t->reset_entry == h->cpu_reset_address &&
			   t->reset_entry < (UINT64_C(1) << 32));
		FUZZ_CHECK(t->flags == (h->flags & 1));
		FUZZ_CHECK(t->msg_reply_timeout_ms == 0 && !t->reserved0 &&
			   !t->reserved1);
		FUZZ_CHECK(info.cpu_reset_address == h->cpu_reset_address);
		FUZZ_CHECK(info.msg_reply_timeout == h->msg_reply_timeout);
		FUZZ_CHECK(!memcmp(&info.console, &h->console, 32));
		FUZZ_CHECK(((info.hints & JH_HINT_CACHE_REGIONS) != 0) ==
			   (h->num_cache_regions != 0));
		FUZZ_CHECK(((info.hints & JH_HINT_TEST_DEVICE) != 0) ==
			   ((h->flags & JH_CELL_TEST_DEVICE) != 0));
		FUZZ_CHECK(!(info.flags & JH_CELL_VIRTUAL_CONSOLE_ACTIVE) ||
			   (info.flags & JH_CELL_VIRTUAL_CONSOLE_PERMITTED));
		for (uint32_t i = 0; i < h->num_memory_regions; i++) {
			struct jh_memory r;

			memcpy(&r, jm + i * 32, 32);
			FUZZ_CHECK(m[i].virt_start == r.virt_start &&
				   m[i].size == r.size);
			FUZZ_CHECK(m[i].phys_start ==
				   (r.flags & JH_MEM_COMM_REGION ? 0 :
								   r.phys_start));
			FUZZ_CHECK(!(m[i].flags &
				     ~(uint64_t)TANDEM_MEM_VALID_FLAGS));
			FUZZ_CHECK(!(m[i].flags & TANDEM_MEM_READ) ==
				   !(r.flags & JH_MEM_READ));
			FUZZ_CHECK(!(m[i].flags & TANDEM_MEM_COMM_REGION) ==
				   !(r.flags & JH_MEM_COMM_REGION));
			FUZZ_CHECK(!(m[i].flags & TANDEM_MEM_IO) ==
				   !(r.flags & JH_MEM_IO));
			if (r.flags & JH_MEM_NO_HUGEPAGES)
				FUZZ_CHECK(info.hints & JH_HINT_NO_HUGEPAGES);
		}
		for (uint32_t i = 0; i < h->num_pio_regions; i++) {
			struct jh_pio r;

			memcpy(&r, jp + i * 4, 4);
			FUZZ_CHECK(p[i].base == r.base &&
				   p[i].length == r.length && !p[i].reserved);
		}
	}

	/* Tandem's validator takes it from here. */
	v = cell_config_validate(output, out_len, &permissive, &ce);
	FUZZ_CHECK(v == 0 || (v == -TANDEM_EINVAL && ce.why));
}

/* ---- shaping ---- */

/* Folds @raw into a description that passes J1 - J4: a small bitmap and
 * small counts (the refused arrays mostly empty), regions in one window,
 * the size exact. */
static size_t shape(const uint8_t *raw, size_t size, uint8_t *out, size_t cap)
{
	struct jh_cell_desc h;
	uint64_t total;
	size_t body;

	if (size < HDR)
		return 0;
	memcpy(&h, raw, HDR);
	memcpy(h.signature, "JHCLL", 5);
	h.architecture = 0;
	h.revision = 14;
	h.cpu_set_size = (h.cpu_set_size & 3) == 3 ?
				 (h.cpu_set_size >> 2) & 31 :
				 8 * ((h.cpu_set_size & 1) + 1);
	h.num_memory_regions &= 7;
	h.num_cache_regions &= 3;
	h.num_pio_regions &= 7;
	h.num_irqchips = (h.num_irqchips & 0xf) == 0xf;
	h.num_pci_devices = (h.num_pci_devices & 0xf) == 0xf;
	h.num_pci_caps = (h.num_pci_caps & 0xf) == 0xf;
	h.num_stream_ids = (h.num_stream_ids & 0xf) == 0xf;
	if (h.flags & 0x100)
		h.flags &= 0xc0000003u;
	if (h.cpu_reset_address & 1)
		h.cpu_reset_address &= 0x1ff000;
	if (h.name[0] & 1) {
		memset(h.name, 0, sizeof(h.name));
		memcpy(h.name, "fz", 2);
	}
	total = ref_size(&h);
	if (total > cap)
		return 0;
	memset(out, 0, total);
	body = size - HDR < total - HDR ? size - HDR : total - HDR;
	memcpy(out + HDR, raw + HDR, body);
	/* Memory regions: page-aligned mostly, flags mostly known. */
	for (uint32_t i = 0; i < h.num_memory_regions; i++) {
		uint8_t *at = out + HDR + h.cpu_set_size + i * 32;
		struct jh_memory m;

		memcpy(&m, at, 32);
		if (!(m.flags & 0x200)) {
			m.phys_start = (m.phys_start & 0xff000) + 64 * MIB;
			m.virt_start = m.virt_start & 0x3ff000;
			m.size = (m.size & 0xf000) + 0x1000;
			m.flags &= 0x81ff & ~(m.flags & 0x400 ? 0 : 0x8);
		}
		memcpy(at, &m, 32);
	}
	if (h.cpu_set_size >= 8 && !(h.flags & 0x200)) {
		out[HDR] |= 1;
		memset(out + HDR + 8, 0, h.cpu_set_size - 8);
	}
	memcpy(out, &h, HDR);
	return (size_t)total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *shaped = malloc(JH_CELL_CONFIG_MAX);
	size_t n;

	fuzz_on_copy(data, size, check);
	if (!shaped)
		abort();
	n = shape(data, size, shaped, JH_CELL_CONFIG_MAX);
	if (n)
		fuzz_on_copy(shaped, n, check);
	free(shaped);
	return 0;
}

/* Seeds: apic-demo laid out as Jailhouse does, and variations. */
size_t fuzz_seed(unsigned idx, uint8_t *buf, size_t cap)
{
	struct jh_cell_desc h = {
		.signature = { 'J', 'H', 'C', 'L', 'L' },
		.architecture = 0,
		.revision = 14,
		.name = "apic-demo",
		.flags = JH_CELL_VIRTUAL_CONSOLE_PERMITTED,
		.cpu_set_size = 8,
		.num_memory_regions = 2,
		.num_cache_regions = 1,
		.num_pio_regions = 3,
		.console = { .address = 0x3f8, .type = JH_CON_TYPE_8250 },
	};
	uint64_t cpus[2] = { 0x8, 0 };
	struct jh_memory m[4] = {
		{ 0x3ef00000, 0, MIB,
		  JH_MEM_READ | JH_MEM_WRITE | JH_MEM_EXECUTE | JH_MEM_LOADABLE },
		{ 0, MIB, 0x1000,
		  JH_MEM_READ | JH_MEM_WRITE | JH_MEM_COMM_REGION },
		{ 0xfeb00000, 0xfeb00000, 0x1000,
		  JH_MEM_READ | JH_MEM_WRITE | JH_MEM_IO | JH_MEM_NO_HUGEPAGES },
		{ 0x3e000000, 2 * MIB, 0x2000, JH_MEM_READ | JH_MEM_ROOTSHARED },
	};
	struct jh_cache c = { 0, 2, 3, 0, 0 };
	struct jh_pio p[3] = { { 0x2f8, 8 }, { 0x3f8, 8 }, { 0xe010, 8 } };
	size_t at = 0;

	switch (idx) {
	case 0:
		break;
	case 1: /* two longs of CPUs, four regions, passive, test device */
		h.cpu_set_size = 16;
		h.num_memory_regions = 4;
		h.flags |= JH_CELL_PASSIVE_COMMREG | JH_CELL_TEST_DEVICE;
		h.cpu_reset_address = 0xff000;
		break;
	case 2: /* no cache, no ports, console active */
		h.num_cache_regions = 0;
		h.num_pio_regions = 0;
		h.flags = JH_CELL_VIRTUAL_CONSOLE_ACTIVE;
		break;
	default:
		return 0;
	}
	if (ref_size(&h) > cap)
		return 0;
	memcpy(buf + at, &h, HDR);
	at += HDR;
	memcpy(buf + at, cpus, h.cpu_set_size);
	at += h.cpu_set_size;
	memcpy(buf + at, m, h.num_memory_regions * sizeof(m[0]));
	at += h.num_memory_regions * sizeof(m[0]);
	memcpy(buf + at, &c, h.num_cache_regions * sizeof(c));
	at += h.num_cache_regions * sizeof(c);
	memcpy(buf + at, p, h.num_pio_regions * sizeof(p[0]));
	at += h.num_pio_regions * sizeof(p[0]);
	return at;
}
