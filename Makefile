# The two commands of the README, for GNU and Hurd developers who type them
# by habit.  Everything real happens in Meson; this file installs what is
# missing (Debian 12, as root), configures, builds and runs.
#
#   make demo    the main job: replay the seed's workloads and real programs'
#                traces, old read path against fast path; tables and figures
#   make check   every test: unit, sim, fuzz corpora, kernel (QEMU), then the
#                unit and sim suites again under ASan+UBSan
#   make bench   the benchmarks (never part of check)
#   make fuzz    the libFuzzer targets, FUZZ_TIME seconds each (default 60;
#                FUZZ_TARGETS to choose), ASan+UBSan, from the tree's corpora
#   make kernel GNUMACH_SRC=/path        mosaic built into your GNU Mach tree
#   make kernel-check GNUMACH_SRC=/path  ... then GNU Mach's own make check on it,
#                and our kernel suite (scenarios, fast copies, pager) on that kernel
#                (NCPUS=N: a multiprocessor kernel, booted with -smp N)
#   make bench-kernel-calls GNUMACH_SRC=/path   stock vs mosaic, call by call
#   make kernel-profile GNUMACH_SRC=/path [PROFILE=fast_rpc] [SIZE=1024]
#                one read's instructions in the kernel, function by function
#   make kernel-matrix GNUMACH_SRC=/path [MATRIX=regex] [OURS=some|all|none]
#                GNU Mach's CI matrix, stock and with mosaic: one table
#   make kernel-stress GNUMACH_SRC=/path [STRESS_S=seconds] [SMP=N] [STRESS_SEED=N] [STRESS_WITHOUT=mask]
#                copies, proxies and mutators at once on a kernel of N processors
#                (default 2), every invariant checked as it runs
#   make kernel-replay GNUMACH_SRC=/path [TRACES="a.trace ..."] [CACHE=warm|cold]
#                the translator on that kernel: each trace by both paths under
#                -icount and plain emulation, beside the simulator's prediction
#   make hurd GNUMACH_SRC=/path HURD_SRC=/path [MIG_SRC=/path]
#                the Hurd's own userland built from source (an i686-gnu
#                toolchain from Debian's packages, MIG, glibc 2.36, the Hurd's
#                servers) and an ext2 image with it and tests/hurd's programs
#   make hurd-check GNUMACH_SRC=/path HURD_SRC=/path [MIG_SRC=/path]
#                ... then boots it on GNU Mach i386 with mosaic and on stock
#                GNU Mach of the same commit; the Hurd's ext2fs serves the
#                read tests; the Hurd as it is, with mosaic's series, and
#                with the series and glibc's direct read (io_read_direct)
#   make hurd-replay GNUMACH_SRC=/path HURD_SRC=/path [MIG_SRC=/path] [TRACES="a.trace ..."]
#                ... then replays traces as a Hurd process reading through
#                ext2fs on the kernel with mosaic: the Hurd as it is, with
#                the series and with its direct read, under -icount and plain, beside the simulator's
#                prediction and the guest translator's (bench/hurd-replay.tsv)
#   make hurd-patch HURD_SRC=/path [HURD_OUT=dir]
#                mosaic's series for the Hurd (libpager's pager_memcpy with
#                the kernel's fast copies; io_read_direct) and its glibc
#                patch (read with io_read_direct) as git format-patch files

BUILD      ?= build
BUILD_SAN  ?= build-san
MESON_TEST  = meson test --print-errorlogs --num-processes 2

# Debian packages the build and tests need (binary name checked, package installed).
DEBS = meson ninja-build pkg-config libglib2.0-dev libcmocka-dev gnuplot-nox \
       clang libclang-rt-14-dev valgrind python3 \
       gcc qemu-system-x86 grub-pc-bin grub-common xorriso mtools \
       mawk gawk busybox

.PHONY: install kernel-patch all deps build demo check bench fuzz kernel kernel-check kernel-matrix kernel-replay kernel-stress bench-kernel-calls kernel-profile hurd hurd-check hurd-replay hurd-patch clean

all: build

