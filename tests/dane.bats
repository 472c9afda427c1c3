#!/usr/bin/env bats
# --dane (RFC 7672) against real servers: the lab Postfix, and its TLSA
# records in a DNSSEC-signed zone served by knot (signed at load) behind a
# validating unbound whose trust anchor is that zone's key
# (tests/servers/dnssec.sh), with an unsigned zone, a zone whose signatures
# do not validate, and a zone nobody answers for beside it. Every expected
# record is computed with openssl from the lab's certificates, and checked
# in the resolver's own answer with dig (the ad flag).
#
# The records (tests/helpers/dnssec.bash), for the lab's ports:
#   mail.lab.test  MX port          3 1 1 leaf's key        matches
#                  submission port  2 0 1 intermediate      matches (TA)
#                  smtps port       2 1 2 intermediate key  matches (TA)
#                  expired port     3 1 1 expired leaf      matches
#                  wrongname port   2 0 1 intermediate      leaf lacks name
#                  nointer port     2 0 1 intermediate      not sent
#                  plain port       none (NODATA, secure)
#   other.lab.test MX port          3 1 1 zeros, 1 1 1 leaf none usable matches
#                  submission port  2 0 1 intermediate      leaf lacks name
#   two.lab.test   (127.0.0.1 and ::1) MX port 3 1 1 leaf
#   slow.lab.test  plain port: a CNAME into dead.test (no answer, ever)

setup_file() {
	load helpers/common
	load helpers/dnssec
	export DNSSEC_DIR=$SUITE_DIR/dnssec-dane
	dnssec_start "$DNSSEC_DIR"
}

teardown_file() {
	load helpers/common
	load helpers/dnssec
	dnssec_stop "$SUITE_DIR/dnssec-dane"
}

setup() {
	load helpers/common
	load helpers/dnssec
	# shellcheck disable=SC1091
	. "$DNSSEC_DIR/dnssec.env"
}

# tlsa NAME - the resolver's TLSA records of NAME as the report writes
# them (lower-case hex in one piece), one a line, sorted
tlsa() {
	dig +short @127.0.0.1 -p "$DNSSEC_PORT" "$1" TLSA |
	    awk '{ d = ""; for (i = 4; i <= NF; i++) d = d $i
		print $1, $2, $3, tolower(d) }' | sort
}

# flags NAME [DIG-OPTIONS] - the header flags of the resolver's answer
flags() {
	local name=$1
	shift
	dig +dnssec "$@" @127.0.0.1 -p "$DNSSEC_PORT" "$name" TLSA |
	    sed -n 's/^;; flags: \([a-z ]*\);.*/\1/p'
}

# records - the probe's dane.records, one a line, sorted
records() {
	jq -r '.targets[0].probes[0].dane.records[]' "$REPORT" | sort
}

@test "DANE-EE: 3 1 1 of the leaf's key matches on the STARTTLS port" {
	name=_$LAB_PORT_MX._tcp.mail.lab.test
	want="3 1 1 $(spki_sha "$LAB_CERT_GOOD" 256)"
	assert_equal "$(tlsa "$name")" "$want"
	[[ " $(flags "$name") " == *" ad "* ]] || fail "no AD: $(flags "$name")"
	dane_probe mail.lab.test "$LAB_PORT_MX"
	assert_equal "$(p .dane.name)" "$name"
	assert_equal "$(p .dane.dnssec)" secure
	assert_equal "$(records)" "$want"
	assert_equal "$(p .dane.match)" true
	assert_equal "$(p .dane.suggested)" "$want"
	assert_equal "$(p .dane.reason)" "a DANE-EE(3) record matches the leaf"
	assert_equal "$(p .dane.error)" null
	assert_equal "$(findings)" ""
}

