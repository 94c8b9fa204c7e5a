/* Who the CPU is (CPUID leaves 0 and 1, SDM Vol. 2A CPUID), and the boot-log
 * lines of what the backends found. */
#include <stdarg.h>
#include "hw/console.h"
#include "lib/cpu.h"
#include "lib/klib.h"
#include "lib/printf.h"
#include "virt/virt_caps.h"

void virt_caps_read(struct virt_caps *c)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t sig;

	memset(c, 0, sizeof(*c));
	memcpy(c->vendor_id + 0, &r.ebx, 4);
	memcpy(c->vendor_id + 4, &r.edx, 4);
	memcpy(c->vendor_id + 8, &r.ecx, 4);
	sig = cpuid(1, 0).eax;
	c->family = (sig >> 8) & 0xf;
	c->model = (sig >> 4) & 0xf;
	c->stepping = sig & 0xf;
	if (c->family == 0xf)
		c->family += (sig >> 20) & 0xff;
	if (c->family >= 6)
		c->model |= ((sig >> 16) & 0xf) << 4;
}

static unsigned int findings;

void virt_caps_report(const char *fmt, ...)
{
	char line[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	findings++;
	pr_warn("hw: %s", line);
}

#define CPUID_INVARIANT_TSC (1u << 8) /* Fn8000_0007 EDX: SDM, APM alike */

void virt_caps_report_common(void)
{
	if (cpuid(0x80000000, 0).eax < 0x80000007 ||
	    !(cpuid(0x80000007, 0).edx & CPUID_INVARIANT_TSC))
		virt_caps_report(
			"no invariant TSC: its rate may change with power states, so Tandem's and guests' time can drift");
}

void virt_caps_report_end(void)
{
	if (findings)
		pr_info("hw: %u finding%s above; README.md, Running on real hardware, says what to do",
			findings, findings == 1 ? "" : "s");
	else
		pr_info("hw: nothing missing that Tandem uses");
}

void virt_caps_log(const struct virt_caps *c, const char *fmt, ...)
{
	char features[96];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(features, sizeof(features), fmt, ap);
	va_end(ap);
	pr_info("cpu: %s family %u model %u: %s", c->vendor_id, c->family,
		c->model, features);
}

void virt_caps_log_none(const struct virt_caps *c, const char *why)
{
	pr_warn("cpu: %s family %u model %u: no hardware virtualization: %s",
		c->vendor_id, c->family, c->model, why);
}
