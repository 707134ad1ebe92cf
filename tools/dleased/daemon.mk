# SPDX-License-Identifier: GPL-2.0
#
# dleased, the cluster daemon: the event-loop shell around the protocol
# core of cluster.mk. Included from the top-level Makefile after
# cluster.mk; every build output goes to build/daemon/.
#
#   make daemon          build/daemon/dleased and the test tool
#   make daemon-check    host-side tests: configuration rejections, key
#                        file checks, a 3-daemon cluster on 127.0.0.1;
#                        the last line is "dleased: N passed, N failed"
#
# DAEMON_VM_BINS: what the VM payload needs for the multi-host tests.
#
# Needs libinih-dev, libsystemd-dev, libsodium-dev and libnl-genl-3-dev
# (apt-get).

DAEMON_DIR	:= tools/dleased
DAEMON_OUT	:= build/daemon
DAEMON_PC	:= inih libsystemd libnl-3.0 libnl-genl-3.0
# the kernel bridge goes through libdlease (dlease-bridge.h), linked in
DAEMON_LIBDLEASE := build/user/libdlease.a

DAEMON_CFLAGS	:= -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror \
		   -O2 -g -D_GNU_SOURCE -I$(DAEMON_DIR) -Ilibdlease -Iinclude/uapi \
		   $(shell pkg-config --cflags $(DAEMON_PC) 2>/dev/null)
DAEMON_LIBS	:= $(DAEMON_LIBDLEASE) \
		   $(shell pkg-config --libs $(DAEMON_PC) 2>/dev/null) \
		   $(CLUSTER_LIBS) -pthread

DAEMON_SRCS	:= main.c daemon.c packet.c control.c status.c bridge.c kbridge.c \
		   peers.c udp.c loop.c clock.c conffile.c confcheck.c \
		   keyfile.c netaddr.c log.c
DAEMON_HDRS	:= $(wildcard $(DAEMON_DIR)/*.h)
DAEMON_OBJS	:= $(patsubst %.c,$(DAEMON_OUT)/obj/%.o,$(DAEMON_SRCS))
DAEMON_BIN	:= $(DAEMON_OUT)/dleased
DAEMON_FORGE	:= $(DAEMON_OUT)/dleased-forge
DAEMON_FENCE	:= $(DAEMON_OUT)/fence_register $(DAEMON_OUT)/fence_client
DAEMON_TESTS	:= tests/daemon/run.sh
# For the VM payload: the daemon, the packet forger, the fencing-token
# register and its client, and the multi-host tests (tests/cluster/
# cluster_netns_test and chaos_test, run by the guest's check.sh like
# every *_test of the payload) with the helpers they source.
DAEMON_VM_BINS	:= $(DAEMON_BIN) $(DAEMON_FORGE) $(DAEMON_FENCE) \
		   tests/cluster/lib.sh tests/cluster/cluster_netns_test \
		   tests/cluster/chaos_test

.PHONY: daemon daemon-check

$(DAEMON_OUT)/obj/%.o: $(DAEMON_DIR)/%.c $(DAEMON_HDRS) \
		libdlease/dlease-bridge.h
	@mkdir -p $(dir $@)
	$(CC) $(DAEMON_CFLAGS) -c $< -o $@

$(DAEMON_BIN): $(DAEMON_OBJS) $(CLUSTER_LIB) $(DAEMON_LIBDLEASE)
	$(CC) $(DAEMON_OBJS) $(CLUSTER_LIB) $(DAEMON_LIBS) -o $@

# sends packets a daemon must drop: wrong key, unknown sender, replays
$(DAEMON_FORGE): tests/daemon/forge.c $(DAEMON_HDRS) $(CLUSTER_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(DAEMON_CFLAGS) $< $(CLUSTER_LIB) $(CLUSTER_LIBS) -o $@

# chaos_test's fencing-token register and its lease-holding client
$(DAEMON_OUT)/fence_%: tests/cluster/fence_%.c tests/cluster/fence_wire.h \
		$(DAEMON_LIBDLEASE) libdlease/dlease.h
	@mkdir -p $(dir $@)
	$(CC) $(DAEMON_CFLAGS) $< $(DAEMON_LIBDLEASE) $(USER_NL_LIBS) \
		-pthread -o $@

daemon: $(DAEMON_BIN) $(DAEMON_FORGE) $(DAEMON_FENCE)

daemon-check: daemon
	@$(DAEMON_TESTS) $(DAEMON_OUT)

# The configuration cases of tests/daemon/config_test.py, replayed in the
# VM by tests/daemon/config_vm_test.
DAEMON_BADCONF	:= $(DAEMON_OUT)/dleased-badconf.txt
DAEMON_VM_BINS	+= $(DAEMON_BADCONF) tests/daemon/config_vm_test

$(DAEMON_BADCONF): tests/daemon/config_test.py
	@mkdir -p $(dir $@)
	$(PYTHON) $< --emit $@
