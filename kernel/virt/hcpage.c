/* Hypercall page stubs: slot N at N * 32 is `mov eax, N; <insn>; ret`,
 * padded with int3; the last slot does the same with the HVM code 0xf00d. */
#include <tandem/errno.h>
#include <tandem/hypercall.h>
#include "virt/partition.h"
#include "virt/hcpage.h"
#include "lib/klib.h"
#include "layout.h"

void hcpage_fill(uint8_t *page, const uint8_t insn[3])
{
	memset(page, 0xcc, PAGE_SIZE);
	for (uint32_t slot = 0; slot < TANDEM_HC_PAGE_SLOTS; slot++) {
		uint8_t *p = page + slot * TANDEM_HC_STUB_SIZE;
		uint32_t code = slot == TANDEM_HC_SLOT_HVM ? TANDEM_HC_HVM : slot;

		p[0] = 0xb8; /* mov eax, imm32 */
		memcpy(p + 1, &code, 4);
		memcpy(p + 5, insn, 3);
		p[8] = 0xc3; /* ret */
	}
}

int hcpage_install(struct vcpu *v, uint64_t gpa)
{
	uint8_t *page;

	if (gpa & (PAGE_SIZE - 1))
		return -TANDEM_EINVAL;
	page = cell_gpa_to_hva(v->cell, gpa, PAGE_SIZE);
	if (!page)
		return -TANDEM_EINVAL;
	hcpage_fill(page, vcpu_ops->hypercall_insn);
	v->cell->hypercall_page = gpa;
	return 0;
}
