/* Whole-machine actions: ending an emulator run for tests. */
#ifndef TANDEM_HW_MACHINE_H
#define TANDEM_HW_MACHINE_H

#include <stdint.h>

/** Ends a QEMU (isa-debug-exit at 0xf4) or Bochs (shutdown port 0x8900)
 * run; does nothing on real hardware without those devices. Only used when
 * the exit_when_done option asks for it. */
void machine_exit_emulator(uint8_t code);

#endif
