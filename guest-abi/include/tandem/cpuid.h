/*
 * Detecting Tandem from a guest: the hypervisor CPUID leaves (Xen hypercall
 * ABI seed) and the MSR that installs a hypercall page.
 */
#ifndef TANDEM_CPUID_H
#define TANDEM_CPUID_H

/* CPUID.1:ECX bit 31 is set while a guest runs under Tandem. */
#define TANDEM_CPUID_HV_PRESENT_BIT 31

/* Leaf 0x40000000: EAX = highest Tandem leaf, EBX/ECX/EDX = signature. */
#define TANDEM_CPUID_BASE	    0x40000000u
#define TANDEM_CPUID_MAX	    0x40000002u
#define TANDEM_SIGNATURE_EBX	    0x646e6154u /* "Tand" */
#define TANDEM_SIGNATURE_ECX	    0x61546d65u /* "emTa" */
#define TANDEM_SIGNATURE_EDX	    0x6d65646eu /* "ndem" */
#define TANDEM_SIGNATURE	    "TandemTandem"

/* Leaf 0x40000001: EAX = version, major << 16 | minor. */
#define TANDEM_CPUID_VERSION	    0x40000001u
#define TANDEM_VERSION_MAJOR	    0
#define TANDEM_VERSION_MINOR	    1

/* Leaf 0x40000002: EAX = number of hypercall pages a guest may install
 * (1), EBX = MSR index that installs one. ECX = EDX = 0. */
#define TANDEM_CPUID_HYPERCALL	    0x40000002u
#define TANDEM_HYPERCALL_PAGES	    1

/* Writing a page-aligned guest-physical address of the caller's own RAM to
 * this MSR fills that page with hypercall stubs; anything else raises #GP
 * and writes nothing. Reading it returns the last address installed (0 if
 * none). */
#define TANDEM_MSR_HYPERCALL_PAGE   0x40000000u

#endif
