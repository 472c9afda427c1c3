#!/usr/bin/env bats
# --mta-sts (RFC 8461) and TLS-RPT (RFC 8460) against real servers: the
# suite's unbound answers the test domains' _mta-sts and _smtp._tls TXT
# records and their MX records (MX host localhost, the lab Postfix on its
# MX port, whose certificate is valid for that name; other MX hosts at the
# same address, with names the certificate does not hold), and nginx
# (tests/servers/https.sh) serves their policies from tests/servers/mta-sts/
# on a random 127.x.y.z with a certificate from the lab's CA. DANE's part in
# tls-rpt-missing uses the signed zone of tests/servers/dnssec.sh (knot
# behind a validating unbound). Expected values come from dig and curl,
# asked of the same servers.

setup() {
	load helpers/common
	load helpers/dnssec
	# shellcheck disable=SC1091
	. "$SUITE_DIR/https/https.env"
}

teardown() {
	[ ! -d "$BATS_TEST_TMPDIR/dnssec" ] || dnssec_stop "$BATS_TEST_TMPDIR/dnssec"
	[ -z "${SILENT_PID:-}" ] || kill "$SILENT_PID" 2>/dev/null || true
	[ ! -d "$BATS_TEST_TMPDIR/dns" ] ||
	    "$BATS_TEST_DIRNAME/servers/dns.sh" stop "$BATS_TEST_TMPDIR/dns"
	[ ! -d "$BATS_TEST_TMPDIR/https" ] ||
	    "$BATS_TEST_DIRNAME/servers/https.sh" stop "$BATS_TEST_TMPDIR/https"
}

# own_dns ADDR - a DNS server of this test (the suite's zone) whose
# mta-sts.DOMAIN names point at ADDR: TEST_DNS
own_dns() {
	mkdir -p "$BATS_TEST_TMPDIR/dns"
	for _ in 1 2 3 4 5; do
		DNS_PORT=$((20000 + (RANDOM % 120) * 100 + 95)) \
		    LAB_PORT_SUBMISSION=$LAB_PORT_SUBMISSION \
		    LAB_PORT_SMTPS=$LAB_PORT_SMTPS STS_HTTPS_ADDR=$1 \
		    "$BATS_TEST_DIRNAME/servers/dns.sh" start \
		    "$BATS_TEST_TMPDIR/dns" >/dev/null 2>&1 && break
	done
	TEST_DNS=$(. "$BATS_TEST_TMPDIR/dns/dns.env" && echo "$DNS_SERVER")
}

# silent_policies - a listener that accepts on port 443 of a random
# 127.x.y.z and never says a word, where own_dns points the policy hosts
silent_policies() {
	local addr
	for _ in 1 2 3 4 5; do
		addr=127.$((RANDOM % 254 + 1)).$((RANDOM % 254 + 1)).$((RANDOM % 254 + 1))
		/usr/bin/python3 -c 'import socket, sys, time
s = socket.socket()
s.bind((sys.argv[1], 443))
s.listen(64)
print("up", flush=True)
held = [s.accept()[0] for _ in range(64)]
time.sleep(600)' "$addr" >"$BATS_TEST_TMPDIR/silent.out" 2>&1 3>&- &
		SILENT_PID=$!
		for _ in $(seq 50); do
			grep -q up "$BATS_TEST_TMPDIR/silent.out" && break
			kill -0 "$SILENT_PID" 2>/dev/null || break
			sleep 0.1
		done
		grep -q up "$BATS_TEST_TMPDIR/silent.out" && break
	done
	own_dns "$addr"
}

# own_policies - this test's nginx (tests/servers/https.sh) serving the
# policies the test put in $BATS_TEST_TMPDIR/https/policies, where own_dns
# points every policy host (its certificate names only those domains')
own_policies() {
	HTTPS_CA_CERT=$LAB_CA HTTPS_CA_KEY=$LAB_DIR/pki/root.key \
	    "$BATS_TEST_DIRNAME/servers/https.sh" start "$BATS_TEST_TMPDIR/https"
	own_dns "$(. "$BATS_TEST_TMPDIR/https/https.env" && echo "$HTTPS_ADDR")"
}

# sts_probe DOMAIN... - probe the domains' MX hosts on the lab's MX port
sts_probe() {
	probe --mx --mta-sts -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNS_SERVER" "$@"
}

# t JQ [N] - a value of the target given N-th (default 0; targets are
# written as they finish)
t() {
	jq -r --argjson n "${2:-0}" ".targets[] | select(.index == \$n) | $1" \
	    "$REPORT"
}

