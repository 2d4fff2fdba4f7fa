# Tugboat — one Makefile for the whole tree.
#
#   make        build lib/libtug.a and every binary into bin/
#   make deps   install the Debian packages that are missing
#   make test   deps, build, unit tests (cmocka), end-to-end tests (bats)
#   make asan   unit tests under AddressSanitizer and UBSan
#   make fuzz   libFuzzer targets (fuzz/), each run FUZZ_SECONDS (600) on its corpus
#   make fuzz-smoke   each target for a few seconds (part of `make test`)
#   make run    deps, build, start a local cluster with the demo
#   make clean
#
# `test` and `run` install packages first and then call make again, so that
# pkg-config is asked only once the libraries are there. Builds use every core
# unless -j is given.

ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc)
endif

CC ?= gcc
BUILD ?= build
PKGS := jansson yaml-0.1 grpc libprotobuf-c libmicrohttpd libcurl libcrypto gnutls libcgroup libarchive \
  libmnl libnftables libseccomp zlib

# Debian packages the build and the tests need. kubectl comes from elsewhere on these
# machines: never add kubernetes-client here, it conflicts with that file.
# python3-kubernetes is the official Python client (e2e/19-python-client.bats).
DEB_PKGS := gcc make pkg-config tzdata libjansson-dev libyaml-dev libmicrohttpd-dev \
  libcurl4-openssl-dev libssl-dev libgnutls28-dev libgrpc-dev libprotobuf-c-dev protobuf-c-compiler \
  libcgroup-dev etcd-server etcd-client busybox-static libcmocka-dev bats iproute2 \
  nftables libnftables-dev libmnl-dev procps curl jq wrk libarchive-dev crun \
  libseccomp-dev python3-kubernetes docker-registry skopeo apache2-utils libwslay-dev zlib1g-dev \
  clang libclang-rt-14-dev

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror
OPT ?= -O2 -g
SAN ?=
CFLAGS := -std=c17 $(WARN) $(OPT) $(SAN) -D_GNU_SOURCE -pthread -MMD -MP \
  -Ilib -I$(BUILD)/gen $(PKG_CFLAGS)
LDFLAGS := $(SAN) -pthread
LDLIBS := $(PKG_LIBS) -lwslay -lm

