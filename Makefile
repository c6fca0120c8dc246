# AI Factory: the two set-up commands of the README are `make run` and `make test`.
GO            ?= go
STACK         ?= dev
PULUMI_VERSION := $(shell awk '$$1 == "github.com/pulumi/pulumi/pkg/v3" {print $$2}' tools/pulumi/go.mod)
GOFILES        = $(shell find . -name '*.go' -not -path './bin/*' -not -path './.git/*')

.PHONY: run preview weekly image test vet fmt-check cli node-deps bench clean

## run: the main job on embedded defaults, no cloud account needed: the
## offline preview of $(STACK), then the weekly jackpot job for every bundled country.
run: preview weekly

## weekly: the jackpot optimiser on the bundled (synthetic) data; writes out/optimiser/.
weekly:
	$(GO) run ./optimiser/cmd/optimiser run

## image: a command's container image, built without Docker and reproducibly
## (factory/image): COMMAND=optimiser (the default, an OCI layout in
## out/image) or COMMAND=cleanup (out/image-cleanup), its digest printed, and
## a push when PUSH=<registry>/<repository>[:tag] is set (an ECR host logs in
## with the AWS credentials). ARCH=arm64 cross-builds.
COMMAND           ?= optimiser
IMAGE_VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
IMAGE_COMMIT      ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
ARCH              ?= amd64
PUSH              ?=
IMAGE_LAYOUT      ?= out/image$(if $(filter-out optimiser,$(COMMAND)),-$(COMMAND))
image:
	$(GO) run ./factory/image/internal/imagemain --command $(COMMAND) --out-layout $(IMAGE_LAYOUT) \
		--version $(IMAGE_VERSION) --commit $(IMAGE_COMMIT) --arch $(ARCH) \
		--source-date-epoch $(SOURCE_DATE_EPOCH) $(if $(PUSH),--push $(PUSH))

## preview: offline preview of $(STACK) through the real Pulumi engine.
preview:
	$(GO) run ./cmd/aifactory preview $(STACK) --offline

## test: every test, including the engine-level ones.
test: cli node-deps vet fmt-check
	$(GO) test -count=1 -timeout 60m ./...

vet:
	$(GO) vet ./...

fmt-check:
	@out="$$(gofmt -l $(GOFILES))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

## cli: a Pulumi CLI for the tests: $$PULUMI_CLI or a pulumi on PATH when there
## is one, otherwise the pinned version built from source into bin/.
cli:
	@if [ -n "$$PULUMI_CLI" ] || [ -x bin/pulumi ] || command -v pulumi >/dev/null 2>&1; then \
		echo "using $${PULUMI_CLI:-$$( [ -x bin/pulumi ] && echo bin/pulumi || command -v pulumi)}"; \
	else $(MAKE) bin/pulumi; fi

bin/pulumi: tools/pulumi/go.mod tools/pulumi/go.sum
	mkdir -p bin
	cd tools/pulumi && $(GO) build -o ../../bin/pulumi.tmp \
		-ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$(PULUMI_VERSION)" \
		github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
	mv bin/pulumi.tmp bin/pulumi

## node-deps: the Node packages (asl-validator, aws-local-stepfunctions) that
## check and run the weekly workflow's definition, from the committed lockfile;
## installed again only when the lockfile changes.
ASL_TESTS := components/pipeline/testdata/asl
node-deps: $(ASL_TESTS)/node_modules/.package-lock.json

$(ASL_TESTS)/node_modules/.package-lock.json: $(ASL_TESTS)/package-lock.json
	npm ci --prefix $(ASL_TESTS) --no-audit --no-fund
	@touch $@

## bench: Go benchmarks.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin out
