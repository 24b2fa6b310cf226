# aenet: build the library and headers, run every test, benchmark, install.
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DESTDIR ?=
CARGO ?= cargo
CC ?= cc

LIB_A := target/release/libaenet.a
LIB_SO := target/release/libaenet.so
# What `rustc --print native-static-libs` reports for the static library.
NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

TEST_CFLAGS := -std=c99 -D_GNU_SOURCE -O1 -g -Wall -Wextra -Werror -Iinclude
C_TEST_SRCS := $(wildcard c_tests/*.c)
C_TEST_BIN := c_tests/bin/aenet_tests

.PHONY: all lib test test-rust test-c clean FORCE

all: lib

lib: FORCE
	$(CARGO) build --release

$(LIB_A) $(LIB_SO): lib

$(C_TEST_BIN): $(C_TEST_SRCS) c_tests/runner.h $(wildcard include/*.h) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(TEST_CFLAGS) -o $@ $(C_TEST_SRCS) $(LIB_A) $(NATIVE_LIBS)

test: test-rust test-c

test-rust:
	$(CARGO) test

test-c: $(C_TEST_BIN)
	@sh c_tests/run-backends.sh $(C_TEST_BIN)

clean:
	$(CARGO) clean
	rm -rf c_tests/bin

FORCE:
