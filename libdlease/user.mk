# SPDX-License-Identifier: GPL-2.0
#
# libdlease, dleasectl and their tests.  Included from the top-level
# Makefile; paths are relative to the repository root and every build
# output goes to build/user/.
#
#   make user          libdlease.so.1 (+ libdlease.so, libdlease.a,
#                      dlease.pc) and dleasectl
#   make user-check    host-side unit tests, no kernel needed; the last
#                      line is "user: N passed, N failed"
#   make user-vm-tests the tests that run in the VM (USER_VM_TESTS)
#   make user-style    checkpatch on the userspace files of this part
#   make user-clean    remove build/user
#
# For the VM payload: USER_VM_BINS (dleasectl and libdlease.so.1, to be
# copied next to each other: both find the library through $ORIGIN),
# USER_VM_TESTS (kselftest binaries named user_*_test, run by the guest's
# check.sh like the kernel suite) and USER_DEMO (make demo's script).

USER_OUT	:= build/user
USER_LIBDIR	:= libdlease
USER_CTLDIR	:= tools/dleasectl
USER_TESTDIR	:= tests/user
CC		?= gcc
AR		?= ar
PREFIX		?= /usr/local

USER_VERSION	:= $(shell scripts/version.sh)
USER_DEPS_PC	:= libnl-3.0 libnl-genl-3.0
USER_NL_CFLAGS	:= $(shell pkg-config --cflags $(USER_DEPS_PC) 2>/dev/null)
USER_NL_LIBS	:= $(shell pkg-config --libs $(USER_DEPS_PC) 2>/dev/null)
USER_JSON_CFLAGS := $(shell pkg-config --cflags json-c 2>/dev/null)
USER_JSON_LIBS	:= $(shell pkg-config --libs json-c 2>/dev/null)

USER_CFLAGS_COMMON := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-Wno-unused-parameter -D_GNU_SOURCE -Iinclude/uapi -I$(USER_LIBDIR) \
	$(USER_NL_CFLAGS)
# kselftest_harness.h wants what the kernel's selftests use: -Wall only.
USER_KSFT_CFLAGS := -O2 -g -Wall -Werror -D_GNU_SOURCE -pthread \
	-Iinclude/uapi -I$(USER_LIBDIR) $(USER_JSON_CFLAGS)
USER_LIB_CFLAGS	:= $(USER_CFLAGS_COMMON) -fPIC -pthread
USER_CTL_CFLAGS	:= $(USER_CFLAGS_COMMON) -I$(USER_CTLDIR) \
	-DDLEASE_VERSION='"$(USER_VERSION)"' $(USER_JSON_CFLAGS)

