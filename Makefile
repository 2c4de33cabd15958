# ipvx build. `make` builds the BPF objects and the TypeScript; `make test` sets up a
# fresh machine (Debian packages, npm ci), builds, and runs every test as root.
SHELL := /bin/bash
CLANG ?= clang
BPF_CFLAGS := -O2 -g -target bpf -mcpu=v3 -Wall -Werror \
	-I/usr/include/x86_64-linux-gnu -Ibpf/include
BPF_SRCS := $(wildcard bpf/*.bpf.c) $(wildcard test/bpf/progs/*.bpf.c) $(wildcard test/bench/progs/*.bpf.c)
BPF_OBJS := $(patsubst %.bpf.c,build/bpf/%.bpf.o,$(notdir $(BPF_SRCS)))
BPF_HDRS := $(wildcard bpf/include/*.h) $(wildcard test/bench/progs/*.h)
TEST_GLOB ?= build/js/test

vpath %.bpf.c bpf test/bpf/progs test/bench/progs

.PHONY: all build bpf bpf-tools ts web setup check-gen fuzz-api test test-unit test-bpf test-e2e test-compat test-console demo bench fuzz clean install

all: build
build: bpf ts web

setup:
	@bash scripts/setup.sh

bpf: $(BPF_OBJS)

build/bpf/%.bpf.o: %.bpf.c $(BPF_HDRS) | bpf-tools
	@mkdir -p build/bpf
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# On a machine without the compiler or libbpf's headers: say what installs them.
bpf-tools:
	@command -v $(CLANG) >/dev/null && test -f /usr/include/bpf/bpf_helpers.h || \
	  { echo "make: $(CLANG) or libbpf's headers (/usr/include/bpf) are missing: run 'make setup' as root (installs clang, libbpf-dev and the rest on Debian)"; exit 1; }

# The TypeScript compiler and the libraries come from npm: installed on a fresh clone,
# and again when package-lock.json changes (scripts/setup.sh runs this rule too).
NPM_STAMP := node_modules/.ipvx-lock-stamp
$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	cp package-lock.json $@

ts: $(NPM_STAMP)
	rm -rf build/js
	npx tsc -p .
	@mkdir -p build/man
	node build/js/src/cli/manpage.js > build/man/ipvx.8

# The web console's pages (src/console/web): type-checked, then bundled by Vite into
# build/web, which `ipvx console` serves itself.
web: $(NPM_STAMP)
	npx tsc -p src/console/web
	npx vite build --config src/console/web/vite.config.ts

# src/api/gen must be what the proto gives (regenerate with `npm run gen`).
check-gen:
	@bash scripts/gen-api.sh --check

# Every test of every tier in one run (test/README.md): unit (no root: pure code, the
# daemon and CLI with the memory data plane, BTF checks), bpf (root: BPF_PROG_TEST_RUN
# on the real objects), e2e (root: network namespaces). Then: nothing new may remain in
# /run/ipvx, /var/lib/ipvx or /sys/fs/bpf/ipvx (test/lib/leftovers.ts; entries of
# namespaces that still exist, such as other runs', are not counted).
LEFTOVERS := node build/js/test/lib/leftovers.js
test: setup build check-gen
	@$(LEFTOVERS) snapshot build/leftovers-before.json
	node --test --test-concurrency=1 --test-reporter=spec $$(find $(TEST_GLOB) -name '*.test.js' | sort)
	@$(LEFTOVERS) check build/leftovers-before.json

test-unit: build
	node --test --test-reporter=spec $$(find build/js/test/unit -name '*.test.js' | sort)

test-bpf: build
	node --test --test-concurrency=1 --test-reporter=spec $$(find build/js/test/bpf -name '*.test.js' | sort)

# ipvsadm 1.31's own code (Debian's source, built against a stub table) against ipvx's output.
test-compat: build
	node --test --test-concurrency=1 --test-reporter=spec $$(find build/js/test/compat -name '*.test.js' | sort)

test-e2e: build
	node --test --test-concurrency=1 --test-reporter=spec $$(find build/js/test/e2e -name '*.test.js' | sort)

# The gRPC API under fuzz, long (test/lib/api-fuzz.ts; make test runs 3 rounds). ROUNDS=N SEED=N.
fuzz-api: build
	IPVX_API_FUZZ_ROUNDS=$${ROUNDS:-200} IPVX_API_FUZZ_SEED=$${SEED:-$$RANDOM} node --test --test-reporter=spec build/js/test/unit/api/fuzz.test.js

# The web console in a real browser (Debian's chromium), in a lab of network namespaces.
test-console: build
	node --test --test-concurrency=1 --test-reporter=spec $$(find build/js/test/e2e -name 'console*.test.js' | sort)

demo: setup build
	./bin/ipvx demo $(ARGS)

# The data-plane fuzzer's long run (root; test/README.md): FRAMES (default 1,000,000), SEED
# (default a new one, printed), EPISODE (one episode of a seed, checked frame by frame).
fuzz: build
	node build/js/test/lib/fuzz/main.js $(if $(FRAMES),--frames $(FRAMES)) $(if $(SEED),--seed $(SEED)) \
		$(if $(EPISODE),--episode $(EPISODE) --check-every-frame)

# Benchmarks (not tests): tables of our figures beside baselines; ARGS selects sub-benchmarks.
bench: setup build
	@bash scripts/bench-setup.sh
	node build/js/test/bench/run.js $(ARGS)

# make install [PREFIX=/usr/local] [IPVSADM_WRAPPERS=1|overwrite]: ipvx on the PATH, its manual
# page ipvx(8), and with IPVSADM_WRAPPERS ipvsadm/ipvsadm-save/ipvsadm-restore commands that run
# ipvx (an existing real ipvsadm in SBINDIR is only replaced with IPVSADM_WRAPPERS=overwrite).
PREFIX ?= /usr/local
MANDIR ?= $(PREFIX)/share/man
SBINDIR ?= $(PREFIX)/sbin
install: build
	npm install -g .
	install -D -m 0644 build/man/ipvx.8 $(DESTDIR)$(MANDIR)/man8/ipvx.8
	@WRAPPERS="$(IPVSADM_WRAPPERS)" SBINDIR="$(SBINDIR)" DESTDIR="$(DESTDIR)" bash scripts/install-ipvsadm-wrappers.sh

clean:
	rm -rf build