@test "DANE-TA: 2 0 1 of the intermediate matches on the submission port" {
	name=_$LAB_PORT_SUBMISSION._tcp.mail.lab.test
	want="2 0 1 $(cert_sha "$LAB_CERT_INTER" 256)"
	assert_equal "$(tlsa "$name")" "$want"
	dane_probe mail.lab.test "$LAB_PORT_SUBMISSION/starttls"
	assert_equal "$(records)" "$want"
	assert_equal "$(p .dane.match)" true
	[[ $(p .dane.reason) == "a DANE-TA(2) record matches certificate 1 of the chain"* ]]
	# The suggested record pins the leaf, whatever the records are.
	assert_equal "$(p .dane.suggested)" "3 1 1 $(spki_sha "$LAB_CERT_GOOD" 256)"
	assert_equal "$(p '.certificates[0].spki_sha256')" "$(spki_sha "$LAB_CERT_GOOD" 256)"
}

@test "DANE-TA: 2 1 2 of the intermediate's key matches on the implicit-TLS port" {
	name=_$LAB_PORT_SMTPS._tcp.mail.lab.test
	want="2 1 2 $(spki_sha "$LAB_CERT_INTER" 512)"
	assert_equal "$(tlsa "$name")" "$want"
	dane_probe mail.lab.test "$LAB_PORT_SMTPS/implicit"
	assert_equal "$(p .mode)" implicit
	assert_equal "$(records)" "$want"
	assert_equal "$(p .dane.match)" true
}

@test "DANE-EE ignores the dates: the expired leaf's 3 1 1 matches" {
	dane_probe mail.lab.test "$LAB_PORT_EXPIRED"
	assert_equal "$(records)" "3 1 1 $(spki_sha "$LAB_CERT_EXPIRED" 256)"
	assert_equal "$(p .dane.match)" true
	assert_equal "$(findings)" "cert-expired"
}

@test "DANE-TA checks the name: a leaf without mail.lab.test does not match" {
	dane_probe mail.lab.test "$LAB_PORT_WRONGNAME"
	assert_equal "$(p .dane.dnssec)" secure
	assert_equal "$(p .dane.match)" false
	[[ $(p .dane.reason) == *"matches a certificate of the chain, but the chain up to it fails"* ]]
	assert_equal "$(findings)" "cert-hostname-mismatch dane-mismatch"
}

@test "DANE-TA checks the name against the probe's host: other.lab.test" {
	dane_probe other.lab.test "$LAB_PORT_SUBMISSION/starttls"
	assert_equal "$(p .dane.match)" false
	[[ $(findings) == *dane-mismatch* ]]
}

@test "DANE-TA needs the anchor in the chain sent: no intermediate, no match" {
	dane_probe mail.lab.test "$LAB_PORT_NOINTER"
	assert_equal "$(p '.certificates | length')" 1
	assert_equal "$(p .dane.match)" false
	assert_equal "$(p .dane.reason)" "no usable record matches the leaf or a CA certificate the server sent (a DANE-TA(2) anchor must be in the chain sent, RFC 7672 3.1.2)"
}