# served DOMAIN - the policy nginx serves for DOMAIN, as curl gets it
served() {
	curl -s --cacert "$LAB_CA" --resolve "mta-sts.$1:443:$HTTPS_ADDR" \
	    "https://mta-sts.$1/.well-known/mta-sts.txt" | tr -d '\r'
}

# answer DOMAIN WHAT - curl's -w WHAT for DOMAIN's policy URL, in $output
answer() {
	run curl -s -o /dev/null -w "$2" --cacert "$LAB_CA" \
	    --resolve "mta-sts.$1:443:$HTTPS_ADDR" \
	    "https://mta-sts.$1/.well-known/mta-sts.txt"
}

# txt NAME - the TXT records of NAME, each one's strings joined, by dig
txt() {
	dig +short @127.0.0.1 -p "$DNS_PORT" "$1" TXT |
	    sed -e 's/" "//g' -e 's/^"//' -e 's/"$//'
}

# ids JQ - the ids and severities of the findings at JQ, one line
ids() {
	t "[$1[] | select(.id | test(\"mta-sts|tls-rpt\")) | .id + \"/\" + .severity] | join(\" \")"
}

@test "enforce: the record, the policy as served, every MX passes" {
	sts_probe enforce.test
	assert_equal "$(t .mta_sts.txt)" "$(txt _mta-sts.enforce.test | grep '^v=STSv1;')"
	assert_equal "$(t .mta_sts.txt)" "v=STSv1; id=20261130T000000Z"
	assert_equal "$(t .mta_sts.policy_url)" \
	    "https://mta-sts.enforce.test/.well-known/mta-sts.txt"
	assert_equal "$(t .mta_sts.policy.version)" "$(served enforce.test | sed -n 's/^version: *//p')"
	assert_equal "$(t .mta_sts.policy.mode)" enforce
	assert_equal "$(t '.mta_sts.policy.mx | join(",")')" \
	    "$(served enforce.test | sed -n 's/^mx: *//p' | paste -sd,)"
	assert_equal "$(t .mta_sts.policy.max_age)" \
	    "$(served enforce.test | sed -n 's/^max_age: *//p')"
	assert_equal "$(t .mta_sts.policy.max_age)" 86400
	assert_equal "$(t .mta_sts.error)" null
	assert_equal "$(t '[.probes[] | .host + "=" + (.mta_sts_match | tostring)] | join(" ")')" \
	    "localhost=true"
	assert_equal "$(ids .findings)" ""
	assert_equal "$(ids '.probes[].findings')" ""
}

@test "TLS-RPT: the record and its rua URIs, as dig sees them" {
	sts_probe enforce.test
	assert_equal "$(t .tls_rpt.txt)" "$(txt _smtp._tls.enforce.test)"
	assert_equal "$(t '.tls_rpt.rua | join(" ")')" \
	    "mailto:tlsrpt@enforce.test https://tlsrpt.enforce.test/v1"
	assert_equal "$(t .tls_rpt.error)" null
}

@test "testing: a wildcard MX whose certificate fails is a warning" {
	sts_probe testing.test
	assert_equal "$(t .mta_sts.policy.mode)" testing
	assert_equal "$(t '.mta_sts.policy.mx | join(",")')" \
	    "$(served testing.test | sed -n 's/^mx: *//p' | paste -sd,)"
	assert_equal "$(t .mta_sts.policy.max_age)" 604800
	assert_equal "$(t '[.probes[] | .host + "=" + (.mta_sts_match | tostring)] | join(" ")')" \
	    "localhost=true mx2.testing.test=false"
	# The wildcard matched: the certificate is what fails.
	assert_equal "$(t '.probes[1].verification.hostname_match')" false
	assert_equal "$(ids '.probes[1].findings')" "mta-sts-mismatch/warning"
	assert_equal "$(ids '.probes[0].findings')" ""
	assert_equal "$(t '.probes[1].findings[] | select(.id == "mta-sts-mismatch") | .message')" \
	    "mx2.testing.test matches the MTA-STS policy's mx pattern *.testing.test, but its certificate is not valid for its name: in mode testing, senders deliver to it and report the failure. Serve a certificate from a public CA valid for mx2.testing.test."
	# No _smtp._tls record at all.
	[ -z "$(txt _smtp._tls.testing.test)" ]
	assert_equal "$(t .tls_rpt.txt)" null
	assert_equal "$(ids .findings)" "tls-rpt-missing/info"
}

