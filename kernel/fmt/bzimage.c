/* Linux bzImage setup header and zero page (Documentation/arch/x86/boot.rst). */
#include <tandem/errno.h>
#include "lib/klib.h"
#include "lib/fail.h"
#include "lib/unaligned.h"
#include "fmt/bzimage.h"

/* Setup header fields: offsets in the file and in the zero page alike. */
#define HDR_START	   0x1f1
#define HDR_SETUP_SECTS	   0x1f1
#define HDR_BOOT_FLAG	   0x1fe
#define HDR_JUMP	   0x200 /* 2-byte jump; its second byte ends the header */
#define HDR_MAGIC	   0x202
#define HDR_VERSION	   0x206
#define HDR_VID_MODE	   0x1fa
#define HDR_TYPE_OF_LOADER 0x210
#define HDR_LOADFLAGS	   0x211
#define HDR_CODE32_START   0x214
#define HDR_RAMDISK_IMAGE  0x218
#define HDR_RAMDISK_SIZE   0x21c
#define HDR_CMD_LINE_PTR   0x228
#define HDR_INITRD_MAX	   0x22c
#define HDR_KERNEL_ALIGN   0x230
#define HDR_RELOCATABLE	   0x234
#define HDR_XLOADFLAGS	   0x236
#define HDR_CMDLINE_SIZE   0x238
#define HDR_PREF_ADDRESS   0x258
#define HDR_INIT_SIZE	   0x260
#define HDR_MIN_END	   0x264 /* through init_size (protocol 2.10) */

/* Zero page fields outside the header (bootparam.h). */
#define ZP_SCREEN_INFO	   0x000
#define ZP_ACPI_RSDP	   0x070
#define ZP_EXT_RAMDISK_IMG 0x0c0
#define ZP_EXT_RAMDISK_SZ  0x0c4
#define ZP_EXT_CMD_LINE	   0x0c8
#define ZP_ALT_MEM_K	   0x1e0
#define ZP_E820_ENTRIES	   0x1e8
#define ZP_E820_TABLE	   0x2d0

#define BOOT_FLAG	   0xaa55
#define HDRS_MAGIC	   0x53726448 /* "HdrS" */
#define SECTOR		   512
#define VID_MODE_NORMAL	   0xffff
#define FOUR_GIB	   0x100000000ull

