# aenet: build the library and headers, run every test, benchmark, install.
VERSION := 0.1.0
SOMAJOR := 0
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
DESTDIR ?=
CARGO ?= cargo
CC ?= cc

CARGO_A := target/release/libaenet.a
LIB_A := build/libaenet.a
LIB_SO := target/release/libaenet.so
# What `rustc --print native-static-libs` reports for the static library.
NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

TEST_CFLAGS := -std=c99 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Iinclude
C_TEST_SRCS := $(wildcard c_tests/*.c)
C_TEST_BIN := c_tests/bin/aenet_tests
C_TEST_BIN_SHARED := c_tests/bin/aenet_tests_shared

EXAMPLE_BIN := c_tests/bin/resp_server

.PHONY: all lib example test test-rust test-c test-install check-valgrind check-asan fuzz-smoke bench install uninstall clean FORCE

all: lib

lib: $(LIB_A) $(LIB_SO)

# Cargo decides what is stale; make re-reads the files' times after it.
$(CARGO_A): FORCE
	$(CARGO) build --release
	ln -sf libaenet.so target/release/libaenet.so.$(SOMAJOR)

$(LIB_SO): $(CARGO_A)
	@:

$(LIB_A): $(CARGO_A) symbols/api.txt symbols/weak.txt scripts/finish-staticlib.sh
	sh scripts/finish-staticlib.sh $(CARGO_A) $@

$(C_TEST_BIN): $(C_TEST_SRCS) c_tests/runner.h c_tests/test_helpers.h $(wildcard include/*.h) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $(C_TEST_SRCS) $(LIB_A) $(NATIVE_LIBS)

$(C_TEST_BIN_SHARED): $(C_TEST_SRCS) c_tests/runner.h c_tests/test_helpers.h $(wildcard include/*.h) $(LIB_SO)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $(C_TEST_SRCS) -Ltarget/release -laenet -Wl,-rpath,$(CURDIR)/target/release

$(EXAMPLE_BIN): examples/resp_server.c $(wildcard include/*.h) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Iinclude -o $@ examples/resp_server.c $(LIB_A) $(NATIVE_LIBS)

# Builds the library and the example server, and runs its scripted demo.
example: $(EXAMPLE_BIN)
	./$(EXAMPLE_BIN) --demo

test: test-rust test-install test-c

test-rust:
	$(CARGO) test

test-c: $(C_TEST_BIN) $(C_TEST_BIN_SHARED)
	@sh c_tests/check-symbols.sh $(LIB_A) $(LIB_SO)
	@sh c_tests/run-all.sh $(C_TEST_BIN) $(C_TEST_BIN_SHARED)

# The C suite under memcheck, both backends: no error, no definite leak,
# in any test process (children included).
VALGRIND := AENET_UNDER_VALGRIND=1 AENET_TEST_TIMEOUT_SCALE=4 valgrind --trace-children=yes \
	--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite -q
check-valgrind: $(C_TEST_BIN)
	@command -v valgrind >/dev/null || { echo "valgrind is required (apt-get install valgrind)"; exit 1; }
	@sh c_tests/run-all.sh --tool memcheck "$(VALGRIND)" $(C_TEST_BIN)

# The C suite built with AddressSanitizer, LeakSanitizer and UBSan, linked
# with the library (whose malloc/free then go through ASan's allocator).
C_TEST_BIN_ASAN := c_tests/bin/aenet_tests_asan
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
$(C_TEST_BIN_ASAN): $(C_TEST_SRCS) c_tests/runner.h c_tests/test_helpers.h $(wildcard include/*.h) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) $(SANITIZE) -o $@ $(C_TEST_SRCS) $(LIB_A) $(NATIVE_LIBS)

check-asan: $(C_TEST_BIN_ASAN)
	@sh c_tests/run-all.sh --tool asan "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1" $(C_TEST_BIN_ASAN)

# Every fuzz target for a short bounded time on its committed corpus.
FUZZ_SECONDS ?= 20
fuzz-smoke:
	@sh scripts/fuzz-smoke.sh $(FUZZ_SECONDS)

# Installs into a temporary prefix and builds the example through pkg-config,
# shared and static, as a user of the installed library would.
test-install: lib
	@sh c_tests/check-install.sh

# Timers, dispatch against libev and libevent (time and instructions per
# event), accepts per second, and the example server under redis-benchmark.
bench: $(LIB_A) $(EXAMPLE_BIN)
	@sh bench/run.sh

install: lib
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR)/aenet $(DESTDIR)$(PKGCONFIGDIR)
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/libaenet.a
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/libaenet.so.$(VERSION)
	ln -sf libaenet.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libaenet.so.$(SOMAJOR)
	ln -sf libaenet.so.$(SOMAJOR) $(DESTDIR)$(LIBDIR)/libaenet.so
	install -m 644 include/*.h $(DESTDIR)$(INCLUDEDIR)/aenet/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	    -e 's|@VERSION@|$(VERSION)|' -e 's|@NATIVE_LIBS@|$(NATIVE_LIBS)|' aenet.pc.in \
	    > $(DESTDIR)$(PKGCONFIGDIR)/aenet.pc

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libaenet.a $(DESTDIR)$(LIBDIR)/libaenet.so*
	rm -rf $(DESTDIR)$(INCLUDEDIR)/aenet $(DESTDIR)$(PKGCONFIGDIR)/aenet.pc

clean:
	$(CARGO) clean
	rm -rf c_tests/bin build

FORCE:
