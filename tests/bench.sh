#!/usr/bin/env bash
# bench.sh PROBE - figures, not assertions: how long a probe of the lab
# Postfix takes, how many targets a second one process gets through, and
# peak memory against servers that flood it (it must not grow with what a
# server sends). Starts its own lab and hostile server on 127.0.0.1 and
# stops them; every loop has a fixed count.
set -euo pipefail

probe=${1:?usage: bench.sh PATH-TO-smtp-probe}
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
LAB_PORT_BASE=$base "$here/lab/lab.sh" start "$dir/lab" >"$dir/lab.log" 2>&1 ||
    { cat "$dir/lab.log" >&2; exit 1; }
/usr/bin/python3 "$here/servers/hostile.py" --dir "$dir/hostile" \
    --port-base $((base + 20)) >"$dir/hostile.log" 2>&1 &
server=$!
for _ in $(seq 100); do
	[ -f "$dir/hostile/hostile.env" ] && break
	sleep 0.1
done
# shellcheck disable=SC1091
. "$dir/lab/lab.env"
# shellcheck disable=SC1091
. "$dir/hostile/hostile.env"

ms() { echo $(($(date +%s%N) / 1000000)); }

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
/usr/bin/time -f '%M' -o "$dir/rss" "$probe" --format ndjson --cafile "$LAB_CA" \
    -j 50 "${targets[@]}" >"$dir/many.ndjson"
elapsed=$(($(ms) - t0))
ok=$(jq -s '[.[].probes[] | select(.outcome == "ok")] | length' "$dir/many.ndjson")
echo "300 STARTTLS probes with -j 50: $elapsed ms, $((300 * 1000 / (elapsed > 0 ? elapsed : 1))) probes/s, $ok ok, peak RSS $(cat "$dir/rss") KiB"

# 3. Peak memory against floods: bounded whatever the server sends.
for name in STARTTLS_OK HUGE_LINE ENDLESS_EHLO MANY_CAPS CHAIN_30 UGLY_CERT; do
	var=HOSTILE_PORT_$name
	/usr/bin/time -f '%M' -o "$dir/rss" "$probe" --cafile "$HOSTILE_CA" \
	    --timeout 10 -p "${!var}/starttls" 127.0.0.1 >/dev/null
	printf '  %-14s peak RSS %6s KiB\n' "$name" "$(cat "$dir/rss")"
done
