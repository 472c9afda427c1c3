#!/usr/bin/env bash
# dnssec.sh - a DNSSEC-signed test zone for the tests: Debian's knot as the
# authoritative server (it signs the zone itself at load), behind Debian's
# unbound as a validating resolver whose trust anchor is that zone's key.
# Both on 127.0.0.1 only; nothing is ever asked of anyone else.
#
#   tests/servers/dnssec.sh start DIR   DIR: an empty directory
#   tests/servers/dnssec.sh stop DIR    safe to repeat
#
# Environment: DNSSEC_PORT (the resolver's port, default 53), and
# DNSSEC_ZONE_FILE, a file of more records for the signed zone lab.test
# (zone-file lines, owner names under lab.test: TLSA, MX, TXT, A, ...).
# start writes DIR/dnssec.env (DNSSEC_PORT, DNSSEC_SERVER, DNSSEC_AUTH_PORT)
# once unbound answers with the AD bit for the signed zone. The zones:
#
#   lab.test       signed (ECDSA P-256, one key), the resolver's trust
#                  anchor: answers are "secure" (AD set).
#                  mail.lab.test and other.lab.test A 127.0.0.1
#   bogus.test     signed by knot, but the resolver is given another key
#                  as its anchor: every answer fails validation (SERVFAIL;
#                  with CD set the data comes back). mail.bogus.test A
#                  127.0.0.1, and whatever DNSSEC_BOGUS_LINES holds.
#   insecure.test  unsigned, outside any anchor: "insecure" (no AD).
#                  mail.insecure.test A 127.0.0.1, and DNSSEC_INSECURE_LINES.
#   dead.test      delegated to a port nobody answers: SERVFAIL with and
#                  without CD.
# Any other name does not exist (NXDOMAIN from the resolver itself).
set -euo pipefail

die() { echo "dnssec.sh: $*" >&2; exit 1; }

# shellcheck source=tests/servers/unbound.bash
. "$(dirname "${BASH_SOURCE[0]}")/unbound.bash"

# zone ORIGIN [EXTRA...] - a zone file: SOA, NS, and the lines given
zone() {
	local origin=$1
	shift
	printf '%s\n' "\$ORIGIN $origin." "\$TTL 300" \
	    "@ SOA ns.$origin. hostmaster.$origin. 1 3600 600 86400 300" \
	    "@ NS ns.$origin." "ns A 127.0.0.1" "$@"
}

knot_conf() {
	local dir=$1 port=$2
	cat <<EOF
server:
    rundir: "$dir"
    listen: 127.0.0.1@$port
log:
  - target: "$dir/knot.log"
    any: info
database:
    storage: "$dir/knot-db"
control:
    listen: "$dir/knot.sock"
policy:
  - id: test
    algorithm: ecdsap256sha256
    single-type-signing: on
template:
  - id: default
    storage: "$dir/zones"
    file: "%s.zone"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: lab.test
    dnssec-signing: on
    dnssec-policy: test
  - domain: bogus.test
    dnssec-signing: on
    dnssec-policy: test
  - domain: insecure.test
EOF
}

unbound_conf() {
	local dir=$1 port=$2 kport=$3 anchor=$4 wrong=$5 dead=$6 z at
	cat <<EOF
$(unbound_server "$dir" "$port")
	module-config: "validator iterator"
	do-not-query-localhost: no
	val-log-level: 2
	# A test must see each change of the zone at once.
	cache-max-ttl: 0
	cache-max-negative-ttl: 0
	# Nothing leaves the machine: names outside the test zones do not
	# exist; the test zones themselves go to knot (transparent).
	local-zone: "." static
	trust-anchor: "$anchor"
	trust-anchor: "$wrong"
	domain-insecure: "insecure.test."
	domain-insecure: "dead.test."
	# Every query is logged: tests count the TLSA queries asked.
	log-queries: yes
EOF
	for z in lab.test bogus.test insecure.test dead.test; do
		printf '\tlocal-zone: "%s." transparent\n' "$z"
	done
	for z in lab.test bogus.test insecure.test dead.test; do
		at=$kport
		[[ $z != dead.test ]] || at=$dead
		printf 'stub-zone:\n\tname: "%s."\n\tstub-addr: 127.0.0.1@%s\n' \
		    "$z" "$at"
	done
	printf 'remote-control:\n\tcontrol-enable: no\n'
}

