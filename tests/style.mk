# Style check: `make check-style` runs clang-format (the .clang-format at
# the top of the tree) over STYLE_PATHS and fails on any line it would
# change. Included by the top-level Makefile.
#
# STYLE_PATHS lists what is already formatted: directories (every .c and
# .h below them) or single files. Extend it as the rest of the tree is
# formatted; once everything is, it becomes STYLE_ALL.

CLANG_FORMAT ?= clang-format

STYLE_ALL   := kernel boot vmx svm ros hrt cells guest-abi tests
STYLE_PATHS ?= kernel/fmt tests \
               kernel/lib/klib.c kernel/lib/klib.h kernel/lib/fail.h \
               kernel/lib/unaligned.h \
               kernel/mm/memmap.c kernel/mm/memmap.h \
               kernel/mm/palloc.c kernel/mm/palloc.h

STYLE_FILES = $(sort $(foreach p,$(STYLE_PATHS),$(if $(wildcard $(p)/.),\
                $(shell find $(p) -name '*.[ch]'),$(p))))

.PHONY: check-style

check-style:
	@$(CLANG_FORMAT) --dry-run --Werror $(STYLE_FILES)
	@echo "check-style: $(words $(STYLE_FILES)) files formatted"
