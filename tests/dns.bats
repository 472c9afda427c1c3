#!/usr/bin/env bats
# Mail domains through DNS: --mx, --srv, every address, -4/-6/--first-address,
# --resolver, a DNS server that never answers, -f files of domains, --shard
# under GNU parallel, and the progress line. The DNS server is unbound with
# the test zone of tests/servers/dns.sh: the suite's on 127.0.0.1 (its SRV
# records name the suite's lab), and, for what needs port 25 on 127.0.0.2
# and 127.0.0.3, a second lab and unbound (on port 53) in a network
# namespace this file makes. Expected records come from dig, asked of the
# same server.

setup_file() {
	unshare -n true 2>/dev/null || return 0
	NS_DIR=$(mktemp -d "${TMPDIR:-/tmp}/smtp-probe-dns.XXXXXX")
	chmod 755 "$NS_DIR"
	mkdir "$NS_DIR/lab" "$NS_DIR/dns"
	# The namespace lives as long as this process.
	unshare -n sleep 100000 &
	NS_PID=$!
	export NS_DIR NS_PID
	for _ in $(seq 50); do
		[ "$(readlink /proc/$NS_PID/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
		sleep 0.05
	done
	nsenter -t "$NS_PID" -n ip link set lo up
	nsenter -t "$NS_PID" -n env LAB_PORT25=1 LAB_PORT_BASE=30025 \
	    "$BATS_TEST_DIRNAME/lab/lab.sh" start "$NS_DIR/lab" >"$NS_DIR/lab.log" 2>&1
	(
		. "$NS_DIR/lab/lab.env"
		nsenter -t "$NS_PID" -n env DNS_PORT=53 \
		    LAB_PORT_SUBMISSION="$LAB_PORT_SUBMISSION" \
		    LAB_PORT_SMTPS="$LAB_PORT_SMTPS" \
		    "$BATS_TEST_DIRNAME/servers/dns.sh" start "$NS_DIR/dns"
	) >"$NS_DIR/dns.log" 2>&1
}

teardown_file() {
	[ -n "${NS_DIR:-}" ] || return 0
	"$BATS_TEST_DIRNAME/servers/dns.sh" stop "$NS_DIR/dns" >/dev/null 2>&1 || true
	"$BATS_TEST_DIRNAME/lab/lab.sh" stop "$NS_DIR/lab" >/dev/null 2>&1 || true
	kill "$NS_PID" 2>/dev/null || true
	rm -rf "$NS_DIR"
}

setup() {
	load helpers/common
}

# in_ns - the following probe() runs in the namespace, with its lab's CA
in_ns() {
	[ -n "${NS_DIR:-}" ] || skip "network namespaces are not available"
	[ -f "$NS_DIR/dns/dns.env" ] || fail "namespace setup: $(cat "$NS_DIR"/*.log)"
	PROBE_PREFIX="nsenter -t $NS_PID -n"
	NS_CA=$(. "$NS_DIR/lab/lab.env" && echo "$LAB_CA")
}

# ask NAME TYPE - dig's answer from the suite's server, one record a line
ask() {
	dig +short @127.0.0.1 -p "$DNS_PORT" "$1" "$2" | sort
}

# ask_ns NAME TYPE - the same from the namespace's server
ask_ns() {
	nsenter -t "$NS_PID" -n dig +short @127.0.0.1 "$1" "$2" | sort
}

@test "--mx: every MX host by preference, every address of each, on port 25" {
	in_ns
	probe --mx --cafile "$NS_CA" --resolver 127.0.0.1 --timeout 10 two-mx.test
	# The records as dig reads them, in preference order.
	assert_equal "$(j '[.targets[0].mx.records[] | "\(.preference) \(.host)."] | join(",")')" \
	    "$(ask_ns two-mx.test MX | sort -n | paste -sd,)"
	assert_equal "$(j '.targets[0].mx.implicit')/$(j '.targets[0].mx.null_mx')" false/false
	assert_equal "$(j '.targets[0].sni')" null
	# Every address of every MX host, MX hosts in preference order.
	want=$( (ask_ns mail.lab.test A | sed 's/^/mail.lab.test /'
	    (ask_ns mx2.two-mx.test A; ask_ns mx2.two-mx.test AAAA) | sed 's/^/mx2.two-mx.test /') | sort)
	assert_equal "$(j '.targets[0].probes[] | "\(.host) \(.address)"' | sort)" "$want"
	assert_equal "$(j '[.targets[0].probes[].host] | unique | join(" ")')" "mail.lab.test mx2.two-mx.test"
	assert_equal "$(j '.targets[0].probes[0].host')" mail.lab.test
	assert_equal "$(j '[.targets[0].probes[].port] | unique | join(" ")')" 25
	# Each probe is checked against its MX host's name.
	assert_equal "$(j '[.targets[0].probes[] | .host == .sni] | all')" true
	q() { j ".targets[0].probes[] | select(.host == \"$1\" and .address == \"$2\") | $3"; }
	# 127.0.0.2 offers STARTTLS, 127.0.0.3 does not: one name, two stories.
	assert_equal "$(q mail.lab.test 127.0.0.2 .mode)" starttls
	assert_equal "$(q mail.lab.test 127.0.0.2 .verification.hostname_match)" true
	assert_equal "$(q mail.lab.test 127.0.0.2 '[.findings[].id] | join(" ")')" ""
	assert_equal "$(q mail.lab.test 127.0.0.3 .mode)" plain
	assert_equal "$(q mail.lab.test 127.0.0.3 '[.findings[] | "\(.id)/\(.severity)"] | join(" ")')" \
	    starttls-missing/warning
	# The same certificate does not name the second MX host.
	assert_equal "$(q mx2.two-mx.test 127.0.0.2 .verification.hostname_match)" false
	assert_equal "$(q mx2.two-mx.test 127.0.0.2 '[.findings[].id] | join(" ")')" cert-hostname-mismatch
	assert_equal "$(q mx2.two-mx.test ::1 .error.phase)" connect
	assert_equal "$(j '.targets[0].findings | length')" 0
}

@test "-4, -6 and --first-address limit the addresses probed" {
	in_ns
	probe --mx --cafile "$NS_CA" --resolver 127.0.0.1 -4 two-mx.test
	assert_equal "$(j '[.targets[0].probes[].address] | sort | join(" ")')" "127.0.0.2 127.0.0.2 127.0.0.3"
	probe --mx --cafile "$NS_CA" --resolver 127.0.0.1 -6 --connect-timeout 2 two-mx.test
	# mail.lab.test has no AAAA: its probe says so, without an address.
	assert_equal "$(j '[.targets[0].probes[] | "\(.host) \(.address)"] | join(",")')" \
	    "mail.lab.test null,mx2.two-mx.test ::1"
	assert_equal "$(j '.targets[0].probes[0].error.phase')" resolve
	probe --mx --cafile "$NS_CA" --resolver 127.0.0.1 --first-address -4 two-mx.test
	assert_equal "$(j '[.targets[0].probes[] | "\(.host) \(.address)"] | join(",")')" \
	    "mail.lab.test $(ask_ns mail.lab.test A | head -n 1),mx2.two-mx.test 127.0.0.2"
	run "$PROBE" -4 -6 127.0.0.1
	assert_equal "$status" 2
	assert_output --partial "-4 and -6"
}

@test "--mx without MX: the domain itself, mx-missing" {
	in_ns
	probe --mx --cafile "$NS_CA" --resolver 127.0.0.1 no-mx.test
	assert_equal "$(ask_ns no-mx.test MX)" ""
	assert_equal "$(j '.targets[0].mx | "\(.records | length) \(.implicit) \(.null_mx)"')" "0 true false"
	assert_equal "$(j '[.targets[0].findings[] | "\(.id)/\(.severity)"] | join(" ")')" mx-missing/info
	assert_equal "$(p '"\(.host) \(.sni) \(.address) \(.port) \(.mode)"')" \
	    "no-mx.test no-mx.test $(ask_ns no-mx.test A) 25 starttls"
}

@test "no --resolver: the system's, from /etc/resolv.conf" {
	in_ns
	printf 'nameserver 127.0.0.1\n' >"$BATS_TEST_TMPDIR/resolv.conf"
	PROBE_PREFIX="nsenter -t $NS_PID -n unshare -m $ROOT/tests/helpers/resolv-conf $BATS_TEST_TMPDIR/resolv.conf"
	probe --mx --cafile "$NS_CA" -4 no-mx.test
	assert_equal "$(p .address)" 127.0.0.2
	assert_equal "$(p .outcome)" ok
}

@test "--mx: a null MX is probed nowhere" {
	probe --mx --resolver "$DNS_SERVER" null-mx.test
	assert_equal "$(ask null-mx.test MX)" "0 ."
	assert_equal "$(j '.targets[0].mx | "\(.records[0].preference) \(.records[0].host) \(.implicit) \(.null_mx)"')" \
	    "0 . false true"
	assert_equal "$(j '.targets[0].probes | length')" 0
	assert_equal "$(j '.targets[0].error')" null
	assert_equal "$(j '[.targets[0].findings[].id] | join(" ")')" null-mx
}

@test "--mx: a domain that does not exist fails with phase resolve and dns-failed" {
	run dig @127.0.0.1 -p "$DNS_PORT" nxdomain.test MX
	assert_output --partial "status: NXDOMAIN"
	probe --mx --resolver "$DNS_SERVER" --fail-on critical nxdomain.test
	assert_equal "$status" 1
	assert_equal "$(j '.targets[0].error | "\(.phase) \(.kind)"')" "resolve dns"
	assert_regex "$(j '.targets[0].error.message')" "nxdomain.test"
	assert_equal "$(j '.targets[0].mx')" null
	assert_equal "$(j '.targets[0].probes | length')" 0
	assert_equal "$(j '[.targets[0].findings[] | "\(.id)/\(.severity)"] | join(" ")')" dns-failed/critical
}

@test "--srv: submissions in implicit TLS, submission with STARTTLS, on the records' ports" {
	log=$SUITE_DIR/dns/unbound.log
	before=$(grep -c ' submit\.lab\.test\. A IN' "$log" || true)
	probe --srv --cafile "$LAB_CA" --resolver "$DNS_SERVER" submit.test
	# Both SRV records name submit.lab.test: one address lookup serves both.
	assert_equal "$(($(grep -c ' submit\.lab\.test\. A IN' "$log") - before))" 1
	for s in submissions submission; do
		assert_equal "$(j ".targets[0].srv.$s[] | \"\(.priority) \(.weight) \(.port) \(.target).\"")" \
		    "$(ask "_$s._tcp.submit.test" SRV)"
	done
	assert_equal "$(j '.targets[0].mx')" null
	assert_equal "$(j '[.targets[0].probes[] | "\(.host) \(.sni) \(.address) \(.port) \(.requested_mode) \(.mode) \(.outcome)"] | join(",")')" \
	    "submit.lab.test submit.lab.test 127.0.0.1 $LAB_PORT_SMTPS implicit implicit ok,submit.lab.test submit.lab.test 127.0.0.1 $LAB_PORT_SUBMISSION starttls starttls ok"
	# The lab's certificate names mail.lab.test, not the SRV target.
	assert_equal "$(j '[.targets[0].probes[].verification.hostname_match] | join(" ")')" "false false"
}