/* screen_info (include/uapi/linux/screen_info.h) */
#define SI_MODE		   0x06
#define SI_COLS		   0x07
#define SI_EGA_BX	   0x0a
#define SI_LINES	   0x0e
#define SI_ISVGA	   0x0f
#define SI_POINTS	   0x10
#define SI_LFB_WIDTH	   0x12
#define SI_LFB_HEIGHT	   0x14
#define SI_LFB_DEPTH	   0x16
#define SI_LFB_BASE	   0x18
#define SI_LFB_SIZE	   0x1c
#define SI_LFB_LINELENGTH  0x24
#define SI_RED_SIZE	   0x26 /* then pos, green size/pos, blue, rsvd */
#define SI_PAGES	   0x32
#define SI_CAPABILITIES	   0x36
#define SI_EXT_LFB_BASE	   0x3a
#define VIDEO_TYPE_VGAC	   0x22
#define VIDEO_TYPE_VLFB	   0x23
#define VIDEO_TYPE_EFI	   0x70
#define VIDEO_CAP_64BIT	   (1u << 1)

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int bzimage_parse(const void *image, size_t size, struct bzimage *out)
{
	const uint8_t *p = image;
	unsigned int sects;

	memset(out, 0, sizeof(*out));
	if (size < HDR_VERSION + 2 || rd32(p + HDR_MAGIC) != HDRS_MAGIC ||
	    rd16(p + HDR_BOOT_FLAG) != BOOT_FLAG)
		return fail(&out->why, TANDEM_ENOENT,
			    "no Linux setup header (boot flag 0xaa55 and \"HdrS\")");
	out->version = rd16(p + HDR_VERSION);
	if (out->version < BZ_MIN_VERSION)
		return fail(&out->why, TANDEM_EINVAL,
			    "Linux boot protocol older than 2.06");
	out->hdr_end = (size_t)HDR_JUMP + 2 + p[HDR_JUMP + 1];
	if (out->hdr_end < HDR_CMDLINE_SIZE + 4 || out->hdr_end > size)
		return fail(&out->why, TANDEM_EINVAL,
			    "setup header length out of range");
	if (!(p[HDR_LOADFLAGS] & BZ_LOADED_HIGH))
		return fail(&out->why, TANDEM_EINVAL,
			    "zImage (loaded low) is not supported, only bzImage");
	sects = p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : 4;
	out->setup_size = (size_t)(sects + 1) * SECTOR;
	if (out->setup_size >= size || out->setup_size < out->hdr_end)
		return fail(&out->why, TANDEM_EINVAL,
			    "setup sectors run past the end of the image");
	out->pm_offset = out->setup_size;
	out->pm_size = size - out->setup_size;
	out->initrd_addr_max = rd32(p + HDR_INITRD_MAX);
	out->kernel_alignment = rd32(p + HDR_KERNEL_ALIGN);
	out->relocatable = p[HDR_RELOCATABLE] != 0;
	out->cmdline_size = rd32(p + HDR_CMDLINE_SIZE);
	if (out->hdr_end >= HDR_MIN_END && out->version >= 0x020a) {
		out->xloadflags = rd16(p + HDR_XLOADFLAGS);
		out->pref_address = rd64(p + HDR_PREF_ADDRESS);
		out->init_size = rd32(p + HDR_INIT_SIZE);
	} else {
		/* Before 2.10: runs at 1 MiB; reserve what the file holds
		 * several times over for the decompression. */
		out->pref_address = 0x100000;
		out->init_size = (uint32_t)(out->pm_size * 4);
	}
	if (out->relocatable && (!is_pow2(out->kernel_alignment) ||
				 out->kernel_alignment > 0x40000000))
		return fail(&out->why, TANDEM_EINVAL,
			    "kernel_alignment is not a power of two up to 1 GiB");
	if (out->init_size < out->pm_size)
		return fail(&out->why, TANDEM_EINVAL,
			    "init_size is smaller than the kernel");
	if (out->pref_address < 0x100000 ||
	    out->pref_address + out->init_size > FOUR_GIB)
		return fail(&out->why, TANDEM_EINVAL,
			    "pref_address is not between 1 MiB and 4 GiB");
	if (out->cmdline_size == 0)
		return fail(&out->why, TANDEM_EINVAL, "cmdline_size is 0");
	return 0;
}

