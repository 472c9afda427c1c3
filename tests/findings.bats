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

@test "auth-before-tls: critical without STARTTLS, warning with it" {
	lab_probe "$LAB_PORT_PLAIN"
	finding auth-before-tls critical "smtpd_tls_auth_only=yes"
	hostile_probe PLAIN_ON_IMPLICIT/starttls
	finding auth-before-tls warning "smtpd_tls_auth_only=yes"
	assert_equal "$(p '.auth.before_tls | join(" ")')" "PLAIN LOGIN"
	assert_equal "$(p '.auth.after_tls | join(" ")')" "PLAIN LOGIN"
	assert_equal "$(p .auth.only_after_tls)" false
}

@test "port-expects-implicit-tls: silent in plaintext, TLS works" {
	hostile_probe IMPLICIT_ONLY/auto --timeout 4
	finding port-expects-implicit-tls warning "System.Net.Mail.SmtpClient"
}

@test "implicit-port-speaks-plaintext: implicit requested, plaintext answered" {
	hostile_probe PLAIN_ON_IMPLICIT/implicit
	finding implicit-port-speaks-plaintext critical "smtpd_tls_wrappermode=yes"
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

@test "every finding names what to do: messages end with advice" {
	for port in "$LAB_PORT_PLAIN" "$LAB_PORT_EXPIRED" "$LAB_PORT_NOINTER" "$LAB_PORT_WRONGNAME"; do
		lab_probe "$port"
		[ "$(jq '.targets[0].probes[0].findings | length' "$REPORT")" -gt 0 ] ||
		    fail "port $port: no findings"
		n=$(jq '[.targets[0].probes[0].findings[].message | select(length < 60)] | length' "$REPORT")
		assert_equal "$n" 0
	done
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
