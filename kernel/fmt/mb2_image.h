/*
 * Multiboot2 kernel images: a parser that turns a guest kernel (a GRUB
 * module, bytes in memory) into a load plan, the way GRUB 2's `multiboot2`
 * command loads a kernel, so that any kernel GRUB boots also boots as a
 * Tandem guest. Tandem then carries the plan out (copy each segment into
 * guest memory after its own bounds checks, zero the rest) and starts the
 * guest in the Multiboot2 machine state (spec 3.2, 3.3).
 *
 * References: Multiboot2 specification 2.0, section 3.1 "OS image format"
 * (3.1.2 header layout, 3.1.3 tag structure, 3.1.4 - 3.1.13 header tags);
 * System V ABI "Object Files" (ELF header, program headers).
 *
 * Pure C over caller memory: no allocation, no hardware, no globals. The
 * image is untrusted; nothing outside [image, image + size) is ever read.
 */
#ifndef TANDEM_FMT_MB2_IMAGE_H
#define TANDEM_FMT_MB2_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header fields (spec 3.1.2). */
#define MB2_HEADER_MAGIC	      0xe85250d6u
/* The header lies within these first bytes. */
#define MB2_HEADER_SEARCH	      32768
/* Header and tag alignment (3.1.1, 3.1.3). */
#define MB2_HEADER_ALIGN	      8
#define MB2_ARCH_I386		      0 /* 32-bit protected mode of i386 */
#define MB2_ARCH_MIPS32		      4 /* 32-bit MIPS: refused */

/* Header tag types (spec 3.1.4 - 3.1.13). */
#define MB2_HTAG_END		      0
#define MB2_HTAG_INFO_REQUEST	      1	 /* 3.1.4 */
#define MB2_HTAG_ADDRESS	      2	 /* 3.1.5 */
#define MB2_HTAG_ENTRY		      3	 /* 3.1.6 */
#define MB2_HTAG_CONSOLE_FLAGS	      4	 /* 3.1.9 */
#define MB2_HTAG_FRAMEBUFFER	      5	 /* 3.1.10 */
#define MB2_HTAG_MODULE_ALIGN	      6	 /* 3.1.11 */
#define MB2_HTAG_EFI_BS		      7	 /* 3.1.12 */
#define MB2_HTAG_ENTRY_EFI32	      8	 /* 3.1.7 */
#define MB2_HTAG_ENTRY_EFI64	      9	 /* 3.1.8 */
#define MB2_HTAG_RELOCATABLE	      10 /* 3.1.13 */

/* Tag flags bit 0: the kernel boots even if the loader ignores the tag. */
#define MB2_HTAG_OPTIONAL	      0x1

/* console_flags of tag 4 (spec 3.1.9). */
#define MB2_CONSOLE_REQUIRED	      (1u << 0)
#define MB2_CONSOLE_EGA_TEXT	      (1u << 1)

/* preference of tag 10 (spec 3.1.13). */
#define MB2_RELOC_PREF_NONE	      0
#define MB2_RELOC_PREF_LOW	      1
#define MB2_RELOC_PREF_HIGH	      2

/* Limits of the plan. */
#define MB2_IMAGE_MAX_SEGMENTS	      16 /* loadable segments kept */
#define MB2_IMAGE_MAX_INFO	      32 /* information request types kept */
#define MB2_IMAGE_MAX_PHNUM	      64 /* program headers accepted */
#define MB2_IMAGE_MESSAGE_LEN	      96 /* bytes of mb2_plan.message */

/*
 * Boot information types (spec 3.6) GRUB accepts in a required information
 * request: 0 (end) to 21 (image load base). A good default for
 * mb2_image_opts.info_supported when the caller builds what GRUB builds.
 */
#define MB2_IMAGE_INFO_GRUB	      ((UINT64_C(1) << 22) - 1)

/* mb2_image_opts.flags */
/*
 * Accept segments and an entry point above 4 GiB. GRUB refuses them (it
 * enters the kernel in 32-bit mode); a 64-bit HRT kernel may need them.
 */
#define MB2_IMAGE_ALLOW_HIGH	      (1u << 0)