static void screen_info(uint8_t *si, const struct mb2_framebuffer *fb, bool efi)
{
	if (fb->type == MB2_FB_EGA_TEXT) {
		si[SI_MODE] = 3; /* 80x25 colour text */
		si[SI_COLS] = (uint8_t)fb->width;
		si[SI_LINES] = (uint8_t)fb->height;
		si[SI_ISVGA] = VIDEO_TYPE_VGAC;
		wr16(si + SI_EGA_BX, 3); /* EGA/VGA colour, 256 KiB */
		wr16(si + SI_POINTS, 16);
		return;
	}
	if (fb->type != MB2_FB_RGB)
		return; /* indexed colour: Linux gets no early screen */
	uint64_t bytes = (uint64_t)fb->pitch * fb->height;

	si[SI_ISVGA] = efi ? VIDEO_TYPE_EFI : VIDEO_TYPE_VLFB;
	wr16(si + SI_LFB_WIDTH, (uint16_t)fb->width);
	wr16(si + SI_LFB_HEIGHT, (uint16_t)fb->height);
	wr16(si + SI_LFB_DEPTH, fb->bpp);
	wr32(si + SI_LFB_BASE, (uint32_t)fb->addr);
	if (fb->addr >> 32) {
		wr32(si + SI_EXT_LFB_BASE, (uint32_t)(fb->addr >> 32));
		wr32(si + SI_CAPABILITIES, VIDEO_CAP_64BIT);
	}
	/* efifb takes the size in bytes, vesafb in 64 KiB units. */
	wr32(si + SI_LFB_SIZE,
	     efi ? (uint32_t)bytes : (uint32_t)((bytes + 0xffff) >> 16));
	wr16(si + SI_LFB_LINELENGTH, (uint16_t)fb->pitch);
	si[SI_RED_SIZE + 0] = fb->red_size;
	si[SI_RED_SIZE + 1] = fb->red_pos;
	si[SI_RED_SIZE + 2] = fb->green_size;
	si[SI_RED_SIZE + 3] = fb->green_pos;
	si[SI_RED_SIZE + 4] = fb->blue_size;
	si[SI_RED_SIZE + 5] = fb->blue_pos;
	/* The unused bits of a 32-bit pixel sit above blue, green and red. */
	if (fb->bpp == 32) {
		si[SI_RED_SIZE + 6] = 8;
		si[SI_RED_SIZE + 7] = 24;
	}
	wr16(si + SI_PAGES, 1);
}

int bzimage_zero_page(const void *image, const struct bzimage *bz,
		      const struct bzimage_boot *in, uint8_t *zp,
		      const char **why)
{
	const uint8_t *p = image;

	*why = NULL;
	if (in->ne820 > BZ_E820_MAX)
		return fail(why, TANDEM_E2BIG,
			    "more than 128 memory map entries for the zero page");
	if (in->load_addr >= FOUR_GIB || in->cmdline_gpa >= FOUR_GIB)
		return fail(why, TANDEM_EINVAL,
			    "kernel or command line above 4 GiB");
	if (in->initrd_size &&
	    (in->initrd_gpa + in->initrd_size - 1 > bz->initrd_addr_max ||
	     in->initrd_gpa + in->initrd_size > FOUR_GIB))
		return fail(why, TANDEM_EINVAL,
			    "initrd past the kernel's initrd_addr_max");
	memset(zp, 0, BZ_ZERO_PAGE_SIZE);
	memcpy(zp + HDR_START, p + HDR_START, bz->hdr_end - HDR_START);

	zp[HDR_TYPE_OF_LOADER] = BZ_LOADER_UNKNOWN;
	wr16(zp + HDR_VID_MODE, VID_MODE_NORMAL);
	wr32(zp + HDR_CODE32_START, (uint32_t)in->load_addr);
	wr32(zp + HDR_CMD_LINE_PTR, (uint32_t)in->cmdline_gpa);
	wr32(zp + HDR_RAMDISK_IMAGE, (uint32_t)in->initrd_gpa);
	wr32(zp + HDR_RAMDISK_SIZE, (uint32_t)in->initrd_size);
	wr32(zp + ZP_EXT_RAMDISK_IMG, 0);
	wr32(zp + ZP_EXT_RAMDISK_SZ, 0);
	wr32(zp + ZP_EXT_CMD_LINE, 0);
	wr32(zp + ZP_ALT_MEM_K, in->alt_mem_k);
	if (bz->version >= BZ_RSDP_VERSION)
		wr64(zp + ZP_ACPI_RSDP, in->rsdp_gpa);

	zp[ZP_E820_ENTRIES] = (uint8_t)in->ne820;
	for (size_t i = 0; i < in->ne820; i++) {
		uint8_t *e = zp + ZP_E820_TABLE + i * 20;

		wr64(e, in->e820[i].addr);
		wr64(e + 8, in->e820[i].size);
		wr32(e + 16, in->e820[i].type);
	}
	if (in->fb)
		screen_info(zp + ZP_SCREEN_INFO, in->fb, in->fb_efi);
	return 0;
}
