# memlab — one non-recursive Makefile. Everything it makes goes under build/:
#
#   build/            the release tree (-O2 -g): libmp.a, labs/, tests/, bench/
#   build/san/        the same with AddressSanitizer + UndefinedBehaviorSanitizer
#                     and MP_DEBUG's runtime checks
#   build/stress/     MP_DEBUG with MP_STRESS_GC: a collection at every container
#                     allocation, for the unit tests
#
# `make help` lists the targets.

.DEFAULT_GOAL := all
MAKEFLAGS += --no-builtin-rules
.SUFFIXES:
.DELETE_ON_ERROR:
.SECONDARY:

B       := build
SAN     := $(B)/san
STRESS  := $(B)/stress
MACHINE ?= $(shell hostname -s 2>/dev/null || echo machine)
RESULTS := results/$(MACHINE)

CC    ?= cc
CXX   ?= c++
QUICK ?= 0

# Quiet by default: one short line per file made; V=1 shows the commands.
V ?= 0
ifeq ($(V),1)
  Q :=
  say :=
else
  Q := @
  say = printf '  %-6s %s\n' '$(1)' '$(2)';
endif
BASE_CFLAGS := -std=c17 -Wall -Wextra -Werror -Iruntime -Ilabs -Ibench/gbench -MMD -MP \
               -DMEMLAB_ROOT='"$(CURDIR)"' $(EXTRA_CFLAGS)
RELEASE_CFLAGS := $(BASE_CFLAGS) -O2 -g
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_CFLAGS := $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS) -DMP_DEBUG

