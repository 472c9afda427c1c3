#!/usr/bin/env bats
# One test per finding id (include/findings.h), each raised by a real
# scenario of the lab Postfix or the hostile server, with its severity and
# the advice its message must carry. tests/docs.bats checks that every id
# in the code has a test here.

setup() {
	load helpers/common
}

# finding ID SEVERITY TEXT - probe 0 (or, for a finding about a domain,
# the target itself) raised ID with SEVERITY, and its message contains TEXT
finding() {
	local sev msg all='.targets[0] | (.findings[], .probes[0].findings[]?)'
	sev=$(jq -r --arg id "$1" "$all"' | select(.id == $id) | .severity' "$REPORT")
	[ -n "$sev" ] || fail "no finding $1; findings: $(findings) / $(j '[.targets[0].findings[].id] | join(" ")')"
	assert_equal "$sev" "$2"
	msg=$(jq -r --arg id "$1" "$all"' | select(.id == $id) | .message' "$REPORT")
	[[ $msg == *"$3"* ]] || fail "message of $1 lacks '$3': $msg"
}

@test "connect-failed: nothing listens" {
	probe --connect-timeout 2 -p 1 127.0.0.1
	finding connect-failed critical "listens on this port"
}

@test "banner-timeout: connection accepted, no greeting" {
	hostile_probe SILENT/starttls --timeout 2
	finding banner-timeout critical "never sent its 220 greeting"
}

@test "greeting-rejected: 421 greeting" {
	hostile_probe GREETING_421/starttls
	finding greeting-rejected critical "greeted with 421"
}

@test "greeting-rejected: EHLO refused with 421" {
	hostile_probe EHLO_421/starttls
	finding greeting-rejected critical "refused EHLO with 421"
}

@test "starttls-missing: critical off port 25" {
	lab_probe "$LAB_PORT_PLAIN"
	finding starttls-missing critical "Enable it"
}

@test "starttls-rejected: 454 to STARTTLS" {
	hostile_probe STARTTLS_454/starttls
	finding starttls-rejected critical "answered it with 454"
}

@test "auth-before-tls: critical for PLAIN and LOGIN in clear, with or without STARTTLS" {
	lab_probe "$LAB_PORT_PLAIN"
	finding auth-before-tls critical "offers no STARTTLS at all, with mechanisms that send the password itself (PLAIN, LOGIN;"
	# The lab's greeting names no software: neutral words.
	finding auth-before-tls critical "the greeting does not name the server software"
	hostile_probe PLAIN_ON_IMPLICIT/starttls
	finding auth-before-tls critical "send the password itself"
	assert_equal "$(p '.auth.before_tls | join(" ")')" "PLAIN LOGIN"
	assert_equal "$(p '.auth.after_tls | join(" ")')" "PLAIN LOGIN"
	assert_equal "$(p .auth.only_after_tls)" false
}

@test "auth-before-tls: an Exim greeting gets Exim's setting" {
	hostile_probe EXIM_PLAIN/starttls
	assert_equal "$(p '.banner.lines[0]')" "exim.test ESMTP Exim 4.96 Mon, 01 Jan 2024 00:00:00 +0000"
	finding auth-before-tls critical 'Exim: auth_advertise_hosts = ${if eq{$tls_in_cipher}{}{}{*}}'
}

@test "auth-before-tls: a warning for CRAM-MD5 alone, with Sendmail's setting" {
	hostile_probe SENDMAIL_CRAM/starttls
	assert_equal "$(p '.auth.before_tls | join(" ")')" CRAM-MD5
	finding auth-before-tls warning "do not send the password (CRAM-MD5)"
	finding auth-before-tls warning "define(\`confAUTH_OPTIONS', \`p')"
	msg=$(p '.findings[0].message')
	[[ $msg != *Postfix* && $msg != *"clear text"* ]] || fail "$msg"
}