@test "enforce: an MX the policy omits is critical, the listed one passes" {
	sts_probe omits.test
	assert_equal "$(t .mta_sts.policy.mode)" enforce
	assert_equal "$(t '.mta_sts.policy.mx | join(",")')" localhost
	assert_equal "$(t .mta_sts.policy.max_age)" 31557600
	assert_equal "$(t '[.probes[] | .host + "=" + (.mta_sts_match | tostring)] | join(" ")')" \
	    "localhost=true backup.omits.test=false"
	assert_equal "$(ids '.probes[1].findings')" "mta-sts-mismatch/critical"
	assert_equal "$(t '.probes[1].status')" critical
	assert_equal "$(t '.probes[1].findings[] | select(.id == "mta-sts-mismatch") | .message')" \
	    "backup.omits.test matches none of the MTA-STS policy's mx patterns (localhost): in mode enforce, senders that apply the policy will not deliver to it. Add it to the policy's mx lines (and change the policy's id), or remove it from the MX records."
	assert_equal "$(t '.tls_rpt.rua | join(" ")')" "mailto:tlsrpt@omits.test"
	assert_equal "$(ids .findings)" ""
}

@test "a malformed policy: no policy, mta-sts-invalid, no match either way" {
	sts_probe malformed.test
	served malformed.test | grep -qx 'mode: sometimes'
	assert_equal "$(t .mta_sts.txt)" "v=STSv1; id=malformed1"
	assert_equal "$(t .mta_sts.policy)" null
	assert_equal "$(t .mta_sts.error)" \
	    "the policy is bad: the mode is \"sometimes\", not enforce, testing or none"
	assert_equal "$(t '[.probes[].mta_sts_match] | map(tostring) | join(" ")')" null
	assert_equal "$(ids .findings)" "mta-sts-invalid/warning tls-rpt-missing/info"
	# Its TLS-RPT record names an ftp: URI: not a reporting address.
	assert_equal "$(t '.tls_rpt.rua | length')" 0
	assert_equal "$(t .tls_rpt.error)" \
	    "the TXT record of _smtp._tls.malformed.test is bad: rua \"ftp://x.test\" is not a mailto: or https: URI"
}

@test "a redirect is refused, never followed" {
	# The server does redirect, to a valid policy.
	answer redirect.test '%{http_code} %{redirect_url}'
	assert_output "301 https://mta-sts.enforce.test/.well-known/mta-sts.txt"
	sts_probe redirect.test
	assert_equal "$(t .mta_sts.policy)" null
	assert_equal "$(t .mta_sts.error)" \
	    "https://mta-sts.redirect.test/.well-known/mta-sts.txt answered 301, a redirect, which RFC 8461 3.3 forbids following"
	assert_equal "$(ids .findings)" "mta-sts-invalid/warning tls-rpt-missing/info"
	assert_equal "$(t '.probes[0].mta_sts_match')" null
}

@test "a policy that is not text/plain is refused" {
	answer wrongtype.test '%{http_code} %{content_type}'
	assert_output "200 text/html"
	sts_probe wrongtype.test
	assert_equal "$(t .mta_sts.policy)" null
	assert_equal "$(t .mta_sts.error)" \
	    "the policy's Content-Type is \"text/html\", not text/plain"
}

@test "two v=STSv1 records, two v=TLSRPTv1 records: none is used, nothing is fetched" {
	assert_equal "$(txt _mta-sts.twotxt.test | grep -c '^v=STSv1;')" 2
	sts_probe twotxt.test
	assert_equal "$(t .mta_sts.txt)" null
	assert_equal "$(t .mta_sts.policy)" null
	assert_equal "$(t .mta_sts.error)" \
	    "_mta-sts.twotxt.test: 2 TXT records begin with \"v=STSv1;\": there must be exactly one"
	assert_equal "$(ids .findings)" "mta-sts-invalid/warning"
	# The same rule for TLS-RPT (RFC 8460 3): two records, none is used.
	assert_equal "$(txt _smtp._tls.twotxt.test | grep -c '^v=TLSRPTv1;')" 2
	assert_equal "$(t '.tls_rpt | [.txt, (.rua | length)] | map(tostring) | join(" ")')" "null 0"
	assert_equal "$(t .tls_rpt.error)" \
	    "_smtp._tls.twotxt.test: 2 TXT records begin with \"v=TLSRPTv1;\": there must be exactly one"
}

@test "a record without a policy host: mta-sts-invalid" {
	run dig +short @127.0.0.1 -p "$DNS_PORT" mta-sts.nohost.test A
	assert_output ""
	sts_probe nohost.test
	assert_equal "$(t .mta_sts.error)" \
	    "the policy cannot be fetched: the name mta-sts.nohost.test does not resolve: Domain name not found"
	assert_equal "$(ids .findings)" "mta-sts-invalid/warning tls-rpt-missing/info"
}