RUNTIME_SRC := $(sort $(wildcard runtime/*.c))
LAB_SHARED  := labs/lab.c labs/json.c
LABS        := $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard labs/[0-9][0-9]-*/lab.c)))))
TEST_SRC    := $(sort $(wildcard tests/test_*.c))
TESTS       := $(basename $(notdir $(TEST_SRC)))
BENCH_SRC   := $(sort $(wildcard bench/micro/*.c))

DEPS_STAMP := $(B)/.deps-ok

# ---- one build tree: $(1) is its directory, $(2) its C flags, $(3) link flags
define TREE
$(1)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$(Q)$$(call say,CC,$$@)$$(CC) $(2) -c $$< -o $$@

# The runtime's own files: its calls to itself keep the caller's site (site.h).
$(1)/obj/runtime/%.o: runtime/%.c | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$(Q)$$(call say,CC,$$@)$$(CC) $(2) -DMP_RUNTIME_INTERNAL -c $$< -o $$@

$(1)/libmp.a: $(patsubst %.c,$(1)/obj/%.o,$(RUNTIME_SRC))
	@rm -f $$@
	$(Q)$$(call say,AR,$$@)ar rcs $$@ $$^

$(1)/labs/%: $(1)/obj/labs/%/lab.o $(patsubst %.c,$(1)/obj/%.o,$(LAB_SHARED)) $(1)/libmp.a
	@mkdir -p $$(@D)
	$(Q)$$(call say,LINK,$$@)$$(CC) $(3) $$^ -o $$@ -lm

$(1)/tests/%: $(1)/obj/tests/%.o $(1)/libmp.a
	@mkdir -p $$(@D)
	$(Q)$$(call say,LINK,$$@)$$(CC) $(3) $$^ -o $$@ -lcriterion -lm

$(1)/all: $(1)/libmp.a $(addprefix $(1)/labs/,$(LABS)) $(addprefix $(1)/tests/,$(TESTS))
.PHONY: $(1)/all
-include $(shell find $(1)/obj -name '*.d' 2>/dev/null)
endef

$(eval $(call TREE,$(B),$(RELEASE_CFLAGS),-g))
$(eval $(call TREE,$(SAN),$(SAN_CFLAGS),$(SAN_FLAGS)))
$(eval $(call TREE,$(STRESS),$(BASE_CFLAGS) -O1 -g -DMP_DEBUG -DMP_STRESS_GC,-g))

# ---- the micro-benchmarks of a tree: $(1) is its directory, $(2) its C flags.
# CPython's allocator is linked in when libpython3 is there, found when the
# recipe runs (after scripts/deps.sh), not when make reads this file.
PY_EMBED_CFLAGS = $$(pkg-config --cflags python3-embed 2>/dev/null && echo -DMP_HAVE_LIBPYTHON)
PY_EMBED_LIBS = $$(pkg-config --libs python3-embed 2>/dev/null)

define BENCH
$(1)/obj/bench/gbench/shim.o: bench/gbench/shim.cc bench/gbench/shim.h | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$(Q)$$(call say,CXX,$$@)$$(CXX) -std=c++17 -O2 -g -Wall -Wextra -Werror -Ibench/gbench -c $$< -o $$@

$(1)/obj/bench/micro/04-obmalloc-cpython.o: bench/micro/04-obmalloc-cpython.c | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$(Q)$$(call say,CC,$$@)$$(CC) $(2) $$(PY_EMBED_CFLAGS) -c $$< -o $$@

$(1)/bench/micro: $(patsubst %.c,$(1)/obj/%.o,$(BENCH_SRC)) $(1)/obj/bench/gbench/shim.o $(1)/libmp.a
	@mkdir -p $$(@D)
	$(Q)$$(call say,LINK,$$@)$$(CXX) -g $$^ -o $$@ -lbenchmark -lpthread $$(PY_EMBED_LIBS)
endef

# The benchmarks run in the release tree, and in a copy built without the
# tracing hook and call-site stores, to measure what they cost when off.
NOTRACE := $(B)/notrace
$(eval $(call TREE,$(NOTRACE),$(RELEASE_CFLAGS) -DMP_NO_TRACEMALLOC,-g))
$(eval $(call BENCH,$(B),$(RELEASE_CFLAGS)))
$(eval $(call BENCH,$(NOTRACE),$(RELEASE_CFLAGS) -DMP_NO_TRACEMALLOC))

# ---- what people type ---------------------------------------------------------

.PHONY: all san stress deps labs test bench clean help

all: $(B)/all $(B)/bench/micro  ## build the runtime, labs, tests and benchmarks

san: $(SAN)/all  ## the sanitizer + MP_DEBUG build, in build/san/

stress: $(addprefix $(STRESS)/tests/,$(TESTS))  ## the unit tests built with MP_STRESS_GC, in build/stress/

$(DEPS_STAMP): scripts/deps.sh
	@scripts/deps.sh
	@mkdir -p $(@D) && touch $@

deps:  ## install the Debian packages memlab uses, if missing
	@scripts/deps.sh

# make lab-01 runs lab 01; ARGS="--quick" passes flags to it. The % in the
# filter pattern hides behind a variable, or make would fill in the stem.
pct := %
lab_named = $(filter $(1)-$(pct),$(LABS))
.SECONDEXPANSION:
lab-%: $$(addprefix $(B)/labs/,$$(call lab_named,$$*))  ## build and run one lab: make lab-01
	@$(if $(call lab_named,$*),$< $(ARGS),echo "make: there is no lab $*; the labs are: $(LABS)" >&2; exit 2)

labs: $(addprefix $(B)/labs/,$(LABS))  ## run every lab in order
	@status=0; for lab in $(LABS); do $(B)/labs/$$lab $(ARGS) || status=1; echo; done; exit $$status

test: ## deps, build, unit tests, labs, sanitizers, valgrind, bench smoke run
	@MAKE="$(MAKE)" B="$(B)" SAN="$(SAN)" STRESS="$(STRESS)" LABS="$(LABS)" TESTS="$(TESTS)" scripts/test.sh

bench: $(B)/bench/micro $(NOTRACE)/bench/micro $(addprefix $(B)/labs/,$(LABS))  ## micro-benchmarks, labs and twins timed into results/<machine>/ (QUICK=1: short)
	@bench/run --machine "$(MACHINE)" --results results --build $(B) $(if $(filter 1,$(QUICK)),--quick) $(ARGS)

clean:  ## remove build/ (results/ stays)
	rm -rf $(B)

help:
	@grep -hE '^[a-z%-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | sed -E 's/^([^:]+):.*## /  make \1\t/' | expand -t 20
