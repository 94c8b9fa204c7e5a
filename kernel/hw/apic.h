/* The local APIC, in xAPIC (MMIO) or x2APIC (MSR) mode, whichever the
 * firmware left enabled: enough to read the own id and send INIT/SIPI/NMI. */
#ifndef TANDEM_HW_APIC_H
#define TANDEM_HW_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_ICR_INIT	 0x00004500 /* INIT, level assert */
#define APIC_ICR_STARTUP 0x00004600 /* SIPI, vector in bits 0-7 */
#define APIC_ICR_NMI	 0x00004400
#define APIC_ICR_FIXED	 0x00004000 /* fixed, edge; vector in bits 0-7 */

/** Finds the mode and (for xAPIC) the MMIO base; run on the boot CPU. */
void apic_init(void);
bool apic_is_x2apic(void);
/** Switches this CPU's enabled APIC from xAPIC to x2APIC mode, the legal
 * transition with EN set (SDM Vol. 3A 11.12.5); false without x2APIC
 * (CPUID.1:ECX[21]) or with the APIC disabled. Run on the boot CPU it
 * makes x2APIC the mode Tandem uses. */
bool apic_switch_x2apic(void);
/** On an AP: enters the mode of the boot CPU's APIC (x2APIC if it runs
 * that), so one mode holds on every CPU. */
void apic_ap_mode(void);
uint32_t apic_id(void);
/** Sends the IPI @icr_low to @apic_id and waits until it is delivered;
 * false if the APIC never reported it sent. */
bool apic_send_ipi(uint32_t dest_apic_id, uint32_t icr_low);

/** Software-enables this CPU's APIC (TPR 0). */
void apic_cpu_init(void);

/** Signals the end of the interrupt being handled. */
void apic_eoi(void);

/** Leaves nothing of a guest's interrupts in this CPU's APIC for the next
 * guest: LVT entries masked, timer stopped, TPR 0, every in-service vector
 * ended and every pending one taken (and dropped) by Tandem. */
void apic_quiesce(void);

/** Reads / writes the 32-bit register at xAPIC offset @offset of this
 * CPU's APIC, in whichever mode it runs (not for ID, ICR, LDR, DFR: their
 * form differs between the modes). */
uint32_t apic_reg_read(uint32_t offset);
void apic_reg_write(uint32_t offset, uint32_t value);

/** The local APIC timer's input clock in kHz (0 until calibrated), what
 * Jailhouse's communication region calls apic_khz. */
extern uint32_t apic_timer_khz;
/** Measures apic_timer_khz on this CPU against the calibrated TSC. */
void apic_timer_calibrate(void);

#endif
