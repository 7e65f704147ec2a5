#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 600) each, in parallel, seeded with the
# specification vectors; prints libFuzzer's execution counts. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); RUSTC_BOOTSTRAP lets the stable toolchain build with sanitizers.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
mkdir -p corpus/sd_jwt_parser corpus/disclosure_decoder corpus/status_list_decoder logs
python3 - <<'PY'
import json, glob, hashlib, os
for f in glob.glob('../crates/sd-jwt/tests/vectors/*/*.json'):
    v = json.load(open(f))
    for k in ('presentation', 'sd_jwt_issued'):
        if isinstance(v.get(k), str):
            open('corpus/sd_jwt_parser/' + hashlib.sha1(v[k].encode()).hexdigest(), 'w').write(v[k])
    for d in v.get('disclosures', []):
        open('corpus/disclosure_decoder/' + hashlib.sha1(d['disclosure'].encode()).hexdigest(), 'w').write(d['disclosure'])
ex = json.load(open('../crates/status-list/tests/vectors/examples.json'))
for l in ex['status_lists']:
    open('corpus/status_list_decoder/' + l['id'], 'w').write(chr(0) + l['lst'])
PY
for t in sd_jwt_parser disclosure_decoder status_list_decoder; do
  cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 > "logs/$t.log" 2>&1 &
done
wait
for t in sd_jwt_parser disclosure_decoder status_list_decoder; do
  echo "== $t"; grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs|ERROR|panicked" "logs/$t.log" || true
done