@test "no usable record matches: dane-mismatch, PKIX-EE reported and not used" {
	name=_$LAB_PORT_MX._tcp.other.lab.test
	good=$(spki_sha "$LAB_CERT_GOOD" 256)
	assert_equal "$(tlsa "$name")" "$(printf '1 1 1 %s\n3 1 1 %s' "$good" "$(printf '0%.0s' $(seq 64))")"
	dane_probe other.lab.test "$LAB_PORT_MX"
	assert_equal "$(records)" "$(tlsa "$name")"
	# The 1 1 1 names the leaf's key, yet PKIX-EE is not for SMTP.
	assert_equal "$(p .dane.match)" false
	assert_equal "$(p "[.findings[] | select(.id == \"dane-mismatch\") | .severity] | .[0]")" critical
	[[ $(p '.findings[] | select(.id == "dane-mismatch") | .message') == *"3 1 1 $good"* ]]
}

@test "no TLSA records in a signed zone: secure, nothing to match" {
	name=_$LAB_PORT_PLAIN._tcp.mail.lab.test
	assert_equal "$(tlsa "$name")" ""
	[[ " $(flags "$name") " == *" ad "* ]]
	dane_probe mail.lab.test "$LAB_PORT_PLAIN/plain"
	assert_equal "$(p .dane.dnssec)" secure
	assert_equal "$(p '.dane.records | length')" 0
	assert_equal "$(p .dane.match)" null
	# No TLS, no leaf: nothing to suggest.
	assert_equal "$(p .dane.suggested)" null
	[[ $(findings) != *dane* ]]
}

@test "an unsigned zone: records reported, not applied, no finding" {
	name=_$LAB_PORT_MX._tcp.mail.insecure.test
	want="3 1 1 $(spki_sha "$LAB_CERT_GOOD" 256)"
	assert_equal "$(tlsa "$name")" "$want"
	[[ " $(flags "$name") " != *" ad "* ]] || fail "AD on an unsigned zone"
	dane_probe mail.insecure.test "$LAB_PORT_MX"
	assert_equal "$(p .dane.dnssec)" insecure
	assert_equal "$(records)" "$want"
	assert_equal "$(p .dane.match)" null
	[[ $(p .dane.reason) == *"not DNSSEC-signed"* ]]
	[[ $(findings) != *dane* ]]
}

@test "a zone whose signatures fail: bogus, the records as CD returns them" {
	name=_$LAB_PORT_MX._tcp.mail.bogus.test
	want="3 1 1 $(spki_sha "$LAB_CERT_GOOD" 256)"
	run dig @127.0.0.1 -p "$DNSSEC_PORT" "$name" TLSA
	[[ $output == *"status: SERVFAIL"* ]]
	[[ " $(flags "$name" +cd) " == *" cd "* ]]
	assert_equal "$(dig +short +cd @127.0.0.1 -p "$DNSSEC_PORT" "$name" TLSA | wc -l)" 1
	dane_probe mail.bogus.test "$LAB_PORT_MX"
	assert_equal "$(p .dane.dnssec)" bogus
	assert_equal "$(records)" "$want"
	assert_equal "$(p .dane.match)" null
	[[ $(p .dane.error) == *"checking disabled (CD)"* ]]
	# Its address does not validate either: nothing was connected to.
	assert_equal "$(findings)" "connect-failed dane-bogus"
}

@test "a zone nobody answers for: error, within the lookup's deadline" {
	dane_probe mail.dead.test "$LAB_PORT_MX" --connect-timeout 2
	assert_equal "$(p .dane.dnssec)" error
	assert_equal "$(p .dane.match)" null
	[[ $(p .dane.error) == *"_$LAB_PORT_MX._tcp.mail.dead.test"* ]]
	[ "$ELAPSED_MS" -lt 15000 ]
	[[ $(findings) != *dane* ]]
}

@test "a dialogue that ends first waits for its TLSA answer, or its deadline" {
	dane_probe slow.lab.test "$LAB_PORT_PLAIN/plain" --connect-timeout 2
	assert_equal "$(p .outcome)" ok
	[ "$(p .timing_ms.total)" -lt 1500 ]
	# The report came after the lookup's deadline, not with the dialogue.
	[ "$ELAPSED_MS" -ge 2000 ]
	assert_equal "$(p .dane.dnssec)" error
	# Our deadline or c-ares's own retries, whichever ends first.
	[[ $(p .dane.error) =~ ^(no DNS answer for|the query for)\ _$LAB_PORT_PLAIN\._tcp\.slow\.lab\.test ]]
}

@test "interrupted while a target waits for its TLSA answer: it is left out" {
	REPORT=$BATS_TEST_TMPDIR/report.json
	$WRAP "$PROBE" --format json --dane --resolver "$DNSSEC_SERVER" \
	    --connect-timeout 20 -p "$LAB_PORT_PLAIN/plain" slow.lab.test \
	    >"$REPORT" 2>/dev/null &
	pid=$!
	sleep 2
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 130
	"$VALIDATE" "$REPORT"
	assert_equal "$(j .interrupted)" true
	assert_equal "$(j '.targets | length')" 0
}

@test "asked of a server that does not validate, a signed zone looks insecure" {
	# knot itself: authoritative, it never sets AD.
	probe --dane --resolver "127.0.0.1:$DNSSEC_AUTH_PORT" --cafile "$LAB_CA" \
	    -p "$LAB_PORT_MX" mail.lab.test
	assert_equal "$(p .dane.dnssec)" insecure
	assert_equal "$(records)" "3 1 1 $(spki_sha "$LAB_CERT_GOOD" 256)"
	assert_equal "$(p .dane.match)" null
	# And a name outside its zones is refused: error, and why.
	probe --dane --resolver "127.0.0.1:$DNSSEC_AUTH_PORT" \
	    --connect-timeout 2 -p "$LAB_PORT_MX" mail.example.org
	assert_equal "$(p .dane.dnssec)" error
	[[ $(p .dane.error) == *"with checking disabled (CD) either: the query for _$LAB_PORT_MX._tcp.mail.example.org failed: "* ]]
}

@test "an address has no TLSA name: name and dnssec null, error says why" {
	dane_probe 127.0.0.1 "$LAB_PORT_MX"
	assert_equal "$(p .dane.name)" null
	assert_equal "$(p .dane.dnssec)" null
	assert_equal "$(p .dane.match)" null
	[[ $(p .dane.error) == *"no TLSA name"* ]]
	assert_equal "$(p .dane.suggested)" "3 1 1 $(spki_sha "$LAB_CERT_GOOD" 256)"
}

@test "--mx: the TLSA name is the MX host's" {
	probe --mx --dane --resolver "$DNSSEC_SERVER" --cafile "$LAB_CA" \
	    -p "$LAB_PORT_MX" lab.test
	assert_equal "$(p .host)" mail.lab.test
	assert_equal "$(p .dane.name)" "_$LAB_PORT_MX._tcp.mail.lab.test"
	assert_equal "$(p .dane.match)" true
}

@test "one lookup per name, whatever the addresses; both probes get it" {
	name=_$LAB_PORT_MX._tcp.two.lab.test
	before=$(grep -c " $name\. TLSA IN" "$DNSSEC_DIR/unbound.log" || true)
	dane_probe two.lab.test "$LAB_PORT_MX"
	assert_equal "$(j '.targets[0].probes | length')" 2
	assert_equal "$(j '[.targets[0].probes[].dane.name] | unique | .[]')" "$name"
	assert_equal "$(j '.targets[0].probes[] | select(.address == "127.0.0.1") | .dane.match')" true
	# Nothing listens on ::1: no certificate, but no DANE failure either.
	assert_equal "$(j '.targets[0].probes[] | select(.address == "::1") | .dane.match')" null
	assert_equal "$(j '.targets[0].probes[] | select(.address == "::1") | .dane.reason')" \
	    "no connection was made: there is no certificate to match"
	assert_equal "$(j '[.targets[0].probes[] | select(.address == "::1") | .findings[].id] | join(" ")')" connect-failed
	after=$(grep -c " $name\. TLSA IN" "$DNSSEC_DIR/unbound.log")
	assert_equal "$((after - before))" 1
}

@test "several ports at once: each its own name, all in one run" {
	dane_probe mail.lab.test "$LAB_PORT_MX,$LAB_PORT_SUBMISSION,$LAB_PORT_NOINTER"
	assert_equal "$(j '[.targets[0].probes[] | "\(.port) \(.dane.match)"] | sort | join(",")')" \
	    "$(printf '%s\n' "$LAB_PORT_MX true" "$LAB_PORT_NOINTER false" "$LAB_PORT_SUBMISSION true" | sort | paste -sd,)"
}

@test "without --dane there is no dane object; --all-checks has one" {
	probe --resolver "$DNSSEC_SERVER" --cafile "$LAB_CA" -p "$LAB_PORT_MX" mail.lab.test
	assert_equal "$(p 'has("dane")')" false
	probe --all-checks --resolver "$DNSSEC_SERVER" --cafile "$LAB_CA" -p "$LAB_PORT_MX" mail.lab.test
	assert_equal "$(p .dane.match)" true
}

@test "the text report says the state, the verdict and the record to publish" {
	text_probe --dane --resolver "$DNSSEC_SERVER" --cafile "$LAB_CA" \
	    -p "$LAB_PORT_MX" mail.lab.test
	good=$(spki_sha "$LAB_CERT_GOOD" 256)
	grep -qF "dane      secure _$LAB_PORT_MX._tcp.mail.lab.test: match (a DANE-EE(3) record matches the leaf); 3 1 1 $good; suggested 3 1 1 $good" "$TEXT" ||
	    fail "$(cat "$TEXT")"
}
