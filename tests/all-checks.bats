#!/usr/bin/env bats
# --all-checks on one mail domain, lab.test, with every deeper check at once
# against real servers: its MX and TLSA records in a zone knot signs, behind
# a validating unbound (tests/servers/dnssec.sh); its MTA-STS policy served
# by nginx (tests/servers/https.sh) from a certificate of the lab's CA; its
# MX host the lab Postfix. Every expected value comes from another tool:
# openssl for the TLSA digest and the versions the port accepts, dig for
# the records, curl for the policy.

setup() {
	load helpers/common
	load helpers/dnssec
	local dir=$BATS_TEST_TMPDIR
	mkdir -p "$dir/https/policies"
	printf 'version: STSv1\r\nmode: enforce\r\nmx: mail.lab.test\r\nmax_age: 86400\r\n' \
	    >"$dir/https/policies/lab.test"
	HTTPS_CA_CERT=$LAB_CA HTTPS_CA_KEY=$LAB_DIR/pki/root.key \
	    "$BATS_TEST_DIRNAME/servers/https.sh" start "$dir/https" \
	    >"$dir/https.log" 2>&1 || fail "https.sh: $(cat "$dir/https.log")"
	HTTPS_ADDR=$(. "$dir/https/https.env" && echo "$HTTPS_ADDR")
	EXTRA_ZONE_LINES=$(printf '%s\n' \
	    '_mta-sts TXT "v=STSv1; id=20261130"' \
	    "mta-sts A $HTTPS_ADDR" \
	    '_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tlsrpt@lab.test"')
	dnssec_start "$dir/dnssec"
}

teardown() {
	dnssec_stop "$BATS_TEST_TMPDIR/dnssec"
	"$BATS_TEST_DIRNAME/servers/https.sh" stop "$BATS_TEST_TMPDIR/https" \
	    >/dev/null 2>&1 || true
}

# all_checks ARGS... - lab.test with every check, on the lab's MX port
all_checks() {
	probe --mx --all-checks -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNSSEC_SERVER" "$@" lab.test
}

# accepts VERSION - whether openssl completes a handshake at that version
# alone with the lab's MX port (security level 0, so that 1.0 and 1.1 are
# refused by the server, not by openssl)
accepts() {
	if openssl s_client -starttls smtp -connect "127.0.0.1:$LAB_PORT_MX" \
	    "-$1" -cipher 'DEFAULT:@SECLEVEL=0' -CAfile "$LAB_CA" \
	    </dev/null >"$BATS_TEST_TMPDIR/s_client.out" 2>&1; then
		echo true
	else
		echo false
	fi
}

@test "--all-checks on one mail domain: versions, OCSP, injection, DANE, MTA-STS and TLS-RPT" {
	# dig: the TLSA record as the validating resolver gives it, with "ad"
	flags=$(dig +dnssec @127.0.0.1 -p "$DNSSEC_PORT" \
	    "_$LAB_PORT_MX._tcp.mail.lab.test" TLSA |
	    sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p')
	[[ " $flags " == *" ad "* ]] || fail "not validated: flags $flags"
	good=$(spki_sha "$LAB_CERT_GOOD" 256)
	policy=$(curl -s --cacert "$LAB_CA" \
	    --resolve "mta-sts.lab.test:443:$HTTPS_ADDR" \
	    https://mta-sts.lab.test/.well-known/mta-sts.txt)
	[[ $policy == *"mx: mail.lab.test"* ]] || fail "curl: $policy"

	all_checks
	assert_equal "$(j '.targets[0].mx.records | map("\(.preference) \(.host)") | join(",")')" \
	    "10 mail.lab.test"
	assert_equal "$(j '.targets[0].probes | length')" 1
	# --tls-versions: what openssl gets at each version alone
	for v in tls1:TLS1.0 tls1_1:TLS1.1 tls1_2:TLS1.2 tls1_3:TLS1.3; do
		assert_equal "$(p ".tls_versions[\"${v#*:}\"].accepted")" \
		    "$(accepts "${v%:*}")"
	done
	assert_equal "$(p '[.attempts[] | .tls_version // "main"] | join(",")')" \
	    "main,TLS1.0,TLS1.1,TLS1.2,TLS1.3"
	# OCSP: requested in every handshake; Postfix does not staple
	assert_equal "$(p '.ocsp | "\(.stapled) \(.status)"')" "false null"
	# --check-injection: Postfix discards the NOOP sent with STARTTLS
	assert_equal "$(p .injection.vulnerable)" false
	# --dane: the signed 3 1 1 record of the lab's leaf, as openssl says
	assert_equal "$(p '.dane | "\(.name) \(.dnssec) \(.match)"')" \
	    "_$LAB_PORT_MX._tcp.mail.lab.test secure true"
	assert_equal "$(p '.dane.records | join(",")')" "3 1 1 $good"
	assert_equal "$(dig +short @127.0.0.1 -p "$DNSSEC_PORT" \
	    "_$LAB_PORT_MX._tcp.mail.lab.test" TLSA | tr -d ' ' | tr A-F a-f)" \
	    "311$good"
	assert_equal "$(p .dane.suggested)" "3 1 1 $good"
	# --mta-sts and TLS-RPT: the record, the policy as curl got it
	assert_equal "$(j .targets[0].mta_sts.txt)" "v=STSv1; id=20261130"
	assert_equal "$(j '.targets[0].mta_sts.policy | "\(.mode) \(.mx | join(",")) \(.max_age)"')" \
	    "enforce mail.lab.test 86400"
	assert_equal "$(p .mta_sts_match)" true
	assert_equal "$(j '.targets[0].tls_rpt.rua | join(",")')" \
	    "mailto:tlsrpt@lab.test"
	# and nothing to find: every check passed
	assert_equal "$(j '[.targets[0].findings[], .targets[0].probes[].findings[] | .id] | join(",")')" ""
	assert_equal "$(p .status)" ok
}

@test "--all-checks: the text report shows every check, and Prometheus stays clean" {
	text_probe --mx --all-checks -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNSSEC_SERVER" lab.test
	for word in versions injection dane mta-sts tls-rpt; do
		grep -qE "^ *$word " "$TEXT" || fail "no $word line: $(cat "$TEXT")"
	done
	prom=$BATS_TEST_TMPDIR/all.prom
	timeout 60 "$PROBE" --format prometheus --mx --all-checks \
	    -p "$LAB_PORT_MX" --cafile "$LAB_CA" --resolver "$DNSSEC_SERVER" \
	    lab.test >"$prom"
	out=$(promtool check metrics <"$prom" 2>&1) || fail "promtool: $out"
	assert_equal "$out" ""
	grep -qE "^smtp_probe_tls_version_accepted\{.*version=\"TLS1.3\".*\} 1$" "$prom" ||
	    fail "no TLS 1.3 series: $(grep version_accepted "$prom")"
}
