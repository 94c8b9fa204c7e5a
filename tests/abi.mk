# Header self-check: every public guest-abi header compiles alone, as C11
# and as gnu11, freestanding, warnings as errors (STYLE.md example 6).
ABI_HEADERS := $(wildcard guest-abi/include/tandem/*.h)

.PHONY: abi-headers
host-tests: abi-headers

abi-headers:
	@for h in $(ABI_HEADERS); do \
		for std in c11 gnu11; do \
			printf '#include "%s"\nint tandem_abi_check;\n' $$h | $(CC) -std=$$std -ffreestanding -Wall -Wextra -Werror \
				-pedantic -I. -fsyntax-only -x c - || { echo "abi-headers: $$h does not stand alone ($$std)"; exit 1; }; \
		done; \
	done
	@echo "abi-headers: $(words $(ABI_HEADERS)) headers stand alone"