/* mb2_plan.warnings: something was tolerated, as GRUB tolerates it. */
/* Address tag asks for more bytes than the file has; the rest is zeroed. */
#define MB2_IMAGE_WARN_SHORT_FILE     (1u << 0)
/* More than MB2_IMAGE_MAX_INFO information requests; the rest not kept. */
#define MB2_IMAGE_WARN_INFO_TRUNCATED (1u << 1)
/* ELF section header table unusable (entries too small); not recorded. */
#define MB2_IMAGE_WARN_NO_SECTIONS    (1u << 2)

/* One header tag as the parser hands it to the caller (spec 3.1.3). */
struct mb2_header_tag {
	uint16_t type;
	uint16_t flags;		/* MB2_HTAG_OPTIONAL */
	uint32_t size;		/* whole tag, header included */
	uint32_t offset;	/* of the tag, from the image start */
	const uint8_t *payload; /* bytes after the 8-byte tag header */
	uint32_t payload_len;	/* size - 8, all inside the image */
};

/* Returned by an mb2_tag_fn that handles a tag type itself. */
#define MB2_TAG_CLAIMED 1

/*
 * Caller hook, called for every header tag but the end tag, in order,
 * before the parser acts on it. Returns MB2_TAG_CLAIMED when the caller
 * handles this tag type (an unknown type is then accepted even when not
 * optional; a known type is still parsed), 0 to leave the tag to the
 * parser, or a negative errno to refuse the image; it may then point
 * *@why at a static one-line reason.
 */
typedef int (*mb2_tag_fn)(void *ctx, const struct mb2_header_tag *tag,
			  const char **why);

/* What the caller can do; mb2_image_parse() takes NULL for the defaults. */
struct mb2_image_opts {
	/*
	 * Bit n set: boot information type n (spec 3.6) can be provided.
	 * A required (not optional) information request for any other type
	 * refuses the image, as GRUB refuses types it does not know.
	 * Default: MB2_IMAGE_INFO_GRUB.
	 */
	uint64_t info_supported;
	uint32_t flags;	   /* MB2_IMAGE_ALLOW_HIGH */
	mb2_tag_fn tag_fn; /* may be NULL */
	void *tag_ctx;	   /* passed to tag_fn */
};

/*
 * One piece of the image: copy @file_size bytes from image + @offset to
 * physical address @dest, then zero up to @dest + @mem_size.
 * Always: file_size <= mem_size, offset + file_size <= image size, and
 * dest + mem_size does not wrap.
 */
struct mb2_segment {
	uint64_t dest;
	uint64_t offset;
	uint64_t file_size;
	uint64_t mem_size;
};

enum mb2_image_format {
	MB2_FORMAT_NONE = 0, /* parse failed */
	MB2_FORMAT_FLAT,     /* address tag: one flat piece (spec 3.1.5) */
	MB2_FORMAT_ELF32,    /* ELF32 i386, PT_LOAD segments */
	MB2_FORMAT_ELF64,    /* ELF64 x86-64, PT_LOAD segments */
};

enum mb2_entry_source {
	MB2_ENTRY_NONE = 0,
	MB2_ENTRY_TAG, /* entry address tag (spec 3.1.6) */
	MB2_ENTRY_ELF, /* e_entry, translated to a physical address */
};

/*
 * The load plan, and everything the header asked for. A tag type n that
 * was present sets bit n of tags_present; its fields below are valid only
 * then (the last tag wins when a type repeats, as in GRUB).
 */
struct mb2_plan {
	/*
	 * Failure: why is a static reason that may hold one "%u" or "%x"
	 * standing for why_arg; message is the same line with the number
	 * filled in, ready to print. Both empty/NULL on success.
	 */
	const char *why;
	uint64_t why_arg;
	char message[MB2_IMAGE_MESSAGE_LEN];
	uint32_t warnings;   /* MB2_IMAGE_WARN_* */
	const char *warning; /* text of the first warning, or NULL */

	/* The Multiboot2 header (spec 3.1.2). */
	uint32_t header_offset; /* from the image start, 8-aligned */
	uint32_t header_length;
	uint32_t tags_present;	  /* 1u << MB2_HTAG_* */
	uint32_t unknown_skipped; /* unknown optional tags ignored */
	uint32_t unknown_claimed; /* unknown tags the tag_fn claimed */

