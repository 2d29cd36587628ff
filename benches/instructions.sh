#!/usr/bin/env bash
# Instructions per evaluation of the eval bench's rules and the lone leaves, counted with valgrind
# (deterministic, whatever the machine's load): the example `eval_instructions` runs each rule
# over the 1,000 bench requests 1 and 11 times; the difference ÷ 10,000 is one evaluation.
#
#   benches/instructions.sh            table for the checkout
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "benches/instructions.sh needs valgrind" >&2; exit 2; }
cargo build --quiet --release --example eval_instructions
bin=target/release/examples/eval_instructions

count() {
    local runs=()
    for rounds in 1 11; do
        runs+=("$(valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
            "$bin" "$1" "$2" "$rounds" 2>&1 | awk '/I *refs/ {gsub(",", "", $4); print $4}')")
    done
    echo $(((runs[1] - runs[0]) / 10000))
}

headline='REQ.HTTP.HEADER User-Agent CONTAINS Worx && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS'
xenmobile='REQ.HTTP.HEADER User-Agent CONTAINS zenprise && REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS || REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS && REQ.HTTP.HEADER User-Agent CONTAINS Worx'
echo "| rule | corpus | instructions per evaluation |"
echo "| --- | --- | ---: |"
row() { echo "| $1 | $2 | $(count "$3" "$2") |"; }
row headline long "$headline"
row headline gateway "$headline"
row url_wildcard long "REQ.HTTP.URL == '/images/*.gif' || REQ.HTTP.URL == /cgi-bin/*"
row browser_not long 'REQ.HTTP.HEADER User-Agent NOTCONTAINS CitrixReceiver && REQ.HTTP.HEADER Referer NOTEXISTS'
row five_clause long 'REQ.HTTP.HEADER User-Agent CONTAINS CitrixReceiver && REQ.HTTP.HEADER X-Citrix-Gateway EXISTS && REQ.HTTP.HEADER Referer NOTEXISTS && REQ.HTTP.METHOD == POST && REQ.HTTP.URL == /cgi/*'
row xenmobile long "$xenmobile"
row xenmobile gateway "$xenmobile"
row "lone METHOD == POST" gateway 'REQ.HTTP.METHOD == POST'
row "lone X-Citrix-Gateway EXISTS" gateway 'REQ.HTTP.HEADER X-Citrix-Gateway EXISTS'
row "lone User-Agent CONTAINS Worx" gateway 'REQ.HTTP.HEADER User-Agent CONTAINS Worx'