# Generated protobuf-c code: its own flags, since it is not ours to warn about.
PROTOS := $(wildcard lib/*.proto)
PROTO_C := $(patsubst lib/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS))
PROTO_H := $(PROTO_C:.c=.h)

LIB_SRC := $(wildcard lib/*.c)
LIB_OBJ := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(PROTO_C:.c=.o)
LIBTUG ?= lib/libtug.a

# Binaries: one folder each. A folder's .c files but main.c make an archive
# that its binary and its tests link, so tests reach the folder's internals.
BIN_DIRS := $(filter $(wildcard */),apiserver/ scheduler/ controllers/ nodeagent/ cli/)
bin_name = $(if $(filter nodeagent,$1),tug-agent,$(if $(filter cli,$1),tug,tug-$1))
dir_archive = $(BUILD)/$1/lib$1.a
# A binary's sources may sit in subfolders one deep (scheduler/plugins/, nodeagent/runtime/, ...).
dir_objs = $(patsubst %.c,$(BUILD)/%.o,$(filter-out $1/main.c,$(wildcard $1/*.c $(foreach s,$(SUBDIRS),$1/$s/*.c))))
SUBDIRS := plugins schema runtime pods network node logs hollow images
# The agent's parts include each other's headers by name.
NODEAGENT_INC := -Inodeagent $(foreach s,runtime pods network node logs hollow images,-Inodeagent/$s)
BINS := $(foreach d,$(BIN_DIRS:/=),$(if $(wildcard $d/main.c),bin/$(call bin_name,$d)))

# Unit tests: <folder>/tests/test_*.c. Other .c files in a tests/ folder are
# support code: lib/tests' (the etcd harness) is linked into every test, a
# binary folder's only into that folder's tests.
TEST_SRC := $(wildcard */tests/test_*.c)
TEST_BIN := $(patsubst %.c,$(BUILD)/%,$(TEST_SRC))
test_support = $(patsubst %.c,$(BUILD)/%.o,$(filter-out $(wildcard $1/tests/test_*.c),$(wildcard $1/tests/*.c)))
TEST_SUPPORT_OBJ := $(call test_support,lib)

BENCH_SRC := $(wildcard bench/*/main.c)
BENCH_BIN := $(patsubst bench/%/main.c,$(BUILD)/bench-%,$(BENCH_SRC))

.PHONY: all deps test unit e2e asan run clean format fuzz fuzz-smoke
.DEFAULT_GOAL := all

# Programs the end-to-end suites run inside containers, static so that any
# image can hold them.
E2E_TOOLS := $(BUILD)/e2e-attack

all: $(LIBTUG) $(BINS) $(BENCH_BIN) $(E2E_TOOLS)

$(BUILD)/e2e-attack: e2e/attack/attack.c
	@mkdir -p $(dir $@)
	$(CC) -std=c17 $(WARN) -O2 -D_GNU_SOURCE -static -o $@ $<

# tug-init: what container processes exec in place of the agent's binary;
# static without libc (its own _start), embedded in tug-agent
# (nodeagent/runtime/runtime-init.c).
TUG_INIT_FLAGS := -O2 -static -nostdlib -ffreestanding -fno-builtin -fno-stack-protector \
  -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -s
$(BUILD)/tug-init: nodeagent/runtime/init/tug-init.c nodeagent/runtime/init/tug-init.h
	@mkdir -p $(dir $@)
	$(CC) -std=c17 $(WARN) -D_GNU_SOURCE $(TUG_INIT_FLAGS) -o $@ $<

$(BUILD)/nodeagent/runtime/runtime-init.o: $(BUILD)/tug-init
$(BUILD)/nodeagent/runtime/runtime-init.o: CFLAGS += -DTUG_INIT_BINARY='"$(BUILD)/tug-init"'

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: lib/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --proto_path=lib --c_out=$(BUILD)/gen $<

$(BUILD)/gen/%.pb-c.o: $(BUILD)/gen/%.pb-c.c
	$(CC) -std=c17 $(OPT) $(SAN) -I$(BUILD)/gen $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.c | $(PROTO_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(LIBTUG): $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

define DIR_RULES
$(BUILD)/$1/tests/%.o: CFLAGS += -I$1

$(call dir_archive,$1): $(call dir_objs,$1)
	@mkdir -p $$(dir $$@)
	rm -f $$@
	ar rcs $$@ $$^

bin/$(call bin_name,$1): $(BUILD)/$1/main.o $(call dir_archive,$1) $(LIBTUG)
	@mkdir -p bin
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS)

$(patsubst %.c,$(BUILD)/%,$(wildcard $1/tests/test_*.c)): $(call test_support,$1) $(call dir_archive,$1)
endef
$(foreach d,$(BIN_DIRS:/=),$(eval $(call DIR_RULES,$d)))

$(TEST_BIN): $(BUILD)/%: $(BUILD)/%.o $(TEST_SUPPORT_OBJ) $(LIBTUG)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LIBTUG) $(LDLIBS) -lcmocka

$(BENCH_BIN): $(BUILD)/bench-%: $(BUILD)/bench/%/main.o $(LIBTUG)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter-out $(LIBTUG),$(filter %.a,$^)) $(LIBTUG) $(LDLIBS)

# Benchmarks of a binary's internals link its archive too.
$(BUILD)/bench-runtime: $(call dir_archive,nodeagent)
$(BUILD)/bench/runtime/main.o: CFLAGS += $(NODEAGENT_INC)
$(BUILD)/bench-scheduler: $(call dir_archive,scheduler)
$(BUILD)/bench/scheduler/main.o: CFLAGS += -Ischeduler
$(BUILD)/bench-proxy: $(call dir_archive,nodeagent)
$(BUILD)/bench/proxy/main.o: CFLAGS += $(NODEAGENT_INC)
$(BUILD)/bench-rbac: $(call dir_archive,apiserver)
$(BUILD)/bench/rbac/main.o: CFLAGS += -Iapiserver

# The scheduler's plugins (scheduler/plugins/) include the scheduler's headers.
$(BUILD)/scheduler/%.o: CFLAGS += -Ischeduler
$(BUILD)/nodeagent/%.o: CFLAGS += $(NODEAGENT_INC)

# Fuzzing: Debian's clang with libFuzzer, ASan and UBSan; lib/ built again
# with coverage into an archive each target takes only what it needs.
FUZZ_CC := clang
FUZZ_FLAGS := -std=c17 -g -O1 -D_GNU_SOURCE -Ilib -I$(BUILD)/gen $(PKG_CFLAGS) \
  -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC := $(wildcard fuzz/fuzz_*.c)
FUZZ_BIN := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))
FUZZ_LIB := $(BUILD)/fuzz/libtug-fuzz.a
FUZZ_SECONDS ?= 600
FUZZ_SMOKE_SECONDS ?= 3

$(BUILD)/fuzz/lib/%.o: lib/%.c | $(PROTO_H)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_LIB): $(patsubst lib/%.c,$(BUILD)/fuzz/lib/%.o,$(LIB_SRC))
	rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) $(LDLIBS)

# scripts/fuzz-run.sh runs each on a scratch copy of its corpus, with limits per input.
fuzz: $(FUZZ_BIN)
	@scripts/fuzz-run.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

fuzz-smoke: $(FUZZ_BIN)
	@scripts/fuzz-run.sh $(FUZZ_SMOKE_SECONDS) $(FUZZ_BIN)

deps:
	@scripts/deps.sh $(DEB_PKGS)

test: deps
	@$(MAKE) --no-print-directory all $(TEST_BIN) $(FUZZ_BIN)
	@FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) FUZZ_TARGETS="$(FUZZ_BIN)" scripts/run-tests.sh $(TEST_BIN)

unit: all $(TEST_BIN)
	@scripts/run-tests.sh --unit-only $(TEST_BIN)

e2e: all
	@scripts/run-tests.sh --e2e-only

asan:
	@$(MAKE) --no-print-directory BUILD=build-asan LIBTUG=build-asan/libtug.a \
	  OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined" unit

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-demo.sh

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan lib/libtug.a bin

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
