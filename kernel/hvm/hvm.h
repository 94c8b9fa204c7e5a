/* The Palacios HVM interface between the ROS (root cell) and the HRT
 * partition: 0xf00d downcalls, comm-page upcalls and the transaction state
 * machine (kernel/hvm/hvm.c). Booting the HRT is hvm/hrt.h. */
#ifndef TANDEM_HVM_HVM_H
#define TANDEM_HVM_HVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tandem/hvm.h>
#include "mm/paging.h"
#include "virt/vcpu.h"

struct cell;

struct hrt {
	struct cell *cell;    /* NULL: no HRT */
	volatile bool failed; /* crashed: downcalls to it give -1 */
	uint8_t vector;	      /* its upcall vector */
	bool magic_pf; /* upcalls as the magic page fault (its tag's flag) */
	struct tandem_comm_page *comm; /* Tandem's view of the comm page */
	uint64_t comm_gpa;	       /* where the HRT sees it */
	unsigned int ncores;
	volatile uint32_t trans_state;	   /* TANDEM_HRT_* */
	volatile uint64_t trans_cores;	   /* HRT cores yet to call done */
	struct tandem_ros_event ros_event; /* pending event for the ROS */
	volatile bool rebooting; /* a reboot or replace runs (hvm.c) */
	/* HRT cores still running an upcall whose transaction a ROS reboot
	 * aborted: their next done (0x2f, 0x3f, 0x5f) is that upcall's, and
	 * is refused instead of ending a later transaction. */
	uint64_t stale_cores;
	/* The ROS's completion word of the invoke in progress (RSI of
	 * 0x20/0x21, guest-physical; 0: none): hvm_complete() writes it. */
	uint64_t done_gpa;
	/* Its completion interrupt (RDI of 0x20/0x21; 0: none) and the
	 * physical CPU of the ROS vCPU that invoked: hvm_complete() sends
	 * the vector there as a fixed IPI, after the word. */
	uint8_t done_vector;
	uint32_t done_apic_id;
	/* A ROS reboot holds the interrupt back (hvm_hold_done_irq()):
	 * the vector of a transaction that ended meanwhile waits in
	 * done_held_vector (0: none). */
	bool done_held;
	uint8_t done_held_vector;
	/* The GDT area the HRT registered (0x52): its address and the
	 * paging registers of the core that registered it; 0: none. */
	uint64_t gdt_area;
	struct pt_guest_regs gdt_regs;
};

extern struct hrt hrt;

/* Who may issue a request (struct hvm_request.from). */
#define HVM_FROM_ROS	  (1u << 0) /* a CPU of the root cell, any CPL */
#define HVM_FROM_HRT	  (1u << 1) /* a CPU of the HRT, any CPL */

/* The transaction states a request is accepted in: one bit per
 * TANDEM_HRT_* value. */
#define HVM_IN(state)	  (1u << (state))
#define HVM_IN_ANY	  0xffu

/* struct hvm_request.flags. HVM_EXCLUSIVE: the request reboots the HRT;
 * it runs alone and without the lock, as it waits for the HRT's CPUs. */
#define HVM_LIVE	  (1u << 0) /* refused while the HRT is Failed */
#define HVM_EXCLUSIVE	  (1u << 1)
#define HVM_DURING_REBOOT (1u << 2) /* also accepted while one runs */
#define HVM_DONE	  (1u << 3) /* an HRT core's done: see stale_cores */

/* One 0xf00d request: the function and who may call it when. @a holds
 * RDX, RSI, RDI, R8; every address in them is a virtual address of the
 * caller, as Palacios has it: read and written through the caller's page
 * tables as they are at the call (virt/guest_mem.h, guest_caller_*).
 * Returns RAX. */
struct hvm_request {
	uint64_t (*fn)(struct vcpu *v, const uint64_t *a);
	uint8_t from;	/* HVM_FROM_* */
	uint8_t states; /* HVM_IN(...) */
	uint8_t flags;	/* HVM_* */
};

/** Indexed by request (RCX); entries without fn are refused with -1
 * (kernel/hvm/hvm_requests.c). */
extern const struct hvm_request hvm_requests[];
extern const size_t hvm_request_count;

#define HVM_ERROR ((uint64_t)-1)

/** Handles RAX = 0xf00d in 64-bit mode: the Palacios downcall, checked
 * against hvm_requests[] (caller side, transaction state, HRT state). */
void hvm_downcall(struct vcpu *v);

/** HRT core @i has not yet taken its start (at boot Tandem does not wait
 * for it): an upcall now would be dropped with the reset. */
bool hvm_core_starting(unsigned int i);

/** Posts an upcall to HRT core @i (the comm page is already written). */
void hvm_upcall_core(unsigned int i);

/** The invoke in progress ended (TANDEM_HRT_COMPLETED) or was aborted
 * (TANDEM_HRT_ABORTED): writes its completion word, if it has one, then
 * sends its completion interrupt, if it has one; each once. Under the HVM
 * lock, or with the request exclusive. */
void hvm_complete(uint64_t how);

/** A ROS reboot begins: an invoke that ends from now on sends no
 * completion interrupt, which the restarted ROS would take unasked. */
void hvm_hold_done_irq(void);

/** The reboot is over: the ROS restarted (@ros_goes_on false: the
 * interrupt is dropped), or was not restarted after all (true: it is sent
 * if the invoke ended meanwhile, and is again sent at its end if not). */
void hvm_release_done_irq(bool ros_goes_on);

/** The HRT failed (its kind's failed operation): abort any transaction,
 * let a waiting ROS see an HRT_EXCEPTION event. */
void hvm_hrt_failed(uint64_t rip, uint64_t vector);

/** Aborts the transaction, under the HVM lock (a ROS reboot): idle, no
 * HRT core owes a done, no ROS event, the invoke's completion word
 * dropped unwritten, and an upcall not yet injected is dropped (a core
 * that took one is marked in stale_cores). An HRT core still running the aborted call finds its done
 * refused. */
void hvm_abort_transaction(void);

/* The ROS loader's reload steps (cell/ros_boot.h, ros_reload_*), which
 * kernel/guests.c hands this layer at start-up. */
struct hvm_ros_loader {
	int (*prepare)(void);
	void (*commit)(struct vcpu *bsp);
	void (*cancel)(void);
};

extern const struct hvm_ros_loader *hvm_ros_loader;

/** Reboot ROS (0x1; with @hrt_too reboot both, 0x3), from an
 * HVM_EXCLUSIVE request issued by the ROS vCPU @caller
 * (hvm/ros_reboot.c): 0, and the ROS starts again from its boot state
 * when @caller next enters; or a negative errno, the ROS untouched. */
int hvm_ros_reboot(struct vcpu *caller, bool hrt_too);

#define HVM_DEBUG_PORT 0xc0c0

#endif
