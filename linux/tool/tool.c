/* linux/tool/tool.h: what tandemctl and hvmproc share. */
#include <cpuid.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tandem/hvm_call.h"
#include "tool.h"

const char *tool_prog = "tool";
const char *tool_what = "";
bool tool_amd;

const char *tool_errno_name(int e)
{
	switch (e) {
	case EPERM:
		return "EPERM";
	case ENOENT:
		return "ENOENT";
	case EIO:
		return "EIO";
	case E2BIG:
		return "E2BIG";
	case ENOMEM:
		return "ENOMEM";
	case EACCES:
		return "EACCES";
	case EFAULT:
		return "EFAULT";
	case EBUSY:
		return "EBUSY";
	case EEXIST:
		return "EEXIST";
	case ENODEV:
		return "ENODEV";
	case EINVAL:
		return "EINVAL";
	case ERANGE:
		return "ERANGE";
	case ENOSYS:
		return "ENOSYS";
	case ENOTTY:
		return "ENOTTY";
	case ETIMEDOUT:
		return "ETIMEDOUT";
	default:
		return "EIO";
	}
}

void fail(int e, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: %s: ", tool_prog, tool_what, tool_errno_name(e));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

bool tool_cpu_is_amd(void)
{
	unsigned int a, b, c, d;

	__cpuid(0, a, b, c, d);
	(void)a;
	return (b == 0x68747541 && d == 0x69746e65 &&
		c == 0x444d4163) || /* AuthenticAMD */
	       (b == 0x6f677948 && d == 0x6e65476e &&
		c == 0x656e6975); /* HygonGenuine */
}

long hvm(uint64_t request, uint64_t a1, uint64_t a2)
{
	return tandem_hvm_call_insn(tool_amd, TANDEM_HVM_MARKER_64, request, a1,
				    a2, 0, 0);
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
