/* What Tandem's Linux user programs (tandemctl, hvmproc) share: their
 * failure lines, the Palacios 0xf00d downcall from user mode, the CPU's
 * vendor, a millisecond clock (linux/tool/tool.c). */
#ifndef TANDEM_LINUX_TOOL_H
#define TANDEM_LINUX_TOOL_H

#include <stdbool.h>
#include <stdint.h>

/* The failure line is "<tool_prog>: <tool_what>: <ERRNO NAME>: <why>". */
extern const char *tool_prog;
extern const char *tool_what;
/* The vendor's call instruction: vmmcall when true (set by the program,
 * from tool_cpu_is_amd()). */
extern bool tool_amd;

/** The name of errno value @e, "EIO" for any this tool does not use. */
const char *tool_errno_name(int e);

/** One failure line on stderr and exit status 1. */
__attribute__((noreturn, format(printf, 2, 3))) void fail(int e,
							  const char *fmt, ...);

/** AMD or Hygon (their CPUs take vmmcall; Intel's take vmcall). */
bool tool_cpu_is_amd(void);

/** The 0xf00d downcall @request with RDX = @a1, RSI = @a2: RAX. */
long hvm(uint64_t request, uint64_t a1, uint64_t a2);

/** CLOCK_MONOTONIC in milliseconds. */
uint64_t now_ms(void);

#endif
