# Style check: `make check-style` runs clang-format (the .clang-format at
# the top of the tree) over STYLE_PATHS and fails on any line it would
# change. Included by the top-level Makefile.
#
# STYLE_PATHS: directories (every .c and .h below them) or single files;
# by default every C file of the tree. `make format` rewrites them.

CLANG_FORMAT ?= clang-format

STYLE_ALL   := kernel boot vmx svm ros hrt cells guest-abi tests linux
STYLE_PATHS ?= $(STYLE_ALL)

STYLE_FILES = $(sort $(foreach p,$(STYLE_PATHS),$(if $(wildcard $(p)/.),\
                $(shell find $(p) -name '*.[ch]'),$(p))))

.PHONY: check-style format

check-style:
	@$(CLANG_FORMAT) --dry-run --Werror $(STYLE_FILES)
	@echo "check-style: $(words $(STYLE_FILES)) files formatted"

format:
	@$(CLANG_FORMAT) -i $(STYLE_FILES)
