#!/usr/bin/env bash
# Every test of the project: formatting, lints, unit, integration, attack-catalogue,
# specification-vector and interoperability tests. `.ci/run` calls exactly this.
# Installs what the tests need (the independent SD-JWT implementation from the npm registry).
set -euo pipefail
cd "$(dirname "$0")/.."

command -v cargo >/dev/null || { echo "cargo not found: install Rust from https://rustup.rs" >&2; exit 1; }
command -v node >/dev/null || { echo "node not found: install Node.js 20+ (Debian: apt-get install nodejs npm)" >&2; exit 1; }

echo "== interop dependencies (npm ci, pinned by interop/package-lock.json)"
if [ -f interop/package-lock.json ]; then
  npm ci --prefix interop --no-audit --no-fund --loglevel=error
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked
