# aenet: build every generation's library and headers, run every test,
# benchmark, install.
VERSION := 0.1.0
SOMAJOR := 0
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR ?=
CARGO ?= cargo
CC ?= cc

# Every generation (build.rs SURFACES, src/generation); `make lib GEN=redis50`
# builds just one.
GENS := redis30 redis50 redis60 redis62 redis70 redis72 valkey80 valkey81
GEN ?= $(GENS)

# What `rustc --print native-static-libs` reports for the static library.
NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

# Per generation: its cargo target dir, its headers, its outputs.
cargo_a = target/gen/$(1)/release/libaenet.a
cargo_so = target/gen/$(1)/release/libaenet.so
incdir = $(if $(filter redis30,$(1)),include,include/$(1))
compatdir = compat/$(patsubst redis%0,redis-%.0,$(1))
soname = $(if $(filter redis30,$(1)),libaenet.so.$(SOMAJOR),libaenet-$(1).so.$(SOMAJOR))

TEST_CFLAGS = -std=c99 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -I$(call incdir,$(1)) -Ic_tests -DAENET_GEN_$(shell echo $(1) | tr a-z A-Z)
C_TEST_SRCS := $(wildcard c_tests/*.c)
C_TEST_HDRS := $(wildcard c_tests/*.h)

.PHONY: all lib example test test-rust test-c test-install check-valgrind check-asan check-tsan tsan-libs check-helgrind fuzz-smoke bench install uninstall clean FORCE

all: lib

lib: $(foreach g,$(GEN),build/$(g)/libaenet.a) $(if $(filter redis30,$(GEN)),build/libaenet.a)

# Cargo decides what is stale; make re-reads the files' times after it. The
# archives are kept (make would delete them as intermediates).
.PRECIOUS: target/gen/%/release/libaenet.a
target/gen/%/release/libaenet.a: FORCE
	$(CARGO) build --release --no-default-features --features $* --target-dir target/gen/$*

build/%/libaenet.a: target/gen/%/release/libaenet.a symbols/%.txt scripts/finish-staticlib.sh
	@mkdir -p build/$*/include
	sh scripts/finish-staticlib.sh $< $@ symbols/$*.txt symbols/$*.weak.txt
	cp $(call cargo_so,$*) build/$*/libaenet.so
	ln -sf libaenet.so build/$*/$(call soname,$*)
	cp $(call incdir,$*)/*.h build/$*/include/
	rm -rf build/$*/compat && if [ -d $(call compatdir,$*) ]; then cp -r $(call compatdir,$*) build/$*/compat; fi

# redis30 is also what build/libaenet.a and aenet.pc have always been.
build/libaenet.a: build/redis30/libaenet.a
	cp $< $@

# Each suite binary has its helper program next to it (c_tests/progs: a
# host that defines _serverPanic, run by test_ae_v7.c), linked the same way.
PANIC_HOST := c_tests/progs/panic_host.c
.PRECIOUS: c_tests/bin/%/panic_host c_tests/bin/%/panic_host_shared c_tests/bin/%/panic_host_asan c_tests/bin/%/panic_host_tsan

c_tests/bin/%/aenet_tests: $(C_TEST_SRCS) $(C_TEST_HDRS) build/%/libaenet.a c_tests/bin/%/panic_host
	@mkdir -p $(dir $@)
	$(CC) $(call TEST_CFLAGS,$*) -o $@ $(C_TEST_SRCS) build/$*/libaenet.a $(NATIVE_LIBS)

c_tests/bin/%/aenet_tests_shared: $(C_TEST_SRCS) $(C_TEST_HDRS) build/%/libaenet.a c_tests/bin/%/panic_host_shared
	@mkdir -p $(dir $@)
	$(CC) $(call TEST_CFLAGS,$*) -o $@ $(C_TEST_SRCS) -Lbuild/$* -laenet -Wl,-rpath,$(CURDIR)/build/$*

c_tests/bin/%/panic_host: $(PANIC_HOST) $(C_TEST_HDRS) build/%/libaenet.a
	@mkdir -p $(dir $@)
	$(CC) $(call TEST_CFLAGS,$*) -o $@ $(PANIC_HOST) build/$*/libaenet.a $(NATIVE_LIBS)

c_tests/bin/%/panic_host_shared: $(PANIC_HOST) $(C_TEST_HDRS) build/%/libaenet.a
	@mkdir -p $(dir $@)
	$(CC) $(call TEST_CFLAGS,$*) -o $@ $(PANIC_HOST) -Lbuild/$* -laenet -Wl,-rpath,$(CURDIR)/build/$*

EXAMPLE_BIN := c_tests/bin/resp_server
$(EXAMPLE_BIN): examples/resp_server.c build/redis30/libaenet.a
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude -o $@ examples/resp_server.c build/redis30/libaenet.a $(NATIVE_LIBS)

# Builds the library and the example server, and runs its scripted demo.
example: $(EXAMPLE_BIN)
	./$(EXAMPLE_BIN) --demo

test: test-rust test-install test-c

test-rust:
	$(CARGO) test

# The C suite of every generation: static on both backends, shared on epoll,
# and the symbol check of each generation's libraries.
test-c: $(foreach g,$(GEN),c_tests/bin/$(g)/aenet_tests c_tests/bin/$(g)/aenet_tests_shared)
	@status=0; for g in $(GEN); do \
	    sh c_tests/check-symbols.sh $$g build/$$g/libaenet.a build/$$g/libaenet.so || status=1; \
	done; \
	sh c_tests/run-all.sh $(foreach g,$(GEN),--gen $(g) c_tests/bin/$(g)/aenet_tests c_tests/bin/$(g)/aenet_tests_shared) || status=1; \
	exit $$status

# The C suite under memcheck, both backends, every generation: no error, no
# definite leak, in any test process (children included).
VALGRIND := AENET_UNDER_VALGRIND=1 AENET_TEST_TIMEOUT_SCALE=4 valgrind --trace-children=yes \
	--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite -q
# memcheck and ASan run every generation on epoll (the default backend), and
# poll and io_uring on these (one per loop layout: a backend is the same code
# in all of them).
TOOL_OTHER_BACKEND_GENS ?= redis30 redis62 valkey80
check-valgrind: $(foreach g,$(GEN),c_tests/bin/$(g)/aenet_tests)
	@command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)"; exit 1; }
	@TOOL_OTHER_BACKEND_GENS="$(TOOL_OTHER_BACKEND_GENS)" sh c_tests/run-all.sh --tool memcheck "$(VALGRIND)" $(foreach g,$(GEN),--gen $(g) c_tests/bin/$(g)/aenet_tests)

