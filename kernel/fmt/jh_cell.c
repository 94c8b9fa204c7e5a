/*
 * Jailhouse cell descriptions (rules J1 - J12 in fmt/jh_cell.h). Every
 * value of the description is untrusted: counts are bounded before they
 * are multiplied, the size is summed in 64 bits, and every array is found
 * from the header of the private copy and checked to lie inside it. The
 * Jailhouse structures are packed (alignment 1), so reading them at any
 * offset of the copy is defined.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tandem/errno.h>
#include "lib/klib.h"
#include "fmt/jh_cell.h"

#define JH_PAGE_MASK   UINT64_C(0xfff)
#define JH_ENTRY_LIMIT (UINT64_C(1) << 32)
#define JH_CPU_WORD    8 /* bytes of one bitmap long (x86-64) */

#define JH_CELL_KNOWN_FLAGS                                                \
	(JH_CELL_PASSIVE_COMMREG | JH_CELL_TEST_DEVICE | JH_CELL_AARCH32 | \
	 JH_CELL_VIRTUAL_CONSOLE_PERMITTED | JH_CELL_VIRTUAL_CONSOLE_ACTIVE)

#define JH_MEM_KNOWN_FLAGS                                                      \
	(JH_MEM_READ | JH_MEM_WRITE | JH_MEM_EXECUTE | JH_MEM_DMA |             \
	 JH_MEM_IO | JH_MEM_COMM_REGION | JH_MEM_LOADABLE | JH_MEM_ROOTSHARED | \
	 JH_MEM_NO_HUGEPAGES | JH_MEM_IO_UNALIGNED | JH_MEM_IO_WIDTH)

/* Where the arrays of a description start, from its header. */
struct jh_layout {
	uint64_t cpus, mem, cache, irqchips, pio, pci, caps, streams, end;
};

static int fail(struct jh_cell_error *err, int code, const char *why, int index)
{
	if (err) {
		err->why = why;
		err->index = index;
	}
	return code;
}

/* jailhouse_cell_config_size()'s order, in 64 bits: with 32-bit counts
 * and elements of at most 56 bytes no sum can wrap. */
static void layout(const struct jh_cell_desc *h, struct jh_layout *l)
{
	l->cpus = sizeof(*h);
	l->mem = l->cpus + h->cpu_set_size;
	l->cache = l->mem +
		   (uint64_t)h->num_memory_regions * sizeof(struct jh_memory);
	l->irqchips = l->cache +
		      (uint64_t)h->num_cache_regions * sizeof(struct jh_cache);
	l->pio = l->irqchips +
		 (uint64_t)h->num_irqchips * sizeof(struct jh_irqchip);
	l->pci = l->pio + (uint64_t)h->num_pio_regions * sizeof(struct jh_pio);
	l->caps = l->pci + (uint64_t)h->num_pci_devices * JH_PCI_DEVICE_SIZE;
	l->streams = l->caps + (uint64_t)h->num_pci_caps * JH_PCI_CAPABILITY_SIZE;
	l->end = l->streams + (uint64_t)h->num_stream_ids * JH_STREAM_ID_SIZE;
}

int jh_cell_size(const struct jh_cell_desc *hdr, size_t *total,
		 struct jh_cell_error *err)
{
	struct jh_layout l;

	if (memcmp(hdr->signature, JH_CELL_SIGNATURE, sizeof(hdr->signature)))
		return fail(err, -TANDEM_EINVAL,
			    "not a Jailhouse cell description (signature is not JHCLL)",
			    -1);
	if (hdr->architecture != JH_ARCH_X86)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse architecture is not x86 (0)", -1);
	if (hdr->revision != JH_CONFIG_REVISION)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse configuration revision is not 14", -1);
	if (hdr->num_memory_regions > JH_CELL_MAX_MEM)
		return fail(err, -TANDEM_E2BIG,
			    "Jailhouse num_memory_regions above 64", -1);
	if (hdr->num_pio_regions > JH_CELL_MAX_PIO)
		return fail(err, -TANDEM_E2BIG,
			    "Jailhouse num_pio_regions above 64", -1);
	layout(hdr, &l);
	if (l.end > JH_CELL_CONFIG_MAX)
		return fail(err, -TANDEM_E2BIG,
			    "Jailhouse description larger than 8192 bytes", -1);
	*total = (size_t)l.end;
	return 0;
}

