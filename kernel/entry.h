/* The hypervisor entry called by boot/ on every online CPU. */
#ifndef TANDEM_ENTRY_H
#define TANDEM_ENTRY_H

/** Returns 0 or -EIO/-ENOMEM/-EBUSY/-ENODEV/-EINVAL/-ERANGE, the same on
 * every CPU (Jailhouse bootstrap seed). */
int tandem_entry(unsigned int cpu_id);

#endif
