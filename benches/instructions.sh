#!/usr/bin/env bash
# Instructions per evaluation of the eval bench's rules and the lone leaves, counted with valgrind
# (deterministic, whatever the machine's load): the example `eval_instructions` runs each rule
# over the 1,000 bench requests 1 and 11 times; the difference ÷ 10,000 is one evaluation.
#
#   benches/instructions.sh            table for the checkout
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "benches/instructions.sh needs valgrind" >&2; exit 2; }
cargo build --quiet --release --example eval_instructions --example sim_instructions
bin=target/release/examples/eval_instructions

instructions() {
    valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 |
        awk '/I *refs/ {gsub(",", "", $4); print $4}'
}

count() {
    local one eleven
    one=$(instructions "$bin" "$1" "$2" 1)
    eleven=$(instructions "$bin" "$1" "$2" 11)
    echo $(((eleven - one) / 10000))
}

# Simulation: 2,000 requests, 1 and 21 rounds.
count_simulation() {
    local one twentyone
    one=$(instructions target/release/examples/sim_instructions "$1" 1)
    twentyone=$(instructions target/release/examples/sim_instructions "$1" 21)
    echo $(((twentyone - one) / 40000))
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
echo
echo "| simulation (every session policy of the vserver), Gateway-shaped records | instructions per request |"
echo "| --- | ---: |"
for config in storefront-wizard ns101-wizard ctx139319; do
    echo "| $config.conf | $(count_simulation "corpus/configs/$config.conf") |"
done
