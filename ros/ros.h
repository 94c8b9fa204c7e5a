/*
 * The ROS: Tandem's own small root guest, a Multiboot2 kernel that boots
 * natively from GRUB or under Tandem and runs the in-guest test suite.
 *
 * Memory (identity-mapped low 64 GiB, 2 MiB pages, user-accessible):
 *
 *   0x100000      image: .text (Multiboot2 header first) .rodata .data .bss
 *                 (.bss: page tables, per-CPU stacks, hypercall test pages)
 *   below 1 MiB   one free page of the memory map: the AP trampoline
 *   0x4000000     1 MiB given to each test cell in turn (ros/checks_cells.c;
 *                 the next free 1 MiB above it if that is not free RAM);
 *                 later 2 MiB to the Jailhouse-contract cells (their RAM,
 *                 then their results page; ros/checks_jh_cells.c)
 *
 * Console: COM1, every line "ros: ..." except the suite's TAP lines.
 */
#ifndef TANDEM_ROS_ROS_H
#define TANDEM_ROS_ROS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Borrowed pure-C helpers of the hypervisor (memcpy..., ksnprintf). */
#include "../kernel/lib/klib.h"
#include "../kernel/lib/printf.h"

#define ROS_MAX_CPUS  64
/* The end of the ROS's identity map (entry.asm, ROS_MAP_GIB). */
#define ROS_MAP_END   (64ull << 30)
#define PAGE_SIZE     4096

/* GDT selectors (ros/entry.asm). */
#define SEL_CODE64    0x08
#define SEL_DATA      0x10
#define SEL_CODE32    0x18
#define SEL_USER_DATA (0x20 | 3)
#define SEL_USER_CODE (0x28 | 3)
#define SEL_TSS	      0x30

/** Program COM1 (115200 8N1, no interrupts). */
void ros_console_init(void);

/** One console line "ros: <text>". */
void ros_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** One console line exactly as given (TAP lines). */
void ros_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** End the run: QEMU debug-exit, Bochs shutdown port, then halt. */
__attribute__((noreturn)) void ros_exit(void);

/** Halt this CPU forever (APs when done). */
__attribute__((noreturn)) void ros_halt(void);

#endif
