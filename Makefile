# smtp-probe - build, test and demo. Output goes to build/ only.
#
#   make            build/smtp-probe
#   make deps       install missing Debian packages (as root, apt-get)
#   make demo       deps, build, probe the built-in lab Postfix, print the
#                   text report; the JSON goes to build/demo-report.json
#   make test       deps, build with warnings as errors, check-style, unit
#                   tests and end-to-end tests; the last line is
#                   "N passed, N failed"
#   make asan       the binary and unit tests with ASan+UBSan, whole suite
#   make valgrind   the end-to-end tests that talk to servers, under memcheck
#   make bench      speed and memory figures (printed, never asserted);
#                   tests/bench-dns.sh: mail domains through DNS
#   make fuzz       libFuzzer on the parsers, FUZZ_SECONDS (60) per harness
#   make check-style  clang-format and the banned-function list
#   make install    PREFIX=/usr/local DESTDIR=: the binary, the man page,
#                   README and JSON Schema in share/doc/smtp-probe/, and
#                   the bash completion
#   make deb        the Debian package build/smtp-probe_VERSION_ARCH.deb

CC	?= cc
PKGS	 = gnutls gnutls-dane jansson libcares libcurl
PREFIX	?= /usr/local
BUILD	?= build

WARN	 = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wvla
HARDEN	 = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
# make test sets WERROR=-Werror: a warning fails the project's own tests,
# but never a user's plain make with a newer compiler.
WERROR	?=
OPT	?= -O2 -g
CFLAGS	?=
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(WERROR) $(HARDEN) \
	   -Iinclude $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS	 = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm

# Everything but main.c, so unit tests link the same objects.
LIB_SRC	 = $(filter-out probe/main.c,$(wildcard probe/*.c)) $(wildcard reports/*.c)
LIB_OBJ	 = $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/%)

# The sanitizer build lives in its own tree and runs everything.
ASAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	   -fno-sanitize-recover=all

# What the objects were built with: when it changes (make test after a
# plain make), everything is built again, so -Werror sees every file.
FLAGS_STAMP = $(BUILD)/flags

.PHONY: all deps demo test unit fuzz bench valgrind asan asan-build \
	check-style install deb clean tlsd FORCE

all: $(BUILD)/smtp-probe

$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || \
	    echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' >$@

$(BUILD)/smtp-probe: $(BUILD)/obj/probe/main.o $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/%.o: %.c $(wildcard include/*.h) Makefile $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/test_%: tests/unit/test_%.c $(wildcard tests/unit/*.h) $(LIB_OBJ) \
    $(FLAGS_STAMP)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(LIB_OBJ) $(LIBS)

# The test TLS server (tests/servers/tlsd.c): OCSP stapling and STARTTLS
# injection cases that the lab Postfix cannot serve.
tlsd: $(BUILD)/tlsd

$(BUILD)/tlsd: tests/servers/tlsd.c Makefile $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBS)

# test_ocsp reads responses that openssl makes at build time, beside it.
OCSP_FIXTURES = $(BUILD)/ocsp-fixtures/rogue-revoked.der

$(BUILD)/test_ocsp: $(OCSP_FIXTURES)

$(OCSP_FIXTURES): tests/servers/tlsd-pki.sh
	@rm -rf $(@D)
	@tests/servers/tlsd-pki.sh $(@D)

deps:
	@tests/install-deps.sh

demo: deps
	@$(MAKE) -s all
	@tests/demo.sh $(BUILD)/smtp-probe

# The unit tests and the end-to-end suite run on the sanitizer build, and
# the server tests again under valgrind: a memory error anywhere fails.
# Every build made here treats a warning as an error (the fuzz harnesses
# too, through WERROR in the environment), and check-style is one of the
# checks counted in the last line.
test: deps
	@$(MAKE) -s WERROR=-Werror all tlsd
	@$(MAKE) -s WERROR=-Werror asan-build
	@WERROR=-Werror VALGRIND_BUILD=$(BUILD) tests/run-all.sh build/asan

unit: $(UNIT_BIN)
	@tests/run-all.sh $(BUILD) unit

FUZZ_SECONDS ?= 60

fuzz: deps
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: deps
	@$(MAKE) -s all
	@tests/bench.sh $(BUILD)/smtp-probe
	@tests/bench-dns.sh $(BUILD)/smtp-probe

valgrind: all tlsd
	@tests/run-all.sh $(BUILD) valgrind

asan: asan-build tlsd
	@tests/run-all.sh build/asan unit bats

asan-build:
	@$(MAKE) -s BUILD=build/asan OPT="-O1 -g" CFLAGS="$(ASAN_FLAGS)" \
	    LDFLAGS="$(ASAN_FLAGS)" build/asan/smtp-probe \
	    $(UNIT_BIN:$(BUILD)/%=build/asan/%)

check-style:
	@tests/check-style.sh

DOCDIR	 = $(PREFIX)/share/doc/smtp-probe
COMPDIR	 = $(PREFIX)/share/bash-completion/completions

install: $(BUILD)/smtp-probe
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(COMPDIR)
	install -m 755 $(BUILD)/smtp-probe $(DESTDIR)$(PREFIX)/bin/smtp-probe
	install -m 644 probe/smtp-probe.1 \
	    $(DESTDIR)$(PREFIX)/share/man/man1/smtp-probe.1
	install -m 644 README.md reports/schema/report.schema.json \
	    $(DESTDIR)$(DOCDIR)/
	install -m 644 probe/smtp-probe.bash-completion \
	    $(DESTDIR)$(COMPDIR)/smtp-probe

# The Debian package, built by dpkg-buildpackage from a copy of the tree
# in $(BUILD)/deb/ (it writes its results into the parent directory, and
# its droppings into debian/): the tree stays as it was, and the .deb (and
# its -dbgsym), .buildinfo and .changes end up in $(BUILD)/. make passes
# the variables of its command line (BUILD=...) on in the environment: the
# package's own build must not see them (its make clean would remove
# $(BUILD)).
DEB_SRC	 = $(BUILD)/deb/smtp-probe

deb:
	rm -rf $(BUILD)/deb
	mkdir -p $(DEB_SRC)
	tar -cf - --exclude=./build --exclude=./.git --exclude='./$(BUILD)' . | \
	    tar -xf - -C $(DEB_SRC)
	cd $(DEB_SRC) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u BUILD \
	    -u PREFIX -u DESTDIR -u WERROR -u OPT dpkg-buildpackage -us -uc -b
	rm -f $(BUILD)/smtp-probe*_*.deb $(BUILD)/smtp-probe_*.buildinfo \
	    $(BUILD)/smtp-probe_*.changes
	mv $(BUILD)/deb/*.deb $(BUILD)/deb/*.buildinfo $(BUILD)/deb/*.changes \
	    $(BUILD)/
	rm -rf $(BUILD)/deb
	@ls $(BUILD)/smtp-probe_*.deb

clean:
	rm -rf build
