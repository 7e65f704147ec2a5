#!/usr/bin/env bash
# Runs every fuzz target (or those in TARGETS) for SECONDS (default 600) each, in parallel, seeded with the
# specification vectors; prints libFuzzer's execution counts. Needs cargo-fuzz
# (`cargo install cargo-fuzz`); RUSTC_BOOTSTRAP lets the stable toolchain build with sanitizers.
set -euo pipefail
cd "$(dirname "$0")"
SECONDS_EACH=${1:-600}
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O
TARGETS=${TARGETS:-sd_jwt_parser disclosure_decoder status_list_decoder strict_json one_pass}
mkdir -p corpus/sd_jwt_parser corpus/disclosure_decoder corpus/status_list_decoder corpus/strict_json corpus/one_pass logs
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
# strict_json: every JSON document of the vectors; one_pass: each published example's issuer
# payload with its digests replaced by @N, then its disclosures' JSON, one per line.
for f in glob.glob('../crates/sd-jwt/tests/vectors/*/*.json'):
    text = open(f).read()
    open('corpus/strict_json/' + hashlib.sha1(text.encode()).hexdigest(), 'w').write(text)
    v = json.loads(text)
    payload, ds = v.get('issuer_signed_payload'), v.get('disclosures', [])
    if isinstance(payload, dict) and ds:
        t = json.dumps(payload, separators=(',', ':'))
        for i, d in enumerate(ds[:10]):
            t = t.replace(d['digest'], '@%d' % i)
        lines = [t] + [d['contents'] for d in ds[:10] if isinstance(d.get('contents'), str)]
        open('corpus/one_pass/' + hashlib.sha1(t.encode()).hexdigest(), 'w').write('\n'.join(lines))
open('corpus/one_pass/flat', 'w').write('{"iss":"i","_sd":["@0","@1"],"_sd_alg":"sha-256","a":{"_sd":["@2"]},"t":[1,{"b":2}]}\n["s1","given","Ann"]\n["s2","n",1.5]\n["s3","deep",null]')
PY
for t in $TARGETS; do
  cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -print_final_stats=1 > "logs/$t.log" 2>&1 &
done
wait
for t in $TARGETS; do
  echo "== $t"; grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs|ERROR|panicked" "logs/$t.log" || true
done