/* J5 - J9: the header's own fields, and the CPU bitmap into *@cpus. */
static int check_header(const struct jh_cell_desc *h, const uint8_t *bitmap,
			uint64_t *cpus, struct jh_cell_error *err)
{
	size_t len = strnlen(h->name, JH_CELL_NAME_LEN);

	if (len == JH_CELL_NAME_LEN)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse name not NUL-terminated within 32 bytes",
			    -1);
	if (!len)
		return fail(err, -TANDEM_EINVAL, "Jailhouse name empty", -1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)h->name[i];

		if (c < 0x20 || c > 0x7e)
			return fail(err, -TANDEM_EINVAL,
				    "Jailhouse name has a byte that is not printable ASCII",
				    (int)i);
	}
	if (h->flags & ~(uint32_t)JH_CELL_KNOWN_FLAGS)
		return fail(err, -TANDEM_EINVAL, "Jailhouse cell flags unknown",
			    -1);
	if (h->flags & JH_CELL_AARCH32)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse cell flag AARCH32 on x86", -1);

	if (!h->cpu_set_size || h->cpu_set_size % JH_CPU_WORD)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse cpu_set_size not a non-zero multiple of 8",
			    -1);
	/* Bits beyond 64: the lowest such CPU is named. */
	for (uint32_t i = JH_CPU_WORD; i < h->cpu_set_size; i++)
		if (bitmap[i])
			return fail(err, -TANDEM_EINVAL,
				    "Jailhouse cpu set names a CPU above 63",
				    (int)(i * 8 +
					  (uint32_t)__builtin_ctz(bitmap[i])));
	*cpus = 0;
	for (unsigned int i = 0; i < JH_CPU_WORD; i++)
		*cpus |= (uint64_t)bitmap[i] << (8 * i);
	if (!*cpus)
		return fail(err, -TANDEM_EINVAL, "Jailhouse cpu set empty", -1);

	if (h->num_irqchips)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse num_irqchips not 0 (no interrupt controller is passed to cells)",
			    -1);
	if (h->num_pci_devices)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse num_pci_devices not 0 (no PCI pass-through)",
			    -1);
	if (h->num_pci_caps)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse num_pci_caps not 0 (no PCI pass-through)",
			    -1);
	if (h->num_stream_ids)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse num_stream_ids not 0 (no IOMMU)", -1);
	if (h->cpu_reset_address >= JH_ENTRY_LIMIT)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse cpu_reset_address not below 4 GiB", -1);
	return 0;
}

/* J10 - J12 for memory region @i; its hints into *@hints. */
static int check_mem(const struct jh_memory *m, int i, uint32_t *hints,
		     struct jh_cell_error *err)
{
	if (m->flags & ~(uint64_t)JH_MEM_KNOWN_FLAGS)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse memory region flags unknown", i);
	if (m->flags & JH_MEM_DMA)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse memory region flag DMA (no IOMMU)", i);
	if (m->flags & (JH_MEM_IO_UNALIGNED | JH_MEM_IO_WIDTH))
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse memory region flag IO_UNALIGNED or an IO width (no sub-page MMIO)",
			    i);
	if ((m->virt_start | m->size) & JH_PAGE_MASK)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse memory region virt_start or size not a multiple of 4 KiB (no sub-page MMIO)",
			    i);
	if (m->flags & JH_MEM_NO_HUGEPAGES)
		*hints |= JH_HINT_NO_HUGEPAGES;
	return 0;
}

static uint64_t mem_flags(uint64_t jf)
{
	static const struct {
		uint64_t jh, tandem;
	} map[] = {
		{ JH_MEM_READ, TANDEM_MEM_READ },
		{ JH_MEM_WRITE, TANDEM_MEM_WRITE },
		{ JH_MEM_EXECUTE, TANDEM_MEM_EXECUTE },
		{ JH_MEM_IO, TANDEM_MEM_IO },
		{ JH_MEM_COMM_REGION, TANDEM_MEM_COMM_REGION },
		{ JH_MEM_LOADABLE, TANDEM_MEM_LOADABLE },
		{ JH_MEM_ROOTSHARED, TANDEM_MEM_ROOTSHARED },
	};
	uint64_t f = 0;

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (jf & map[i].jh)
			f |= map[i].tandem;
	return f;
}

int jh_cell_translate(const void *jh, size_t len, void *out, size_t cap,
		      size_t *out_len, struct jh_cell_info *info,
		      struct jh_cell_error *err)
{
	const uint8_t *p = jh;
	const struct jh_cell_desc *h = jh;
	struct tandem_cell_desc *d = out;
	struct tandem_memory_region *mem;
	struct tandem_pio_region *pio;
	const struct jh_memory *jm;
	const struct jh_pio *jp;
	struct jh_layout l;
	uint32_t hints = 0;
	uint64_t cpus;
	size_t total, need;
	int ret;

