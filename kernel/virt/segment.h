/* The canonical segment attribute values (struct segment in
 * kernel/virt/vcpu.h): descriptor bits 40-47 (type, S, DPL, P) in bits
 * 0-7 and bits 52-55 (AVL, L, D/B, G) in bits 8-11 (SDM Vol. 3A 3.4.5).
 * Code and data are marked accessed, as after a load; TR busy, as after
 * LTR. The backends translate them to their own layout. */
#ifndef TANDEM_VIRT_SEGMENT_H
#define TANDEM_VIRT_SEGMENT_H

#define ATTR_CODE64   0xa9b /* G, L, P, S, execute/read, accessed */
#define ATTR_CODE32   0xc9b /* G, D/B, P, S, execute/read, accessed */
#define ATTR_CODE16   0x09b /* P, S, execute/read, accessed */
#define ATTR_DATA     0xc93 /* G, D/B, P, S, read/write, accessed: flat */
#define ATTR_DATA16   0x093 /* P, S, read/write, accessed */
#define ATTR_TSS_BUSY 0x08b /* P, busy 32/64-bit TSS */
#define ATTR_LDT      0x082 /* P, LDT */

#endif