@test "--mx --srv together; an SRV target of '.' is not probed" {
	probe --mx --srv --cafile "$LAB_CA" --resolver "$DNS_SERVER" --connect-timeout 2 submit.test no-submit.test
	assert_equal "$(j '.targets[] | select(.host == "submit.test") | [.probes[] | "\(.host):\(.port)"] | join(" ")')" \
	    "mail.lab.test:25 mail.lab.test:25 submit.lab.test:$LAB_PORT_SMTPS submit.lab.test:$LAB_PORT_SUBMISSION"
	assert_equal "$(ask _submissions._tcp.no-submit.test SRV)" "0 0 0 ."
	assert_equal "$(j '.targets[] | select(.host == "no-submit.test") | [.srv[][] | .target] | join(" ")')" ". ."
	assert_equal "$(j '.targets[] | select(.host == "no-submit.test") | [.probes[].host] | unique | join(" ")')" mail.lab.test
}

@test "an MX record naming an address is no host name: not looked up" {
	probe --mx --resolver "$DNS_SERVER" bad-mx.test
	assert_equal "$(p '"\(.host) \(.sni) \(.address) \(.error.phase)"')" "127.0.0.9 null null resolve"
	assert_regex "$(p .error.message)" "is not a host name"
}

@test "a DNS server that never answers: other targets finish on time, the domain fails with phase resolve" {
	/usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    s.recvfrom(4096)' >"$BATS_TEST_TMPDIR/port" &
	silent=$!
	for _ in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/port" ] && break; sleep 0.1; done
	start=$(date +%s%N)
	set +e
	timeout 30 "$PROBE" --format ndjson --mx --resolver "127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")" \
	    --cafile "$LAB_CA" --connect-timeout 3 --timeout 5 \
	    two-mx.test "127.0.0.1:$LAB_PORT_MX" | while read -r line; do
		echo "$((($(date +%s%N) - start) / 1000000)) $line"
	done >"$BATS_TEST_TMPDIR/lines"
	set -e
	kill "$silent"
	first=$(sed -n 1p "$BATS_TEST_TMPDIR/lines")
	second=$(sed -n 2p "$BATS_TEST_TMPDIR/lines")
	# The lab target is written long before the lookup gives up.
	assert_equal "$(jq -r .host <<<"${first#* }")" "127.0.0.1:$LAB_PORT_MX"
	assert_equal "$(jq -r '.probes[0].outcome' <<<"${first#* }")" ok
	[ "${first%% *}" -lt 2000 ] || fail "the lab target took ${first%% *} ms"
	assert_equal "$(jq -r .host <<<"${second#* }")" two-mx.test
	assert_equal "$(jq -r '.error | "\(.phase) \(.kind)"' <<<"${second#* }")" "resolve timeout"
	assert_equal "$(jq -r '[.findings[].id] | join(" ")' <<<"${second#* }")" dns-failed
	# Its own deadline (--connect-timeout) with a margin.
	[ "${second%% *}" -ge 2500 ] && [ "${second%% *}" -lt 6000 ] ||
	    fail "the lookup gave up after ${second%% *} ms"
	"$VALIDATE" --ndjson <(cut -d' ' -f2- "$BATS_TEST_TMPDIR/lines")
}

@test "--mx -f: good, NXDOMAIN and null-MX lines, each reported at its index" {
	printf '%s\n' '# mail domains' two-mx.test nxdomain.test '' null-mx.test no-mx.test 'bad domain' \
	    >"$BATS_TEST_TMPDIR/domains"
	probe --mx --resolver "$DNS_SERVER" --connect-timeout 2 -f "$BATS_TEST_TMPDIR/domains"
	r() { j ".targets[] | select(.index == $1) | $2"; }
	assert_equal "$(j '[.targets[].index] | sort | join(" ")')" "0 1 2 3 4"
	assert_equal "$(r 0 .host)/$(r 0 '.mx.records | length')/$(r 0 '.probes | length')" two-mx.test/2/4
	assert_equal "$(r 1 .host)/$(r 1 .error.phase)/$(r 1 '[.findings[].id] | join(" ")')" nxdomain.test/resolve/dns-failed
	assert_equal "$(r 2 .host)/$(r 2 '.probes | length')/$(r 2 '[.findings[].id] | join(" ")')" null-mx.test/0/null-mx
	assert_equal "$(r 3 .host)/$(r 3 '[.findings[].id] | join(" ")')" no-mx.test/mx-missing
	assert_equal "$(r 4 .error.phase)" input
}

@test "--shard: N parts under GNU parallel are disjoint, and together are the whole run" {
	for i in $(seq 1 40); do echo "127.0.0.1:$((40000 + i))"; done >"$BATS_TEST_TMPDIR/targets"
	printf '%s\n' 'not a target' null-mx.test two-mx.test >>"$BATS_TEST_TMPDIR/targets"
	args=(--format ndjson --mx --resolver "$DNS_SERVER" --connect-timeout 2 -f "$BATS_TEST_TMPDIR/targets")
	"$PROBE" "${args[@]}" >"$BATS_TEST_TMPDIR/whole.ndjson" || [ $? -eq 1 ]
	parallel -j 4 "'$PROBE' ${args[*]} --shard {}/4 >'$BATS_TEST_TMPDIR/part{}.ndjson'" ::: 1 2 3 4 || true
	for k in 1 2 3 4; do
		"$VALIDATE" --ndjson "$BATS_TEST_TMPDIR/part$k.ndjson"
		[ -s "$BATS_TEST_TMPDIR/part$k.ndjson" ] || fail "part $k is empty"
	done
	key='"\(.index) \(.host) \([.probes[] | "\(.host)@\(.address):\(.port)"] | sort | join(","))"'
	whole=$(jq -r "$key" "$BATS_TEST_TMPDIR/whole.ndjson" | sort)
	union=$(cat "$BATS_TEST_TMPDIR"/part*.ndjson | jq -r "$key" | sort)
	assert_equal "$(wc -l <<<"$whole")" 43
	assert_equal "$union" "$whole"
	# Disjoint: no index in two parts.
	assert_equal "$(cat "$BATS_TEST_TMPDIR"/part*.ndjson | jq -r .index | sort | uniq -d)" ""
	# The merge of the README: sorted by index, it is the whole run.
	assert_equal "$(cat "$BATS_TEST_TMPDIR"/part*.ndjson | jq -s -c 'sort_by(.index) | map(.host)')" \
	    "$(jq -s -c 'sort_by(.index) | map(.host)' "$BATS_TEST_TMPDIR/whole.ndjson")"
	run "$PROBE" --shard 5/4 127.0.0.1
	assert_equal "$status" 2
	run "$PROBE" --shard 1 127.0.0.1
	assert_equal "$status" 2
}

@test "--progress: one redrawn line on stderr; silent by default when stderr is no terminal" {
	probe --cafile "$LAB_CA" -p "$LAB_PORT_MX" 127.0.0.1 127.0.0.1
	assert_equal "$(cat "$STDERR")" ""
	probe --progress --cafile "$LAB_CA" -p "$LAB_PORT_MX" 127.0.0.1 127.0.0.1
	run cat "$STDERR"
	assert_output --partial $'\r'
	assert_output --partial "smtp-probe: 2/2 targets"
	# On a terminal it is on by default, and --no-progress turns it off.
	run script -qec "'$PROBE' --format json -o /dev/null --cafile '$LAB_CA' -p '$LAB_PORT_MX' 127.0.0.1" /dev/null
	assert_output --partial "smtp-probe: 1/1 targets"
	run script -qec "'$PROBE' --no-progress --format json -o /dev/null --cafile '$LAB_CA' -p '$LAB_PORT_MX' 127.0.0.1" /dev/null
	refute_output --partial "targets"
}

@test "--resolver takes an address, never a name" {
	run "$PROBE" --resolver dns.example 127.0.0.1
	assert_equal "$status" 2
	assert_output --partial -- '--resolver "dns.example"'
	run "$PROBE" --resolver "[::1]:99999" 127.0.0.1
	assert_equal "$status" 2
}

@test "--format text shows the MX records and the host of each probe" {
	text_probe --mx --resolver "$DNS_SERVER" --connect-timeout 2 two-mx.test null-mx.test
	grep -q "mx  *10 mail.lab.test, 20 mx2.two-mx.test" "$TEXT" || fail "$(cat "$TEXT")"
	grep -q "port 25 mail.lab.test (127.0.0.2)" "$TEXT" || fail "$(cat "$TEXT")"
	grep -q "info     null-mx" "$TEXT" || fail "$(cat "$TEXT")"
}
