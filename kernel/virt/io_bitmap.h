/* One bit per I/O port, 8 KiB: the layout of SVM's IOPM (first 8 KiB)
 * and of VMX's bitmaps A and B back to back. */
#ifndef TANDEM_VIRT_IO_BITMAP_H
#define TANDEM_VIRT_IO_BITMAP_H

#include <stdbool.h>
#include <stdint.h>
#include "lib/klib.h"

static inline void io_bitmap_set(uint8_t *bm, uint32_t port, uint32_t count,
				 bool on)
{
	uint32_t end = port + count > 0x10000 ? 0x10000 : port + count;

	/* Whole bytes at once where the range covers them. */
	for (; port < end && (port & 7); port++)
		bm[port / 8] = on ? bm[port / 8] | (1u << (port % 8)) :
				    bm[port / 8] & ~(1u << (port % 8));
	if (end - port >= 8) {
		memset(&bm[port / 8], on ? 0xff : 0, (end - port) / 8);
		port += (end - port) / 8 * 8;
	}
	for (; port < end; port++)
		bm[port / 8] = on ? bm[port / 8] | (1u << (port % 8)) :
				    bm[port / 8] & ~(1u << (port % 8));
}

#endif
