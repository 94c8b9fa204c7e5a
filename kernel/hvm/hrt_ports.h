/* The I/O ports of the HRT: it owns no device, so every IN and OUT exits
 * to Tandem, which answers the few a runtime kernel needs at boot (its
 * own PIT, the ACPI PM timer its FADT names, the delay ports, the
 * Palacios debug port) and fails the HRT on any other. */
#ifndef TANDEM_HVM_HRT_PORTS_H
#define TANDEM_HVM_HRT_PORTS_H

struct vcpu;

/** Once, before the HRT first boots: finds the PM timer in the FADT of
 * the tables the HRT is given (one line says which port, or why none). */
void hrt_ports_init(void);
/** At every (re)boot of the HRT: its PIT powers on afresh. */
void hrt_ports_reset(void);
/** The HRT's port exit on @v: answered and skipped, or the HRT failed. */
void hrt_ports_io(struct vcpu *v);

#endif
