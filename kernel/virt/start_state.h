/* Architectural start states for guest CPUs, in the canonical form. */
#ifndef TANDEM_VIRT_START_STATE_H
#define TANDEM_VIRT_START_STATE_H

#include <stdint.h>
#include "virt/vcpu.h"

/** The Multiboot2 machine state (Multiboot2 spec 3.3): 32-bit protected
 * mode, flat 4 GiB segments, paging and interrupts off, at @entry. The
 * caller sets EAX and EBX. */
void start_state_multiboot(struct vcpu_state *s, uint32_t entry);

/** The Linux 32-bit boot protocol state (boot.rst, "32-bit boot
 * protocol"): as Multiboot2's, but CS = __BOOT_CS (0x10) and the data
 * segments __BOOT_DS (0x18) of the GDT at @gdtr, which the caller wrote
 * (flat code and data there). The caller sets ESI to the zero page and
 * EBP, EDI, EBX to 0. */
void start_state_linux32(struct vcpu_state *s, uint32_t entry,
			 struct dtable gdtr);

/** Where a 64-bit start state's tables and selectors are (the caller
 * built them in the guest's memory). */
struct start_tables64 {
	uint64_t cr3; /* 4-level page tables */
	uint16_t code_sel, data_sel, tss_sel;
	uint64_t tss_base;
	uint32_t tss_limit;
	struct dtable gdtr, idtr;
};

/** 64-bit mode with paging on (the Palacios HRT boot state): flat code and
 * data from @t's GDT, TR loaded, interrupts off, at @entry. The caller
 * sets the general registers. */
void start_state_long(struct vcpu_state *s, uint64_t entry,
		      const struct start_tables64 *t);

/** Real mode at @addr below 4 GiB, as Jailhouse resets a cell's CPUs:
 * CS selector (@addr >> 4) & 0xf000, CS base @addr & ~0xffff, IP the low
 * 16 bits; CR0 CD|NW|ET, flat 64 KiB data segments at 0, registers 0. */
void start_state_real(struct vcpu_state *s, uint32_t addr);

/** Real mode at @vector << 12, as after INIT and a start-up IPI. */
void start_state_sipi(struct vcpu_state *s, uint8_t vector);

#endif
