#!/usr/bin/env bash
# Runs every bench once (criterion), the peers member included, and writes BENCHMARKS.md from
# that one run: machine, commit, command, every figure, and ratios against the floors and peers.
#
#   benches/run.sh            full run (minutes; use an idle machine)
#   benches/run.sh --quick    criterion --quick: a smoke run for CI, figures only indicative
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
mode="full"
before=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --quick)
            quick=(--quick --warm-up-time 0.2)
            mode="quick (criterion --quick; indicative only)"
            ;;
        --before)
            before="${2:?--before needs a revision}"
            shift
            ;;
        *)
            echo "usage: benches/run.sh [--quick] [--before REV]" >&2
            exit 2
            ;;
    esac
    shift
done

# The code measured is the checkout as it is now, before anything is built.
commit="$(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)')"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"

log="$(mktemp)"
before_log="$(mktemp)"
after_log="$(mktemp)"
worktree=""
cleanup() {
    rm -f "$log" "$before_log" "$after_log" "${corpus:-}"
    if [[ -n "$worktree" ]]; then git worktree remove --force "$worktree"; fi
}
trap cleanup EXIT
for bench in parse eval simulate config leaves; do
    cargo bench --bench "$bench" -- "${quick[@]}" 2>&1 | tee -a "$log"
done

# Before and after: the eval bench of revision REV and of this checkout, run back to back, so
# the ratio compares two binaries on the same machine state.
if [[ -n "$before" ]]; then
    worktree="$(mktemp -d)"
    git worktree add --detach "$worktree" "$before" >&2
    before_bin="$(cd "$worktree" && cargo bench --bench eval --no-run --message-format json 2>/dev/null |
        python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("target",{}).get("name")=="eval" and m.get("executable"): print(m["executable"])')"
    after_bin="$(cargo bench --bench eval --no-run --message-format json 2>/dev/null |
        python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("target",{}).get("name")=="eval" and m.get("executable"): print(m["executable"])')"
    # Three alternating rounds; the table keeps each bench's best round, which is the least
    # disturbed by whatever else the machine runs.
    for _ in 1 2 3; do
        "$before_bin" --bench "${quick[@]}" 2>&1 | tee -a "$before_log"
        "$after_bin" --bench "${quick[@]}" 2>&1 | tee -a "$after_log"
    done
fi
cargo bench -p nsexpr-peers -- "${quick[@]}" 2>&1 | tee -a "$log"

# End to end: `nsexpr run` over a generated corpus with 1 and 2 threads.
records=1000000
[[ "$mode" == full ]] || records=200000
cargo build --release -p nsexpr-cli
corpus="$(mktemp --suffix .jsonl)"
target/release/nsexpr corpus generate --count "$records" --seed 7 --output "$corpus" >/dev/null
for threads in 1 2; do
    rate="$(target/release/nsexpr run --config corpus/configs/ctx139319.conf --corpus "$corpus" \
        --threads "$threads" --format json | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests_per_second"])')"
    echo "run: $threads threads $records records $rate requests/s" | tee -a "$log"
done

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
cores="$(grep -c '^processor' /proc/cpuinfo)"
load="$load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
command="benches/run.sh${quick:+ --quick}${before:+ --before $before}"

python3 - "$log" "$cpu" "$cores" "$commit" "$command" "$mode" "$before" "$before_log" "$after_log" "$load" > BENCHMARKS.md <<'PY'
import re, sys
log, cpu, cores, commit, command, mode, before, before_log, after_log, load = sys.argv[1:]
text = open(log).read()
# criterion: "<id>\n   time: [lo mid hi]" or "<id>   time: [...]", then optional "thrpt: [...]".
units = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
pattern = re.compile(
    r"^(\S[^\n]*?)\s*\n?\s+time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]"
    r"(?:\s*\n\s+thrpt:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\])?",
    re.M,
)

def criterion_rows(text, best=False):
    """Bench name -> (ns per iteration, throughput text), and the names in run order. A bench
    that ran several times keeps its last figure, or its fastest with `best`."""
    rows, order = {}, []
    for m in pattern.finditer(text):
        name = m.group(1).strip()
        if name.startswith("Benchmarking"):
            continue
        ns = float(m.group(2)) * units[m.group(3)]
        thrpt = f"{m.group(4)} {m.group(5)}" if m.group(4) else ""
        if name not in rows:
            order.append(name)
        elif best and rows[name][0] <= ns:
            continue
        rows[name] = (ns, thrpt)
    return rows, order

rows, order = criterion_rows(text)
elements = {}
for m in re.finditer(r"^(headline\w*): (\d+) requests", text, re.M):
    elements[m.group(1)] = int(m.group(2))
allocs = re.findall(r"^allocations: (.*)$", text, re.M)

scale = {"elem/s": 1.0, "Kelem/s": 1e3, "Melem/s": 1e6, "Gelem/s": 1e9}

def per_element(thrpt):
    if not thrpt:
        return ""
    value, unit = thrpt.split()
    return f"{1e9 / (float(value) * scale[unit]):.1f}"

def ns_per(name):
    """ns per element of a bench, or None when it did not run."""
    if name not in rows or not rows[name][1]:
        return None
    value, unit = rows[name][1].split()
    return 1e9 / (float(value) * scale[unit])

runs = {int(t): float(r) for t, r in re.findall(r"^run: (\d+) threads \d+ records (\S+) requests/s", text, re.M)}
run_records = re.findall(r"^run: \d+ threads (\d+) records", text, re.M)