	/* The load plan. */
	enum mb2_image_format format;
	size_t nsegments;
	struct mb2_segment segments[MB2_IMAGE_MAX_SEGMENTS];
	uint64_t lowest;  /* lowest segment dest */
	uint64_t highest; /* highest dest + mem_size (exclusive) */
	uint64_t entry;	  /* physical entry point (EIP) */
	enum mb2_entry_source entry_source;

	/* ELF images (System V ABI, ELF header). */
	uint8_t elf_class;  /* ELFCLASS32/64, 0 for flat images */
	uint16_t elf_type;  /* ET_EXEC or ET_DYN */
	uint64_t elf_entry; /* e_entry as in the file (virtual) */
	/* Section header table, for the ELF-symbols boot information tag;
	 * elf_shnum is 0 unless the whole table lies inside the image. */
	uint64_t elf_shoff;
	uint32_t elf_shnum;
	uint32_t elf_shentsize;
	uint32_t elf_shstrndx;

	/* Tag 1, information requests (3.1.4), all request tags together. */
	uint32_t info[MB2_IMAGE_MAX_INFO];
	uint32_t ninfo;	      /* kept in info[] */
	uint32_t info_listed; /* requested in all (may be more) */
	bool info_optional;   /* every request tag was optional */

	/* Tag 2, address tag (3.1.5), as in the header. */
	uint32_t header_addr;
	uint32_t load_addr;
	uint32_t load_end_addr;
	uint32_t bss_end_addr;

	/* Tags 3, 8, 9: entry addresses (3.1.6 - 3.1.8). */
	uint32_t entry_addr;
	uint32_t efi32_entry_addr;
	uint32_t efi64_entry_addr;

	/* Tag 4, console flags (3.1.9). */
	uint32_t console_flags; /* MB2_CONSOLE_* */

	/* Tag 5, framebuffer wish (3.1.10); 0 means no preference. */
	uint32_t fb_width;
	uint32_t fb_height;
	uint32_t fb_depth;

	/* Tag 6 (modules page-aligned) and 7 (keep EFI boot services) carry
	 * no fields: see tags_present. */

	/* Tag 10, relocatable (3.1.13). */
	uint32_t reloc_min_addr;
	uint32_t reloc_max_addr;
	uint32_t reloc_align;
	uint32_t reloc_preference; /* MB2_RELOC_PREF_* */
};

/** True when the header held a tag of @type (MB2_HTAG_*, below 32). */
static inline bool mb2_plan_has(const struct mb2_plan *plan, unsigned type)
{
	return type < 32 && (plan->tags_present & (1u << type));
}

/**
 * Parse the kernel image @image[0..size) into @plan.
 * @opts: what the caller supports; NULL for the defaults (see above).
 *
 * Finds the Multiboot2 header (first valid one, 8-byte aligned, entirely in
 * the first 32 KiB), walks its tags, then plans the load from the address
 * tag if there is one, else from the ELF program headers, like GRUB.
 * Overlapping segments are refused, as GRUB's relocator refuses them,
 * except in relocatable images, which GRUB copies as one block (later
 * segments win; copy them in plan order).
 *
 * Returns 0, or a negative errno with plan->why and plan->message set:
 * -TANDEM_ENOENT no usable header, -TANDEM_ENOSYS something the image
 * requires is not supported, -TANDEM_E2BIG too many segments or program
 * headers, -TANDEM_EINVAL anything malformed, or the tag_fn's own error.
 */
int mb2_image_parse(const void *image, size_t size,
		    const struct mb2_image_opts *opts, struct mb2_plan *plan);

/**
 * Move a relocatable image (tag 10) so that its lowest segment lands at
 * @new_base: every segment dest and the entry point shift by
 * new_base - plan->lowest, as GRUB shifts by load base - link base.
 * The new place must honour the tag: aligned to reloc_align (if nonzero),
 * not below reloc_min_addr, not ending above reloc_max_addr.
 *
 * Returns 0; -TANDEM_EPERM if the image is not relocatable (and @new_base
 * is not where it already is); -TANDEM_ERANGE if the tag forbids @new_base
 * or an address would wrap. On failure the plan is unchanged except for
 * why, why_arg and message.
 */
int mb2_plan_relocate(struct mb2_plan *plan, uint64_t new_base);

#endif
