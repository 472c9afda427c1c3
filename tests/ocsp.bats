#!/usr/bin/env bats
# OCSP stapling: the staple requested in every handshake, read and judged,
# against tests/servers/tlsd.c stapling responses that openssl made at the
# start of this file (tests/servers/tlsd-pki.sh). Every expected value
# comes from openssl (status, times, whether the response verifies) or
# certtool (fingerprints), never from smtp-probe.

setup_file() {
	load helpers/common
	load helpers/tlsd
	tlsd_pki
	local d=$TLSD_DIR
	tlsd_start good $(tlsd_cert aia) --ocsp "$d/good.der"
	tlsd_start revoked $(tlsd_cert revoked) --ocsp-raw "$d/revoked.der"
	tlsd_start expired $(tlsd_cert aia) --ocsp-raw "$d/expired.der"
	tlsd_start rogue $(tlsd_cert aia) --ocsp-raw "$d/rogue.der"
	tlsd_start rogue_revoked $(tlsd_cert revoked) \
	    --ocsp-raw "$d/rogue-revoked.der"
	tlsd_start other $(tlsd_cert noaia) --ocsp-raw "$d/good.der"
	tlsd_start none $(tlsd_cert aia)
	tlsd_start noaia $(tlsd_cert noaia)
	tlsd_start must $(tlsd_cert staple)
	tlsd_start implicit $(tlsd_cert aia) --ocsp "$d/good.der" --implicit
}

teardown_file() {
	load helpers/common
	load helpers/tlsd
	for n in good revoked expired rogue rogue_revoked other none noaia \
	    must implicit; do
		tlsd_stop "$n"
	done
}

setup() {
	load helpers/common
	load helpers/tlsd
}

# has TEXT PART - TEXT contains PART
has() {
	[[ $1 == *"$2"* ]] || fail "'$1' lacks '$2'"
}

# resp FILE FIELD - a field of openssl's text of the response FILE
resp() {
	openssl ocsp -respin "$1" -resp_text -noverify 2>/dev/null |
	    sed -n "s/^ *$2: //p" | head -1
}

# resp_time FILE FIELD - such a time field as RFC 3339
resp_time() {
	date -u -d "$(resp "$1" "$2")" +%Y-%m-%dT%H:%M:%SZ
}

# resp_verifies FILE - openssl's verdict on the response's signature
resp_verifies() {
	openssl ocsp -respin "$1" -CAfile "$TLSD_DIR/root.pem" \
	    -verify_other "$TLSD_DIR/inter.pem" 2>&1 >/dev/null | head -1
}

@test "a good staple: status, times and verification as openssl reads them" {
	f=$TLSD_DIR/good.der
	assert_equal "$(resp "$f" 'Cert Status')" good
	assert_equal "$(resp_verifies "$f")" "Response verify OK"
	tlsd_probe good
	assert_equal "$(p .ocsp.stapled)" true
	assert_equal "$(p .ocsp.status)" good
	assert_equal "$(p .ocsp.this_update)" "$(resp_time "$f" 'This Update')"
	assert_equal "$(p .ocsp.next_update)" "$(resp_time "$f" 'Next Update')"
	assert_equal "$(p .ocsp.verified)" true
	assert_equal "$(p .ocsp.error)" null
	assert_equal "$(p .ocsp.revoked_at)" null
	assert_equal "$(p .ocsp.responder)" "http://ocsp.tlsd.test/"
	assert_equal "$(p .ocsp.must_staple)" false
	# The leaf alone (the file holds the chain), fingerprinted by certtool.
	openssl x509 -in "$TLSD_DIR/aia.pem" -out "$BATS_TEST_TMPDIR/leaf.pem"
	assert_equal "$(p .certificates[0].sha256_fingerprint)" \
	    "$(fingerprint "$BATS_TEST_TMPDIR/leaf.pem")"
	assert_equal "$(findings)" ""
}

@test "a good staple inside implicit TLS" {
	tlsd_probe implicit/implicit
	assert_equal "$(p .mode)" implicit
	assert_equal "$(p .ocsp.status)" good
	assert_equal "$(p .ocsp.verified)" true
}

@test "a revoked staple: ocsp-revoked, with the revocation time" {
	f=$TLSD_DIR/revoked.der
	assert_equal "$(resp "$f" 'Cert Status')" revoked
	assert_equal "$(resp_verifies "$f")" "Response verify OK"
	tlsd_probe revoked
	assert_equal "$(p .ocsp.status)" revoked
	assert_equal "$(p .ocsp.verified)" true
	assert_equal "$(p .ocsp.revoked_at)" \
	    "$(resp_time "$f" 'Revocation Time')"
	assert_equal "$(p .certificates[0].serial)" 2004
	assert_equal "$(findings)" ocsp-revoked
	assert_equal "$(p .status)" critical
	# Certificate verification does not consult OCSP: it still trusts.
	assert_equal "$(p .verification.trusted)" true
}