deps:
	@missing=""; \
	for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' \
			|| missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing$$missing"; \
		if [ "$$(id -u)" != 0 ]; then echo "deps: run as root, or install:$$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
			|| { echo "deps: apt-get failed" >&2; exit 1; }; \
	fi

$(BUILD)/build.ninja:
	meson setup $(BUILD)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# The seed's workloads (1000 cached reads of 1K, 4K, 8K; 64K added) and the
# real programs' traces imported from strace.
DEMO        = $(BUILD)/demo
SEED_TRACES = $(addprefix traces/workloads/,seq-1k.trace seq-4k.trace seq-8k.trace seq-64k.trace)
REAL_TRACES = $(sort $(wildcard traces/workloads/real/*.trace))
MOSAIC      = ./$(BUILD)/sim/mosaic

# Each replay ends with the kernel's measured old/fast beside its predicted
# (--kernel-csv: bench/kernel-replay.tsv, kept from make kernel-replay);
# then the Hurd's figures (bench/hurd-replay.tsv, kept from make hurd-replay).
demo: build
	@mkdir -p $(DEMO)
	@python3 bench/kernel_replay.py --ratios bench/kernel-replay.tsv > $(DEMO)/kernel.csv
	@echo "== the seed's workloads (warm cache), and the kernel's measurements of them"
	$(MOSAIC) replay --kernel-csv $(DEMO)/kernel.csv $(SEED_TRACES)
	@echo "== the seed's workloads (cold cache: the pager supplies every page)"
	$(MOSAIC) replay --cache cold --kernel-csv $(DEMO)/kernel.csv $(SEED_TRACES)
	@echo "== real programs' traces (warm cache)"
	$(MOSAIC) replay --kernel-csv $(DEMO)/kernel.csv $(REAL_TRACES)
	@echo "== figures (mosaic replay --plot: the same for your own traces)"
	@$(MOSAIC) replay --csv --plot $(DEMO)/seed --kernel-csv $(DEMO)/kernel.csv $(SEED_TRACES) > /dev/null
	@$(MOSAIC) replay --csv --plot $(DEMO)/real --kernel-csv $(DEMO)/kernel.csv $(REAL_TRACES) > /dev/null
	@if [ -f bench/hurd-replay.tsv ]; then \
		echo "== the same traces read through the Hurd's ext2fs (bench/hurd-replay.tsv, kept from make hurd-replay)"; \
		python3 bench/hurd_replay.py --table bench/hurd-replay.tsv; fi

check: build
	@rm -f $(BUILD)/meson-logs/testlog.json
	$(MESON_TEST) -C $(BUILD) --suite unit --suite sim --suite fuzz --suite kernel --suite hurd; \
		echo $$? > $(BUILD)/check-main.rc
	@test -f $(BUILD_SAN)/build.ninja || CC=clang meson setup $(BUILD_SAN) \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
	ninja -C $(BUILD_SAN)
	@rm -f $(BUILD_SAN)/meson-logs/testlog.json
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(MESON_TEST) -C $(BUILD_SAN) --suite unit --suite sim --suite fuzz; \
		echo $$? > $(BUILD_SAN)/check-san.rc
	@python3 tests/summary.py $(BUILD) $(BUILD_SAN)

# Installs mosaic, its calibration, the gnuplot scripts, the documents and
# the manual page under PREFIX (meson install of a build of its own).
PREFIX ?= /usr/local
install:
	@test -f $(BUILD)-install/build.ninja || meson setup $(BUILD)-install --prefix=$(PREFIX) >/dev/null
	meson configure $(BUILD)-install -Dprefix=$(PREFIX)
	meson install -C $(BUILD)-install

# The GNU Mach port: GNUMACH_SRC is a GNU Mach source tree you provide.
# NCPUS=N (above 1) builds a multiprocessor kernel (--enable-ncpus=N) beside
# the uniprocessor one, and kernel-check then boots both suites with -smp N.
# ARCH=i386 (or i386-pae) builds an i386 kernel instead (gcc -m32, and an
# i686-gnu MIG built for this machine by mach-port/build-mig.sh, from
# MIG_SRC=/path when given, else from Debian 13's source package: no i386
# program runs on the build machine); kernel-check then runs GNU Mach's own suite on it in
# qemu-system-i386, and ours with 32-bit guests (Debian's x86_64 kernel's
# tests skipped).  ARCH=x86_64-user32: an x86_64 kernel whose tasks are
# 32-bit (--enable-user32), the same 32-bit guests.
NCPUS ?= 1
ARCH  ?= x86_64
kernel kernel-check: build
	@if [ -z "$(GNUMACH_SRC)" ]; then \
		echo "$@: set GNUMACH_SRC to a GNU Mach source tree (mosaic never downloads one)"; exit 1; fi
	@$(MAKE) --no-print-directory deps DEBS="autoconf automake texinfo$(if $(filter i386% %-user32,$(ARCH)), gcc-multilib flex bison)"
	@rc=0; MIG_SRC="$(MIG_SRC)" sh mach-port/build-kernel.sh $(BUILD) "$(GNUMACH_SRC)" $(if $(filter kernel-check,$@),check,build) $(NCPUS) $(ARCH) || rc=$$?; \
	if [ $@ = kernel-check ] && [ -f $(BUILD)/gnumach-build.ok ]; then \
		[ $$rc = 0 ] || echo "== GNU Mach's own suite failed (above); our suite runs all the same"; \
		echo "== our kernel suite, on Debian's kernel and on the one just built ($(ARCH), $(NCPUS) processor(s))"; \
		MOSAIC_ARCH=$(ARCH) MOSAIC_NCPUS=$(NCPUS) $(MESON_TEST) -C $(BUILD) --suite kernel || rc=1; fi; \
	exit $$rc

# GNU Mach's own CI matrix (i386 and x86_64; APIC, PAE, 1 and 8 processors,
# kdb, 32-bit tasks), each configuration built stock and with mosaic, GNU
# Mach's make check on both, our kernel suite on some (OURS=some: i386 with
# and without PAE, x86_64 with 32-bit tasks, and every configuration of 8
# processors; all; none).  MATRIX=REGEX runs the configurations whose name matches.  One
# table at the end, also in $(BUILD)/matrix/matrix.tsv.
OURS ?= some
kernel-matrix: build
	@if [ -z "$(GNUMACH_SRC)" ]; then \
		echo "$@: set GNUMACH_SRC to a GNU Mach source tree (mosaic never downloads one)"; exit 1; fi
	@$(MAKE) --no-print-directory deps DEBS="autoconf automake texinfo gcc-multilib flex bison"
	python3 tests/kernel/kernel_matrix.py . $(BUILD) "$(GNUMACH_SRC)" --ours $(OURS) $(if $(MATRIX),--only '$(MATRIX)')

# mosaic as a patch series for the GNU Mach tree's HEAD commit, written to
# $(OUT) with git format-patch after a cover letter; checked to apply (git
# am) to a clean clone of that commit and give the tree make kernel builds;
# then the kernel is built after each patch (ARCH, default x86_64), and the
# target fails at the first patch that does not build.
OUT ?= $(BUILD)/kernel-patch
kernel-patch: build
	@if [ -z "$(GNUMACH_SRC)" ]; then \
		echo "$@: set GNUMACH_SRC to a GNU Mach source tree (mosaic never downloads one)"; exit 1; fi
	@$(MAKE) --no-print-directory deps DEBS="autoconf automake texinfo"
	sh mach-port/patch-series.sh "$(GNUMACH_SRC)" $(BUILD)/gnumach-series "$(OUT)"
	@n=$$(ls "$(OUT)" | grep -c '^0*[1-9][0-9]*-.*\.patch$$'); i=1; \
	while [ $$i -le $$n ]; do \
		echo "== kernel-patch: the kernel after patch $$i of $$n ($(ARCH))"; \
		MIG_SRC="$(MIG_SRC)" sh mach-port/build-kernel.sh --patches $$i \
			--obj $(BUILD)/gnumach-obj-patches$(if $(filter-out x86_64,$(ARCH)),-$(ARCH)) \
			$(BUILD) "$(GNUMACH_SRC)" build 1 $(ARCH) >$(BUILD)/kernel-patch-$$i.log 2>&1 || { \
			tail -20 $(BUILD)/kernel-patch-$$i.log; \
			echo "kernel-patch: patch $$i does not build (see $(BUILD)/kernel-patch-$$i.log)"; exit 1; }; \
		i=$$((i + 1)); \
	done; echo "kernel-patch: every patch builds ($$n, $(ARCH))"

# The stress guest (tests/kernel/guest/stress.c) on a kernel of $(SMP) processors.
STRESS_S    ?= 20
STRESS_SEED ?= 1
STRESS_WITHOUT ?= 0
SMP         ?= 2
STRESS_SRC   = tests/kernel/guest/stress.c tests/kernel/guest/filepager.c traces/trace_content.c
kernel-stress:
	@$(MAKE) --no-print-directory kernel NCPUS=$(SMP)
	MOSAIC_NCPUS=$(SMP) MOSAIC_GUEST_TIMEOUT=$$(( $(STRESS_S) + 300 )) \
	MOSAIC_GUEST_DEFINES="-DSTRESS_S=$(STRESS_S) -DSTRESS_SEED=$(STRESS_SEED) -DSTRESS_WITHOUT=$(STRESS_WITHOUT)" \
		sh tests/kernel/kernel-test.sh --kernel mosaic $(BUILD) . kernel-stress $(STRESS_SRC)

# No stock call slower: stock GNU Mach of the tree's HEAD (configured as
# make kernel's, in $(BUILD)/gnumach-obj-stock) and the kernel with mosaic,
# the calls the series touches timed under -icount (bench/kernel_calls.py).
# Writes $(BUILD)/bench/kernel_calls.tsv; bench/kernel-calls.tsv is a kept copy.
bench-kernel-calls: kernel
	sh mach-port/build-kernel.sh --stock --obj $(BUILD)/gnumach-obj-stock $(BUILD) "$(GNUMACH_SRC)" build 1 x86_64
	python3 bench/kernel_calls.py . $(BUILD)

# Where one read's instructions go, function by function (bench/kernel_profile.py:
# a QEMU plugin counts every translation block's runs in an -icount boot, between
# two marks the guest makes around its reads).  Writes $(BUILD)/bench/profile-PATH-SIZE.tsv.
PROFILE ?= fast_rpc
SIZE    ?= 1024
kernel-profile: kernel
	python3 bench/kernel_profile.py . $(BUILD) --path $(PROFILE) --size $(SIZE)

# Writes $(BUILD)/kernel-replay/replay.tsv; bench/kernel-replay.tsv is a kept copy.
CACHE ?= both
kernel-replay: kernel
	python3 bench/kernel_replay.py . $(BUILD) --cache $(CACHE) $(TRACES)

# The Hurd (mach-port/hurd/build-hurd.sh): its userland built from source
# in $(BUILD)/hurd, from commits of your trees' histories that fit together
# (your trees untouched), cached between runs.  hurd-check boots it on the
# i386 kernel with mosaic (make kernel ARCH=i386) and on stock GNU Mach of
# the same commit ($(BUILD)/gnumach-obj-i386-stock), with our read test
# (tests/hurd/hurd-check.sh).  hurd-replay replays traces on the kernel
# with mosaic (bench/hurd_replay.py; TRACES= to choose them), writes
# $(BUILD)/bench/hurd_replay.tsv; bench/hurd-replay.tsv is a kept copy.
HURD_DEBS = binutils-i686-gnu glibc-source gcc-multilib flex bison autoconf automake \
	texinfo gawk python3 e2fsprogs qemu-system-x86 grub-pc-bin grub-common xorriso
hurd hurd-check hurd-replay:
	@if [ -z "$(GNUMACH_SRC)" ] || [ -z "$(HURD_SRC)" ]; then \
		echo "$@: set GNUMACH_SRC to a GNU Mach tree and HURD_SRC to a Hurd tree (mosaic never downloads one)"; exit 1; fi
	@$(MAKE) --no-print-directory deps DEBS="$(HURD_DEBS)"
	@mkdir -p $(BUILD)
	@start=$$(date +%s); sh mach-port/hurd/build-hurd.sh $(BUILD) "$(GNUMACH_SRC)" "$(HURD_SRC)" $(MIG_SRC) && \
		echo "hurd: $$(( $$(date +%s) - start )) s"
	@if [ $@ = hurd-check ]; then \
		$(MAKE) --no-print-directory kernel ARCH=i386 GNUMACH_SRC="$(GNUMACH_SRC)" MIG_SRC="$(MIG_SRC)" || exit 1; \
		MIG_SRC="$(MIG_SRC)" sh mach-port/build-kernel.sh --stock --obj $(BUILD)/gnumach-obj-i386-stock \
			$(BUILD) "$(GNUMACH_SRC)" build 1 i386 || exit 1; \
		rc=0; for hurd in stock mosaic direct; do for k in mosaic stock; do \
			sh tests/hurd/hurd-check.sh --kernel $$k --hurd $$hurd $(BUILD) || rc=1; done; done; \
		exit $$rc; fi
	@if [ $@ = hurd-replay ]; then \
		$(MAKE) --no-print-directory build kernel ARCH=i386 GNUMACH_SRC="$(GNUMACH_SRC)" MIG_SRC="$(MIG_SRC)" || exit 1; \
		python3 bench/hurd_replay.py . $(BUILD) $(TRACES); fi

# mosaic's series for the Hurd (mach-port/hurd/series) on the Hurd's commit
# make hurd builds (b8bcd4eb, from HURD_SRC's history), written to
# $(HURD_OUT) with git format-patch and a cover letter; checked to apply
# (git am) to a clean clone of that commit and give the tree make hurd builds.
# Then the glibc patch whose read uses the series' io_read_direct
# (mach-port/hurd/glibc, on Debian 12's glibc 2.36) in $(HURD_OUT)/glibc.
HURD_OUT ?= $(BUILD)/hurd-patch
hurd-patch:
	@if [ -z "$(HURD_SRC)" ]; then \
		echo "$@: set HURD_SRC to a Hurd tree (mosaic never downloads one)"; exit 1; fi
	sh mach-port/hurd/patch-hurd.sh "$(HURD_SRC)" $(BUILD)/hurd-series "$(HURD_OUT)"
	sh mach-port/hurd/patch-glibc.sh $(BUILD)/glibc-series "$(HURD_OUT)/glibc"

bench: build
	meson test -C $(BUILD) --benchmark --num-processes 1
	@for f in $(BUILD)/bench/*.tsv; do echo "== $$f"; cat "$$f"; done

# libFuzzer runs.  Each target starts from a copy of its corpus in the tree
# and writes what it adds, and any crash, under $(BUILD_FUZZ)/; keep a new
# input with `-merge=1 tests/fuzz/corpus/<name> $(BUILD_FUZZ)/corpus-<name>`.
BUILD_FUZZ   ?= build-fuzz
FUZZ_TIME    ?= 60
FUZZ_TARGETS ?= ops proxy_create trace_parser strace_import

fuzz: deps
	@test -f $(BUILD_FUZZ)/build.ninja || CC=clang meson setup $(BUILD_FUZZ) -Dfuzz=true >/dev/null
	ninja -C $(BUILD_FUZZ) $(addprefix tests/fuzz_,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(BUILD_FUZZ)/corpus-$$t $(BUILD_FUZZ)/crash-$$t; \
		cp -n tests/fuzz/corpus/$$t/* $(BUILD_FUZZ)/corpus-$$t/; \
		echo "== fuzz_$$t: $(FUZZ_TIME) s"; \
		./$(BUILD_FUZZ)/tests/fuzz_$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
			-artifact_prefix=$(BUILD_FUZZ)/crash-$$t/ $(BUILD_FUZZ)/corpus-$$t \
			2> $(BUILD_FUZZ)/fuzz-$$t.log; rc=$$?; \
		grep -E '^#[0-9]+.*(DONE|cov:)' $(BUILD_FUZZ)/fuzz-$$t.log | tail -1; \
		grep '^stat::' $(BUILD_FUZZ)/fuzz-$$t.log; \
		if [ $$rc != 0 ]; then echo "fuzz_$$t: FAILED, see $(BUILD_FUZZ)/fuzz-$$t.log"; exit 1; fi; \
	done

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
