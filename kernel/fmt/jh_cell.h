/*
 * Jailhouse's binary cell description (guest-abi/include/tandem/jailhouse.h,
 * configuration revision 14) as Cell Create takes it besides Tandem's own:
 * checked for what only that format has, and translated into Tandem's
 * format, which cell/config_check.h then checks like any other (rules 5-24,
 * against the system). Pure C over caller memory, host-tested and fuzzed.
 *
 * Cell Create, on a configuration that begins with "JHCLL":
 *   1. copies struct jh_cell_desc and asks jh_cell_size() how large the
 *      whole description claims to be;
 *   2. copies that many bytes once into a private buffer;
 *   3. jh_cell_translate() checks the private copy and writes the Tandem
 *      configuration (header, memory regions, PIO regions) into a second
 *      buffer, with what Tandem's format has no field for in *info;
 *   4. cell_config_validate() runs on the translation.
 */
#ifndef TANDEM_FMT_JH_CELL_H
#define TANDEM_FMT_JH_CELL_H

#include <stddef.h>
#include <stdint.h>

#include <tandem/cell_config.h>
#include <tandem/jailhouse.h>

/* Largest description accepted (-E2BIG above): Tandem's own bound. */
#define JH_CELL_CONFIG_MAX    TANDEM_CELL_CONFIG_MAX

/* Hints Tandem does not act on, said once per Cell Create (info.hints). */
#define JH_HINT_CACHE_REGIONS (1u << 0) /* cache partitioning */
#define JH_HINT_TEST_DEVICE   (1u << 1) /* JH_CELL_TEST_DEVICE */
#define JH_HINT_NO_HUGEPAGES  (1u << 2) /* JH_MEM_NO_HUGEPAGES */

/* What a Jailhouse-format cell has beyond Tandem's configuration. */
struct jh_cell_info {
	uint32_t flags;		    /* the description's JH_CELL_* flags */
	uint64_t cpu_reset_address; /* every CPU starts here (real mode) */
	uint64_t msg_reply_timeout; /* polls of the reply; 0: for ever */
	struct jh_console console;  /* copied into the comm region */
	uint32_t hints;		    /* JH_HINT_* present in the description */
};

/* Why a description was refused: the same shape as cell_config_error
 * (cell/config_check.h), for one console line naming the field. */
struct jh_cell_error {
	const char *why; /* static text naming the field; NULL: no error */
	int index;	 /* region concerned, or -1 */
};

/**
 * Step 1, on the header alone: signature "JHCLL", architecture x86,
 * revision 14 (-EINVAL), counts and total size within bounds (-E2BIG).
 * Stores the whole description's size in *@total.
 */
int jh_cell_size(const struct jh_cell_desc *hdr, size_t *total,
		 struct jh_cell_error *err);

/**
 * Step 3: checks the private copy @jh of @len bytes and writes the
 * equivalent Tandem configuration into @out (@cap bytes, 8-byte aligned),
 * its size into *@out_len and the rest into *@info. Reads nothing outside
 * [jh, jh + len); writes only @out, *@out_len, *@info and *@err.
 * Returns 0, or -EINVAL / -E2BIG with *@err naming the field.
 */
int jh_cell_translate(const void *jh, size_t len, void *out, size_t cap,
		      size_t *out_len, struct jh_cell_info *info,
		      struct jh_cell_error *err);

#endif
