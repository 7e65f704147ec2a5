#!/usr/bin/env bash
# Every test of the project: formatting, lints, unit, storage (SQLite and PostgreSQL), server
# integration, attack-catalogue, specification-vector, interoperability and browser tests.
# `.ci/run` calls exactly this. It installs or starts what the tests need:
#   - the independent SD-JWT implementation, axe-core and the OpenID Connect test provider
#     (oidc-provider) from the npm registry (pinned lockfiles);
#   - Chromium and ChromeDriver (Debian packages `chromium`, `chromium-driver`) if missing;
#   - PostgreSQL: uses PASSPORT_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres),
#     starting a local Debian cluster if one is installed but stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null || { echo "$1 not found: $2" >&2; exit 1; }; }
need cargo "install Rust from https://rustup.rs"
need node "install Node.js 20+ (Debian: apt-get install nodejs npm)"
need psql "install the PostgreSQL client and server (Debian: apt-get install postgresql)"

echo "== npm dependencies (pinned by package-lock.json)"
for dir in interop browser oidc; do
  if [ -f "$dir/package-lock.json" ]; then
    npm ci --prefix "$dir" --no-audit --no-fund --loglevel=error
  fi
done

echo "== Chromium and ChromeDriver"
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "chromium/chromedriver missing: install the Debian packages chromium and chromium-driver" >&2
    exit 1
  fi
fi

echo "== PostgreSQL"
export PASSPORT_TEST_POSTGRES="${PASSPORT_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! psql "$PASSPORT_TEST_POSTGRES" -qAtc 'select 1' >/dev/null 2>&1; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    sleep 2
  fi
  psql "$PASSPORT_TEST_POSTGRES" -qAtc 'select 1' >/dev/null || {
    echo "PostgreSQL is not reachable at $PASSPORT_TEST_POSTGRES: start one (Debian: apt-get install postgresql)" >&2
    echo "or point PASSPORT_TEST_POSTGRES at a server where the user may CREATE DATABASE" >&2
    exit 1
  }
fi
# Each storage test makes its own database (passport_t_*); a full run makes several hundred.
# Drop those of earlier runs now, and this run's when it ends, pass or fail, so the disk does
# not fill up over repeated runs.
drop_test_databases() {
  psql "$PASSPORT_TEST_POSTGRES" -qAtc "select datname from pg_database where datname like 'passport_t_%'" |
    while read -r db; do psql "$PASSPORT_TEST_POSTGRES" -qc "drop database if exists $db" >/dev/null 2>&1 || true; done
}
drop_test_databases
trap drop_test_databases EXIT

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked
