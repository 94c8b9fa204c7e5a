# Host unit tests for the page-table builder (kernel/paging.c), included
# from the top-level Makefile: `make host-tests` builds and runs them.

PAGING_TEST	:= $(BUILD)/tests/test_paging
PAGING_CFLAGS	:= -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wshadow \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Ikernel -Iguest-abi/include

.PHONY: paging-tests
host-tests: paging-tests

paging-tests: $(PAGING_TEST)
	$(PAGING_TEST)

$(PAGING_TEST): tests/test_paging.c kernel/paging.c kernel/paging.h \
		kernel/klib.h guest-abi/include/tandem/errno.h
	@mkdir -p $(@D)
	$(CC) $(PAGING_CFLAGS) -o $@ tests/test_paging.c kernel/paging.c -lcmocka