@test "a domain without MTA-STS: nulls and no finding" {
	[ -z "$(txt _mta-sts.plain.test)" ]
	sts_probe plain.test
	assert_equal "$(t '.mta_sts | [.txt, .policy, .error] | map(tostring) | join(" ")')" \
	    "null null null"
	assert_equal "$(t '.probes[0].mta_sts_match')" null
	assert_equal "$(t '.probes[0].status')" ok
	assert_equal "$(ids .findings)" ""
}

@test "the policy's certificate is verified: the system store does not know the lab's CA" {
	probe --mx --mta-sts -4 -p "$LAB_PORT_MX" --resolver "$DNS_SERVER" \
	    enforce.test
	assert_equal "$(t .mta_sts.policy)" null
	[[ $(t .mta_sts.error) == "fetching https://mta-sts.enforce.test/.well-known/mta-sts.txt failed: "* ]] ||
	    fail "error: $(t .mta_sts.error)"
	assert_equal "$(ids .findings)" "mta-sts-invalid/warning"
}

@test "many domains at once, -j 1 and ndjson: each its own policy and verdicts" {
	REPORT=$BATS_TEST_TMPDIR/report.ndjson
	run timeout 60 "$PROBE" --format ndjson -j 1 --mx --mta-sts -4 \
	    -p "$LAB_PORT_MX" --cafile "$LAB_CA" --resolver "$DNS_SERVER" \
	    plain.test omits.test enforce.test testing.test redirect.test
	assert_success
	echo "$output" >"$REPORT"
	"$VALIDATE" --ndjson "$REPORT"
	run jq -rs 'sort_by(.index)[] | .host + " " + (.mta_sts.policy.mode // "-") + " " + ([.probes[].mta_sts_match | tostring] | join(","))' "$REPORT"
	assert_output "plain.test - null
omits.test enforce true,false
enforce.test enforce true
testing.test testing true,false
redirect.test - null"
}

@test "text: the record, the policy and each MX's verdict" {
	text_probe --mx --mta-sts -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNS_SERVER" omits.test
	grep -qx '         mta-sts   v=STSv1; id=omits1' "$TEXT"
	grep -qx '                   policy mode enforce, max_age 31557600, mx localhost' "$TEXT"
	grep -qx '         tls-rpt   v=TLSRPTv1; rua=mailto:tlsrpt@omits.test' "$TEXT"
	assert_equal "$(grep -c "passes the domain's policy" "$TEXT")" 1
	assert_equal "$(grep -c "fails the domain's policy" "$TEXT")" 1
}

@test "without --mta-sts nothing of it is looked up or reported" {
	probe --mx -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNS_SERVER" omits.test
	assert_equal "$(t 'has("mta_sts") or has("tls_rpt")')" false
	assert_equal "$(t '[.probes[] | has("mta_sts_match")] | any')" false
}

@test "--all-checks with --mx includes --mta-sts" {
	probe --all-checks --mx -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNS_SERVER" enforce.test
	assert_equal "$(t .mta_sts.policy.mode)" enforce
	assert_equal "$(t '.probes[0].mta_sts_match')" true
}

@test "a policy server that never answers: the fetch ends at --timeout" {
	silent_policies
	probe --mx --mta-sts -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$TEST_DNS" --timeout 2 enforce.test
	[[ $(t .mta_sts.error) =~ ^"fetching https://mta-sts.enforce.test/.well-known/mta-sts.txt failed: ".*" timed out after "([0-9]+)" milliseconds"$ ]] ||
	    fail "error: $(t .mta_sts.error)"
	assert_equal "$(ids .findings)" "mta-sts-invalid/warning"
	# The MX probe itself was done long before; it waited for the policy.
	assert_equal "$(t '.probes[0].outcome')" ok
	# libcurl's own clock says when the fetch gave up, the tool's when the
	# run ended. Only lower bounds are load-proof: the fetch held out the 2
	# s of --timeout, and the run lasted at least as long. Which timeout
	# ended it is told by the bound above: a fetch left to the default
	# --timeout of 30 s, or ended by anything but its own timer (the silent
	# server holds on for 600 s), would say 30000 ms or more.
	fetch_ms=${BASH_REMATCH[1]}
	run_ms=$(jq .duration_ms "$REPORT")
	[ "$fetch_ms" -ge 2000 ] && [ "$fetch_ms" -lt 30000 ] ||
	    fail "the fetch gave up after $fetch_ms ms"
	[ "$run_ms" -ge "$fetch_ms" ] && [ "$run_ms" -lt 30000 ] ||
	    fail "the run took $run_ms ms, the fetch $fetch_ms ms"
}

@test "DANE alone makes TLS-RPT expected: tls-rpt-missing names DANE" {
	# lab.test: signed, MX mail.lab.test with a secure 3 1 1 of the lab's
	# leaf on the MX port, no _mta-sts and no _smtp._tls record.
	dnssec_start "$BATS_TEST_TMPDIR/dnssec"
	[ -z "$(dig +short @127.0.0.1 -p "$DNSSEC_PORT" _mta-sts.lab.test TXT)" ]
	[ -z "$(dig +short @127.0.0.1 -p "$DNSSEC_PORT" _smtp._tls.lab.test TXT)" ]
	dig +dnssec @127.0.0.1 -p "$DNSSEC_PORT" \
	    "_$LAB_PORT_MX._tcp.mail.lab.test" TLSA | grep -q 'flags:.* ad[ ;]'
	probe --mx --mta-sts --dane -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNSSEC_SERVER" lab.test
	assert_equal "$(t '.mta_sts | [.txt, .policy] | map(tostring) | join(" ")')" "null null"
	assert_equal "$(t '.probes[0].dane | "\(.dnssec) \(.records | length)"')" "secure 1"
	assert_equal "$(ids .findings)" "tls-rpt-missing/info"
	[[ $(t '.findings[] | select(.id == "tls-rpt-missing") | .message') == "lab.test uses DANE without a valid TLS-RPT record: "* ]] ||
	    fail "message: $(t '.findings[].message')"
	# The same domain without --dane: nothing is in use, nothing expected.
	probe --mx --mta-sts -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNSSEC_SERVER" lab.test
	assert_equal "$(ids .findings)" ""
}

@test "interrupted while a policy fetch waits: a complete, valid report" {
	silent_policies
	REPORT=$BATS_TEST_TMPDIR/int.json
	set +e
	timeout -k 5 --preserve-status -s INT 1 "$PROBE" --format json --mx \
	    --mta-sts -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$TEST_DNS" --timeout 20 enforce.test testing.test \
	    >"$REPORT" 2>"$BATS_TEST_TMPDIR/stderr"
	status=$?
	set -e
	assert_equal "$status" 130
	"$VALIDATE" "$REPORT"
	assert_equal "$(jq -c '[.interrupted, (.targets | length)]' "$REPORT")" "[true,0]"
}

@test "64 KiB at most: a larger policy is refused, unknown keys below it ignored" {
	mkdir -p "$BATS_TEST_TMPDIR/https/policies"
	# 60000 and 70000 bytes: the RFC's keys, then an unknown one many times.
	for d in enforce.test:60000 omits.test:70000; do
		{
			printf 'version: STSv1\nmode: enforce\nmx: localhost\nmax_age: 600\n'
			yes 'x-note: padding that senders ignore' | head -c "${d#*:}"
		} | head -c "${d#*:}" >"$BATS_TEST_TMPDIR/https/policies/${d%%:*}"
		# The last line may be cut: end it whole.
		sed -i '$d' "$BATS_TEST_TMPDIR/https/policies/${d%%:*}"
	done
	own_policies
	probe --mx --mta-sts -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$TEST_DNS" enforce.test omits.test
	assert_equal "$(t .mta_sts.policy.max_age)" 600
	assert_equal "$(t '.probes[0].mta_sts_match')" true
	assert_equal "$(t .mta_sts.policy 1)" null
	assert_equal "$(t .mta_sts.error 1)" \
	    "fetching https://mta-sts.omits.test/.well-known/mta-sts.txt failed: the body is larger than 65536 bytes"
}

@test "the policy host's certificate must name it" {
	mkdir -p "$BATS_TEST_TMPDIR/https/policies"
	cp "$BATS_TEST_DIRNAME/servers/mta-sts/enforce.test" \
	    "$BATS_TEST_TMPDIR/https/policies/"
	own_policies
	# The same server for both names; its certificate names one.
	certtool -i --infile "$BATS_TEST_TMPDIR/https/cert.pem" |
	    grep -q 'DNSname: mta-sts.enforce.test'
	! certtool -i --infile "$BATS_TEST_TMPDIR/https/cert.pem" |
	    grep -q 'mta-sts.omits.test'
	probe --mx --mta-sts -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$TEST_DNS" enforce.test omits.test
	assert_equal "$(t .mta_sts.policy.mode)" enforce
	assert_equal "$(t .mta_sts.policy 1)" null
	[[ $(t .mta_sts.error 1) == "fetching https://mta-sts.omits.test/.well-known/mta-sts.txt failed: "*"mta-sts.omits.test"* ]] ||
	    fail "error: $(t .mta_sts.error 1)"
}