# The C suite built with AddressSanitizer, LeakSanitizer and UBSan, linked
# with the library (whose malloc/free then go through ASan's allocator).
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
c_tests/bin/%/aenet_tests_asan: $(C_TEST_SRCS) $(C_TEST_HDRS) build/%/libaenet.a c_tests/bin/%/panic_host_asan
	@mkdir -p $(dir $@)
	$(CC) $(call TEST_CFLAGS,$*) $(SANITIZE) -o $@ $(C_TEST_SRCS) build/$*/libaenet.a $(NATIVE_LIBS)

c_tests/bin/%/panic_host_asan: $(PANIC_HOST) $(C_TEST_HDRS) build/%/libaenet.a
	@mkdir -p $(dir $@)
	$(CC) $(call TEST_CFLAGS,$*) $(SANITIZE) -o $@ $(PANIC_HOST) build/$*/libaenet.a $(NATIVE_LIBS)

check-asan: $(foreach g,$(GEN),c_tests/bin/$(g)/aenet_tests_asan)
	@TOOL_OTHER_BACKEND_GENS="$(TOOL_OTHER_BACKEND_GENS)" sh c_tests/run-all.sh --tool asan "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1" \
	    $(foreach g,$(GEN),--gen $(g) c_tests/bin/$(g)/aenet_tests_asan)

# Race checkers, on the generations whose threading differs: redis30 (the
# 3.0 layout, a RefCell loop cell), redis62 (the 6.2 layout and monotonic
# timers) and valkey80 (the loop an IO thread polls, behind a pthread
# mutex). `make check-tsan THREAD_GENS="..."` picks others.
THREAD_GENS ?= redis30 redis62 valkey80
# The tests that run threads (comma-separated name substrings).
THREAD_TESTS := four_loops_on_four_threads,accept_out_of_fds_from_two_threads,io_thread_polls_while_main_registers,ae_poll_waits_as_told

# ThreadSanitizer: the library built by rustc with -Zsanitizer=thread (a
# nightly flag: RUSTC_BOOTSTRAP lets the stable toolchain take it; std is
# not rebuilt, so std's own code stays uninstrumented and mixing needs
# -Cunsafe-allow-abi-mismatch); the whole C suite built with gcc's
# -fsanitize=thread and run on both backends. Any report fails the test
# that made it (exit 66). The generations are built one after another in
# one target dir (a --target build compiles the build dependencies apart
# from the plain one: once for all of them, then only the aenet crate per
# generation).
HOST_TRIPLE = $(shell rustc -vV | sed -n 's/^host: //p')
TSAN_RUSTFLAGS := -Zsanitizer=thread -Cunsafe-allow-abi-mismatch=sanitizer
TSAN_ENV := TSAN_OPTIONS=exitcode=66:halt_on_error=0:second_deadlock_stack=1 AENET_TEST_TIMEOUT_SCALE=4
tsan-libs: FORCE
	@set -e; for g in $(THREAD_GENS); do \
	    echo "RUSTFLAGS=\"$(TSAN_RUSTFLAGS)\" cargo build --features $$g --target $(HOST_TRIPLE) --target-dir target/tsan"; \
	    RUSTC_BOOTSTRAP=1 RUSTFLAGS="$(TSAN_RUSTFLAGS)" $(CARGO) build --release --no-default-features --features $$g \
	        --target $(HOST_TRIPLE) --target-dir target/tsan; \
	    sh scripts/finish-staticlib.sh target/tsan/$(HOST_TRIPLE)/release/libaenet.a build/tsan/$$g/libaenet.a \
	        symbols/$$g.txt symbols/$$g.weak.txt; \
	done
.PRECIOUS: build/tsan/%/libaenet.a c_tests/bin/%/tsan_mem.o
build/tsan/%/libaenet.a: tsan-libs ;

# c_tests/tsan/mem.c: the __tsan_mem* entry points rustc's LLVM calls and
# gcc 12's libtsan lacks, compiled uninstrumented (see the file).
c_tests/bin/%/tsan_mem.o: c_tests/tsan/mem.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -fno-builtin -c c_tests/tsan/mem.c -o $@

c_tests/bin/%/aenet_tests_tsan: $(C_TEST_SRCS) $(C_TEST_HDRS) c_tests/bin/%/tsan_mem.o build/tsan/%/libaenet.a \
	    c_tests/bin/%/panic_host_tsan
	$(CC) $(call TEST_CFLAGS,$*) -fsanitize=thread -o $@ $(C_TEST_SRCS) c_tests/bin/$*/tsan_mem.o \
	    build/tsan/$*/libaenet.a $(NATIVE_LIBS)

c_tests/bin/%/panic_host_tsan: $(PANIC_HOST) $(C_TEST_HDRS) c_tests/bin/%/tsan_mem.o build/tsan/%/libaenet.a
	$(CC) $(call TEST_CFLAGS,$*) -fsanitize=thread -o $@ $(PANIC_HOST) c_tests/bin/$*/tsan_mem.o \
	    build/tsan/$*/libaenet.a $(NATIVE_LIBS)

