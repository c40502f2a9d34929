# ecomm — two commands set everything up on a fresh machine:
#   make run    the shop on http://127.0.0.1:8080 (SQLite + local files, 10,000 products)
#   make test   every test (starts its own Postgres, S3 server, nginx, Chromium)
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help run test test-backend test-frontend test-e2e test-chaos verify bench chaos lab fmt lint openapi

help:
	@echo "make run    - build and serve the shop at http://127.0.0.1:8080 (seeds 10,000 products on first run)"
	@echo "make test   - run every test (backend on SQLite and Postgres, S3, frontend, browser e2e, offline cluster checks)"
	@echo "make verify - offline checks of the Helm chart, policies, Terraform, Dockerfiles, workflows and shell scripts"
	@echo "make bench  - load benchmarks with same-run baselines"
	@echo "make fuzz   - schemathesis against a live server from its OpenAPI document (>= 5,000 requests)"
	@echo "make chaos  - every resilience drill on a local stack (nginx + supervised replicas, one per core + PgBouncer + Postgres with a standby), reports in reports/"
	@echo "make lab    - the local stack (nginx + 4 supervised replicas + PgBouncer + Postgres) for clicking through"

run:
	scripts/run.sh

test:
	scripts/test.sh

test-backend:
	scripts/test.sh backend

test-frontend:
	scripts/test.sh frontend

test-e2e:
	scripts/test.sh e2e

verify:
	scripts/verify.sh

bench:
	scripts/bench.sh

fuzz:
	scripts/fuzz.sh

chaos:
	scripts/chaos.sh

lab:
	cargo build --release --locked -p ecomm -p ecomm-lab
	$${CARGO_TARGET_DIR:-target}/release/ecomm-lab up --ecomm-bin $${CARGO_TARGET_DIR:-target}/release/ecomm

test-chaos:
	scripts/test.sh chaos

fmt:
	cargo fmt --all

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

openapi:
	cargo run -q -p ecomm -- openapi > backend/openapi.json
	npm --prefix frontend run gen:api
