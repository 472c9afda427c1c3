#!/usr/bin/env bash
# dns.sh - a real DNS server for the tests: Debian's unbound, answering a
# test zone from local-data on 127.0.0.1 only, never asking anyone else.
#
#   tests/servers/dns.sh start DIR   DIR: an empty directory
#   tests/servers/dns.sh stop DIR    safe to repeat
#
# Environment: DNS_PORT (default 53: inside a network namespace of its
# own), the lab's LAB_PORT_SUBMISSION and LAB_PORT_SMTPS, which the SRV
# records name, DNS_INCLUDE, a file of more local-data lines (the
# benchmark's domains), and DNS_LOG_QUERIES (default yes: each query a line
# of DIR/unbound.log; the benchmark says no). start writes DIR/dns.env
# (DNS_PORT, DNS_SERVER) once unbound answers. The zone (every name under .test, RFC 2606):
#
#   two-mx.test        MX 10 mail.lab.test, MX 20 mx2.two-mx.test
#   mail.lab.test      A 127.0.0.2, A 127.0.0.3 (the lab's port 25 with and
#                      without STARTTLS, inside tests/dns.bats' namespace)
#   mx2.two-mx.test    A 127.0.0.2, AAAA ::1
#   no-mx.test         A 127.0.0.2, no MX
#   null-mx.test       MX 0 . (RFC 7505)
#   submit.test        MX 10 mail.lab.test; _submissions._tcp SRV to the
#                      lab's implicit-TLS port, _submission._tcp SRV to its
#                      submission port, both at submit.lab.test (127.0.0.1)
#   no-submit.test     _submissions._tcp and _submission._tcp SRV "." (RFC
#                      6186: not offered), MX 10 mail.lab.test
#   bad-mx.test        MX 10 at an address literal's name, 127.0.0.9.
# With STS_HTTPS_ADDR (tests/servers/https.sh's address), the MTA-STS
# domains of tests/mta-sts.bats too (policies in tests/servers/mta-sts/),
# each with MX 10 localhost. (the lab's certificate is valid for that
# name), mta-sts.DOMAIN at STS_HTTPS_ADDR and _mta-sts.DOMAIN TXT
# "v=STSv1; id=..." (sts_zone below says which has what: a second MX, an
# MX the policy omits, TLS-RPT, two records, no policy host, no record).
# Any other name does not exist (NXDOMAIN).
set -euo pipefail

die() { echo "dns.sh: $*" >&2; exit 1; }

# shellcheck source=tests/servers/unbound.bash
. "$(dirname "${BASH_SOURCE[0]}")/unbound.bash"

zone() {
	local sub=${LAB_PORT_SUBMISSION:?} smtps=${LAB_PORT_SMTPS:?}
	cat <<EOF
	local-data: "two-mx.test. 300 IN MX 10 mail.lab.test."
	local-data: "two-mx.test. 300 IN MX 20 mx2.two-mx.test."
	local-data: "mail.lab.test. 300 IN A 127.0.0.2"
	local-data: "mail.lab.test. 300 IN A 127.0.0.3"
	local-data: "mx2.two-mx.test. 300 IN A 127.0.0.2"
	local-data: "mx2.two-mx.test. 300 IN AAAA ::1"
	local-data: "no-mx.test. 300 IN A 127.0.0.2"
	local-data: "null-mx.test. 300 IN MX 0 ."
	local-data: "submit.test. 300 IN MX 10 mail.lab.test."
	local-data: "_submissions._tcp.submit.test. 300 IN SRV 0 1 $smtps submit.lab.test."
	local-data: "_submission._tcp.submit.test. 300 IN SRV 0 1 $sub submit.lab.test."
	local-data: "submit.lab.test. 300 IN A 127.0.0.1"
	local-data: "no-submit.test. 300 IN MX 10 mail.lab.test."
	local-data: "_submissions._tcp.no-submit.test. 300 IN SRV 0 0 0 ."
	local-data: "_submission._tcp.no-submit.test. 300 IN SRV 0 0 0 ."
	local-data: "bad-mx.test. 300 IN MX 10 127.0.0.9."
	local-data: "127.0.0.9. 300 IN A 127.0.0.9"
EOF
}

