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

BUILD   := build
SAN     := $(BUILD)/san
STRESS  := $(BUILD)/stress
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

DEPS_STAMP := $(BUILD)/.deps-ok

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

$(eval $(call TREE,$(BUILD),$(RELEASE_CFLAGS),-g))
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
NOTRACE := $(BUILD)/notrace
$(eval $(call TREE,$(NOTRACE),$(RELEASE_CFLAGS) -DMP_NO_TRACEMALLOC,-g))
$(eval $(call BENCH,$(BUILD),$(RELEASE_CFLAGS)))
$(eval $(call BENCH,$(NOTRACE),$(RELEASE_CFLAGS) -DMP_NO_TRACEMALLOC))

# ---- the fuzzers (tests/fuzz/*_fuzz.c): libFuzzer needs clang, so they get a
# tree of their own, the runtime built with the same sanitizers and MP_DEBUG.
FUZZ        := $(BUILD)/fuzz
FUZZ_CC     := clang
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := $(BASE_CFLAGS) -O1 -g -DMP_DEBUG $(FUZZ_SAN) -fsanitize=fuzzer-no-link
FUZZERS     := $(basename $(notdir $(wildcard tests/fuzz/*_fuzz.c)))
FUZZ_SECONDS ?= 300

$(FUZZ)/obj/runtime/%.o: runtime/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) -DMP_RUNTIME_INTERNAL -c $< -o $@

$(FUZZ)/obj/tests/fuzz/%.o: tests/fuzz/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ)/libmp.a: $(patsubst %.c,$(FUZZ)/obj/%.o,$(RUNTIME_SRC))
	@rm -f $@
	$(Q)$(call say,AR,$@)ar rcs $@ $^

$(addprefix $(FUZZ)/,$(FUZZERS)): $(FUZZ)/%: $(FUZZ)/obj/tests/fuzz/%.o $(FUZZ)/libmp.a
	$(Q)$(call say,LINK,$@)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $^ -o $@ -lm
-include $(shell find $(FUZZ)/obj -name '*.d' 2>/dev/null)

# ---- what people type ---------------------------------------------------------

.PHONY: all san stress deps labs test bench clean help

all: $(BUILD)/all $(BUILD)/bench/micro  ## build the runtime, labs, tests and benchmarks

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
lab-%: $$(addprefix $(BUILD)/labs/,$$(call lab_named,$$*))  ## build and run one lab: make lab-01
	@$(if $(call lab_named,$*),$< $(ARGS),echo "make: there is no lab $*; the labs are: $(LABS)" >&2; exit 2)

labs: $(addprefix $(BUILD)/labs/,$(LABS))  ## run every lab in order
	@status=0; for lab in $(LABS); do $(BUILD)/labs/$$lab $(ARGS) || status=1; echo; done; exit $$status

test: ## every check: unit tests in 3 trees, labs, valgrind, bench/plots/report/compare/handouts, hostile input, fuzzers
	@MAKE="$(MAKE)" B="$(BUILD)" SAN="$(SAN)" STRESS="$(STRESS)" LABS="$(LABS)" TESTS="$(TESTS)" scripts/test.sh

bench: $(BUILD)/bench/micro $(NOTRACE)/bench/micro $(addprefix $(BUILD)/labs/,$(LABS))  ## micro-benchmarks, labs and twins timed into results/<machine>/ (QUICK=1: short)
	@bench/run --machine "$(MACHINE)" --results results --build $(BUILD) $(if $(filter 1,$(QUICK)),--quick) $(ARGS)

# Lab data and figures for results/<machine>/. QUICK=1 runs the labs small.
LAB_DATA_FLAGS = $(if $(filter 1,$(QUICK)),--quick)
.PHONY: lab-data plots

lab-data: $(addprefix $(BUILD)/labs/,$(LABS))  ## every lab's CSVs and transcript into results/<machine>/labs/
	@LABS_BIN=$(BUILD)/labs scripts/lab-data $(LAB_DATA_FLAGS) "$(RESULTS)" $(LABS)

# A lab whose checks fail still leaves its data (lab-data exits 1): the
# figures are drawn all the same, and the transcript says what failed.
plots: $(addprefix $(BUILD)/labs/,$(LABS)) | $(DEPS_STAMP)  ## every figure for results/<machine>/ (lab data first, where missing)
	@missing=$$(for lab in $(LABS); do [ -d "$(RESULTS)/labs/$$lab" ] || echo $$lab; done); \
	if [ -n "$$missing" ]; then \
	    LABS_BIN=$(BUILD)/labs scripts/lab-data $(LAB_DATA_FLAGS) "$(RESULTS)" $$missing || [ $$? -eq 1 ]; \
	fi
	@plots/draw "$(RESULTS)"

# make compare A=results/x B=results/y [OUT=dir]; make compare-all [DIR=results] [REF=name].
# A and B are the two results directories; the build tree is $(BUILD), so
# they are free for this.
.PHONY: compare compare-all
compare: | $(DEPS_STAMP)  ## two machines' results compared: make compare A=results/x B=results/y
	@bench/compare $(if $(OUT),--out "$(OUT)") "$(A)" "$(B)"

compare-all: | $(DEPS_STAMP)  ## every machine in DIR (default results) against REF: make compare-all DIR=results
	@bench/compare-all $(if $(REF),--ref "$(REF)") $(if $(OUT),--out "$(OUT)") "$(or $(DIR),results)"

# The figures come from `make plots`, run first only when one is missing.
.PHONY: handouts
handouts: | $(DEPS_STAMP)  ## the handouts as HTML with this machine's figures, in results/<machine>/handouts/
	@scripts/render-handouts --missing "$(RESULTS)" >/dev/null || $(MAKE) --no-print-directory plots
	@scripts/render-handouts "$(RESULTS)"

.PHONY: fuzz fuzz-build
fuzz-build: $(addprefix $(FUZZ)/,$(FUZZERS))  ## build the libFuzzer harnesses, in build/fuzz/

fuzz: fuzz-build  ## run each fuzzer FUZZ_SECONDS (300); corpus in build/fuzz/corpus/, findings in build/fuzz/
	@scripts/fuzz.sh $(FUZZ) $(FUZZ_SECONDS) $(FUZZERS)

clean:  ## remove build/ (results/ stays)
	rm -rf $(BUILD)

help:
	@grep -hE '^[a-z%-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | sed -E 's/^([^:]+):.*## /  make \1\t/' | expand -t 20

.PHONY: report
report: $(addprefix $(BUILD)/labs/,$(LABS))  ## the main job: every lab's data, make bench QUICK=1, every figure, and results/<machine>/index.html
	@MAKE="$(MAKE)" RESULTS="$(RESULTS)" LABS="$(LABS)" scripts/make-report
