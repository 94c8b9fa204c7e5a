/*
 * Tandem's address-space layout: the one place it is drawn.
 *
 * Included by C, by NASM (through build/asm-offsets.inc, never by hand) and
 * by the preprocessed linker script, so it holds only #defines.
 *
 * Host virtual address space (4-level paging, 48-bit):
 *
 *   0xffffffffffffffff +-------------------------------------------+
 *                      | image: .header .boot .text .rodata .data  |
 *                      | .bss (boot page tables, boot stack)       |
 *   TANDEM_VIRT_BASE   +-------------------------------------------+ 0xffffffffc0000000
 *                      | (unused)                                  |
 *   REMAP_BASE + size  +-------------------------------------------+
 *                      | remapping pool: MMIO (LAPIC, ...) mapped  |
 *                      | uncached, 4 KiB pages, REMAP_POOL_PAGES   |
 *   REMAP_BASE         +-------------------------------------------+ 0xffffc90000000000
 *                      | (unused)                                  |
 *                      +-------------------------------------------+
 *                      | direct map: every RAM range of the memory |
 *                      | map, write-back, phys P at DIRECT_BASE+P  |
 *   DIRECT_BASE        +-------------------------------------------+ 0xffff880000000000
 *                      | (unused; guests never see host tables)    |
 *   0                  +-------------------------------------------+
 *
 * The boot tables built by boot/entry.asm additionally identity-map the low
 * 4 GiB; that mapping is only used on the way into long mode (BSP and APs).
 *
 * Physical memory, as Tandem arranges it at boot:
 *
 *   top of RAM below 4 GiB
 *        | Tandem image (GRUB places it as high as it can: Multiboot2
 *        |   relocatable tag, preference highest, 2 MiB aligned)
 *        | hypervisor memory (highest free 2 MiB aligned range below 4 GiB):
 *        |   per-CPU areas (PER_CPU_SIZE each, possible CPUs)
 *        |   module store (every GRUB module copied here, out of guests' way)
 *        |   hypervisor memory pool (page tables, vCPU state, ...)
 *        | ... RAM owned by the root cell (ROS), guests load at 1/2/16 MiB ...
 *   1 MiB
 *        | AP trampoline page (first free page >= 0x1000 below 1 MiB),
 *        |   given back once the APs are up
 *   0
 *
 * Everything marked as Tandem's above is reported reserved in the memory
 * map any guest gets, and mapped into no guest.
 */
#ifndef TANDEM_LAYOUT_H
#define TANDEM_LAYOUT_H

#define TANDEM_VIRT_BASE   0xffffffffc0000000
#define TANDEM_LINK_PHYS   0x01000000 /* link-time load address; GRUB relocates */
#define TANDEM_LOAD_MIN	   0x01000000 /* never below 16 MiB */
#define TANDEM_LOAD_MAX	   0xffffffff /* entered in 32-bit mode */
#define TANDEM_LOAD_ALIGN  0x00200000 /* 2 MiB pages map the image */
#define TANDEM_IMAGE_MAX   0x04000000 /* boot tables map 64 MiB of image */

#define DIRECT_BASE	   0xffff880000000000
#define DIRECT_PML4_INDEX  272
#define REMAP_BASE	   0xffffc90000000000
#define REMAP_POOL_PAGES   4096

#define TANDEM_MAX_CPUS	   256 /* per-CPU arrays: 255 xAPIC IDs and one */

#define PAGE_SIZE	   4096
#define PAGE_SHIFT	   12

/* Per-CPU area: struct per_cpu, naturally aligned so this_cpu() can be
 * derived from RSP. The stack sits at its top. */
#define PER_CPU_SHIFT	   15
#define PER_CPU_SIZE	   (1 << PER_CPU_SHIFT)
#define PER_CPU_STACK_SIZE 0x6000

#define BOOT_STACK_SIZE	   0x4000

/* Boot code and data segment selectors (boot/entry.asm GDT). */
#define GDT_CODE64	   0x08
#define GDT_DATA	   0x10
#define GDT_CODE32	   0x18
#define GDT_TSS		   0x20 /* 16-byte descriptor: 0x20 and 0x28 */

#endif
