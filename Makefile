# SPDX-License-Identifier: GPL-2.0
#
# dlease - top-level build.
#
#   make               build kmod/dlease.ko against KDIR
#   make check         every test: host-side tests (style, sparse, DKMS,
#                      harness self-test, cluster protocol), then the
#                      kernel suite in QEMU on each Debian kernel of
#                      VM_SERIES (6.1 6.12)
#   make demo          boot a VM and show dlease at work
#   make bench         benchmark in a VM (a table of ratios, not a test)
#   make style         checkpatch on the kernel code, clang-format check
#   make sparse        sparse (C=2) on the module
#   make dkms-install  copy the module sources to /usr/src and let DKMS
#                      build and install them (root)
#   make dkms-check    build the module through DKMS against the cached
#                      Debian 6.12 headers, in a private DKMS tree
#   make clean
#
# KDIR defaults to the running kernel's build directory, else to Debian's
# 6.12 headers fetched into DLEASE_CACHE by tests/vm/kernel.sh.  Nothing
# is installed on the host by any target.

DLEASE_CACHE ?= $(HOME)/.cache/dlease
export DLEASE_CACHE
BUILD := $(CURDIR)/build
VM_SERIES ?= 6.1 6.12
VM := tests/vm
KVER ?= $(shell uname -r)
KDIR ?= $(wildcard /lib/modules/$(KVER)/build)
CC ?= gcc

.DEFAULT_GOAL := all

# The parts' own make fragments: their variables are used in rules below.
include tools/dleased/cluster.mk
include tools/dleased/daemon.mk
include libdlease/user.mk

# Resolves KDIR into the shell variable kdir, fetching headers if needed.
define resolve_kdir
kdir='$(KDIR)'; \
if [ -z "$$kdir" ]; then \
	eval "$$($(VM)/kernel.sh 6.12)" || exit 1; kdir=$$KDIR; \
fi
endef

VERSION_STR = $(shell scripts/version.sh)
DKMS_FILES := Kbuild kmod include scripts

# dkms_tree DIR: a DKMS source tree of this version in DIR.
define dkms_tree
	rm -rf $(1) && mkdir -p $(1)
	cp -r $(DKMS_FILES) $(1)/
	rm -f $(1)/kmod/*.o $(1)/kmod/*.ko $(1)/kmod/.*.cmd $(1)/kmod/version.h
	echo '$(VERSION_STR)' > $(1)/VERSION
	sed 's/@VERSION@/$(VERSION_STR)/' dkms.conf > $(1)/dkms.conf
endef

dkms-install:
	$(call dkms_tree,/usr/src/dlease-$(VERSION_STR))
	dkms install dlease/$(VERSION_STR)

dkms-check:
	@command -v dkms >/dev/null || { echo "dkms-check: apt-get install dkms" >&2; exit 1; }
	$(call dkms_tree,$(BUILD)/dkms/src/dlease-$(VERSION_STR))
	mkdir -p $(BUILD)/dkms/tree
	eval "$$($(VM)/kernel.sh 6.12)" && \
	dkms --dkmstree $(BUILD)/dkms/tree --sourcetree $(BUILD)/dkms/src \
		build dlease/$(VERSION_STR) -k "$$KVER" \
		--kernelsourcedir "$$KDIR" && \
	ls $(BUILD)/dkms/tree/dlease/$(VERSION_STR)/$$KVER/*/module/dlease.ko*

.SECONDARY:
.PHONY: all module clean check check-host check-vm tests demo bench \
	style sparse dkms-install dkms-check vm-selftest spec-check

all: module

module:
	@$(resolve_kdir); $(MAKE) -C "$$kdir" M=$(CURDIR) W=1 modules

# sparse and checkpatch: both must be silent.
sparse:
	@command -v sparse >/dev/null || { echo "sparse: apt-get install sparse" >&2; exit 1; }
	@mkdir -p $(BUILD)
	@$(resolve_kdir); $(MAKE) -C "$$kdir" M=$(CURDIR) C=2 W=1 modules 2>&1 | \
		tee $(BUILD)/sparse.log; ! grep -E 'warning|error' $(BUILD)/sparse.log

