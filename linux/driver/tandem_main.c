// SPDX-License-Identifier: GPL-2.0
/*
 * tandem.ko: drives Tandem from a Linux root cell (ROS) through
 * /dev/tandem (linux/include/tandem_ioctl.h): cell create, start, soft
 * restart, destroy and list, CPU Get State, Hypervisor Get Info and
 * Disable. This file finds Tandem, registers the device and dispatches
 * the ioctls; tandem_cells.c and tandem_disable.c do the work.
 *
 * The HVM requests (0xf00d) need no driver: any process issues them from
 * user mode (tandemctl hrt ...), as with Palacios.
 */
#define pr_fmt(fmt) "tandem: " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/processor.h>

#include "tandem/cpuid.h"
#include "tandem/hypercall.h"
#include "tandem.h"
#include "tandem_hc.h"

bool tandem_use_vmmcall;
bool tandem_disabled;
DEFINE_MUTEX(tandem_lock);
struct tandem_cell *tandem_cells[TANDEM_IOC_MAX_CELLS];

void tandem_msg(char *msg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, TANDEM_IOC_MSG_LEN, fmt, ap);
	va_end(ap);
}

/* ABI section 1: leaf 0x40000000 reads "TandemTandem", its highest leaf
 * at least 0x40000002; CPUID.1:ECX bit 31 (hypervisor present) set. */
static bool tandem_detect(char sig[13])
{
	unsigned int eax, ebx, ecx, edx;

	cpuid(TANDEM_CPUID_BASE, &eax, &ebx, &ecx, &edx);
	memcpy(sig, &ebx, 4);
	memcpy(sig + 4, &ecx, 4);
	memcpy(sig + 8, &edx, 4);
	sig[12] = 0;
	return (cpuid_ecx(1) & (1u << TANDEM_CPUID_HV_PRESENT_BIT)) &&
	       ebx == TANDEM_SIGNATURE_EBX && ecx == TANDEM_SIGNATURE_ECX &&
	       edx == TANDEM_SIGNATURE_EDX && eax >= TANDEM_CPUID_MAX;
}

static long tandem_query(struct tandem_ioc_query *q, unsigned int code)
{
	long rc = tandem_hc2(code, q->a1, q->a2);

	q->value = rc;
	q->err = tandem_err(rc);
	if (rc < 0)
		tandem_msg(q->msg, "%s %llu%s refused by Tandem",
			   code == TANDEM_HC_CPU_GET_STATE ? "CPU" :
							     "information type",
			   q->a1,
			   code == TANDEM_HC_CPU_GET_STATE ? " (or its type)" :
							     "");
	return 0;
}

/* Each request struct begins with what the caller gives and has err and
 * msg; the whole struct goes back to the caller. */
static long tandem_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	size_t size = _IOC_SIZE(cmd);
	int32_t *err = NULL;
	char *msg = NULL;
	void *req;
	long ret = 0;

	switch (cmd) {
	case TANDEM_IOC_CELL_CREATE:
	case TANDEM_IOC_CELL_START:
	case TANDEM_IOC_CELL_RESTART:
	case TANDEM_IOC_CELL_DESTROY:
	case TANDEM_IOC_CELL_LIST:
	case TANDEM_IOC_GET_INFO:
	case TANDEM_IOC_CPU_STATE:
	case TANDEM_IOC_DISABLE:
		break;
	default:
		return -ENOTTY;
	}
	req = kzalloc(size, GFP_KERNEL);
	if (!req)
		return -ENOMEM;
	if (copy_from_user(req, uarg, size)) {
		kfree(req);
		return -EFAULT;
	}

	mutex_lock(&tandem_lock);
	switch (cmd) {
	case TANDEM_IOC_CELL_CREATE: {
		struct tandem_ioc_create *r = req;

		err = &r->err, msg = r->msg;
		break;
	}
	case TANDEM_IOC_CELL_START:
	case TANDEM_IOC_CELL_RESTART:
	case TANDEM_IOC_CELL_DESTROY: {
		struct tandem_ioc_cell *r = req;

		err = &r->err, msg = r->msg;
		break;
	}
	case TANDEM_IOC_CELL_LIST: {
		struct tandem_ioc_list *r = req;

		err = &r->err, msg = r->msg;
		break;
	}
	case TANDEM_IOC_GET_INFO:
	case TANDEM_IOC_CPU_STATE: {
		struct tandem_ioc_query *r = req;

		err = &r->err, msg = r->msg;
		break;
	}
	case TANDEM_IOC_DISABLE: {
		struct tandem_ioc_disable *r = req;

		err = &r->err, msg = r->msg;
		break;
	}
	}
	*err = 0;
	msg[0] = 0;

	if (tandem_disabled) {
		*err = ENODEV;
		tandem_msg(msg, "Tandem was disabled: Linux runs natively");
		goto out;
	}
	switch (cmd) {
	case TANDEM_IOC_CELL_CREATE:
		ret = tandem_cell_create(req);
		break;
	case TANDEM_IOC_CELL_START:
		ret = tandem_cell_start(req);
		break;
	case TANDEM_IOC_CELL_RESTART:
		ret = tandem_cell_restart(req);
		break;
	case TANDEM_IOC_CELL_DESTROY:
		ret = tandem_cell_destroy(req);
		break;
	case TANDEM_IOC_CELL_LIST:
		ret = tandem_cell_list(req);
		break;
	case TANDEM_IOC_GET_INFO:
		ret = tandem_query(req, TANDEM_HC_HYPERVISOR_GET_INFO);
		break;
	case TANDEM_IOC_CPU_STATE:
		ret = tandem_query(req, TANDEM_HC_CPU_GET_STATE);
		break;
	case TANDEM_IOC_DISABLE:
		ret = tandem_disable(req);
		break;
	}
out:
	mutex_unlock(&tandem_lock);
	if (!ret && copy_to_user(uarg, req, size))
		ret = -EFAULT;
	kfree(req);
	return ret;
}

static const struct file_operations tandem_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = tandem_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice tandem_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "tandem",
	.fops = &tandem_fops,
	.mode = 0600,
};

static int __init tandem_init(void)
{
	char sig[13];
	int ret;

	if (!tandem_detect(sig)) {
		pr_err("no Tandem hypervisor (CPUID 0x40000000 reads \"%s\", not \"%s\"): not loading\n",
		       sig, TANDEM_SIGNATURE);
		return -ENODEV;
	}
	tandem_use_vmmcall = boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
			     boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;
	ret = misc_register(&tandem_misc);
	if (ret) {
		pr_err("cannot register /dev/tandem (%d)\n", ret);
		return ret;
	}
	pr_info("Tandem %u.%u found, /dev/tandem ready (hypercalls by %s)\n",
		cpuid_eax(TANDEM_CPUID_VERSION) >> 16,
		cpuid_eax(TANDEM_CPUID_VERSION) & 0xffff,
		tandem_use_vmmcall ? "VMMCALL" : "VMCALL");
	return 0;
}

static void __exit tandem_exit(void)
{
	int i;

	misc_deregister(&tandem_misc);
	/* The cells run on without the driver; their CPUs stay Tandem's. */
	for (i = 0; i < TANDEM_IOC_MAX_CELLS; i++) {
		if (!tandem_cells[i])
			continue;
		pr_warn("unloaded while cell %d '%s' exists: its CPUs stay offline\n",
			tandem_cells[i]->id, tandem_cells[i]->name);
		kfree(tandem_cells[i]);
	}
}

module_init(tandem_init);
module_exit(tandem_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(
	"Tandem hypervisor: cells, information and Disable from a Linux root cell");
