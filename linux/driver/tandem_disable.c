// SPDX-License-Identifier: GPL-2.0
/*
 * Disable (hypercall 0, guest-abi/ABI.md 4.1): Tandem leaves and Linux runs
 * on natively on every CPU.
 *
 * The catch is ABI 4.1.2: for every root CPU running root code, Tandem
 * writes a PML4 entry into the first free index 255..1 of the top-level
 * table that CPU's CR3 points at, pointing at page tables in Tandem's
 * (reserved) memory, and leaves it there. Indexes 1..255 are the user half
 * of Linux's address space: left in a process's page table, the entry
 * would later be taken for the process's own page tables (walked, freed on
 * exit, mapped over), and init_mm's swapper_pg_dir, whose user half is
 * empty, is not exported to modules.
 *
 * So every CPU is put on a top-level table of the driver's own for the
 * call: inside stop_machine() (every online CPU in tandem_disable_cpu()
 * with interrupts off, nothing else running), each CPU copies the kernel
 * half (indexes 256..511, the same in every Linux page table) of its
 * current table into a zeroed page of its own and loads it into CR3 (PCID
 * 0, which Linux's kernel does not use for a process). Once all are
 * there, the first online CPU issues Disable; Tandem then makes every
 * other CPU leave virtualization where it spins, and returns on the
 * caller. Each CPU then reloads its own CR3 and flushes its whole TLB
 * (global entries and paging-structure caches too, __flush_tlb_all()),
 * so nothing refers to the private tables any more and they are freed:
 * Linux's own page tables never held Tandem's entry.
 *
 * Tandem's resume path itself copes with the rest of Linux's state: it
 * loads CR4 before CR3 (CR4.PCIDE needs a PCID of 0 while it is set; the
 * private table here is loaded with PCID 0 anyway), and runs LTR on a
 * copy of the GDT (Linux's is mapped read-only; LTR on it faults: a
 * double fault right after Disable, seen before Tandem made the copy).
 *
 * CPUs Linux has offline are not in stop_machine(): the ones this driver
 * gave to cells are Tandem's (the cells are destroyed by Disable, their
 * CPUs get a real INIT) and are brought back with add_cpu() afterwards.
 * Any other offline CPU idles in root code on init_mm's swapper_pg_dir,
 * where Tandem would leave its entry: it is sent an INIT first, so that
 * Tandem halts it and leaves it waiting for a start-up IPI (ABI 4.1.1
 * step 4), as Linux expects of an offline CPU it brings up again.
 *
 * The calling CPU must be in long mode with 4-level paging (ABI 4.1.2 and
 * 9: Tandem does not check CR4.LA57): with 5-level paging (a CPU with
 * LA57, unless Linux runs with no5lvl) Disable is refused here.
 */
#define pr_fmt(fmt) "tandem: " fmt

#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <asm/pgtable.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "tandem/hypercall.h"
#include "tandem.h"
#include "tandem_hc.h"

#define PML4_HALF (PTRS_PER_PGD / 2)

struct disable_ctx {
	unsigned long *pml4; /* per CPU id: a zeroed page, 0 none */
	unsigned int caller;
	atomic_t arrived;
	atomic_t missing; /* a CPU without its page: nobody calls */
	int done;
	long result;
};

static int tandem_disable_cpu(void *data)
{
	struct disable_ctx *ctx = data;
	unsigned int cpu = smp_processor_id();
	unsigned long old = __native_read_cr3();
	pgd_t *mine = (pgd_t *)ctx->pml4[cpu];
	pgd_t *cur = __va(old & CR3_ADDR_MASK);

	if (mine) {
		memcpy(mine + PML4_HALF, cur + PML4_HALF,
		       PML4_HALF * sizeof(pgd_t));
		native_write_cr3(__pa(mine));
	} else {
		atomic_inc(&ctx->missing);
	}
	atomic_inc(&ctx->arrived);
	while (atomic_read(&ctx->arrived) < num_online_cpus())
		cpu_relax();

	if (cpu == ctx->caller) {
		ctx->result = atomic_read(&ctx->missing) ?
				      -ENOMEM :
				      tandem_hc1(TANDEM_HC_DISABLE, 0);
		smp_store_release(&ctx->done, 1);
	} else {
		while (!smp_load_acquire(&ctx->done))
			cpu_relax();
	}
	if (mine) {
		native_write_cr3(old);
		__flush_tlb_all();
	}
	return 0;
}

int tandem_disable(struct tandem_ioc_disable *req)
{
	struct disable_ctx ctx = { 0 };
	unsigned int cpu, i;
	int ret = 0;

	if (native_read_cr4() & X86_CR4_LA57) {
		req->err = EINVAL;
		tandem_msg(req->msg,
			   "Linux runs with 5-level paging; Disable needs 4-level (boot Linux with no5lvl)");
		return 0;
	}
	ctx.pml4 = kcalloc(nr_cpu_ids, sizeof(*ctx.pml4), GFP_KERNEL);
	if (!ctx.pml4)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
	{
		ctx.pml4[cpu] = get_zeroed_page(GFP_KERNEL);
		if (!ctx.pml4[cpu]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	for_each_present_cpu(cpu) if (!cpu_online(cpu) && !tandem_cpu_owner(cpu))
		tandem_send_init(cpu);
	ctx.caller = cpumask_first(cpu_online_mask);
	/* The caller is fixed before stop_machine() only as a number: should
	 * CPU hotplug change the online mask in between, the first online
	 * CPU is still online (CPU 0 cannot go offline on x86). */
	ret = stop_machine(tandem_disable_cpu, &ctx, cpu_online_mask);
	if (ret)
		goto out;

	if (ctx.result < 0) {
		req->err = tandem_err(ctx.result);
		if (ctx.result == -ENOMEM)
			tandem_msg(req->msg, "no memory for a CPU's page table");
		else if (ctx.result == -1)
			tandem_msg(req->msg,
				   "a cell denied the shutdown request (or did not answer in time): Tandem stays");
		else
			tandem_msg(req->msg,
				   "Tandem refused Disable (error %ld): it stays",
				   ctx.result);
		goto out;
	}
	tandem_disabled = true;
	pr_info("Tandem disabled: Linux runs natively\n");
	/* Disable destroyed every cell (ABI 4.1.1): their CPUs wait for a
	 * start-up IPI, which add_cpu() sends. */
	for (i = 0; i < TANDEM_IOC_MAX_CELLS; i++) {
		struct tandem_cell *c = tandem_cells[i];

		if (!c)
			continue;
		tandem_cells[i] = NULL;
		tandem_cpus_online(c->cpus_offlined);
		kfree(c);
	}
out:
	for_each_possible_cpu(cpu) if (ctx.pml4[cpu]) free_page(ctx.pml4[cpu]);
	kfree(ctx.pml4);
	return ret;
}