@test "port-expects-implicit-tls: silent in plaintext, TLS works" {
	hostile_probe IMPLICIT_ONLY/auto --timeout 4
	finding port-expects-implicit-tls critical "set clients to SSL/TLS on connect"
	finding port-expects-implicit-tls critical "System.Net.Mail.SmtpClient"
}

@test "port-expects-implicit-tls: --fail-on critical fails on the lab's implicit port probed as auto" {
	lab_probe "$LAB_PORT_SMTPS/auto" --fail-on critical
	assert_equal "$status" 1
	assert_equal "$(p .mode)" implicit
	finding port-expects-implicit-tls critical "expects implicit TLS"
	assert_equal "$(findings)" port-expects-implicit-tls
}

@test "implicit-port-speaks-plaintext: implicit requested, plaintext answered" {
	hostile_probe PLAIN_ON_IMPLICIT/implicit
	finding implicit-port-speaks-plaintext critical "smtpd_tls_wrappermode=yes"
	# Implicit mode sent no EHLO: whether STARTTLS is offered is unknown.
	finding implicit-port-speaks-plaintext critical "Probe it in auto mode"
}

@test "ports-swapped: 465 speaks plaintext and 587 implicit TLS" {
	in_netns PLAIN_ON_IMPLICIT=465 IMPLICIT_ONLY=587 -- --sni hostile.test -p 465,587
	finding ports-swapped critical "Ports 465 and 587 are swapped: port 465, where clients expect implicit TLS, speaks plaintext SMTP with STARTTLS, and port 587"
	assert_equal "$(j '.targets[0].findings | length')" 1
}

@test "handshake-failed: a TLS alert" {
	hostile_probe STARTTLS_ALERT/starttls
	finding handshake-failed critical "Handshake failed"
}

@test "tls-legacy-version: TLS 1.0" {
	hostile_probe TLS10_ONLY/starttls
	finding tls-legacy-version warning "TLS1.0"
}

@test "cert-untrusted: the lab CA is not in the system store" {
	probe --sni "$LAB_HOST" -p "$LAB_PORT_MX" 127.0.0.1
	finding cert-untrusted critical "(untrusted)"
}

@test "cert-expired: the lab's expired certificate" {
	lab_probe "$LAB_PORT_EXPIRED"
	finding cert-expired critical "Renew it"
}

@test "cert-not-yet-valid: valid from ten days on" {
	hostile_probe CERT_NOT_YET_VALID/starttls
	finding cert-not-yet-valid critical "not valid yet"
	assert_equal "$(p '.verification.errors | join(" ")')" not-yet-valid
}

@test "cert-expiring: below --warn-days, and not below a smaller one" {
	# Whole days left, from openssl's reading of the leaf the server sends.
	end=$(openssl x509 -enddate -noout -in "$(dirname "$HOSTILE_CA")/leaf-expiring.pem" | cut -d= -f2)
	days=$((($(date -d "$end" +%s) - $(date +%s)) / 86400))
	assert_equal "$days" 4
	hostile_probe CERT_EXPIRING/starttls
	assert_equal "$(p '.certificates[0].days_remaining')" "$days"
	finding cert-expiring warning "expires in $days days"
	hostile_probe CERT_EXPIRING/starttls --warn-days "$days"
	assert_equal "$(findings)" ""
	hostile_probe CERT_EXPIRING/starttls --warn-days "$((days + 1))"
	assert_equal "$(findings)" cert-expiring
}

@test "cert-hostname-mismatch: the lab's wrong-name certificate" {
	lab_probe "$LAB_PORT_WRONGNAME"
	finding cert-hostname-mismatch critical "subject alternative names"
}

@test "cert-self-signed: the lab's self-signed certificate" {
	lab_probe "$LAB_PORT_SELFSIGNED"
	finding cert-self-signed critical "public CA"
}

@test "chain-incomplete: the lab's port without the intermediate" {
	lab_probe "$LAB_PORT_NOINTER"
	finding chain-incomplete critical "smtpd_tls_chain_files"
}

