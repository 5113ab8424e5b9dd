# Sightline command surface. Every target does its own setup on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := build
CARGO_TARGET := target/wasm32-unknown-unknown/release/sightline.wasm
PORT ?= 8080

.PHONY: setup build test test-native test-wasm test-e2e demo collector clean size bench

setup:
	@scripts/setup.sh

build: setup
	@scripts/build.sh

size:
	@node scripts/size.mjs
	@scripts/feature-bytes.sh

collector:
	@cargo build --release -p sightline-collector

test: build collector
	@scripts/test.sh

test-native: setup
	@scripts/test.sh native

test-wasm: build collector
	@scripts/test.sh wasm

test-e2e: build collector
	@scripts/test.sh e2e

demo: build collector
	@scripts/demo.sh $(PORT)

bench: build
	@bench/run.sh $(ARGS)
	@node bench/net-overhead.mjs
	@node bench/click-overhead.mjs
	@node bench/startup.mjs

clean:
	rm -rf build pkg dist target/wasm32-unknown-unknown examples/npm-app/dist
