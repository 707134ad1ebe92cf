# SPDX-License-Identifier: GPL-2.0
#
# Cluster protocol core, simulator, fuzzer and unit tests.
# Included from the top-level Makefile; all paths are relative to the
# repository root and every build output goes to build/cluster/.
#
#   make cluster-check        unit tests, CI simulator campaign, mutation
#                             check (must fail), bounded fuzz run
#   make cluster-unit         unit tests only
#   make sim SEEDS=1-200      simulator campaign over a seed range
#   make sim-mutation         mutated protocols; the checker must catch them
#   make fuzz FUZZ_SECONDS=60 fuzz the packet decoder
#   make cluster-clean

CLUSTER_DIR	:= tools/dleased
CLUSTER_OUT	:= build/cluster
CC		?= gcc
FUZZ_CC		?= clang
SEEDS		?= 1-150
FUZZ_SECONDS	?= 60
SIM_JOBS	?= 2

CLUSTER_CFLAGS	:= -std=gnu11 -Wall -Wextra -Werror -O2 -g -I$(CLUSTER_DIR)
CLUSTER_LIBS	:= -lsodium
SIM_LIBS	:= -lm

CLUSTER_SRCS	:= ballot.c outq.c config.c core.c acceptor.c proposer.c \
		   wire.c replay.c statefile.c
CLUSTER_HDRS	:= $(wildcard $(CLUSTER_DIR)/*.h)
CLUSTER_C	:= $(addprefix $(CLUSTER_DIR)/,$(CLUSTER_SRCS))
CLUSTER_OBJS	:= $(patsubst %.c,$(CLUSTER_OUT)/core/%.o,$(CLUSTER_SRCS))
CLUSTER_LIB	:= $(CLUSTER_OUT)/libdlproto.a

SIM_SRCS	:= $(wildcard tests/sim/*.c)
SIM_HDRS	:= $(wildcard tests/sim/*.h)
SIM_BIN		:= $(CLUSTER_OUT)/dlsim
CLUSTER_MUTATIONS := QUORUM_ONE NO_EPSILON SHORTEN_RENEW UNCHOSEN_ANY_BALLOT
SIM_MUT_BINS	:= $(foreach m,$(CLUSTER_MUTATIONS),$(CLUSTER_OUT)/dlsim-$(m))

UNIT_SRCS	:= $(wildcard tests/unit/cluster_test_*.c)
UNIT_BINS	:= $(patsubst tests/unit/%.c,$(CLUSTER_OUT)/%,$(UNIT_SRCS))

FUZZ_BIN	:= $(CLUSTER_OUT)/fuzz_wire
FUZZ_CORPUS	:= tests/fuzz/corpus/wire
CLUSTER_RUN	:= tests/unit/cluster-run.sh

.PHONY: cluster-check cluster-unit sim sim-mutation fuzz cluster-clean \
	cluster-build

$(CLUSTER_OUT)/core/%.o: $(CLUSTER_DIR)/%.c $(CLUSTER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CLUSTER_CFLAGS) -c $< -o $@

$(CLUSTER_LIB): $(CLUSTER_OBJS)
	$(AR) rcs $@ $^

$(SIM_BIN): $(SIM_SRCS) $(SIM_HDRS) $(CLUSTER_LIB)
	$(CC) $(CLUSTER_CFLAGS) -Itests/sim $(SIM_SRCS) $(CLUSTER_LIB) \
		$(CLUSTER_LIBS) $(SIM_LIBS) -o $@

# a mutated protocol: the same core with one safety rule broken on purpose
$(CLUSTER_OUT)/dlsim-%: $(SIM_SRCS) $(SIM_HDRS) $(CLUSTER_C) $(CLUSTER_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CLUSTER_CFLAGS) -DDL_MUTATION_$* -Itests/sim $(SIM_SRCS) \
		$(CLUSTER_C) $(CLUSTER_LIBS) $(SIM_LIBS) -o $@

$(CLUSTER_OUT)/cluster_test_%: tests/unit/cluster_test_%.c \
		tests/unit/cluster_tap.h $(CLUSTER_LIB)
	$(CC) $(CLUSTER_CFLAGS) -Itests/unit $< $(CLUSTER_LIB) \
		$(CLUSTER_LIBS) -o $@

$(FUZZ_BIN): tests/fuzz/fuzz_wire.c $(CLUSTER_C) $(CLUSTER_HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -g -O1 -I$(CLUSTER_DIR) \
		-fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined \
		tests/fuzz/fuzz_wire.c $(CLUSTER_C) $(CLUSTER_LIBS) -o $@

cluster-build: $(CLUSTER_LIB) $(SIM_BIN) $(UNIT_BINS)

cluster-unit: $(UNIT_BINS)
	@$(CLUSTER_RUN) unit $(UNIT_BINS)

sim: $(SIM_BIN)
	@$(CLUSTER_RUN) sim $(SIM_BIN) $(SEEDS) $(SIM_JOBS)

sim-mutation: $(SIM_MUT_BINS)
	@$(CLUSTER_RUN) mutation $(SIM_MUT_BINS)

fuzz: $(FUZZ_BIN)
	@$(CLUSTER_RUN) fuzz $(FUZZ_BIN) $(FUZZ_CORPUS) $(FUZZ_SECONDS) \
		$(CLUSTER_OUT)/fuzz-work

cluster-check: $(UNIT_BINS) $(SIM_BIN) $(SIM_MUT_BINS) $(FUZZ_BIN)
	@$(CLUSTER_RUN) all "$(UNIT_BINS)" $(SIM_BIN) $(SEEDS) $(SIM_JOBS) \
		"$(SIM_MUT_BINS)" $(FUZZ_BIN) $(FUZZ_CORPUS) \
		$(FUZZ_SECONDS) $(CLUSTER_OUT)/fuzz-work

cluster-clean:
	rm -rf $(CLUSTER_OUT)