	if (err)
		*err = (struct jh_cell_error){ NULL, -1 };
	if (len < sizeof(*h))
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse description shorter than its header", -1);
	if (len > JH_CELL_CONFIG_MAX)
		return fail(err, -TANDEM_E2BIG,
			    "Jailhouse description larger than 8192 bytes", -1);
	/* The copy's header decides, whatever step 1 saw. */
	ret = jh_cell_size(h, &total, err);
	if (ret)
		return ret;
	if (total != len)
		return fail(err, -TANDEM_EINVAL,
			    "Jailhouse description size disagrees with its counts",
			    -1);
	need = TANDEM_CELL_CONFIG_SIZE((size_t)h->num_memory_regions,
				       (size_t)h->num_pio_regions);
	if (cap < need || ((uintptr_t)out & 7))
		return fail(err, -TANDEM_EINVAL,
			    "translation buffer too small or not 8-byte aligned",
			    -1);
	layout(h, &l);

	ret = check_header(h, p + l.cpus, &cpus, err);
	if (ret)
		return ret;
	jm = (const struct jh_memory *)(p + l.mem);
	for (uint32_t i = 0; i < h->num_memory_regions; i++) {
		ret = check_mem(&jm[i], (int)i, &hints, err);
		if (ret)
			return ret;
	}
	if (h->num_cache_regions)
		hints |= JH_HINT_CACHE_REGIONS;
	if (h->flags & JH_CELL_TEST_DEVICE)
		hints |= JH_HINT_TEST_DEVICE;

	memset(out, 0, need);
	memcpy(d->signature, TANDEM_CELL_CONFIG_SIGNATURE, sizeof(d->signature));
	d->revision = TANDEM_CELL_CONFIG_REVISION;
	d->flags = (h->flags & JH_CELL_PASSIVE_COMMREG) ?
			   TANDEM_CELL_PASSIVE_COMMREG :
			   0;
	memcpy(d->name, h->name, strnlen(h->name, JH_CELL_NAME_LEN));
	d->cpu_set = cpus;
	d->num_memory_regions = h->num_memory_regions;
	d->num_pio_regions = h->num_pio_regions;
	d->reset_entry = h->cpu_reset_address;
	d->msg_reply_timeout_ms = 0;
	mem = (struct tandem_memory_region *)(d + 1);
	for (uint32_t i = 0; i < h->num_memory_regions; i++) {
		mem[i] = (struct tandem_memory_region){
			.phys_start = jm[i].phys_start,
			.virt_start = jm[i].virt_start,
			.size = jm[i].size,
			.flags = mem_flags(jm[i].flags),
		};
		/* Jailhouse maps its own page there (vmx.c, svm.c). */
		if (jm[i].flags & JH_MEM_COMM_REGION)
			mem[i].phys_start = 0;
	}
	pio = (struct tandem_pio_region *)(mem + h->num_memory_regions);
	jp = (const struct jh_pio *)(p + l.pio);
	for (uint32_t i = 0; i < h->num_pio_regions; i++)
		pio[i] = (struct tandem_pio_region){ jp[i].base, jp[i].length, 0 };

	*out_len = need;
	memset(info, 0, sizeof(*info));
	info->flags = h->flags;
	if (h->flags & JH_CELL_VIRTUAL_CONSOLE_ACTIVE)
		info->flags |= JH_CELL_VIRTUAL_CONSOLE_PERMITTED;
	info->cpu_reset_address = h->cpu_reset_address;
	info->msg_reply_timeout = h->msg_reply_timeout;
	info->console = h->console;
	info->hints = hints;
	return 0;
}

size_t jh_cell_hints_text(uint32_t hints, char *buf, size_t size)
{
	static const char *const names[] = { "cache regions", "test device",
					     "no huge pages" };
	size_t n = 0;

	if (!size)
		return 0;
	for (unsigned int b = 0; b < sizeof(names) / sizeof(names[0]); b++) {
		const char *s = names[b];

		if (!(hints & (1u << b)))
			continue;
		if (n && n + 2 < size) {
			memcpy(buf + n, ", ", 2);
			n += 2;
		}
		for (; *s && n + 1 < size; s++)
			buf[n++] = *s;
	}
	buf[n] = '\0';
	return n;
}