# free_port - a UDP and TCP port nobody listens on, near base
free_port() {
	local p=$1
	while ss -Hlntu "sport = :$p" | grep -q .; do
		p=$((p + 1))
	done
	echo "$p"
}

# dnskey DIR ZONE PORT - the zone's DNSKEY records, once knot signed it
dnskey() {
	local out
	for _ in $(seq 100); do
		out=$(kdig +short +time=1 +retry=0 @127.0.0.1 -p "$3" "$2" \
		    DNSKEY 2>/dev/null || true)
		[[ -n $out ]] && { echo "$out"; return 0; }
		sleep 0.1
	done
	cat "$1/knot.log" >&2 2>/dev/null || true
	die "knot did not publish a DNSKEY for $2"
}

start_knot() {
	local dir=$1 kport=$2
	mkdir -p "$dir/zones" "$dir/knot-db"
	zone lab.test "mail A 127.0.0.1" "other A 127.0.0.1" \
	    >"$dir/zones/lab.test.zone"
	[[ -z ${DNSSEC_ZONE_FILE:-} ]] ||
	    cat -- "$DNSSEC_ZONE_FILE" >>"$dir/zones/lab.test.zone"
	zone bogus.test "mail A 127.0.0.1" "${DNSSEC_BOGUS_LINES:-}" \
	    >"$dir/zones/bogus.test.zone"
	zone insecure.test "mail A 127.0.0.1" "${DNSSEC_INSECURE_LINES:-}" \
	    >"$dir/zones/insecure.test.zone"
	knot_conf "$dir" "$kport" >"$dir/knot.conf"
	knotc -c "$dir/knot.conf" conf-check >/dev/null || die "bad knot config"
	knotd -c "$dir/knot.conf" >"$dir/knot.out" 2>&1 &
	echo $! >"$dir/knot.pid"
}

cmd_start() {
	local dir port=${DNSSEC_PORT:-53} kport dead anchor wrong pid tries=0
	[[ -d $1 ]] || die "$1: not a directory"
	dir=$(realpath -- "$1")
	kport=$(free_port $((port + 1)))
	dead=$(free_port $((kport + 1)))
	start_knot "$dir" "$kport"
	# The anchor for bogus.test is lab.test's key: knot signed bogus.test
	# with a key of its own, so nothing there validates.
	anchor=$(dnskey "$dir" lab.test "$kport" | head -n 1)
	dnskey "$dir" bogus.test "$kport" >/dev/null
	wrong="bogus.test. DNSKEY $anchor"
	anchor="lab.test. DNSKEY $anchor"
	unbound_conf "$dir" "$port" "$kport" "$anchor" "$wrong" "$dead" \
	    >"$dir/unbound.conf"
	unbound-checkconf "$dir/unbound.conf" >/dev/null || die "bad config"
	unbound -d -c "$dir/unbound.conf" >"$dir/unbound.out" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/unbound.pid.own"
	# Ready when it validates: the AD bit on an answer from lab.test.
	until dig +dnssec +time=1 +tries=1 @127.0.0.1 -p "$port" \
	    mail.lab.test A 2>/dev/null | grep -q 'flags:.* ad'; do
		if ! kill -0 "$pid" 2>/dev/null || ((++tries > 100)); then
			cat "$dir/unbound.out" "$dir/unbound.log" >&2 || true
			die "unbound did not validate lab.test on port $port"
		fi
		sleep 0.1
	done
	printf "%s='%s'\n" DNSSEC_PORT "$port" DNSSEC_SERVER "127.0.0.1:$port" \
	    DNSSEC_AUTH_PORT "$kport" >"$dir/dnssec.env"
}

cmd_stop() {
	stop_pid "$1/unbound.pid.own"
	stop_pid "$1/knot.pid"
	rm -f "$1/dnssec.env"
}

[[ $# == 2 && ($1 == start || $1 == stop) ]] ||
    die "usage: $0 start|stop DIR"
"cmd_$1" "$2"