@test "weak-key: a 1024-bit RSA key" {
	hostile_probe WEAK_KEY/starttls
	bits=$(openssl x509 -noout -text -in "$(dirname "$HOSTILE_CA")/leaf-weakkey.pem" |
	    sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p')
	assert_equal "$bits" 1024
	assert_equal "$(p '.certificates[0].public_key.bits')" "$bits"
	finding weak-key warning "1024-bit RSA"
}

@test "weak-signature: a leaf signed with SHA-1" {
	hostile_probe WEAK_SIGNATURE/starttls
	assert_regex "$(p '.certificates[0].signature_algorithm')" 'SHA1$'
	finding weak-signature warning "SHA-256"
}

@test "starttls-response-injection: plaintext after the 220 to STARTTLS" {
	hostile_probe STARTTLS_PIPELINED/starttls
	finding starttls-response-injection critical "30 bytes"
}

@test "smtp-protocol-error: a reply that never ends" {
	hostile_probe HUGE_LINE/starttls
	finding smtp-protocol-error critical "1 MiB"
}

@test "connection-lost: RST after EHLO" {
	hostile_probe RESET_AFTER_EHLO/starttls
	finding connection-lost critical "reset the connection"
}

@test "dialogue-timeout: no answer to STARTTLS" {
	hostile_probe STARTTLS_STALL/starttls --timeout 2
	assert_equal "$(p .error.phase)/$(p .error.kind)" starttls/timeout
	assert_equal "$(p .error.message)" "the probe reached its --timeout of 2 s while waiting for the reply to STARTTLS"
	finding dialogue-timeout critical "stopped answering"
}

@test "smtp-nonconforming: bare LF line endings" {
	hostile_probe BARE_LF/starttls
	finding smtp-nonconforming warning "bare LF"
}

@test "login-failed: a wrong password for the lab's SASL user" {
	SMTP_PROBE_PASSWORD=wrong lab_probe "$LAB_PORT_SUBMISSION" \
	    --auth-user "$LAB_SASL_USER@$LAB_SASL_REALM"
	finding login-failed critical "TLS worked, so the cause is the login itself"
}

@test "every finding names what to do: messages end with advice" {
	for port in "$LAB_PORT_PLAIN" "$LAB_PORT_EXPIRED" "$LAB_PORT_NOINTER" "$LAB_PORT_WRONGNAME"; do
		lab_probe "$port"
		[ "$(jq '.targets[0].probes[0].findings | length' "$REPORT")" -gt 0 ] ||
		    fail "port $port: no findings"
		n=$(jq '[.targets[0].probes[0].findings[].message | select(length < 60)] | length' "$REPORT")
		assert_equal "$n" 0
	done
}

# baseline NAME FILTER [PROBE ARGS...] - the lab's report of ARGS, edited
# by the jq FILTER to stand for the past, as $BATS_TEST_TMPDIR/NAME.json
baseline() {
	local name=$1 filter=$2
	shift 2
	lab_probe "$@"
	jq "$filter" "$REPORT" >"$BATS_TEST_TMPDIR/$name.json"
}

@test "changed-starttls-lost: STARTTLS offered in the baseline, not now" {
	baseline past ".targets[0].probes[0].port = $LAB_PORT_PLAIN" "$LAB_PORT_MX"
	assert_equal "$(p .starttls.offered)" true
	lab_probe "$LAB_PORT_PLAIN" --baseline "$BATS_TEST_TMPDIR/past.json"
	finding changed-starttls-lost critical "STARTTLS was offered in the baseline ($(jq -r .started_at "$BATS_TEST_TMPDIR/past.json")) and is not now"
}

@test "changed-tls-downgraded: TLS 1.2 in the baseline, TLS 1.0 now" {
	hostile_probe TLS10_ONLY/starttls
	assert_equal "$(p .tls.version)" TLS1.0
	jq '.targets[0].probes[0].tls.version = "TLS1.2"' "$REPORT" >"$BATS_TEST_TMPDIR/past.json"
	hostile_probe TLS10_ONLY/starttls --baseline "$BATS_TEST_TMPDIR/past.json"
	finding changed-tls-downgraded warning "TLS was TLS1.2 in the baseline"
	finding changed-tls-downgraded warning "is TLS1.0 now"
}

@test "changed-certificate: the leaf was rotated" {
	old=$(printf 'past' | sha256sum | cut -d' ' -f1)
	baseline past ".targets[0].probes[0].certificates[0].sha256_fingerprint = \"$old\"" "$LAB_PORT_MX"
	lab_probe "$LAB_PORT_MX" --baseline "$BATS_TEST_TMPDIR/past.json"
	finding changed-certificate info "was $old in the baseline"
	finding changed-certificate info "is $(fingerprint "$LAB_CERT_GOOD") now"
	assert_equal "$(findings)" changed-certificate
}

@test "changed-port-state: the port answered in the baseline, and is closed now" {
	closed=$((LAB_PORT_MX + 8))
	baseline past ".targets[0].probes[0].port = $closed" "$LAB_PORT_MX"
	lab_probe "$closed" --baseline "$BATS_TEST_TMPDIR/past.json"
	finding changed-port-state warning "Port $closed accepted connections in the baseline"
	assert_equal "$(findings)" "changed-port-state connect-failed"
}

@test "changed-auth: AUTH offered only after TLS in the baseline, before TLS now" {
	baseline past '.targets[0].probes[0] |= (.auth.before_tls = [] | .auth.after_tls = ["PLAIN", "LOGIN"] | .ehlo.capabilities |= map(select(.keyword != "AUTH")))' "$LAB_PORT_PLAIN"
	lab_probe "$LAB_PORT_PLAIN" --baseline "$BATS_TEST_TMPDIR/past.json"
	finding changed-auth warning "before TLS: none, after TLS: LOGIN PLAIN in the baseline, and is now before TLS: LOGIN PLAIN"
	assert_equal "$(findings)" "auth-before-tls changed-auth starttls-missing"
}

@test "changed-capabilities: an EHLO keyword appeared" {
	baseline past '.targets[0].probes[0].ehlo_tls.capabilities |= map(select(.keyword != "CHUNKING"))' "$LAB_PORT_MX"
	lab_probe "$LAB_PORT_MX" --baseline "$BATS_TEST_TMPDIR/past.json"
	finding changed-capabilities info "inside TLS in the baseline"
	# Each list as the report has it, sorted, without AUTH and STARTTLS.
	clear=$(jq -r "[.targets[0].probes[0].ehlo.capabilities[] | .keyword | select(. != \"AUTH\" and . != \"STARTTLS\")] | sort | join(\" \")" "$REPORT")
	was=$(jq -r "[.targets[0].probes[0].ehlo_tls.capabilities[] | .keyword | select(. != \"AUTH\" and . != \"STARTTLS\")] | sort | join(\" \")" "$BATS_TEST_TMPDIR/past.json")
	now=$(jq -r "[.targets[0].probes[0].ehlo_tls.capabilities[] | .keyword | select(. != \"AUTH\" and . != \"STARTTLS\")] | sort | join(\" \")" "$REPORT")
	[[ $was != *CHUNKING* && $now == *CHUNKING* ]]
	assert_equal "$(p '.findings[0].message')" "EHLO offered $clear in clear text and $was inside TLS in the baseline, and offers $clear and $now now."
}

@test "null-mx: the domain takes no mail, nothing is probed" {
	probe --mx --resolver "$DNS_SERVER" null-mx.test
	finding null-mx info "RFC 7505"
	assert_equal "$(j '.targets[0].probes | length')" 0
}

@test "mx-missing: no MX, the domain itself is probed" {
	probe --mx --resolver "$DNS_SERVER" --connect-timeout 2 no-mx.test
	finding mx-missing info "RFC 5321 5.1"
	assert_equal "$(p .host)" no-mx.test
}

@test "dns-failed: the domain does not exist" {
	probe --mx --resolver "$DNS_SERVER" nxdomain.test
	finding dns-failed critical "Domain name not found"
	assert_equal "$(j '.targets[0].error.phase')" resolve
}

@test "dane-mismatch: signed TLSA records that no certificate matches" {
	load helpers/dnssec
	dnssec_start "$BATS_TEST_TMPDIR/dnssec"
	dane_probe other.lab.test "$LAB_PORT_MX"
	dnssec_stop "$BATS_TEST_TMPDIR/dnssec"
	finding dane-mismatch critical "3 1 1 $(spki_sha "$LAB_CERT_GOOD" 256)"
	assert_equal "$(p .dane.match)" false
}

@test "dane-bogus: TLSA records whose signatures do not validate" {
	load helpers/dnssec
	dnssec_start "$BATS_TEST_TMPDIR/dnssec"
	dane_probe mail.bogus.test "$LAB_PORT_MX"
	dnssec_stop "$BATS_TEST_TMPDIR/dnssec"
	finding dane-bogus critical "until the zone validates"
	assert_equal "$(p .dane.dnssec)" bogus
}

# The MTA-STS domains of the suite's DNS server, their policies served by its
# nginx (tests/mta-sts.bats tests them in full).
@test "mta-sts-mismatch: the only MX is not in the enforce policy" {
	probe --mx --mta-sts -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNS_SERVER" nomatch.test
	finding mta-sts-mismatch critical "matches none of the MTA-STS policy's mx patterns (localhost)"
	assert_equal "$(p .mta_sts_match)" false
}

@test "mta-sts-invalid: the policy host answers with a redirect" {
	probe --mx --mta-sts -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNS_SERVER" redirect.test
	finding mta-sts-invalid warning "answered 301, a redirect"
}

@test "tls-rpt-missing: MTA-STS without a TLS-RPT record" {
	probe --mx --mta-sts -4 -p "$LAB_PORT_MX" --cafile "$LAB_CA" \
	    --resolver "$DNS_SERVER" testing.test
	finding tls-rpt-missing info "_smtp._tls.testing.test"
}

# OCSP stapling and --check-injection, against tests/servers/tlsd.c: each
# test starts its own instance (tests/helpers/tlsd.bash) and stops it.

@test "starttls-injection: the NOOP sent with STARTTLS is answered inside TLS" {
	load helpers/tlsd
	tlsd_pki
	tlsd_start vulnerable $(tlsd_cert noaia) --vulnerable
	tlsd_probe vulnerable --check-injection
	tlsd_stop vulnerable
	finding starttls-injection critical "CVE-2011-0411"
	assert_equal "$(findings)" starttls-injection
}

@test "ocsp-revoked: the stapled response verifies and says revoked" {
	load helpers/tlsd
	tlsd_pki
	tlsd_start revoked $(tlsd_cert revoked) \
	    --ocsp-raw "$TLSD_DIR/revoked.der"
	tlsd_probe revoked
	tlsd_stop revoked
	finding ocsp-revoked critical "install a new key and certificate"
	assert_equal "$(findings)" ocsp-revoked
}

@test "ocsp-missing: the leaf names a responder, nothing stapled" {
	load helpers/tlsd
	tlsd_pki
	tlsd_start none $(tlsd_cert aia)
	tlsd_probe none
	tlsd_stop none
	finding ocsp-missing info "names the OCSP responder http://ocsp.tlsd.test/"
	assert_equal "$(findings)" ocsp-missing
}

@test "ocsp-invalid: the stapled response has expired" {
	load helpers/tlsd
	tlsd_pki
	tlsd_start expired $(tlsd_cert aia) --ocsp-raw "$TLSD_DIR/expired.der"
	tlsd_probe expired
	tlsd_stop expired
	finding ocsp-invalid warning "next update has passed"
	assert_equal "$(findings)" ocsp-invalid
}
