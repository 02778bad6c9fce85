# service-backup: `make demo` runs a real backup, `make test` runs every test. Both install what they need.
SWIFT ?= swift
BIN_DEBUG := .build/debug/service-backup
BIN_RELEASE := .build/release/service-backup
PYTEST ?= python3 -m pytest

.PHONY: all build release deps build-deps test unit-test integration-test demo bench clean

all: build

build-deps:
	scripts/install-deps.sh --build-only

deps:
	scripts/install-deps.sh

build: build-deps
	$(SWIFT) build
	ln -sf service-backup .build/debug/manual-backup

release: build-deps
	$(SWIFT) build -c release
	ln -sf service-backup .build/release/manual-backup

unit-test:
	$(SWIFT) test

integration-test:
	SERVICE_BACKUP_BIN=$(CURDIR)/$(BIN_DEBUG) $(PYTEST) -q Tests/integration

test: deps build unit-test integration-test

demo: release
	scripts/demo.sh $(BIN_RELEASE)

bench: release
	scripts/bench.sh $(BIN_RELEASE)

clean:
	rm -rf .build demo-backups

# systemd install: a self-contained binary (Swift runtime linked in statically, no RUNPATH into the
# toolchain), units, sysusers entry, example config (root:service-backup 0640). PREFIX and DESTDIR honoured.
PREFIX ?= /usr/local
.PHONY: install release-static release-tarball
release-static: build-deps
	$(SWIFT) build -c release --product service-backup --static-swift-stdlib
	scripts/check-self-contained.sh $(BIN_RELEASE)

install: release-static
	PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) packaging/install.sh $(BIN_RELEASE)

# dist/service-backup-<version>-linux-amd64.tgz for packages/service-backup (static Swift runtime).
release-tarball: build-deps
	scripts/release-tarball.sh $(VERSION)

# Long runs, not in CI: 50 backups per store through 20 % injected faults, 10,000 manifest mutations in-process
# and 1,000 through validate, and 1,000 daemon runs at @every 1s with RSS and open descriptors sampled each run.
# Figures are appended to soak-report.txt.
.PHONY: soak
soak: deps build
	MANIFEST_FUZZ_COUNT=10000 $(SWIFT) test --filter ManifestFuzzTests
	SOAK=1 FAULT_RUNS=50 MANIFEST_FUZZ_BINARY_COUNT=1000 FAULT_REPORT=$(CURDIR)/soak-report.txt \
		SERVICE_BACKUP_BIN=$(CURDIR)/$(BIN_DEBUG) $(PYTEST) -q -s \
		Tests/integration/test_faults.py Tests/integration/test_manifest_fuzz.py Tests/integration/test_soak.py
