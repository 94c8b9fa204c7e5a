/* Nested-paging faults: the guest touched guest-physical memory that is
 * not mapped for it. Tandem's own memory reads as all ones and ignores
 * writes (one rate-limited line says so); the local APIC page is emulated
 * (apic_emul.c). The access is completed by decoding the instruction. */
#include "virt/apic_emul.h"
#include "virt/partition.h"
#include "hw/console.h"
#include "virt/exits.h"
#include "virt/guest_mem.h"
#include "virt/insn.h"
#include "mm/tandem_mem.h"

typedef uint64_t (*mmio_read_fn)(struct vcpu *v, uint64_t gpa, unsigned size);
typedef void (*mmio_write_fn)(struct vcpu *v, uint64_t gpa, unsigned size,
			      uint64_t value);

static void emulate_access(struct vcpu *v, mmio_read_fn rd, mmio_write_fn wr)
{
	uint64_t gpa = v->exit.mem.gpa;
	uint8_t bytes[15];
	struct insn_mem m;
	size_t got;

	if (guest_fetch_insn(v, bytes, sizeof(bytes), &got))
		vcpu_fail(v,
			  "cannot read the instruction at RIP 0x%lx that accessed 0x%lx",
			  v->rip, gpa);
	if (insn_decode_mem(bytes, got, guest_insn_mode(v), &m))
		vcpu_fail(v,
			  "cannot emulate the instruction at RIP 0x%lx (%02x %02x %02x %02x) accessing 0x%lx",
			  v->rip, bytes[0], bytes[1], bytes[2], bytes[3], gpa);
	if (m.write && m.op == INSN_OP_MOV) {
		uint64_t val = m.src_kind == INSN_SRC_IMM ?
				       m.imm :
				       insn_write_value(&m, v->regs[m.reg]);

		wr(v, gpa, m.size, val);
	} else if (!m.write && m.dst_size) {
		uint64_t val = rd(v, gpa, m.size);

		v->regs[m.reg] = insn_read_result(&m, v->regs[m.reg], val);
	} else {
		/* CMP/TEST and read-modify-write: no flags emulation here. */
		vcpu_fail(v, "unsupported access (op %d) at RIP 0x%lx to 0x%lx",
			  m.op, v->rip, gpa);
	}
	v->exit.insn_len = m.length;
	vcpu_skip_insn(v);
}

static void log_tandem_access(struct vcpu *v, uint64_t gpa, bool write)
{
	pr_warn_limited("cell '%s' %s Tandem's memory at 0x%lx (RIP 0x%lx): %s",
			v->cell->name, write ? "wrote" : "read", gpa, v->rip,
			write ? "dropped" : "all ones");
}

static uint64_t tandem_read(struct vcpu *v, uint64_t gpa, unsigned size)
{
	(void)size;
	log_tandem_access(v, gpa, false);
	return ~0ull;
}

static void tandem_write(struct vcpu *v, uint64_t gpa, unsigned size, uint64_t val)
{
	(void)size;
	(void)val;
	log_tandem_access(v, gpa, true);
}

void handle_mem_fault(struct vcpu *v)
{
	uint64_t gpa = v->exit.mem.gpa;

	if (v->exit.mem.exec)
		vcpu_fail(v, "executed unmapped guest-physical 0x%lx", gpa);
	if (gpa >= APIC_GUEST_BASE && gpa < APIC_GUEST_BASE + 0x1000)
		emulate_access(v, apic_emul_read, apic_emul_write);
	else if (!v->cell->config && tandem_mem_overlaps(gpa, 1))
		/* the root cell and the HRT map the machine 1:1 */
		emulate_access(v, tandem_read, tandem_write);
	else
		vcpu_fail(v, "%s unmapped guest-physical 0x%lx at RIP 0x%lx",
			  v->exit.mem.write ? "wrote" : "read", gpa, v->rip);
}
