/* The hypercall fuzzer's generators (ros/fuzz.h): random streams, codes,
 * requests, argument values and the arena's contents. Every CPU has its own
 * stream, so the BSP's calls repeat for a seed whatever the others do. */
#include "cpu.h"
#include "fuzz.h"
#include "trap.h"
#include <tandem/cell_config.h>

#define LAST_CODE     TANDEM_HC_CELL_SOFT_RESTART
#define HC_PAGE_SLOTS TANDEM_HC_SLOT_HVM /* plain slots 0..126 */

uint8_t fuzz_arena[FUZZ_ARENA_SIZE] __attribute__((aligned(PAGE_SIZE)));

static const struct suite *gs;
static uint64_t rng[ROS_MAX_CPUS];
/* The last thing each CPU wrote into the arena. */
static uint64_t obj[ROS_MAX_CPUS];

void fuzz_gen_init(const struct suite *s)
{
	gs = s;
}

void fuzz_seed_cpu(unsigned cpu, uint64_t seed)
{
	rng[cpu] = seed;
	obj[cpu] = (uint64_t)fuzz_arena;
}

unsigned fuzz_cpu(void)
{
	return ros_this_cpu()->index;
}

uint64_t fuzz_rnd(void)
{
	uint64_t z = (rng[fuzz_cpu()] += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t fuzz_below(uint64_t n)
{
	return n ? fuzz_rnd() % n : 0;
}

/* "name=N" of the command line (decimal or 0x hex), else @def. */
uint64_t fuzz_cmdline_num(const struct ros_boot *b, const char *name, uint64_t def)
{
	size_t n = strlen(name);

	for (const char *p = b->cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			const char *q = p + n + 1;
			unsigned base = 10;
			uint64_t v = 0;

			if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
				base = 16;
				q += 2;
			}
			for (;; q++) {
				unsigned d;

				if (*q >= '0' && *q <= '9')
					d = (unsigned)(*q - '0');
				else if (base == 16 && *q >= 'a' && *q <= 'f')
					d = (unsigned)(*q - 'a' + 10);
				else if (base == 16 && *q >= 'A' && *q <= 'F')
					d = (unsigned)(*q - 'A' + 10);
				else
					break;
				v = v * base + d;
			}
			if (*q == ' ' || *q == 0)
				return v;
			ros_log("fuzz: %s: not a number; using %lu", name, def);
			return def;
		}
		while (*p && *p != ' ')
			p++;
	}
	return def;
}

/* QEMU's fw_cfg answers "QEMU" to the signature selector (port 0x510
 * selects, 0x511 reads); Bochs has no such device and reads 0xff. */
bool fuzz_on_qemu(void)
{
	char sig[4];

	__asm__ volatile("outw %w0, %w1" : : "a"((uint16_t)0), "Nd"(0x510));
	for (unsigned i = 0; i < 4; i++)
		sig[i] = (char)inb(0x511);
	return memcmp(sig, "QEMU", 4) == 0;
}

/* ---- the memory the generators point at ---- */

/* True when any byte of [a, a + len) is the ROS's available RAM (what
 * Tandem could accept as the root's memory). */
bool fuzz_ros_ram(uint64_t a, uint64_t len)
{
	const struct ros_boot *b = gs->boot;

	if (a + len < a)
		return false;
	for (size_t i = 0; i < b->nmem; i++)
		if (b->mem[i].type == MB2_MEM_AVAILABLE &&
		    a < b->mem[i].base + b->mem[i].len &&
		    b->mem[i].base < a + len)
			return true;
	return false;
}

bool fuzz_in_ranges(uint64_t a, const struct ros_range *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (r[i].size && a >= r[i].base && a - r[i].base < r[i].size)
			return true;
	return false;
}

bool fuzz_in_arena(uint64_t a, uint64_t len)
{
	return a >= (uint64_t)fuzz_arena &&
	       a + len <= (uint64_t)fuzz_arena + FUZZ_ARENA_SIZE && a + len >= a;
}

static uint64_t in_some(const struct ros_range *r)
{
	uint64_t slack = 64;

	if (!r->size)
		return fuzz_rnd();
	switch (fuzz_below(4)) {
	case 0:
		return r->base + fuzz_below(r->size);
	case 1:
		return r->base - 1 - fuzz_below(slack); /* just before */
	case 2:
		return r->base + r->size - fuzz_below(slack); /* across the end */
	default:
		return r->base + (fuzz_below(r->size / PAGE_SIZE) * PAGE_SIZE);
	}
}

