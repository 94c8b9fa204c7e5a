/*
 * Tandem hypercalls: codes, the hypercall page, Get Info types.
 * The reference with registers, results and errors is guest-abi/ABI.md.
 *
 * Transfer: VMCALL (Intel) or VMMCALL (AMD) directly, either works on both
 * vendors; or `call page + code * 32` through the hypercall page.
 * RAX = code, arguments in RDI, RSI, RDX, R10, R8, R9, result in RAX.
 * Outside 64-bit mode only the low 32 bits of each register are used.
 */
#ifndef TANDEM_HYPERCALL_H
#define TANDEM_HYPERCALL_H

#include "hvm.h"

/* Cell calls (Jailhouse hypervisor-interfaces seed). */
#define TANDEM_HC_DISABLE	      0
#define TANDEM_HC_CELL_CREATE	      1
#define TANDEM_HC_CELL_START	      2
#define TANDEM_HC_CELL_SET_LOADABLE   3 /* reserved */
#define TANDEM_HC_CELL_DESTROY	      4
#define TANDEM_HC_HYPERVISOR_GET_INFO 5
#define TANDEM_HC_CELL_GET_STATE      6
#define TANDEM_HC_CPU_GET_STATE	      7
#define TANDEM_HC_DEBUG_CONSOLE_PUTC  8
/* x86 analog of arm64 HVC_SOFT_RESTART: restart a cell's boot CPU at an
 * entry with three register values (guest-abi/ABI.md). */
#define TANDEM_HC_CELL_SOFT_RESTART   9

/* A cell's boot CPU starts (Cell Start, Soft Restart) in 32-bit protected
 * mode, flat 4 GiB segments, paging and interrupts off, at its entry, with
 * EAX = TANDEM_CELL_BOOT_MAGIC, EBX = the communication region's
 * cell-physical address (0: none), ECX = the cell id; after a soft restart
 * EDI, ESI, EDX carry the three values given. Its other CPUs wait for an
 * INIT-SIPI-SIPI from the boot CPU. */
#define TANDEM_CELL_BOOT_MAGIC	      0x43444e54u /* "TNDC" */

/* The Palacios HVM call: RAX = 0xf00d, RBX = TANDEM_HVM_MARKER,
 * RCX = request (tandem/hvm.h has the requests). The same numbers as
 * TANDEM_HVM_CALL and TANDEM_HVM_MARKER_64, under the hypercall names. */
#define TANDEM_HC_HVM		      TANDEM_HVM_CALL
#define TANDEM_HVM_MARKER	      TANDEM_HVM_MARKER_64

/* Hypervisor Get Info (code 5) types. */
#define TANDEM_INFO_MEM_POOL_PAGES    0
#define TANDEM_INFO_MEM_POOL_USED     1
#define TANDEM_INFO_REMAP_POOL_PAGES  2
#define TANDEM_INFO_REMAP_POOL_USED   3
#define TANDEM_INFO_NUM_CELLS	      4
/* Machine-physical memory ranges, fixed from boot: Tandem's own two (its
 * image, its hypervisor memory), which no guest reaches, and the HRT's
 * (base and size 0: no HRT). Bases and sizes in bytes. */
#define TANDEM_INFO_IMAGE_BASE	      5
#define TANDEM_INFO_IMAGE_SIZE	      6
#define TANDEM_INFO_HV_MEM_BASE	      7
#define TANDEM_INFO_HV_MEM_SIZE	      8
#define TANDEM_INFO_HRT_MEM_BASE      9
#define TANDEM_INFO_HRT_MEM_SIZE      10
/* RSI = a guest-physical address of the caller: the memory type its
 * accesses get where its own PAT says WB (TANDEM_MT_*), or -ENOENT where
 * nothing is mapped (trapped or absent). */
#define TANDEM_INFO_MEM_TYPE	      11
#define TANDEM_INFO_LAST	      TANDEM_INFO_MEM_TYPE

/* Memory types (the x86 MTRR/PAT/EPT codes). */
#define TANDEM_MT_UC		      0
#define TANDEM_MT_WC		      1
#define TANDEM_MT_WT		      4
#define TANDEM_MT_WP		      5
#define TANDEM_MT_WB		      6

/* Cell states (Cell Get State, code 6; communication region). */
#define TANDEM_CELL_RUNNING	      0
#define TANDEM_CELL_SHUT_DOWN	      1
#define TANDEM_CELL_FAILED	      2

/* CPU Get State (code 7): RDI = logical CPU id, RSI = information type.
 * Type 0 is the state of the seed (0 running, 2 failed); types 1000 and up
 * are that CPU's exit counters since boot. */
#define TANDEM_CPU_INFO_STATE	      0
#define TANDEM_CPU_RUNNING	      0
#define TANDEM_CPU_FAILED	      2
#define TANDEM_CPU_STAT_TOTAL	      1000 /* every exit */
#define TANDEM_CPU_STAT_HYPERCALL     1001
#define TANDEM_CPU_STAT_CPUID	      1002
#define TANDEM_CPU_STAT_MSR	      1003
#define TANDEM_CPU_STAT_IO	      1004
#define TANDEM_CPU_STAT_MEM_FAULT     1005 /* nested paging faults */
#define TANDEM_CPU_STAT_HALT	      1006
#define TANDEM_CPU_STAT_INTERRUPT     1007
#define TANDEM_CPU_STAT_OTHER	      1008
#define TANDEM_CPU_STAT_LAST	      TANDEM_CPU_STAT_OTHER

/* Hypercall page: 128 stubs of 32 bytes. Slot N (N < TANDEM_HC_PAGE_SLOTS - 1)
 * is `mov eax, N; vmcall|vmmcall; ret`, padded with int3. The last slot
 * issues the HVM call: `mov eax, 0xf00d; vmcall|vmmcall; ret` (the caller
 * sets RBX and RCX as for a direct 0xf00d call). */
#define TANDEM_HC_STUB_SIZE	      32
#define TANDEM_HC_PAGE_SLOTS	      128
#define TANDEM_HC_SLOT_HVM	      127

#endif
