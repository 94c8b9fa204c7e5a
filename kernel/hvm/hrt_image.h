/*
 * HRT kernel images: a Multiboot2 kernel whose header carries the Palacios
 * HRT tag (type 0xf00d, struct tandem_mb2_hrt_tag in <tandem/hvm.h>).
 * hrt_image_parse() runs the Multiboot2 image parser (mb2_image.h) with a
 * hook that claims that tag, then checks the tag the way Palacios does
 * (palacios/src/palacios/vmm_hvm.c) and works out how the HRT is to be
 * mapped and entered.
 *
 * Pure C over caller memory: no allocation, no hardware, no globals. The
 * image is untrusted; nothing outside [image, image + size) is read.
 */
#ifndef TANDEM_HVM_HRT_IMAGE_H
#define TANDEM_HVM_HRT_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fmt/mb2_image.h"
#include "tandem/hvm.h"

/* The only nonzero virtual offset Palacios accepts: the upper half. */
#define HRT_GVA_OFFSET_HIGH 0xffff800000000000ull
/* Palacios maps at least this much guest-physical memory. */
#define HRT_MIN_MAPPED	    (UINT64_C(1) << 32)
/* Most memory an identity map can cover: the lower canonical half. */
#define HRT_MAX_MAPPED	    (UINT64_C(1) << 47)

/* Everything hrt_image_parse() learns; addresses are guest-physical unless
 * named virtual. */
struct hrt_image {
	/*
	 * Failure: one console line, static or pointing into plan.message
	 * (so valid while this struct is). NULL on success.
	 */
	const char *why;

	/* The Multiboot2 load plan: segments to copy (physical), entry. */
	struct mb2_plan plan;
	uint64_t lowest;  /* lowest physical load address */
	uint64_t highest; /* end of the highest segment (exclusive) */

	/* The HRT tag as found in the header. */
	struct tandem_mb2_hrt_tag tag;

	/* What Tandem does with it. */
	uint64_t page_size;	 /* PT_SIZE_4K, _2M or _1G: the highest
					 * TANDEM_HRT_MAP_* flag set */
	uint64_t hrt_flags;	 /* tag flags with only the chosen
					 * page-size flag: the info tag's flags */
	uint64_t max_mem_mapped; /* tag value, raised to >= 4 GiB and
					 * rounded up to page_size */
	bool max_mem_raised;	 /* the tag asked for less than 4 GiB */
	uint64_t gva_offset;	 /* 0 or HRT_GVA_OFFSET_HIGH */
	uint64_t comm_page_gpa;	 /* 4 KiB aligned */
	uint8_t int_vector;	 /* >= 32 */
	uint64_t entry;		 /* virtual entry point (RIP) */
	uint64_t entry_phys;	 /* the physical address it maps to */
};

/**
 * Parse the HRT kernel @image[0..size) into @out.
 *
 * The image is any Multiboot2 kernel (ELF32/ELF64 or address tag; ELF64
 * segments and entry may lie above 4 GiB) whose header holds the HRT tag.
 * Refused like Palacios: no HRT tag, upcall vector below 32, a virtual
 * offset other than 0 or 0xffff800000000000, the RELOCATABLE flag, 512 GiB
 * pages, no page-size flag at all. Also refused: a comm page not 4 KiB
 * aligned, more than 128 TiB to map, and an image or entry point outside
 * the mapped memory (the HRT could not run).
 *
 * Entry: the tag's gva_entry if nonzero, else the image's physical entry
 * (entry address tag, or ELF e_entry translated) plus gva_offset.
 *
 * Returns 0, or a negative errno with out->why set: the errors of
 * mb2_image_parse(), -TANDEM_ENOENT no HRT tag, -TANDEM_EINVAL a bad tag,
 * -TANDEM_ENOSYS something Palacios does not support (RELOCATABLE, 512 GiB
 * pages), -TANDEM_ERANGE the image or entry outside the mapped memory.
 */
int hrt_image_parse(const void *image, size_t size, struct hrt_image *out);

#endif
