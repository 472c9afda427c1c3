#!/usr/bin/env bash
# bench-dns.sh PROBE - figures, not assertions: mail domains through DNS.
# Starts unbound (tests/servers/dns.sh) on 127.0.0.1 with 2 x 10,000
# benchmark domains, and probes them with --mx on port 1, where nothing
# listens. First 10,000 domains whose MX host has no address: nothing but
# DNS (MX, then A and AAAA), so lookups a second; then 10,000 whose MX host
# has an A and an AAAA record, two refused connects each, at -j 100 and
# -j 500. Then, through a UDP proxy that delays each DNS answer by 50 ms,
# one domain and 100 domains at once: a domain should cost two DNS round
# trips (MX, then A and AAAA together), and many at once about as much.
# BENCH_DOMAINS (default 10,000) sets the count: at 100,000, peak RSS
# shows that memory follows -j, not the number of domains.
set -euo pipefail

probe=${1:?usage: bench-dns.sh PATH-TO-smtp-probe}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/smtp-probe-bench-dns.XXXXXX")
proxy=
cleanup() {
	[ -z "$proxy" ] || kill "$proxy" 2>/dev/null || true
	"$here/servers/dns.sh" stop "$dir/dns" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
mkdir "$dir/dns"
n=${BENCH_DOMAINS:-10000}
for i in $(seq $n); do
	printf 'local-data: "d%s.bench.test. 300 IN MX 10 mx%s.bench.test."\n' "$i" "$i"
	printf 'local-data: "mx%s.bench.test. 300 IN A 127.0.0.1"\n' "$i"
	printf 'local-data: "mx%s.bench.test. 300 IN AAAA ::1"\n' "$i"
	printf 'local-data: "e%s.bench.test. 300 IN MX 10 none%s.bench.test."\n' "$i" "$i"
	echo "d$i.bench.test:1" >>"$dir/domains"
	echo "e$i.bench.test:1" >>"$dir/dns-only"
done >"$dir/bench.conf"
port=$((46000 + (RANDOM % 100) * 10))
DNS_PORT=$port DNS_INCLUDE=$dir/bench.conf DNS_LOG_QUERIES=no LAB_PORT_SUBMISSION=1 \
    LAB_PORT_SMTPS=1 "$here/servers/dns.sh" start "$dir/dns" >"$dir/dns.log" 2>&1 ||
    { cat "$dir/dns.log" >&2; exit 1; }

ms() { echo $(($(date +%s%N) / 1000000)); }

# run JOBS SERVER FILE - one --mx run; prints its wall time in ms
run() {
	local t0
	t0=$(ms)
	/usr/bin/time -f '%M %U %S' -o "$dir/time" "$probe" --format ndjson \
	    --mx --resolver "$2" -j "$1" --connect-timeout 10 -f "$3" \
	    >"$dir/out.ndjson" 2>/dev/null || true
	echo $(($(ms) - t0))
}

# 1. DNS alone: 10,000 domains, 3 lookups each (MX, then A and AAAA).
for jobs in 100 500; do
	elapsed=$(run "$jobs" "127.0.0.1:$port" "$dir/dns-only")
	read -r rss user sys <"$dir/time"
	echo "--mx, $n domains, DNS only, -j $jobs: $elapsed ms, $((3 * n * 1000 / (elapsed > 0 ? elapsed : 1))) lookups/s, peak RSS $rss KiB, CPU ${user}+${sys} s"
done

# 2. 10,000 domains, each MX host probed on its A and its AAAA.
for jobs in 100 500; do
	elapsed=$(run "$jobs" "127.0.0.1:$port" "$dir/domains")
	read -r rss user sys <"$dir/time"
	probes=$(jq -s '[.[].probes[] | select(.address != null)] | length' "$dir/out.ndjson")
	failed=$(jq -s '[.[] | select(.error != null)] | length' "$dir/out.ndjson")
	echo "--mx, $n domains, -j $jobs: $elapsed ms, $((3 * n * 1000 / (elapsed > 0 ? elapsed : 1))) lookups/s, $((n * 1000 / (elapsed > 0 ? elapsed : 1))) domains/s, $probes probes, $failed failed lookups, peak RSS $rss KiB, CPU ${user}+${sys} s"
done

# 3. Round trips: every answer 50 ms late (25 ms each way).
delay=25
/usr/bin/python3 - "$port" "$delay" >"$dir/proxy.port" <<'PY' &
import asyncio, sys
upstream = ("127.0.0.1", int(sys.argv[1]))
delay = int(sys.argv[2]) / 1000
class Client(asyncio.DatagramProtocol):
    def __init__(self, front, addr):
        self.front, self.addr = front, addr
    def datagram_received(self, data, _):
        asyncio.get_running_loop().call_later(delay, self.front.sendto, data, self.addr)
class Front(asyncio.DatagramProtocol):
    def connection_made(self, t):
        self.t = t
        print(t.get_extra_info("sockname")[1], flush=True)
    def datagram_received(self, data, addr):
        asyncio.get_running_loop().call_later(delay, lambda: asyncio.ensure_future(self.forward(data, addr)))
    async def forward(self, data, addr):
        t, _ = await asyncio.get_running_loop().create_datagram_endpoint(
            lambda: Client(self.t, addr), remote_addr=upstream)
        t.sendto(data)
        asyncio.get_running_loop().call_later(5, t.close)
async def main():
    await asyncio.get_running_loop().create_datagram_endpoint(Front, local_addr=("127.0.0.1", 0))
    await asyncio.Event().wait()
asyncio.run(main())
PY
proxy=$!
for _ in $(seq 50); do [ -s "$dir/proxy.port" ] && break; sleep 0.1; done
slow="127.0.0.1:$(cat "$dir/proxy.port")"
head -n 1 "$dir/dns-only" >"$dir/one"
head -n 100 "$dir/dns-only" >"$dir/hundred"
# best of 5: process start-up varies more than a round trip
best() {
	local t b=
	for _ in 1 2 3 4 5; do
		t=$(run 1 "$1" "$dir/one")
		[ -n "$b" ] && [ "$b" -le "$t" ] || b=$t
	done
	echo "$b"
}
fast_one=$(best "127.0.0.1:$port")
slow_one=$(best "$slow")
rt=$((2 * delay))
echo "one domain, DNS answers ${rt} ms late: $slow_one ms against $fast_one ms, $(((slow_one - fast_one + rt / 2) / rt)) DNS round trips (MX, then A and AAAA together)"
slow_k=$(run 100 "$slow" "$dir/hundred")
fast_k=$(run 100 "127.0.0.1:$port" "$dir/hundred")
echo "100 domains at once (-j 100, 300 lookups), DNS answers ${rt} ms late: $slow_k ms against $fast_k ms, $(((slow_k - fast_k + rt / 2) / rt)) round trips for all of them"