def fmt(ns):
    if ns >= 1e6: return f"{ns/1e6:.2f} ms"
    if ns >= 1e3: return f"{ns/1e3:.2f} µs"
    return f"{ns:.1f} ns"

out = []
out.append("# Benchmarks\n")
out.append("Generated by `benches/run.sh` from one run; do not edit by hand, regenerate it.\n")
out.append(f"- machine: {cpu}, {cores} logical CPUs")
out.append(f"- commit: {commit}")
out.append(f"- command: `{command}`")
out.append(f"- mode: {mode}")
out.append(f"- load average (1, 5, 15 min): {load}; the benches themselves keep one core busy")
out.append("- a shared VM: one figure moves by up to ±20 % between runs; ratios within one group are steadier\n")
def goal(label, measured, target, met):
    if measured is None:
        out.append(f"| {label} | not measured | {target} | |")
    else:
        out.append(f"| {label} | {measured} | {target} | {'met' if met else '**not met**'} |")

def ratio(a, b):
    x, y = ns_per(a), ns_per(b)
    return None if x is None or y is None else x / y

out.append("## Goals, from this run\n")
out.append("| goal | measured | target | |")
out.append("| --- | ---: | ---: | --- |")
for corpus, group in [("long UAs", "headline"), ("Gateway traffic", "headline_gateway_traffic")]:
    r = ratio(f"{group}/nsexpr", f"{group}/floor")
    goal(f"headline vs floor ({corpus})", r and f"{r:.2f}×", "≤ 1.2×", r is not None and r <= 1.2)
    r = ratio(f"{group}/wirefilter_bind_execute", f"{group}/nsexpr")
    goal(f"wirefilter (with binding) vs nsexpr ({corpus})", r and f"{r:.2f}×", "≥ 3×", r is not None and r >= 3)
    r = ratio(f"{group}/cel", f"{group}/nsexpr")
    goal(f"cel vs nsexpr ({corpus})", r and f"{r:.2f}×", "≥ 8×", r is not None and r >= 8)
for corpus in ["long_ua", "gateway_traffic"]:
    for leaf in ["exists", "contains", "equals"]:
        r = ratio(f"leaves/{corpus}/{leaf}/nsexpr", f"leaves/{corpus}/{leaf}/floor")
        goal(f"lone {leaf} vs floor ({corpus})", r and f"{r:.2f}×", "≤ 1.2×", r is not None and r <= 1.2)
for conf in ["storefront-wizard.conf", "ns101-wizard.conf"]:
    ns = ns_per(f"simulate/{conf}/gateway_traffic")
    goal(f"simulation, {conf}, Gateway traffic", ns and f"{ns:.0f} ns/request", "≤ 100 ns", ns is not None and ns <= 100)
ns = ns_per("compile/parse+compile median rule")
goal("parse + compile, median real-world rule", ns and f"{ns:.0f} ns", "≤ 500 ns", ns is not None and ns <= 500)
for threads, rate in sorted(runs.items()):
    per_core = rate / threads
    goal(f"`nsexpr run`, {threads} thread(s), {run_records[0] if run_records else '?'} records",
         f"{rate/1e6:.2f} M requests/s ({per_core/1e6:.2f} M per core)", "≥ 1 M per core", per_core >= 1e6)
out.append("")

groups = {}
for name in order:
    groups.setdefault(name.split("/")[0], []).append(name)
for group, names in groups.items():
    out.append(f"## {group}\n")
    out.append("| bench | time per iteration | ns per element | ratio |")
    out.append("| --- | ---: | ---: | ---: |")
    for name in names:
        ns, thrpt = rows[name]
        # Ratios against the floor of the same group and corpus (the `floor` sibling).
        base = None
        parts = name.split("/")
        if parts[-1] != "floor":
            sibling = "/".join(parts[:-1] + ["floor"])
            if sibling in rows:
                base = rows[sibling][0]
        ratio = f"{ns/base:.2f}× floor" if base else ""
        if group.startswith("headline") and parts[-1] != "nsexpr":
            peer_of = f"{group}/nsexpr"
            if peer_of in rows and parts[-1] != "floor":
                ratio += f"{'; ' if ratio else ''}{ns/rows[peer_of][0]:.2f}× nsexpr"
        out.append(f"| {name} | {fmt(ns)} | {per_element(thrpt)} | {ratio} |")
    out.append("")
if before:
    old, _ = criterion_rows(open(before_log).read(), best=True)
    new, new_order = criterion_rows(open(after_log).read(), best=True)
    out.append(f"## Before and after: eval bench of `{before}` and of this commit, back to back\n")
    out.append("Three alternating rounds, each bench's best; µs per 1,000 requests; nsexpr ÷ floor "
               "from the same binary; after ÷ before of nsexpr.\n")
    out.append("| bench | before floor | before nsexpr | ratio | after floor | after nsexpr | ratio | after ÷ before |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in new_order:
        if not name.endswith("/nsexpr"):
            continue
        group = name[: -len("/nsexpr")]
        floor = f"{group}/floor"
        if name not in old or floor not in old or floor not in new:
            continue
        bf, bn, af, an = old[floor][0], old[name][0], new[floor][0], new[name][0]
        out.append(f"| {group} | {bf/1e3:.1f} | {bn/1e3:.1f} | {bn/bf:.2f} | {af/1e3:.1f} | {an/1e3:.1f} | {an/af:.2f} | {an/bn:.2f} |")
    out.append("")
if allocs:
    out.append("## allocations\n")
    for a in allocs:
        out.append(f"- {a}")
    out.append("")
print("\n".join(out))
PY
cat benches/notes.md >> BENCHMARKS.md
echo "wrote BENCHMARKS.md" >&2