check-tsan: $(foreach g,$(THREAD_GENS),c_tests/bin/$(g)/aenet_tests_tsan)
	@sh c_tests/run-all.sh --tool tsan "$(TSAN_ENV)" $(foreach g,$(THREAD_GENS),--gen $(g) c_tests/bin/$(g)/aenet_tests_tsan)

# helgrind on the thread tests (the plain static build; valgrind sees the
# whole process, std included), both backends: no error in any test.
HELGRIND := AENET_UNDER_VALGRIND=1 AENET_TEST_TIMEOUT_SCALE=8 AENET_TESTS=$(THREAD_TESTS) \
	valgrind --tool=helgrind --error-exitcode=99 -q
check-helgrind: $(foreach g,$(THREAD_GENS),c_tests/bin/$(g)/aenet_tests)
	@command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)"; exit 1; }
	@sh c_tests/run-all.sh --tool helgrind "$(HELGRIND)" $(foreach g,$(THREAD_GENS),--gen $(g) c_tests/bin/$(g)/aenet_tests)

# Every fuzz target for a short bounded time on its committed corpus.
FUZZ_SECONDS ?= 20
fuzz-smoke:
	@sh scripts/fuzz-smoke.sh $(FUZZ_SECONDS)

# Installs into a temporary prefix and builds the example through pkg-config,
# shared and static, as a user of the installed library would.
test-install: lib
	@sh c_tests/check-install.sh $(GEN)

# Timers, dispatch against libev and libevent (time and instructions per
# event), accepts per second, and the example server under redis-benchmark.
bench: build/libaenet.a $(EXAMPLE_BIN)
	@sh bench/run.sh

# redis30 as libaenet in LIBDIR, headers in INCLUDEDIR/aenet, aenet.pc; every
# other built generation in LIBDIR/aenet/<gen>, INCLUDEDIR/aenet/<gen>,
# aenet-<gen>.pc.
install: lib
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/aenet $(DESTDIR)$(PKGCONFIGDIR)
	@set -e; for g in $(GEN); do \
	    if [ $$g = redis30 ]; then ld=$(LIBDIR); id=$(INCLUDEDIR)/aenet; pcf=aenet.pc; \
	    else ld=$(LIBDIR)/aenet/$$g; id=$(INCLUDEDIR)/aenet/$$g; pcf=aenet-$$g.pc; fi; \
	    so=$$( [ $$g = redis30 ] && echo libaenet.so.$(SOMAJOR) || echo libaenet-$$g.so.$(SOMAJOR) ); \
	    install -d $(DESTDIR)$$ld $(DESTDIR)$$id; \
	    install -m 644 build/$$g/libaenet.a $(DESTDIR)$$ld/libaenet.a; \
	    install -m 755 build/$$g/libaenet.so $(DESTDIR)$$ld/$$so.$(VERSION); \
	    ln -sf $$so.$(VERSION) $(DESTDIR)$$ld/$$so; \
	    ln -sf $$so $(DESTDIR)$$ld/libaenet.so; \
	    install -m 644 build/$$g/include/*.h $(DESTDIR)$$id/; \
	    sed -e "s|@PREFIX@|$(PREFIX)|" -e "s|@LIBDIR@|$$ld|" -e "s|@INCLUDEDIR@|$$id|" \
	        -e "s|@VERSION@|$(VERSION)|" -e "s|@NATIVE_LIBS@|$(NATIVE_LIBS)|" -e "s|@GEN@|$$g|" aenet.pc.in \
	        > $(DESTDIR)$(PKGCONFIGDIR)/$$pcf; \
	done

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libaenet.a $(DESTDIR)$(LIBDIR)/libaenet.so*
	rm -rf $(DESTDIR)$(LIBDIR)/aenet $(DESTDIR)$(INCLUDEDIR)/aenet $(DESTDIR)$(PKGCONFIGDIR)/aenet*.pc

clean:
	$(CARGO) clean
	rm -rf c_tests/bin build

FORCE:
