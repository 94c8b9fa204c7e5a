/* The ROS's small MADT parser (ACPI 6.5: 5.2.5 RSDP, 5.2.7 RSDT, 5.2.8
 * XSDT, 5.2.12 MADT). Every table's signature, length and checksum is
 * checked before use; tables beyond the ROS's map (ROS_MAP_END) are not read. */
#include "acpi.h"
#include "ros.h"

#define MADT_LAPIC	    0
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC	    9
#define MADT_ENABLED	    1
#define MAX_TABLE_LEN	    (1u << 20)

struct rsdp {
	char sig[8];
	uint8_t checksum;
	char oem[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length; /* revision >= 2 from here on */
	uint64_t xsdt;
	uint8_t xchecksum;
	uint8_t reserved[3];
} __attribute__((packed));
_Static_assert(sizeof(struct rsdp) == 36, "RSDP size");

struct sdt_header {
	char sig[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_revision, creator, creator_revision;
} __attribute__((packed));
_Static_assert(sizeof(struct sdt_header) == 36, "SDT header size");

static bool checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

/* A table at @phys, or NULL when it is out of reach or malformed. */
static const struct sdt_header *table_at(uint64_t phys, const char *sig)
{
	const struct sdt_header *h;

	if (phys == 0 || phys >= ROS_MAP_END - MAX_TABLE_LEN)
		return NULL;
	h = (const void *)phys;
	if (sig && memcmp(h->sig, sig, 4) != 0)
		return NULL;
	if (h->length < sizeof(*h) || h->length > MAX_TABLE_LEN ||
	    !checksum_ok(h, h->length))
		return NULL;
	return h;
}

static const struct rsdp *scan_bios(void)
{
	for (uint64_t a = 0xe0000; a < 0x100000; a += 16) {
		const struct rsdp *r = (const void *)a;

		if (memcmp(r->sig, "RSD PTR ", 8) == 0 && checksum_ok(r, 20))
			return r;
	}
	return NULL;
}

static const struct sdt_header *find_madt(const struct rsdp *r, bool *xsdt)
{
	const struct sdt_header *root;
	size_t entry_size, n;

	*xsdt = r->revision >= 2 && r->length >= sizeof(*r) &&
		checksum_ok(r, sizeof(*r)) && r->xsdt != 0;
	root = *xsdt ? table_at(r->xsdt, "XSDT") : NULL;
	if (!root) {
		*xsdt = false;
		root = table_at(r->rsdt, "RSDT");
	}
	if (!root)
		return NULL;
	entry_size = *xsdt ? 8 : 4;
	n = (root->length - sizeof(*root)) / entry_size;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = (const uint8_t *)(root + 1) + i * entry_size;
		uint64_t phys = 0;
		const struct sdt_header *t;

		memcpy(&phys, e, entry_size);
		t = table_at(phys, "APIC");
		if (t)
			return t;
	}
	return NULL;
}

static void add_cpu(struct ros_madt *m, uint32_t apic_id)
{
	for (size_t i = 0; i < m->ncpus; i++)
		if (m->apic_ids[i] == apic_id)
			return; /* listed as both LAPIC and x2APIC */
	if (m->ncpus < sizeof(m->apic_ids) / sizeof(m->apic_ids[0]))
		m->apic_ids[m->ncpus++] = apic_id;
}

const char *ros_acpi_madt(const void *rsdp, size_t len, struct ros_madt *out)
{
	const struct rsdp *r = rsdp;
	const struct sdt_header *madt;
	const uint8_t *p, *end;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		r = scan_bios();
	else if (len < 20)
		r = NULL;
	if (!r)
		return "no ACPI RSDP";
	if (memcmp(r->sig, "RSD PTR ", 8) != 0 || !checksum_ok(r, 20))
		return "ACPI RSDP signature or checksum bad";
	madt = find_madt(r, &out->used_xsdt);
	if (!madt)
		return "no valid MADT in the RSDT/XSDT";
	if (madt->length < sizeof(*madt) + 8)
		return "MADT too short";
	p = (const uint8_t *)(madt + 1);
	out->lapic_addr = *(const uint32_t *)p;
	end = (const uint8_t *)madt + madt->length;
	for (p += 8; p + 2 <= end; p += p[1]) {
		if (p[1] < 2 || p + p[1] > end)
			return "MADT entry overruns the table";
		switch (p[0]) {
		case MADT_LAPIC: /* uid u8, APIC ID u8, flags u32 */
			if (p[1] >= 8 &&
			    (*(const uint32_t *)(p + 4) & MADT_ENABLED))
				add_cpu(out, p[3]);
			break;
		case MADT_X2APIC: /* reserved u16, x2APIC ID u32, flags u32, uid */
			if (p[1] >= 16 &&
			    (*(const uint32_t *)(p + 8) & MADT_ENABLED))
				add_cpu(out, *(const uint32_t *)(p + 4));
			break;
		case MADT_LAPIC_OVERRIDE: /* reserved u16, address u64 */
			if (p[1] >= 12)
				out->lapic_addr = *(const uint64_t *)(p + 4);
			break;
		}
	}
	if (out->ncpus == 0)
		return "MADT lists no enabled processor";
	return NULL;
}