uint64_t fuzz_arg(void)
{
	const struct suite *s = gs;
	uint64_t end = ros_ram_end(s->boot);

	switch (fuzz_below(16)) {
	case 0:
		return fuzz_below(16);
	case 1:
		return fuzz_below(17); /* cell ids */
	case 2:
		return fuzz_below(2) ? ~0ull : 0xffffffffull;
	case 3:
		return fuzz_rnd();
	case 4:
		return in_some(&s->tandem_mem[fuzz_below(2)]);
	case 5:
		return in_some(&s->hrt_mem);
	case 6: /* beyond RAM, non-canonical, top of the address space */
		switch (fuzz_below(4)) {
		case 0:
			return end + fuzz_below(1ull << 32);
		case 1:
			return 1ull << (36 + fuzz_below(27));
		case 2:
			return 0x8000000000000000ull | fuzz_rnd();
		default:
			return end - fuzz_below(64);
		}
	case 7:
		return (uint64_t)fuzz_arena + fuzz_below(FUZZ_ARENA_SIZE);
	case 8: /* unaligned */
		return (uint64_t)fuzz_arena + (fuzz_below(FUZZ_ARENA_SIZE) | 1);
	case 9: /* across a page boundary */
		return (uint64_t)fuzz_arena + PAGE_SIZE * (1 + fuzz_below(3)) -
		       1 - fuzz_below(80);
	case 10:
		return (uint64_t)s->page + fuzz_below(PAGE_SIZE + 64);
	case 11: /* the ROS's own image */
		return 0x100000 + fuzz_below(1 << 20);
	case 12:
	case 13:
		return obj[fuzz_cpu()];
	case 14:
		return 1ull << fuzz_below(64);
	default:
		return fuzz_below(1ull << 32);
	}
}

/* Half-valid things at a random place of the fuzz_arena: what Cell Create and
 * Replace HRT get to parse when they are sent there. */
void fuzz_fill_arena(void)
{
	uint64_t off = fuzz_below(FUZZ_ARENA_SIZE - 512) & ~7ull;
	uint8_t *p = fuzz_arena + off;

	obj[fuzz_cpu()] = (uint64_t)p;
	switch (fuzz_below(4)) {
	case 0:
		for (unsigned i = 0; i < 512; i += 8) {
			uint64_t v = fuzz_rnd();

			memcpy(p + i, &v, 8);
		}
		break;
	case 1:
	case 2: {
		struct tandem_cell_desc d;
		uint32_t nmem = (uint32_t)fuzz_below(4),
			 npio = (uint32_t)fuzz_below(3);
		struct tandem_memory_region m;
		struct tandem_pio_region pio;
		uint8_t *q = p + sizeof(d);

		memset(&d, 0, sizeof(d));
		memcpy(d.signature, TANDEM_CELL_CONFIG_SIGNATURE, 8);
		d.revision = fuzz_below(8) ? TANDEM_CELL_CONFIG_REVISION : 2;
		d.flags = fuzz_below(4) ? 0 : (uint32_t)fuzz_rnd();
		memcpy(d.name, "fuzz", 5);
		d.cpu_set = fuzz_below(4) ? 1ull << fuzz_below(4) : fuzz_rnd();
		d.num_memory_regions = fuzz_below(8) ? nmem :
						       (uint32_t)fuzz_rnd();
		d.num_pio_regions = fuzz_below(8) ? npio : (uint32_t)fuzz_rnd();
		d.reset_entry = fuzz_below(2) ? 0x1000 : fuzz_arg();
		d.msg_reply_timeout_ms = (uint32_t)fuzz_below(100);
		memcpy(p, &d, sizeof(d));
		for (uint32_t i = 0; i < nmem; i++, q += sizeof(m)) {
			m.phys_start = fuzz_arg() & ~0xfffull;
			m.virt_start = fuzz_below(4) << 20;
			m.size = (fuzz_below(256) + 1) << 12;
			m.flags = fuzz_below(4) ?
					  TANDEM_MEM_READ | TANDEM_MEM_WRITE :
					  fuzz_rnd() & 0xff;
			memcpy(q, &m, sizeof(m));
		}
		for (uint32_t i = 0; i < npio; i++, q += sizeof(pio)) {
			pio.base = (uint16_t)fuzz_rnd();
			pio.length = (uint16_t)fuzz_below(64);
			pio.reserved = 0;
			memcpy(q, &pio, sizeof(pio));
		}
		break;
	}
	default: /* an ELF64 header with random fields */
		for (unsigned i = 0; i < 128; i += 8) {
			uint64_t v = fuzz_rnd();

			memcpy(p + i, &v, 8);
		}
		memcpy(p,
		       "\x7f"
		       "ELF\x02\x01\x01",
		       7);
		p[18] = 0x3e; /* x86-64 */
		break;
	}
}

uint64_t fuzz_code(void)
{
	uint64_t k = fuzz_below(100);

	if (k < 70)
		return fuzz_below(16);
	if (k < 85)
		return LAST_CODE - 2 + fuzz_below(8);
	if (k < 88)
		return TANDEM_HC_HVM | (fuzz_below(2) ? fuzz_rnd() << 32 : 0);
	if (k < 92)
		return HC_PAGE_SLOTS - 2 + fuzz_below(4);
	return fuzz_rnd();
}

void fuzz_random_regs(struct fuzz_regs *r)
{
	for (unsigned i = R_RBX; i < NREGS; i++)
		r->in[i] = fuzz_arg();
}

uint64_t fuzz_request(void)
{
	static const uint8_t known[] = {
		0x00, 0x01, 0x02, 0x03, 0x08, 0x0f, 0x10, 0x1e,
		0x1f, 0x20, 0x21, 0x28, 0x29, 0x2f, 0x30, 0x31,
		0x3f, 0x40, 0x41, 0x51, 0x52, 0x53, 0x5f, 0x0f,
		0x20, 0x21, 0x08, 0x00, 0x0f, 0x20, 0x21, 0x2f,
	};
	uint64_t k = fuzz_below(100);

	if (k < 75)
		return known[fuzz_below(sizeof(known))];
	if (k < 92)
		return fuzz_below(0x80);
	return fuzz_rnd();
}
