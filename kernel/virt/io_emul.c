/* Intercepted I/O ports. The root cell runs with every port passed through
 * except those given to other cells: reading one returns all ones, writing
 * one is dropped. A non-root cell may use only the ports of its
 * configuration; touching another one makes it fail. */
#include "cell/cell.h"
#include "lib/console.h"
#include "virt/exits.h"
#include "hvm/hvm.h"

void handle_io(struct vcpu *v)
{
	static unsigned int logged;
	const struct vcpu_exit *e = &v->exit;

	if (hrt.cell && v->cell == hrt.cell && e->io.port == HVM_DEBUG_PORT &&
	    !e->io.in && !e->io.string) {
		hvm_console_putc((char)v->regs[GPR_RAX]);
		vcpu_skip_insn(v);
		return;
	}
	if (v->cell != &root_cell)
		vcpu_fail(v, "I/O port 0x%x outside its configuration (RIP 0x%lx)",
			  e->io.port, v->rip);
	if (logged++ < 4)
		pr_warn("cell '%s' %s port 0x%x of another cell: %s", v->cell->name,
			e->io.in ? "read" : "wrote", e->io.port,
			e->io.in ? "all ones" : "dropped");
	if (e->io.in && !e->io.string) {
		uint64_t mask = e->io.size == 1 ? 0xff : e->io.size == 2 ? 0xffff :
			0xffffffffull;

		/* IN to EAX zeroes bits 63:32; AL/AX keep the rest. */
		v->regs[GPR_RAX] = e->io.size == 4 ? mask :
				   (v->regs[GPR_RAX] & ~mask) | mask;
	}
	vcpu_skip_insn(v);
}
