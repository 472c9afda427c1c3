#!/usr/bin/env bash
# bench.sh PROBE - figures, not assertions: how long a probe of the lab
# Postfix takes, how many targets a second one process gets through, at
# what client CPU per probe, and peak memory against servers that flood it
# and with many targets from -f FILE (it must grow with neither what a
# server sends nor the number of targets). Starts its own lab and hostile
# server on 127.0.0.1 and stops them; every loop has a fixed count and
# every run of the probe a time limit.
#
# The -f runs take BENCH_TARGETS lines (default 50000) and one target in
# BENCH_TLS_EVERY (default 10) is the lab's STARTTLS port, the others its
# plaintext port: on two cores Postfix serves ~150 TLS probes a second, so
# 2 x 50,000 of them alone would take ten minutes. BENCH_TLS_EVERY=1 makes
# every target a STARTTLS probe.
set -euo pipefail

probe=${1:?usage: bench.sh PATH-TO-smtp-probe}
big=${BENCH_TARGETS:-50000}
tls_every=${BENCH_TLS_EVERY:-10}
if ! [[ $big =~ ^[0-9]+$ && $tls_every =~ ^[0-9]+$ ]] ||
    ((big < 10 || tls_every < 1)); then
	echo "bench.sh: need BENCH_TARGETS >= 10 and BENCH_TLS_EVERY >= 1" >&2
	exit 2