@test "an expired staple: verified, but its next update passed" {
	f=$TLSD_DIR/expired.der
	next=$(resp_time "$f" 'Next Update')
	[ "$(date -u -d "$next" +%s)" -lt "$(date +%s)" ]
	tlsd_probe expired
	assert_equal "$(p .ocsp.status)" good
	assert_equal "$(p .ocsp.next_update)" "$next"
	assert_equal "$(p .ocsp.this_update)" "$(resp_time "$f" 'This Update')"
	assert_equal "$(p .ocsp.verified)" true
	has "$(p .ocsp.error)" "expired 3 days ago"
	assert_equal "$(findings)" ocsp-invalid
	assert_equal "$(p .status)" warning
}

@test "a staple signed by a key nobody certified does not verify" {
	assert_equal "$(resp_verifies "$TLSD_DIR/rogue.der")" \
	    "Response Verify Failure"
	tlsd_probe rogue
	assert_equal "$(p .ocsp.stapled)" true
	assert_equal "$(p .ocsp.status)" good
	assert_equal "$(p .ocsp.verified)" false
	has "$(p .ocsp.error)" "does not verify"
	assert_equal "$(findings)" ocsp-invalid
}

@test "an unverified staple claiming revoked is ocsp-invalid, not ocsp-revoked" {
	assert_equal "$(resp_verifies "$TLSD_DIR/rogue-revoked.der")" \
	    "Response Verify Failure"
	tlsd_probe rogue_revoked
	assert_equal "$(p .ocsp.status)" revoked
	assert_equal "$(p .ocsp.verified)" false
	assert_equal "$(findings)" ocsp-invalid
	has "$(p '.findings[0].message')" 'It says "revoked"'
}

@test "a staple about another certificate is not verified" {
	tlsd_probe other
	assert_equal "$(p .ocsp.stapled)" true
	assert_equal "$(p .ocsp.verified)" false
	has "$(p .ocsp.error)" "about another certificate"
	assert_equal "$(findings)" ocsp-invalid
}

@test "no staple, the leaf names a responder: ocsp-missing (info)" {
	tlsd_probe none
	assert_equal "$(p .ocsp.stapled)" false
	assert_equal "$(p .ocsp.status)" null
	assert_equal "$(p .ocsp.verified)" null
	assert_equal "$(p .ocsp.responder)" "http://ocsp.tlsd.test/"
	assert_equal "$(findings)" ocsp-missing
	assert_equal "$(p .status)" ok
}

@test "no staple, the leaf names no responder: nothing to say" {
	openssl x509 -in "$TLSD_DIR/noaia.pem" -noout -ext authorityInfoAccess |
	    grep -q OCSP && fail "noaia.pem names a responder"
	tlsd_probe noaia
	assert_equal "$(p .ocsp.stapled)" false
	assert_equal "$(p .ocsp.responder)" null
	assert_equal "$(findings)" ""
}

@test "no staple on a must-staple leaf: ocsp-missing says clients refuse it" {
	openssl x509 -in "$TLSD_DIR/staple.pem" -noout -text |
	    grep -A1 'TLS Feature' | grep -q status_request
	tlsd_probe must
	assert_equal "$(p .ocsp.must_staple)" true
	assert_equal "$(findings)" ocsp-missing
	has "$(p '.findings[0].message')" "must-staple"
}

@test "no TLS: ocsp says nothing was stapled, the rest is null" {
	lab_probe "$LAB_PORT_PLAIN"
	assert_equal "$(p .tls)" null
	assert_equal "$(jq -c '.targets[0].probes[0].ocsp' "$REPORT")" \
	    '{"stapled":false,"status":null,"this_update":null,"next_update":null,"revoked_at":null,"verified":null,"error":null,"responder":null,"must_staple":false}'
}

@test "the lab Postfix staples nothing, and its certificate names no responder" {
	lab_probe "$LAB_PORT_MX"
	assert_equal "$(p .tls.established)" true
	assert_equal "$(p .ocsp.stapled)" false
	assert_equal "$(p .ocsp.responder)" null
	[[ " $(findings) " != *" ocsp-missing "* ]]
}

@test "text output: the ocsp line" {
	text_probe --cafile "$TLSD_DIR/root.pem" --sni tlsd.test \
	    -p "$TLSD_PORT_revoked/starttls" 127.0.0.1
	grep -E '^ +ocsp +stapled, revoked, verified, next update ' "$TEXT"
}

@test "text output: no ocsp line where the certificate has no OCSP" {
	text_probe --cafile "$TLSD_DIR/root.pem" --sni tlsd.test \
	    -p "$TLSD_PORT_noaia/starttls,$TLSD_PORT_must/starttls" 127.0.0.1
	[ "$(grep -cE '^ +ocsp ' "$TEXT")" -eq 1 ]
	grep -E '^ +ocsp +not stapled, though the certificate names http://ocsp.tlsd.test/ and demands stapling$' "$TEXT"
}
