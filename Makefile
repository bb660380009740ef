# studio-wizard: installs the studio-go-runner stack on Azure.
# `make run` builds and starts the wizard; `make check` builds and runs every test.
# Missing build or test dependencies are installed by mk/deps.sh (apt-get, sudo when not root).

VERSION  := 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
DESTDIR  ?=
CC       ?= cc
BUILD    ?= build
SANFLAGS ?=

PKGS := ncursesw formw menuw panelw libcurl libcjson libssh2 libsodium libcrypto

# The generated config holds pkg-config's answers; building it first installs what is missing.
NODEPS_GOALS := clean uninstall help
ifneq ($(filter-out $(NODEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
-include $(BUILD)/config.mk
endif

WARN    := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wno-format-truncation
# clang (make asan) does not know gcc's -Wno-format-truncation, and unlike gcc it warns about
# fields left out of positional initializers (C zero-fills them; the tables rely on it).
ifneq ($(shell $(CC) --version 2>/dev/null | grep -c clang),0)
WARN    += -Wno-unknown-warning-option -Wno-missing-field-initializers
endif
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -I. \
             -DSW_VERSION='"$(VERSION)"' $(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS     = $(PKG_LIBS) -lm

LIB_SRC  := $(sort $(wildcard base/*.c secrets/*.c core/*/*.c front/*.c cli/*.c tui/*.c screens/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
BIN      := $(BUILD)/studio-wizard

UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# What the unit tests share (the other tests/unit/*.c: fakes as children, sshd, temp dirs),
# compiled once into an archive each test and bench links.
TLIB_SRC := $(filter-out $(UNIT_SRC),$(sort $(wildcard tests/unit/*.c)))
TLIB_OBJ := $(TLIB_SRC:%.c=$(BUILD)/%.o)
TLIB     := $(BUILD)/libtest.a
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
BENCH_SRC:= $(sort $(wildcard tests/bench/bench_*.c))
BENCH_BIN:= $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SEED:= $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz-seed/%)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all run check asan valgrind bench install uninstall deps clean help tests fuzz fuzz-build
.DEFAULT_GOAL := all

all: studio-wizard

studio-wizard: $(BIN)
	@if [ "$(BUILD)" = build ]; then cp -f $(BIN) $@; fi

$(BUILD)/config.mk: mk/deps.sh Makefile
	@mkdir -p $(BUILD)
	@sh mk/deps.sh build
	@{ echo "PKG_CFLAGS := $$(pkg-config --cflags $(PKGS))"; \
	   echo "PKG_LIBS := $$(pkg-config --libs $(PKGS))"; } > $@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c $(BUILD)/config.mk
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libsw.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(BUILD)/main.o $(BUILD)/libsw.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Tests: cmocka unit tests, helper tools, and shell tests that drive the real binary.
CMOCKA = $(shell pkg-config --cflags --libs cmocka)

$(TLIB): $(TLIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tests/%: tests/unit/%.c $(TLIB) $(BUILD)/libsw.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(TLIB) $(BUILD)/libsw.a $(ALL_LDFLAGS) $(LIBS) $(CMOCKA)

$(BUILD)/tools/%: tests/tools/%.c $(TLIB) $(BUILD)/libsw.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(TLIB) $(BUILD)/libsw.a $(ALL_LDFLAGS) $(LIBS)

$(BUILD)/bench/%: tests/bench/%.c $(TLIB) $(BUILD)/libsw.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(TLIB) $(BUILD)/libsw.a $(ALL_LDFLAGS) $(LIBS)

tests: $(BIN) $(UNIT_BIN) $(TOOL_BIN) $(FUZZ_SEED)

deps:
	@sh mk/deps.sh test

# The build runs one compiler per CPU unless make was given -j already.
JOBS ?= $(shell nproc 2>/dev/null || echo 1)
PAR  = $(if $(findstring j,$(firstword -$(MAKEFLAGS))),,-j$(JOBS))

# check builds what the shell tests need first; each unit test binary is then built by the
# tests/run.sh job that runs it (SW_UNIT_MAKE), beside shell tests that mostly wait on servers.
# (Through UNIT_MAKE: a recipe line that names $$(MAKE) itself runs even under make -n.)
UNIT_MAKE = $(MAKE) --no-print-directory -s
check:
	@sh mk/deps.sh test
	@$(MAKE) --no-print-directory $(PAR) $(BIN) $(TOOL_BIN) $(FUZZ_SEED)
	@SW_BUILD=$(abspath $(BUILD)) SW_BIN=$(abspath $(BIN)) SW_UNIT_MAKE="$(UNIT_MAKE)" \
	  SW_UNIT_DIR=$(BUILD)/tests bash tests/run.sh

# clang: its UBSan has float-cast-overflow ((int)1e300 from a JSON number); gcc's has not.
ASAN_CC ?= clang
asan:
	@$(MAKE) --no-print-directory BUILD=build-asan CC=$(ASAN_CC) CFLAGS="-O1 -g" \
	  SANFLAGS="-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all" check

valgrind:
	@sh mk/deps.sh test
	@$(MAKE) --no-print-directory $(PAR) tests
	@SW_BUILD=$(abspath $(BUILD)) SW_BIN=$(abspath $(BIN)) sh tests/valgrind.sh

# Fuzzing (tests/fuzz/README.md). The harnesses with a plain main (tests/fuzz/driver.c) are part
# of `tests`: make check runs each over its seeds once. make fuzz builds them with libFuzzer
# (clang) into build-fuzz and fuzzes each for FUZZ_SECONDS on build-fuzz/corpus/NAME, which
# starts as a copy of tests/fuzz/corpus/NAME; findings land in build-fuzz/findings.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 30
FUZZ_OBJ      = $(FUZZ_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/fuzz/common.o $(BUILD)/tests/fuzz/driver.o

$(BUILD)/fuzz-seed/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/common.o $(BUILD)/tests/fuzz/driver.o $(BUILD)/libsw.a
	@mkdir -p $(dir $@)
	$(CC) -o $@ $^ $(ALL_LDFLAGS) $(LIBS)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/common.o $(BUILD)/libsw.a
	@mkdir -p $(dir $@)
	$(CC) -fsanitize=fuzzer -o $@ $^ $(ALL_LDFLAGS) $(LIBS)

# The harness objects come from the %.o rule through these pattern rules: keep them.
.SECONDARY: $(FUZZ_OBJ)

fuzz-build: $(FUZZ_BIN)

fuzz:
	@sh mk/deps.sh fuzz
	@$(MAKE) --no-print-directory $(PAR) BUILD=build-fuzz CC=$(FUZZ_CC) CFLAGS="-O1 -g" \
	  SANFLAGS="-fsanitize=fuzzer-no-link,address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all" fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(abspath build-fuzz)

run: all
	./studio-wizard

bench: $(BIN) $(BENCH_BIN) $(TOOL_BIN)
	@SW_BUILD=$(abspath $(BUILD)) SW_BIN=$(abspath $(BIN)) sh tests/bench/run.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/studio-wizard
	install -m 0644 doc/studio-wizard.1 $(DESTDIR)$(MANDIR)/man1/studio-wizard.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/studio-wizard $(DESTDIR)$(MANDIR)/man1/studio-wizard.1

clean:
	rm -rf build build-asan build-fuzz studio-wizard

help:
	@echo "make [all|run|check|asan|valgrind|fuzz|bench|install|uninstall|deps|clean]"

-include $(LIB_OBJ:.o=.d) $(BUILD)/main.d $(FUZZ_OBJ:.o=.d) $(TLIB_OBJ:.o=.d)