USER_LIB_SRCS	:= $(wildcard $(USER_LIBDIR)/*.c)
USER_LIB_HDRS	:= $(wildcard $(USER_LIBDIR)/*.h) include/uapi/linux/dlease.h
USER_LIB_OBJS	:= $(patsubst $(USER_LIBDIR)/%.c,$(USER_OUT)/lib/%.o,\
	$(USER_LIB_SRCS))
USER_SO		:= $(USER_OUT)/libdlease.so.1
USER_A		:= $(USER_OUT)/libdlease.a
USER_PC		:= $(USER_OUT)/dlease.pc
USER_LIB_LIBS	:= $(USER_NL_LIBS) -pthread

USER_CTL_SRCS	:= $(wildcard $(USER_CTLDIR)/*.c)
USER_CTL_HDRS	:= $(wildcard $(USER_CTLDIR)/*.h)
USER_CTL_OBJS	:= $(patsubst $(USER_CTLDIR)/%.c,$(USER_OUT)/ctl/%.o,\
	$(USER_CTL_SRCS))
USER_CTL	:= $(USER_OUT)/dleasectl

# Host unit tests link the static library and dleasectl's objects, so
# they reach internals (fake clock, argument parsing) without a kernel.
USER_UNIT_SRCS	:= $(wildcard $(USER_TESTDIR)/unit_*.c)
USER_UNIT_BINS	:= $(patsubst $(USER_TESTDIR)/%.c,$(USER_OUT)/tests/%,\
	$(USER_UNIT_SRCS))
USER_CTL_LIBOBJS := $(filter-out $(USER_OUT)/ctl/main.o,$(USER_CTL_OBJS))

USER_VMT_SRCS	:= $(wildcard $(USER_TESTDIR)/*_test.c)
USER_VM_TESTS	:= $(patsubst $(USER_TESTDIR)/%.c,$(USER_OUT)/tests/user_%,\
	$(USER_VMT_SRCS))
USER_VM_BINS	:= $(USER_CTL) $(USER_SO)
# make demo: the dleasectl story, run after the module is loaded.
USER_DEMO	:= $(USER_TESTDIR)/demo.sh

USER_STYLE	:= $(USER_LIB_SRCS) $(wildcard $(USER_LIBDIR)/*.h) \
	$(USER_CTL_SRCS) $(USER_CTL_HDRS) $(wildcard $(USER_TESTDIR)/*.[ch])

.PHONY: user user-check user-vm-tests user-style user-clean

user: $(USER_SO) $(USER_A) $(USER_PC) $(USER_CTL)

$(USER_OUT)/lib/%.o: $(USER_LIBDIR)/%.c $(USER_LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(USER_LIB_CFLAGS) -c $< -o $@

$(USER_SO): $(USER_LIB_OBJS) $(USER_LIBDIR)/libdlease.map
	$(CC) -shared -Wl,-soname,libdlease.so.1 \
		-Wl,--version-script=$(USER_LIBDIR)/libdlease.map \
		-Wl,-z,defs -o $@ $(USER_LIB_OBJS) $(USER_LIB_LIBS)
	ln -sf libdlease.so.1 $(USER_OUT)/libdlease.so

$(USER_A): $(USER_LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(USER_PC): $(USER_LIBDIR)/dlease.pc.in
	@mkdir -p $(@D)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(USER_VERSION)|' \
		-e 's|@REQUIRES@|$(USER_DEPS_PC)|' $< > $@

$(USER_OUT)/ctl/%.o: $(USER_CTLDIR)/%.c $(USER_CTL_HDRS) \
		$(USER_LIBDIR)/dlease.h
	@mkdir -p $(@D)
	$(CC) $(USER_CTL_CFLAGS) -c $< -o $@

$(USER_CTL): $(USER_CTL_OBJS) $(USER_SO)
	$(CC) -pthread -o $@ $(USER_CTL_OBJS) -L$(USER_OUT) -ldlease \
		-Wl,-rpath,'$$ORIGIN' $(USER_JSON_LIBS)

# TAP output comes from the cluster tests' tiny producer.
$(USER_OUT)/tests/unit_%: $(USER_TESTDIR)/unit_%.c tests/unit/cluster_tap.h \
		$(USER_A) $(USER_CTL_LIBOBJS)
	@mkdir -p $(@D)
	$(CC) $(USER_CTL_CFLAGS) -pthread -Itests/unit -o $@ $< \
		$(USER_CTL_LIBOBJS) $(USER_A) $(USER_LIB_LIBS) $(USER_JSON_LIBS)

user-check: $(USER_UNIT_BINS)
	@$(USER_TESTDIR)/run-unit.sh $(USER_UNIT_BINS)

# --- VM tests: kselftest_harness binaries --------------------------------

$(USER_OUT)/linux-src.env: tests/vm/source.sh
	@mkdir -p $(@D)
	tests/vm/source.sh > $@.tmp && mv $@.tmp $@

$(USER_OUT)/tests/user_%: $(USER_TESTDIR)/%.c \
		$(wildcard $(USER_TESTDIR)/*.h) $(USER_SO) \
		$(USER_OUT)/linux-src.env
	@mkdir -p $(@D)
	. $(USER_OUT)/linux-src.env && $(CC) $(USER_KSFT_CFLAGS) \
		-I"$$LINUX_SRC/tools/testing/selftests" -I$(USER_TESTDIR) \
		-o $@ $< -L$(USER_OUT) -ldlease -Wl,-rpath,'$$ORIGIN' \
		$(USER_JSON_LIBS)

user-vm-tests: $(USER_VM_TESTS) $(USER_VM_BINS)

user-style: $(USER_OUT)/linux-src.env
	. $(USER_OUT)/linux-src.env && perl "$$LINUX_SRC/scripts/checkpatch.pl" \
		--no-tree --terse --show-types \
		--ignore STRCPY,PREFER_DEFINED_ATTRIBUTE_MACRO,SPLIT_STRING \
		-f $(USER_STYLE)

user-clean:
	rm -rf $(USER_OUT)
