/*
 * The functions of Tandem's reference HRT (hrt/), by number: what a ROS
 * puts in tandem_hrt_call.func (guest-abi/include/tandem/hvm.h). Shared by
 * the HRT, which runs them, and the ROS's checks (ros/checks_hrt.c).
 *
 * Each HRT core that runs a call stores its u64 result at
 * result_gpa + 8 * (its index among HRT cores), then issues CALL_DONE
 * (0x2f). A single invoke (0x20) runs on the first HRT core (index 0), a
 * parallel one (0x21) on every HRT core. Addresses in args are the ROS's
 * physical addresses; the HRT reads them at physical + 0xffff800000000000.
 *
 *   0  NULL         returns 0
 *   1  SUM          sum of args[1] u64 values at physical args[0]
 *                   (HRT_FN_BAD when the array is not inside the HRT's
 *                   mapped memory, or args[1] > HRT_SUM_MAX)
 *   2  CORE         returns index * 1000 + args[0]
 *   3  VERSION      returns the image's HRT_VERSION (hrt.elf 1, hrt2.elf 2)
 *   4  TRIPLE_FAULT never returns: loads a zero-limit IDT and runs ud2
 *   5  SPIN_US      busy-waits args[0] microseconds (TSC, cpu_freq_khz of
 *                   the HRT info tag), then returns 0 (HRT_FN_BAD above
 *                   HRT_SPIN_MAX_US)
 *   6  DOWNCALL     issues 0xf00d request args[0] from this HRT core with
 *                   RDX, RSI, RDI, R8 = args[1..4]; returns its RAX (the
 *                   ROS tests the request table from the HRT's side)
 *   7  BOOT_ID      returns a number taken from the TSC when this boot of
 *                   the HRT began: it changes with every (re)boot
 *   8  ATTACK       hostile on purpose (the wall checks): fixed IPIs of
 *                   vector args[1], NMIs and INITs to every APIC ID in
 *                   the mask args[0] (IDs 0-63) through the xAPIC page
 *                   and the x2APIC MSRs, then IA32_APIC_BASE writes that
 *                   would disable, move or switch the APIC; returns the
 *                   HRT_ATTACK_* bits that held (all of them: refused)
 *   9  TICKS        returns this core's local APIC timer ticks since
 *                   its boot (hrt/selftest.c: periodic, 100 per second)
 *  10  PORT         one I/O port access of the ROS's choosing (the bad
 *                   port checks): port args[0], size args[1] (1, 2, 4),
 *                   args[2] HRT_PORT_IN or HRT_PORT_OUT (of the value
 *                   args[3]); returns what IN read, 0 after OUT, HRT_FN_BAD
 *                   for another port, size or direction
 *  11  SUM_VIRTUAL  sum of args[1] u64 values at args[0], a virtual
 *                   address of the ROS process the HRT is merged with
 *                   (hrt/merge.c); HRT_FN_BAD when not merged, when a
 *                   page is not mapped there, or args[1] > HRT_SUM_MAX
 *  12  EVENT        forwards an event to the ROS (hrt/ros_event.c):
 *                   args[0] = TANDEM_ROS_PAGE_FAULT with rip, cr2,
 *                   action in args[1..3], or TANDEM_ROS_SYSCALL with its
 *                   arguments in args[1..7]; returns the ROS's result
 *                   (HRT_EVENT_REFUSED when Tandem refuses the request,
 *                   HRT_FN_BAD when the ROS does not answer in 5 s)
 *  13  GDT_INFO     what GDT synchronisation left (hrt/gdt_sync.c), by
 *                   args[0] (HRT_GDT_*): the byte sum of the GDT copy,
 *                   its limit, whether its GDTR base is where the copy
 *                   is, the FS base now, whether synchronised, the
 *                   upcall's second argument, the CS selector, the
 *                   area's address
 *  14  CR8_AFTER    returns 0; after its CALL_DONE, still in the upcall
 *                   with interrupts off, this core writes 0 to CR8 for
 *                   args[0] microseconds (HRT_FN_BAD above
 *                   HRT_SPIN_MAX_US), as Nautilus's scheduler writes CR8
 *                   with interrupts off: an upcall that comes meanwhile
 *                   waits for the interrupt window while CR8 is written
 *                   (version 1), or comes as the magic page fault at
 *                   once (version 2)
 *  15  MAGIC_UPCALLS this core's upcalls taken as the magic page fault
 *                   (version 2 asks for them in its tag) in bits 63-32,
 *                   and of those the ones that came with interrupts off
 *                   in bits 31-0; with args[0] = HRT_MAGIC_OTHER_CS
 *                   (1), how many of them came while CS was 0x18
 *                   (function 17)
 *  16  REAL_FAULT   reads virtual args[0] (canonical), which must not be mapped;
 *                   returns the CR2 of the page fault that takes, if it
 *                   was a supervisor read of a page not present and not
 *                   taken as a magic upcall, else HRT_FN_BAD
 *  17  OTHER_CS_AFTER returns 0; from just before its CALL_DONE, still
 *                   in the upcall with interrupts off, this core runs
 *                   args[0] microseconds with CS = 0x18, a second descriptor of
 *                   its 64-bit code (HRT_FN_BAD above HRT_SPIN_MAX_US):
 *                   a magic upcall meanwhile comes through gate 14 with
 *                   its selector 0x08, not CS
 *  18  PINGPONG      args[0] = ROS physical address of a u64 (8-aligned),
 *                   args[1] = rounds (at most HRT_PINGPONG_MAX): round i
 *                   waits until the u64 is 2i+1 and stores 2i+2 (the
 *                   shared-memory baseline of make bench); HRT_FN_BAD if
 *                   a round waits over 1 s or the arguments are bad
 *   other           returns HRT_FN_BAD
 */
