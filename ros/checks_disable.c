/* The last checks: Disable (code 0) hands the machine back. Tandem leaves
 * every CPU and the ROS continues natively where it was: CPUID no longer
 * shows Tandem, a hypercall instruction raises #UD, and a CPU taken away
 * and started again answers natively. */
#include <tandem/errno.h>
#include <tandem/hypercall.h>
#include "smp.h"
#include "suite.h"

unsigned checks_disable_planned(const struct suite *s)
{
	if (!s->detected)
		return 0;
	return ros_smp.ncpus > 1 ? 4 : 3; /* the CPU restart needs a second CPU */
}

void checks_disable(struct suite *s)
{
	struct tandem_id id;
	struct hc_result r;
	char buf[64];
	unsigned int last;

	if (!s->detected)
		return;
	r = hc_call(s, s->native_via, TANDEM_HC_DISABLE, 0);
	check(hc_is(r, 0), "disable: returns 0", "got %s",
	      hc_str(r, buf, sizeof(buf)));
	check(!tandem_detect(&id), "disable: cpuid shows no tandem",
	      "the Tandem signature is still there");
	r = hc_call(s, s->native_via, TANDEM_HC_HYPERVISOR_GET_INFO, 0);
	check(r.fault == 6 + 1, "disable: hypercall faults natively",
	      "got %s (want #UD)", hc_str(r, buf, sizeof(buf)));
	last = ros_smp.ncpus - 1;
	if (last == 0)
		return;
	ros_smp_park(last);
	check(ros_smp_restart(last, suite_cpu_probe),
	      "disable: cpu restarts natively",
	      "CPU %u did not answer after INIT-SIPI-SIPI", last);
}
