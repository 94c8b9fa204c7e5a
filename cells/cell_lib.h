/*
 * The runtime of Tandem's test cells: entry from cells/crt0.asm, console
 * output through Debug Console Putc (code 8), the communication region
 * protocol (Jailhouse hypervisor-interfaces seed) and halting.
 *
 * A cell defines cell_name and cell_main(); it may define cell_restart()
 * (the Soft Restart entry), whose default runs cell_main() again.
 */
#ifndef TANDEM_CELLS_CELL_LIB_H
#define TANDEM_CELLS_CELL_LIB_H

#include <stdint.h>

#include "cell_image.h"
#include "tandem/comm_region.h"
#include "tandem_guest.h"

/* Defined by each cell. */
extern const char cell_name[];
void cell_main(void);
/* Optional (weak default 0): 1 = no lines about odd boot registers. */
extern const int cell_quiet;
/* Optional (weak default): the restart entry with EDI, ESI, EDX. */
void cell_restart(uint32_t a, uint32_t b, uint32_t c);

/* From the boot registers (EBX, ECX) and the image header. */
extern struct tandem_comm_region *cell_comm;
extern uint32_t cell_id;
extern const volatile struct cell_image_info cell_image_info;

/* Called by cells/crt0.asm only. */
void cell_boot_c(uint32_t magic, uint32_t comm, uint32_t id);
void cell_restart_c(uint32_t magic, uint32_t comm, uint32_t id, uint32_t a,
		    uint32_t b, uint32_t c);

/** One character to Tandem's console (Debug Console Putc, code 8). */
void cell_putc(char c);
/** A string; lines end with '\n'. */
void cell_puts(const char *s);
/** @v in lower-case hex, no prefix, no leading zeros ("11"). */
void cell_put_hex(uint32_t v);
/** @v in decimal with its sign ("-1", "0", "38"). */
void cell_put_dec(long v);

/** Answer the pending message: clear msg_to_cell first, then write @reply
 * (seed, "Logical Channel Message"). */
void cell_reply(uint32_t reply);

/** Set the cell state to Shut Down in the comm region, then halt. */
__attribute__((noreturn)) void cell_shut_down(void);

/** cli; hlt forever (cells/crt0.asm). */
__attribute__((noreturn)) void cell_halt(void);

/** Busy-wait about @n pause instructions. */
void cell_spin(uint32_t n);

#endif