#ifndef TANDEM_HRT_HRT_FUNCS_H
#define TANDEM_HRT_HRT_FUNCS_H

#define HRT_FN_NULL	      0
#define HRT_FN_SUM	      1
#define HRT_FN_CORE	      2
#define HRT_FN_VERSION	      3
#define HRT_FN_TRIPLE_FAULT   4
#define HRT_FN_SPIN_US	      5
#define HRT_FN_DOWNCALL	      6
#define HRT_FN_BOOT_ID	      7
#define HRT_FN_ATTACK	      8
#define HRT_FN_TICKS	      9
#define HRT_FN_PORT	      10

/* PORT's direction (args[2]). */
#define HRT_PORT_IN	      0
#define HRT_PORT_OUT	      1

#define HRT_FN_SUM_VIRTUAL    11
#define HRT_FN_EVENT	      12
#define HRT_FN_GDT_INFO	      13

/* GDT_INFO's args[0]. */
#define HRT_GDT_SUM	      0
#define HRT_GDT_LIMIT	      1
#define HRT_GDT_BASE_OK	      2
#define HRT_GDT_FSBASE	      3
#define HRT_GDT_SYNCED	      4
#define HRT_GDT_ARG2	      5
#define HRT_GDT_CS	      6
#define HRT_GDT_AREA	      7

#define HRT_FN_CR8_AFTER      14
#define HRT_FN_MAGIC_UPCALLS  15
#define HRT_FN_REAL_FAULT     16
#define HRT_FN_OTHER_CS_AFTER 17
#define HRT_FN_PINGPONG	      18
#define HRT_PINGPONG_MAX      10000000ull

/* MAGIC_UPCALLS's args[0]. */
#define HRT_MAGIC_COUNTS      0
#define HRT_MAGIC_OTHER_CS    1

/* ATTACK's result bits. */
#define HRT_ATTACK_BASE_READ \
	0x01			   /* APIC_BASE: enabled, 0xfee00000, x2APIC,
				    * BSP set on core 0 only */
#define HRT_ATTACK_DISABLE_GP 0x02 /* disabling write: #GP */
#define HRT_ATTACK_MOVE_GP    0x04 /* moving write: #GP */
#define HRT_ATTACK_MODE_GP    0x08 /* x2APIC-off write: #GP */
#define HRT_ATTACK_SAME_OK    0x10 /* the value read: accepted */
#define HRT_ATTACK_ICR_OK     0x20 /* ICR writes: no #GP (dropped quietly) */
#define HRT_ATTACK_ALL	      0x3f

/* Result of an unknown function or of bad arguments. */
#define HRT_FN_BAD	      0xbad
/* EVENT: Tandem refused the event request (0x10). */
#define HRT_EVENT_REFUSED     0xbad10

#define HRT_SUM_MAX	      (1ull << 24) /* u64 values SUM adds at most */
#define HRT_SPIN_MAX_US	      10000000ull  /* 10 s */

/* CORE: result of core i is i * HRT_CORE_FACTOR + args[0]. */
#define HRT_CORE_FACTOR	      1000

/* HRT cores the image serves (RDX at entry below this). */
#define HRT_MAX_CORES	      64

#endif