# Tracepoint headers follow the TRACE_EVENT() layout, not --strict's.
STYLE_KERNEL := $(filter-out %.mod.c kmod/version.h kmod/trace.h,\
	$(wildcard kmod/*.c kmod/*.h)) include/uapi/linux/dlease.h
STYLE_TRACE := kmod/trace.h
STYLE_USER := $(wildcard tests/kselftest/*.[ch] tests/bench/*.c tests/demo/*.c \
	tools/dleased/*.[ch] tests/sim/*.[ch] tests/fuzz/*.c tests/unit/*.[ch] \
	libdlease/*.[ch] tools/dleasectl/*.[ch] tests/user/*.[ch] \
	tests/daemon/*.c tests/cluster/*.[ch])
CHECKPATCH = perl "$$LINUX_SRC/scripts/checkpatch.pl" --no-tree --terse \
	--show-types -f

# Kernel-only rules that have no userspace counterpart (strscpy, __printf).
STYLE_USER_IGNORE := STRCPY,PREFER_DEFINED_ATTRIBUTE_MACRO,SPLIT_STRING

style: $(BUILD)/linux-src.env
	. $(BUILD)/linux-src.env && $(CHECKPATCH) --strict $(STYLE_KERNEL) && \
		$(CHECKPATCH) $(STYLE_TRACE) && \
		$(CHECKPATCH) --ignore $(STYLE_USER_IGNORE) $(STYLE_USER)

# --- kselftest binaries (host-built, kernel-independent) -----------------

KSFT_SRCS := $(wildcard tests/kselftest/*_test.c)
KSFT_BINS := $(patsubst tests/kselftest/%.c,$(BUILD)/tests/%,$(KSFT_SRCS))
KSFT_CFLAGS := -O2 -g -Wall -Werror -D_GNU_SOURCE -Iinclude/uapi

$(BUILD)/linux-src.env: $(VM)/source.sh
	@mkdir -p $(@D)
	$(VM)/source.sh > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/%: tests/kselftest/%.c tests/kselftest/dlease_util.h \
		tests/kselftest/nl_util.h include/uapi/linux/dlease.h \
		$(BUILD)/linux-src.env
	@mkdir -p $(@D)
	. $(BUILD)/linux-src.env && $(CC) $(KSFT_CFLAGS) \
		-I"$$LINUX_SRC/tools/testing/selftests" -o $@ $<

tests: $(KSFT_BINS)

# --- the kernel suite in QEMU, once per Debian kernel --------------------

KMOD_SRCS := Kbuild VERSION $(wildcard kmod/*.c kmod/*.h kmod/Kbuild) \
	include/uapi/linux/dlease.h scripts/version.sh

# build/<series>/src: a copy of the module sources, so that each kernel
# gets its own objects; build/<series>/payload: what the VM runs.
$(BUILD)/%/dlease.ko: $(KMOD_SRCS)
	@rm -rf $(BUILD)/$*/src && mkdir -p $(BUILD)/$*/src
	cp -r Kbuild VERSION kmod include scripts $(BUILD)/$*/src/
	scripts/version.sh > $(BUILD)/$*/src/VERSION
	rm -rf $(BUILD)/$*/src/scripts/.git*
	eval "$$($(VM)/kernel.sh $*)" && \
		$(MAKE) -C "$$KDIR" M=$(BUILD)/$*/src W=1 modules
	cp $(BUILD)/$*/src/kmod/dlease.ko $@

# A payload: the module, the kernel tests, the library's and the CLI's VM
# tests and the binaries they run.  Made afresh for every run (a copy).
PAYLOAD_DEPS := $(KSFT_BINS) $(USER_VM_TESTS) $(USER_VM_BINS) \
	$(DAEMON_VM_BINS) $(VM)/guest/check.sh

# make_payload DIR,MODULE[,MORE FILES]
define make_payload
	rm -rf $(1) && mkdir -p $(1)
	cp $(2) $(PAYLOAD_DEPS) $(3) $(1)/
endef

check-vm-%: $(BUILD)/%/dlease.ko $(PAYLOAD_DEPS)
	$(call make_payload,$(BUILD)/$*/payload,$(BUILD)/$*/dlease.ko)
	$(VM)/run.sh -k $* -a "slab_nomerge" -l $(BUILD)/$*/check.log \
		-- $(BUILD)/$*/payload ./check.sh

check-vm: $(addprefix check-vm-,$(VM_SERIES))


# Host side: kernel style and sparse, the DKMS build, the VM harness's own
# self-test, the cluster protocol (unit, simulator, mutation, fuzz).
check-host: spec-check style sparse dkms-check vm-selftest cluster-check \
	user-check daemon-check

# The netlink spec is valid YNL and include/uapi agrees with it.
PYTHON ?= /usr/bin/python3
NL_SPEC := Documentation/netlink/specs/dlease.yaml

spec-check: $(BUILD)/linux-src.env
	@mkdir -p $(BUILD)/ynl
	. $(BUILD)/linux-src.env && $(PYTHON) scripts/ynl-check.py $(NL_SPEC) \
		"$$LINUX_SRC/Documentation/netlink" $(BUILD)/ynl/spec-check.c
	$(CC) -Wall -Werror -Iinclude/uapi -o $(BUILD)/ynl/spec-check \
		$(BUILD)/ynl/spec-check.c
	$(BUILD)/ynl/spec-check

vm-selftest:
	$(VM)/selftest.sh $(VM_SERIES)

check: check-host check-vm

# --- demo and benchmark: one VM run each, on DEMO_SERIES ------------------

DEMO_SERIES ?= 6.12
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -Iinclude/uapi

$(BUILD)/demo/demo: tests/demo/demo.c include/uapi/linux/dlease.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $<

$(BUILD)/bench/bench: tests/bench/bench.c include/uapi/linux/dlease.h
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -o $@ $<

# run_in_vm NAME,FILES,COMMAND: boot DEMO_SERIES with the module, FILES
# and with-module.sh, and run COMMAND there.
define run_in_vm
	rm -rf $(BUILD)/$(1)/payload && mkdir -p $(BUILD)/$(1)/payload
	cp $(BUILD)/$(DEMO_SERIES)/dlease.ko $(2) \
		$(VM)/guest/with-module.sh $(BUILD)/$(1)/payload/
	$(VM)/run.sh -k $(DEMO_SERIES) -l $(BUILD)/$(1)/vm.log \
		-- $(BUILD)/$(1)/payload $(3)
endef

# The story in C (tests/demo/demo.c), then the same tools from the shell
# with dleasectl (tests/user/demo.sh: watch in one window, run in another),
# then the cluster act (tests/cluster/cluster-demo.sh: three hosts as
# network namespaces, each with its dleased).
CLUSTER_DEMO := tests/cluster/lib.sh tests/cluster/cluster-demo.sh
demo: $(BUILD)/$(DEMO_SERIES)/dlease.ko $(BUILD)/demo/demo $(USER_VM_BINS) \
		$(DAEMON_BIN)
	$(call run_in_vm,demo,$(BUILD)/demo/demo $(USER_VM_BINS) $(USER_DEMO) \
		$(DAEMON_BIN) $(CLUSTER_DEMO),\
		'./with-module.sh sh -c "./demo && ./demo.sh && ./cluster-demo.sh"')

# BENCH_SECONDS: length of each measurement.
BENCH_SECONDS ?= 2
bench: $(BUILD)/$(DEMO_SERIES)/dlease.ko $(BUILD)/bench/bench
	$(call run_in_vm,bench,$(BUILD)/bench/bench,\
		./with-module.sh ./bench $(BENCH_SECONDS))

clean:
	rm -rf $(BUILD)
	$(MAKE) -C kmod -f /dev/null clean 2>/dev/null || true
	rm -f kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd \
		kmod/modules.order kmod/version.h Module.symvers modules.order \
		.*.cmd .module-common.o

# --- the debug kernel: the VM suite under KASAN, lockdep, kmemleak ---------
#
#   make debug-kernel     build the 6.12 debug kernel into DLEASE_CACHE/debug
#                         (tests/vm/debug.config; ~15 min once, then cached)
#   make check-vm-debug   the kernel suite on it, then a kmemleak scan
#
# check-vm (and so check) runs it too, unless VM_DEBUG=0. The kselftests'
# time bounds are stretched by DEBUG_TEST_SCALE (DLEASE_TEST_SCALE in
# tests/kselftest/dlease_util.h) on this slower kernel.

VM_DEBUG ?= 1
DEBUG_TEST_SCALE ?= 4
DEBUG_VM_TIMEOUT ?= 2400
DEBUG_VM_MEM ?= 1024
DEBUG_ENV := $(BUILD)/debug/kernel.env

.PHONY: debug-kernel check-vm-debug debug-kernel-force

# Asks debug-kernel.sh every time (a cache hit costs well under a second);
# the file changes, and dlease.ko is rebuilt, only when the kernel did.
$(DEBUG_ENV): debug-kernel-force
	@mkdir -p $(@D)
	$(VM)/debug-kernel.sh > $@.tmp
	@if cmp -s $@.tmp $@; then rm $@.tmp; else mv $@.tmp $@; fi

debug-kernel: $(DEBUG_ENV)
	@cat $<

$(BUILD)/debug/dlease.ko: $(KMOD_SRCS) $(DEBUG_ENV)
	@rm -rf $(BUILD)/debug/src && mkdir -p $(BUILD)/debug/src
	cp -r Kbuild VERSION kmod include scripts $(BUILD)/debug/src/
	scripts/version.sh > $(BUILD)/debug/src/VERSION
	rm -rf $(BUILD)/debug/src/scripts/.git*
	. $(DEBUG_ENV) && $(MAKE) -C "$$KDIR" M=$(BUILD)/debug/src W=1 modules
	cp $(BUILD)/debug/src/kmod/dlease.ko $@

check-vm-debug: $(BUILD)/debug/dlease.ko $(PAYLOAD_DEPS) \
		$(VM)/guest/leakcheck.sh $(DEBUG_ENV)
	$(call make_payload,$(BUILD)/debug/payload,$(BUILD)/debug/dlease.ko,\
		$(VM)/guest/leakcheck.sh)
	. $(DEBUG_ENV) && $(VM)/run.sh -k debug -K "$${VMLINUX:-$$VMLINUZ}" \
		-M "$$MODDIR" -t $(DEBUG_VM_TIMEOUT) -m $(DEBUG_VM_MEM) \
		-a "slab_nomerge kmemleak=on" -l $(BUILD)/debug/check.log \
		-- $(BUILD)/debug/payload \
		DLEASE_TEST_SCALE=$(DEBUG_TEST_SCALE) ./leakcheck.sh ./check.sh

# Last, after the Debian kernels: as a prerequisite of check-vm, make took
# it first.
ifeq ($(VM_DEBUG),1)
check-vm: $(addprefix check-vm-,$(VM_SERIES))
	$(MAKE) check-vm-debug
endif