fi
# Longest a run with -f may take before it is stopped and said so.
run_limit=240
bench_start=$SECONDS
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/smtp-probe-bench.XXXXXX")
chmod 755 "$dir"
mkdir "$dir/lab" "$dir/hostile"
server=
cleanup() {
	[ -z "$server" ] || kill "$server" 2>/dev/null || true
	"$here/lab/lab.sh" stop "$dir/lab" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

base=$((45000 + (RANDOM % 100) * 50))
# 500 connections at once need 500 smtpd processes per listener (Postfix's
# default is 100, and connections beyond it wait in the listen queue).
LAB_PORT_BASE=$base LAB_PROCESS_LIMIT=600 "$here/lab/lab.sh" start "$dir/lab" >"$dir/lab.log" 2>&1 ||
    { cat "$dir/lab.log" >&2; exit 1; }
/usr/bin/python3 "$here/servers/hostile.py" --dir "$dir/hostile" \
    --port-base $((base + 20)) >"$dir/hostile.log" 2>&1 &
server=$!
"$here/helpers/wait-env" "$dir/hostile/hostile.env" "$server" ||
    { cat "$dir/hostile.log" >&2; exit 1; }
# shellcheck disable=SC1091
. "$dir/lab/lab.env"
# shellcheck disable=SC1091
. "$dir/hostile/hostile.env"

ms() { echo $(($(date +%s%N) / 1000000)); }

# Per probe in ms of the user and system seconds: per_probe_ms U S PROBES
per_probe_ms() {
	awk -v u="$1" -v s="$2" -v n="$3" \
	    'BEGIN { printf "%.2f", (n > 0 ? (u + s) * 1000 / n : 0) }'
}

# How the probes of an ndjson report ended: "N ok" and, if any failed,
# ", M failed (COUNT OUTCOME phase/kind, ...)".
outcomes() {
	jq -r '.probes[] | if .outcome == "ok" then "ok" else
	    "\(.outcome) \(.error.phase // "-")/\(.error.kind // "-")" end' "$1" |
	    sort | uniq -c | sort -rn | awk '
		$2 == "ok" { ok = $1; next }
		{ bad += $1; what = what (what == "" ? "" : ", ") $1 " " $2 " " $3 }
		END { printf "%d ok", ok
		      if (bad) printf ", %d failed (%s)", bad, what }'
}

# 1. One target, three lab ports at once, 20 runs: wall time per run.
runs=20
times=()
for _ in $(seq $runs); do
	t0=$(ms)
	"$probe" --cafile "$LAB_CA" --sni "$LAB_HOST" \
	    -p "$LAB_PORT_MX,$LAB_PORT_SUBMISSION,$LAB_PORT_SMTPS/implicit" \
	    127.0.0.1 >"$dir/r.json"
	times+=($(($(ms) - t0)))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "three lab ports at once, $runs runs: median $(sed -n "$((runs / 2))p" <<<"$sorted") ms, max $(tail -n 1 <<<"$sorted") ms (process start included)"
jq -r '.targets[0].probes[] | "  port \(.port) \(.mode): connect \(.timing_ms.connect) banner \(.timing_ms.banner) ehlo \(.timing_ms.ehlo // "-") starttls \(.timing_ms.starttls // "-") handshake \(.timing_ms.handshake) ehlo_tls \(.timing_ms.ehlo_tls) total \(.timing_ms.total) ms"' "$dir/r.json"

# 2. Throughput: 300 targets (the STARTTLS port) with -j 50.
targets=()
for _ in $(seq 300); do targets+=("127.0.0.1:$LAB_PORT_MX"); done
t0=$(ms)
/usr/bin/time -f '%U %S %M' -o "$dir/time" "$probe" --format ndjson \
    --cafile "$LAB_CA" -j 50 "${targets[@]}" >"$dir/many.ndjson"
elapsed=$(($(ms) - t0))
read -r user sys rss <"$dir/time"
ok=$(jq -s '[.[].probes[] | select(.outcome == "ok")] | length' "$dir/many.ndjson")
echo "300 STARTTLS probes with -j 50: $elapsed ms, $((300 * 1000 / (elapsed > 0 ? elapsed : 1))) probes/s, $ok ok, peak RSS $rss KiB, client CPU $(per_probe_ms "$user" "$sys" 300) ms/probe"

# 3. Peak memory against floods: bounded whatever the server sends.
for name in STARTTLS_OK HUGE_LINE ENDLESS_EHLO MANY_CAPS CHAIN_30 UGLY_CERT; do
	var=HOSTILE_PORT_$name
	/usr/bin/time -f '%M' -o "$dir/rss" "$probe" --cafile "$HOSTILE_CA" \
	    --timeout 10 -p "${!var}/starttls" 127.0.0.1 >/dev/null
	printf '  %-14s peak RSS %6s KiB\n' "$name" "$(cat "$dir/rss")"
done

# 3b. Peak memory with 1,000 probes in flight at once: a port that never
# greets holds each one until --timeout.
for _ in $(seq 1000); do echo "127.0.0.1:$HOSTILE_PORT_SILENT/starttls"; done \
    >"$dir/silent.list"
/usr/bin/time -f '%M' -o "$dir/rss" "$probe" --format ndjson -o /dev/null \
    --timeout 3 -j 1000 -f "$dir/silent.list" || true
echo "1,000 probes in flight at once (-j 1000, a silent port): peak RSS $(cat "$dir/rss") KiB"

# 4. Many targets from -f FILE: probes/s, client CPU per probe and peak RSS
# at -j 100 and -j 500, and peak RSS with a tenth of the targets (it must
# not grow with their number). Failures are counted, not hidden: Postfix
# on two cores may keep a greeting waiting past the probe's deadline.
# targets_file N FILE: N lines, every tls_every-th the STARTTLS port.
targets_file() {
	awk -v n="$1" -v e="$tls_every" -v tls="$LAB_PORT_MX" \
	    -v plain="$LAB_PORT_PLAIN" 'BEGIN { for (i = 1; i <= n; i++)
		printf "127.0.0.1:%d\n", i % e == 0 ? tls : plain }' >"$2"
}
# from_file FILE JOBS: one line of figures for smtp-probe -j JOBS -f FILE.
from_file() {
	local n rc=0 wall user sys rss done_n
	n=$(wc -l <"$1")
	/usr/bin/time -f '%e %U %S %M' -o "$dir/time" timeout "$run_limit" \
	    "$probe" --cafile "$LAB_CA" --format ndjson -o "$dir/big.ndjson" \
	    -j "$2" -f "$1" || rc=$?
	read -r wall user sys rss < <(tail -n 1 "$dir/time")
	done_n=$(jq -r '.probes[].outcome' "$dir/big.ndjson" | wc -l)
	printf '  %6d targets -j %-3s %5.1f s, %4d probes/s, client CPU %s ms/probe, peak RSS %6d KiB; %s' \
	    "$n" "$2" "$wall" "$(awk -v n="$done_n" -v w="$wall" 'BEGIN { printf "%d", (w > 0 ? n / w : 0) }')" \
	    "$(per_probe_ms "$user" "$sys" "$done_n")" "$rss" "$(outcomes "$dir/big.ndjson")"
	((rc != 124)) || printf '; stopped after %d s, %d of %d done' "$run_limit" "$done_n" "$n"
	((rc == 0 || rc == 124)) || printf '; exit status %d' "$rc"
	echo
}
if "$probe" --help | grep -qE '^ +-f FILE'; then
	targets_file "$big" "$dir/big.list"
	targets_file "$((big / 10))" "$dir/small.list"
	targets_file 2000 "$dir/warm.list"
	# Unmeasured: Postfix starts its smtpd processes for 500 connections.
	"$probe" --cafile "$LAB_CA" --format ndjson -o /dev/null -j 500 \
	    -f "$dir/warm.list" || true
	echo "targets from -f (1 in $tls_every the STARTTLS port, the others the plaintext port):"
	from_file "$dir/big.list" 100
	from_file "$dir/big.list" 500
	from_file "$dir/small.list" 500
else
	echo "targets from -f: skipped, this smtp-probe has no -f"
fi