# sts_zone - the MTA-STS domains, when STS_HTTPS_ADDR is set
sts_zone() {
	local a=${STS_HTTPS_ADDR:-} d
	[[ -n $a ]] || return 0
	for d in enforce testing omits nomatch malformed redirect wrongtype \
	    twotxt nohost plain; do
		[[ $d == nomatch ]] ||
		    echo "	local-data: \"$d.test. 300 IN MX 10 localhost.\""
		[[ $d == nohost || $d == plain ]] ||
		    echo "	local-data: \"mta-sts.$d.test. 300 IN A $a\""
		[[ $d == plain || $d == enforce ]] ||
		    echo "	local-data: '_mta-sts.$d.test. 300 IN TXT \"v=STSv1; id=${d}1\"'"
	done
	cat <<EOF
	local-data: '_mta-sts.enforce.test. 300 IN TXT "v=STSv1; " "id=20261130T000000Z"'
	local-data: '_mta-sts.enforce.test. 300 IN TXT "v=spf1 -all"'
	local-data: '_mta-sts.twotxt.test. 300 IN TXT "v=STSv1; id=second"'
	local-data: '_smtp._tls.twotxt.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:a@twotxt.test"'
	local-data: '_smtp._tls.twotxt.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:b@twotxt.test"'
	local-data: '_smtp._tls.enforce.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@enforce.test,https://tlsrpt.enforce.test/v1"'
	local-data: '_smtp._tls.omits.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@omits.test"'
	local-data: '_smtp._tls.malformed.test. 300 IN TXT "v=TLSRPTv1; rua=ftp://x.test"'
	local-data: "testing.test. 300 IN MX 20 mx2.testing.test."
	local-data: "mx2.testing.test. 300 IN A 127.0.0.1"
	local-data: "omits.test. 300 IN MX 20 backup.omits.test."
	local-data: "backup.omits.test. 300 IN A 127.0.0.1"
	local-data: "nomatch.test. 300 IN MX 10 backup.omits.test."
EOF
}

cmd_start() {
	local dir port=${DNS_PORT:-53} pid
	[[ -d $1 ]] || die "$1: not a directory"
	dir=$(realpath -- "$1")
	cat >"$dir/unbound.conf" <<EOF
$(unbound_server "$dir" "$port")
	module-config: "iterator"
	# The records in the order written, every time (dig sees the same).
	rrset-roundrobin: no
	# Each query a line of unbound.log, for tests that count lookups.
	log-queries: ${DNS_LOG_QUERIES:-yes}
	# Nothing leaves the machine: a name without data does not exist.
	local-zone: "." static
$(zone)
$(sts_zone)
$([[ -z ${DNS_INCLUDE:-} ]] || echo "	include: \"$DNS_INCLUDE\"")
remote-control:
	control-enable: no
EOF
	unbound-checkconf "$dir/unbound.conf" >/dev/null || die "bad config"
	unbound -d -c "$dir/unbound.conf" >"$dir/unbound.out" 2>&1 &
	pid=$!
	echo "$pid" >"$dir/dns.pid"
	for _ in $(seq 100); do
		if dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" \
		    two-mx.test MX 2>/dev/null | grep -q mail.lab.test; then
			printf "DNS_PORT='%s'\nDNS_SERVER='127.0.0.1:%s'\n" \
			    "$port" "$port" >"$dir/dns.env"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$dir/unbound.out" "$dir/unbound.log" >&2 2>/dev/null || true
	kill "$pid" 2>/dev/null || true
	die "unbound did not answer on port $port"
}

cmd_stop() {
	stop_pid "$1/dns.pid"
	rm -f "$1/dns.env"
}

case ${1:-}/$# in
start/2) cmd_start "$2" ;;
stop/2) cmd_stop "$2" ;;
*) die "usage: $0 start|stop DIR" ;;
esac
