/* Multiboot2 information parsing for the ROS (Multiboot2 spec 3.6). The
 * block comes from GRUB or from Tandem's guest loader: every tag is
 * bounds-checked against the block's total size. */
#include "bootinfo.h"
#include "ros.h"

#define MB2_TAG_END	 0
#define MB2_TAG_CMDLINE	 1
#define MB2_TAG_MODULE	 3
#define MB2_TAG_MMAP	 6
#define MB2_TAG_FB	 8
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15

#define MB2_MAX_INFO	 (1u << 20)

struct mb2_tag {
	uint32_t type, size;
};

struct mb2_mmap_entry {
	uint64_t base, len;
	uint32_t type, reserved;
};

static void add_range(struct ros_boot *b, uint64_t base, uint64_t len,
		      uint32_t type)
{
	size_t i;

	if (len == 0)
		return;
	if (b->nmem == ROS_MAX_MEM_RANGES) {
		b->warning = "memory map truncated";
		return;
	}
	/* Insertion sort: the map is short and firmware lists it in order. */
	for (i = b->nmem; i > 0 && b->mem[i - 1].base > base; i--)
		b->mem[i] = b->mem[i - 1];
	b->mem[i].base = base;
	b->mem[i].len = len;
	b->mem[i].type = type;
	b->nmem++;
}

static void parse_mmap(struct ros_boot *b, const uint8_t *tag, uint32_t size)
{
	uint32_t entry_size, off;

	if (size < 16) {
		b->warning = "memory map tag too short";
		return;
	}
	entry_size = *(const uint32_t *)(tag + 8);
	if (entry_size < sizeof(struct mb2_mmap_entry) || entry_size % 8) {
		b->warning = "memory map entry size invalid";
		return;
	}
	for (off = 16; off + entry_size <= size; off += entry_size) {
		const struct mb2_mmap_entry *e = (const void *)(tag + off);

		add_range(b, e->base, e->len, e->type);
	}
}

static void copy_string(char *dst, size_t cap, const char *src, size_t max)
{
	size_t n = strnlen(src, max);

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = 0;
}

const char *ros_parse_mb2(uint32_t magic, uint64_t mbi, struct ros_boot *b)
{
	const uint8_t *p = (const uint8_t *)mbi;
	uint32_t total, off;

	memset(b, 0, sizeof(*b));
	if (magic != MB2_BOOT_MAGIC)
		return "not started by a Multiboot2 loader (bad EAX magic)";
	if (mbi == 0 || (mbi & 7) || mbi >= (1ull << 32))
		return "Multiboot2 information address invalid";
	total = *(const uint32_t *)p;
	if (total < 16 || total > MB2_MAX_INFO)
		return "Multiboot2 information size invalid";
	b->mbi = mbi;
	b->mbi_size = total;

	for (off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *t = (const void *)(p + off);
		const uint8_t *tag = p + off;

		if (t->type == MB2_TAG_END)
			break;
		if (t->size < 8 || t->size > total - off)
			return "Multiboot2 tag overruns the information block";
		switch (t->type) {
		case MB2_TAG_CMDLINE:
			copy_string(b->cmdline, sizeof(b->cmdline),
				    (const char *)tag + 8, t->size - 8);
			break;
		case MB2_TAG_MODULE:
			if (t->size >= 16 && b->nmods < ROS_MAX_MODULES) {
				b->mods[b->nmods].start = *(
					const uint32_t *)(tag + 8);
				b->mods[b->nmods].end = *(
					const uint32_t *)(tag + 12);
				b->nmods++;
			}
			break;
		case MB2_TAG_MMAP:
			parse_mmap(b, tag, t->size);
			break;
		case MB2_TAG_FB: /* spec 3.6.12: the screen is ours */
			if (t->size >= 30) {
				b->fb_addr = *(const uint64_t *)(tag + 8);
				b->fb_width = *(const uint32_t *)(tag + 20);
				b->fb_height = *(const uint32_t *)(tag + 24);
				b->fb_bpp = tag[28];
				b->fb_type = tag[29];
				b->has_fb = true;
			}
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* Prefer the ACPI 2.0+ RSDP (XSDT) when both exist. */
			if (b->rsdp_len && t->type == MB2_TAG_ACPI_OLD)
				break;
			b->rsdp_len = t->size - 8;
			if (b->rsdp_len > sizeof(b->rsdp))
				b->rsdp_len = sizeof(b->rsdp);
			memcpy(b->rsdp, tag + 8, b->rsdp_len);
			break;
		}
		off += (t->size + 7) & ~7u;
	}
	if (b->nmem == 0)
		return "no memory map in the Multiboot2 information";
	return NULL;
}

bool ros_cmdline_has(const struct ros_boot *b, const char *word)
{
	size_t n = strlen(word);

	for (const char *s = b->cmdline; *s;) {
		while (*s == ' ')
			s++;
		if (strncmp(s, word, n) == 0 && (s[n] == ' ' || s[n] == 0))
			return true;
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

uint64_t ros_ram_total(const struct ros_boot *b)
{
	uint64_t total = 0;

	for (size_t i = 0; i < b->nmem; i++)
		if (b->mem[i].type == MB2_MEM_AVAILABLE)
			total += b->mem[i].len;
	return total;
}

uint64_t ros_ram_end(const struct ros_boot *b)
{
	uint64_t end = 0;

	for (size_t i = 0; i < b->nmem; i++)
		if (b->mem[i].type == MB2_MEM_AVAILABLE &&
		    b->mem[i].base + b->mem[i].len > end)
			end = b->mem[i].base + b->mem[i].len;
	return end;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

bool ros_ram_is_free(const struct ros_boot *b, uint64_t base, uint64_t len)
{
	bool in_ram = false;

	for (size_t i = 0; i < b->nmem; i++) {
		const struct ros_mem_range *r = &b->mem[i];

		if (r->type != MB2_MEM_AVAILABLE &&
		    overlaps(base, len, r->base, r->len))
			return false;
		if (r->type == MB2_MEM_AVAILABLE && base >= r->base &&
		    base + len <= r->base + r->len)
			in_ram = true;
	}
	if (!in_ram || overlaps(base, len, b->mbi, b->mbi_size))
		return false;
	for (size_t i = 0; i < b->nmods; i++)
		if (overlaps(base, len, b->mods[i].start,
			     b->mods[i].end - b->mods[i].start))
			return false;
	return true;
}

bool ros_range_reserved(const struct ros_boot *b, uint64_t base, uint64_t len)
{
	uint64_t pos = base;

	/* The map is sorted and its ranges do not overlap: one pass, each
	 * reserved range that holds @pos moves it to its end. */
	for (size_t i = 0; i < b->nmem && pos < base + len; i++) {
		const struct ros_mem_range *r = &b->mem[i];

		if (r->type == MB2_MEM_RESERVED && r->base <= pos &&
		    pos < r->base + r->len)
			pos = r->base + r->len;
	}
	return len > 0 && pos >= base + len;
}