# 5. The same STARTTLS targets through smtp-probe and through what people
# run today, posttls-finger under xargs -P 100 (one process per target):
# throughput, per-probe latency (p50/p99 of the report's own totals) and
# client CPU, and the ratios. BENCH_FINGER_TARGETS sets the count.
finger_n=${BENCH_FINGER_TARGETS:-10000}
# tls_stats JOBS: smtp-probe -j JOBS over $dir/tls.list; sets probe_rate
# and probe_cpu for the ratios
tls_stats() {
	local wall user sys rss
	/usr/bin/time -f '%e %U %S %M' -o "$dir/time" timeout "$run_limit" \
	    "$probe" --cafile "$LAB_CA" --sni "$LAB_HOST" --format ndjson \
	    -o "$dir/tls.ndjson" -j "$1" -f "$dir/tls.list" || true
	read -r wall user sys rss < <(tail -n 1 "$dir/time")
	probe_rate=$(awk -v n="$finger_n" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
	probe_cpu=$(per_probe_ms "$user" "$sys" "$finger_n")
	printf '  smtp-probe -j %-3s %6.1f s, %5s probes/s, p50 %s ms, p99 %s ms, client CPU %s ms/probe, peak RSS %6d KiB; %s\n' \
	    "$1" "$wall" "$probe_rate" \
	    "$(jq -s '[.[].probes[].timing_ms.total] | sort | .[length / 2 | floor]' "$dir/tls.ndjson")" \
	    "$(jq -s '[.[].probes[].timing_ms.total] | sort | .[length * 99 / 100 | floor]' "$dir/tls.ndjson")" \
	    "$probe_cpu" "$rss" "$(outcomes "$dir/tls.ndjson")"
}
if command -v posttls-finger >/dev/null &&
    "$probe" --help | grep -qE '^ +-f FILE'; then
	awk -v n="$finger_n" -v p="$LAB_PORT_MX" \
	    'BEGIN { for (i = 0; i < n; i++) printf "127.0.0.1:%d\n", p }' \
	    >"$dir/tls.list"
	echo "$finger_n STARTTLS targets, smtp-probe against posttls-finger:"
	tls_stats 500
	tls_stats 100
	/usr/bin/time -f '%e %U %S' -o "$dir/ftime" timeout "$run_limit" \
	    xargs -P 100 -I{} sh -c 'posttls-finger -c -l may -P "$1" \
		"[127.0.0.1]:${2#*:}" >/dev/null 2>&1; echo $?' sh "$LAB_CA" {} \
	    <"$dir/tls.list" >"$dir/finger.rc" || true
	read -r fwall fuser fsys <"$dir/ftime"
	frate=$(awk -v n="$finger_n" -v w="$fwall" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
	fcpu=$(per_probe_ms "$fuser" "$fsys" "$finger_n")
	printf '  posttls-finger, xargs -P 100: %6.1f s, %5s probes/s, client CPU %s ms/probe (its sh and process start included); %d exited 0\n' \
	    "$fwall" "$frate" "$fcpu" "$(grep -c '^0$' "$dir/finger.rc")"
	awk -v pr="$probe_rate" -v fr="$frate" -v pc="$probe_cpu" -v fc="$fcpu" \
	    'BEGIN { printf "  ratios at -j 100: %.1fx the throughput, %.2f of the CPU per probe\n", (fr > 0 ? pr / fr : 0), (fc > 0 ? pc / fc : 0) }'
else
	echo "posttls-finger comparison: skipped (no posttls-finger or no -f)"
fi

# 6. Client instructions per probe under callgrind (deterministic, unlike
# the CPU times above): 20 STARTTLS probes one at a time, start included.
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
	targets=()
	for _ in $(seq 20); do targets+=("127.0.0.1:$LAB_PORT_MX"); done
	valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.out" \
	    "$probe" --cafile "$LAB_CA" --format ndjson -j 1 "${targets[@]}" \
	    >"$dir/cg.ndjson" 2>"$dir/callgrind.log"
	total=$(awk '$1 == "summary:" { print $2 }' "$dir/callgrind.out")
	echo "callgrind, 20 STARTTLS probes with -j 1: $total instructions, $((total / 20)) per probe; $(outcomes "$dir/cg.ndjson")"
	callgrind_annotate "$dir/callgrind.out" 2>/dev/null | awk '
		/file:function/ { getline; top = 1; next }
		top && n++ < 6 {
			# "23,297,760 ( 7.58%)  ???:name [/usr/lib/libx.so.6]"
			sub(/\( +/, "(")
			fn = $3; sub(/^[^:]*:/, "", fn)
			lib = $4; gsub(/[][]/, "", lib); sub(/.*\//, "", lib)
			pct = $2; gsub(/[()]/, "", pct)
			printf "  %6s %s %s\n", pct, fn, lib }'
else
	echo "callgrind: skipped, valgrind is not installed"
fi
echo "bench took $((SECONDS - bench_start)) s"
