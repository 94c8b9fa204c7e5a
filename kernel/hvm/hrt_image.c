/*
 * HRT kernel image parser (see hrt_image.h): the Multiboot2 parser with a
 * hook for the HRT tag, then Palacios's checks of that tag.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hvm/hrt_image.h"
#include "lib/fail.h"
#include "lib/klib.h"
#include "fmt/mb2_image.h"
#include "mm/paging.h"
#include "tandem/errno.h"
#include "tandem/hvm.h"

#define TAG_HEADER_SIZE 8
#define PAGE_FLAGS                                                      \
	(TANDEM_HRT_MAP_4KB | TANDEM_HRT_MAP_2MB | TANDEM_HRT_MAP_1GB | \
	 TANDEM_HRT_MAP_512GB)

/* What the tag hook found; lives on hrt_image_parse()'s stack. */
struct tag_ctx {
	struct tandem_mb2_hrt_tag tag;
	bool found;
};

static int claim_hrt_tag(void *ctx, const struct mb2_header_tag *t,
			 const char **why)
{
	struct tag_ctx *c = ctx;

	if (t->type != TANDEM_MB2_HRT_TAG)
		return 0;
	if (t->payload_len < sizeof(c->tag) - TAG_HEADER_SIZE) {
		*why = "HRT tag (0xf00d) is shorter than 56 bytes";
		return -TANDEM_EINVAL;
	}
	/* A repeated tag: the last one wins, as for the standard tags. */
	c->tag.type = t->type;
	c->tag.flags = t->flags;
	c->tag.size = t->size;
	memcpy((uint8_t *)&c->tag + TAG_HEADER_SIZE, t->payload,
	       sizeof(c->tag) - TAG_HEADER_SIZE);
	c->found = true;
	return MB2_TAG_CLAIMED;
}

/* Palacios's rules for the tag (vmm_hvm.c, setup_mb_kernel_hrt). */
static int check_tag(struct hrt_image *out)
{
	const struct tandem_mb2_hrt_tag *tag = &out->tag;
	uint64_t f = tag->hrt_flags, mem;

	if (tag->int_vector < 32)
		return fail(&out->why, TANDEM_EINVAL,
			    "HRT upcall vector below 32");
	if (tag->gva_offset != 0 && tag->gva_offset != HRT_GVA_OFFSET_HIGH)
		return fail(&out->why, TANDEM_EINVAL,
			    "HRT virtual offset is neither 0 nor 0xffff800000000000");
	if (f & TANDEM_HRT_RELOCATABLE)
		return fail(&out->why, TANDEM_ENOSYS,
			    "relocatable HRT kernels are not supported");
	if (f & TANDEM_HRT_MAP_512GB)
		return fail(&out->why, TANDEM_ENOSYS,
			    "HRT asks for 512 GiB pages, which x86-64 does not have");
	if (f & TANDEM_HRT_MAP_1GB)
		out->page_size = PT_SIZE_1G;
	else if (f & TANDEM_HRT_MAP_2MB)
		out->page_size = PT_SIZE_2M;
	else if (f & TANDEM_HRT_MAP_4KB)
		out->page_size = PT_SIZE_4K;
	else
		return fail(&out->why, TANDEM_EINVAL,
			    "HRT tag sets no page-size flag (4 KiB, 2 MiB or 1 GiB)");
	if (tag->comm_page_gpa & (PT_SIZE_4K - 1))
		return fail(&out->why, TANDEM_EINVAL,
			    "HRT comm page is not 4 KiB aligned");
	if (tag->comm_page_gpa >= HRT_MAX_MAPPED)
		return fail(&out->why, TANDEM_ERANGE,
			    "HRT comm page lies above 128 TiB");
	if (tag->max_mem_to_map > HRT_MAX_MAPPED)
		return fail(&out->why, TANDEM_ERANGE,
			    "HRT asks to map more than 128 TiB");

	mem = tag->max_mem_to_map;
	out->max_mem_raised = mem < HRT_MIN_MAPPED;
	if (out->max_mem_raised)
		mem = HRT_MIN_MAPPED;
	/* <= 2^47 and the page size divides 2^47: no wrap. */
	out->max_mem_mapped = ALIGN_UP(mem, out->page_size);
	out->hrt_flags = (f & ~PAGE_FLAGS) |
			 (out->page_size == PT_SIZE_1G ? TANDEM_HRT_MAP_1GB :
			  out->page_size == PT_SIZE_2M ? TANDEM_HRT_MAP_2MB :
							 TANDEM_HRT_MAP_4KB);
	out->gva_offset = tag->gva_offset;
	out->comm_page_gpa = tag->comm_page_gpa;
	out->int_vector = tag->int_vector;
	return 0;
}

/* The entry point, virtual and physical, and both inside the mapping. */
static int choose_entry(struct hrt_image *out)
{
	uint64_t off = out->gva_offset;

	if (out->tag.gva_entry) {
		out->entry = out->tag.gva_entry;
		out->entry_phys = (off && out->entry >= off) ? out->entry - off :
							       out->entry;
	} else {
		if (out->plan.entry_source == MB2_ENTRY_NONE)
			return fail(&out->why, TANDEM_EINVAL,
				    "HRT image has no entry point");
		out->entry_phys = out->plan.entry;
		if (out->entry_phys >= HRT_MAX_MAPPED)
			return fail(&out->why, TANDEM_ERANGE,
				    "HRT entry point is outside the mapped memory");
		out->entry = out->entry_phys + off;
	}
	if (out->entry_phys >= out->max_mem_mapped)
		return fail(&out->why, TANDEM_ERANGE,
			    "HRT entry point is outside the mapped memory");
	return 0;
}

int hrt_image_parse(const void *image, size_t size, struct hrt_image *out)
{
	struct tag_ctx ctx;
	struct mb2_image_opts opts = {
		.info_supported = MB2_IMAGE_INFO_GRUB,
		.flags = MB2_IMAGE_ALLOW_HIGH,
		.tag_fn = claim_hrt_tag,
		.tag_ctx = &ctx,
	};
	int ret;

	memset(out, 0, sizeof(*out));
	memset(&ctx, 0, sizeof(ctx));
	ret = mb2_image_parse(image, size, &opts, &out->plan);
	if (ret < 0) {
		out->why = out->plan.message;
		return ret;
	}
	if (!ctx.found)
		return fail(&out->why, TANDEM_ENOENT,
			    "no HRT tag (0xf00d) in the Multiboot2 header");
	out->tag = ctx.tag;
	out->lowest = out->plan.lowest;
	out->highest = out->plan.highest;

	ret = check_tag(out);
	if (ret == 0 && out->highest > out->max_mem_mapped)
		ret = fail(&out->why, TANDEM_ERANGE,
			   "HRT image lies beyond the memory it asks to map");
	if (ret == 0)
		ret = choose_entry(out);
	return ret;
}
