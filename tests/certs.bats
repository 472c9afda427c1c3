#!/usr/bin/env bats
# Certificates as the lab Postfix sends them: every CERT field checked
# against certtool/openssl, and the verification of each bad-certificate
# port with every reason kept.

setup() {
	load helpers/common
}

# spki PEM - SHA-256 of the SubjectPublicKeyInfo DER, computed by openssl
spki() {
	openssl x509 -in "$1" -pubkey -noout | openssl pkey -pubin \
	    -outform DER | sha256sum | cut -d' ' -f1
}

# days_left PEM - whole days until notAfter, as of now, rounded down (so
# negative as soon as it has expired)
days_left() {
	local end secs
	end=$(date -d "$(openssl x509 -in "$1" -noout -enddate | cut -d= -f2)" +%s)
	secs=$((end - $(date +%s)))
	if [ "$secs" -lt 0 ]; then
		echo $(( -((-secs + 86399) / 86400) ))
	else
		echo $((secs / 86400))
	fi
}

@test "the chain is reported leaf first, as sent, with fingerprints equal to certtool's" {
	lab_probe "$LAB_PORT_MX"
	assert_equal "$(p '.certificates | length')" 2
	assert_equal "$(p '.certificates[0].sha256_fingerprint')" "$(fingerprint "$LAB_CERT_GOOD")"
	assert_equal "$(p '.certificates[1].sha256_fingerprint')" "$(fingerprint "$LAB_CERT_INTER")"
	assert_equal "$(p '.certificates[0].spki_sha256')" "$(spki "$LAB_CERT_GOOD")"
	assert_equal "$(p '.certificates[1].spki_sha256')" "$(spki "$LAB_CERT_INTER")"
}

@test "leaf fields: subject, issuer, serial, validity, SANs, key, signature" {
	before=$(days_left "$LAB_CERT_GOOD")
	lab_probe "$LAB_PORT_MX"
	after=$(days_left "$LAB_CERT_GOOD")
	assert_equal "$(p '.certificates[0].subject')" "$(openssl x509 -in "$LAB_CERT_GOOD" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')"
	assert_equal "$(p '.certificates[0].issuer')" "$(openssl x509 -in "$LAB_CERT_GOOD" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')"
	assert_equal "$(p '.certificates[0].serial')" "$(openssl x509 -in "$LAB_CERT_GOOD" -noout -serial | cut -d= -f2 | tr 'A-F' 'a-f')"
	assert_equal "$(p '.certificates[0].not_after')" "$(date -u -d "$(openssl x509 -in "$LAB_CERT_GOOD" -noout -enddate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)"
	assert_equal "$(p '.certificates[0].not_before')" "$(date -u -d "$(openssl x509 -in "$LAB_CERT_GOOD" -noout -startdate | cut -d= -f2)" +%Y-%m-%dT%H:%M:%SZ)"
	days=$(p '.certificates[0].days_remaining')
	[ "$days" -le "$before" ] && [ "$days" -ge "$after" ] ||
	    fail "days_remaining $days, openssl says $before..$after"
	# openssl: "DNS:mail.lab.test, DNS:localhost, IP Address:127.0.0.1"
	sans=$(openssl x509 -in "$LAB_CERT_GOOD" -noout -ext subjectAltName | tail -n 1 | tr -d ' ' | tr ',' '\n')
	assert_equal "$(p '.certificates[0].san_dns | join(" ")')" "$(sed -n 's/^DNS://p' <<<"$sans" | paste -sd ' ')"
	assert_equal "$(p '.certificates[0].san_ip | join(" ")')" "$(sed -n 's/^IPAddress://p' <<<"$sans" | paste -sd ' ')"
	assert_equal "$(p '.certificates[0].san_dns | length')" 2
	assert_equal "$(p '.certificates[0].self_signed')" false
	assert_equal "$(p '.certificates[0].is_ca')" false
	assert_equal "$(p '.certificates[1].is_ca')" true
	keytype=$(openssl x509 -in "$LAB_CERT_GOOD" -noout -text | sed -n 's/.*Public Key Algorithm: //p')
	case $keytype in
	rsaEncryption) assert_equal "$(p '.certificates[0].public_key.algorithm')" RSA ;;
	id-ecPublicKey) assert_equal "$(p '.certificates[0].public_key.algorithm')" EC ;;
	*) fail "unexpected key type $keytype" ;;
	esac
	bits=$(openssl x509 -in "$LAB_CERT_GOOD" -noout -text | sed -n 's/.*Public-Key: (\([0-9]*\) bit).*/\1/p')
	assert_equal "$(p '.certificates[0].public_key.bits')" "$bits"
	assert_regex "$(p '.certificates[0].signature_algorithm')" 'SHA256$'
}

@test "--pem includes each certificate exactly as sent" {
	lab_probe "$LAB_PORT_MX" --pem
	assert_equal "$(p '.certificates[0].pem')" "$(cat "$LAB_CERT_GOOD")"
	assert_equal "$(p '.certificates[1].pem')" "$(cat "$LAB_CERT_INTER")"
}

@test "without --pem there is no PEM" {
	lab_probe "$LAB_PORT_MX"
	assert_equal "$(p '.certificates[0] | has("pem")')" false
}

@test "a good chain with the lab CA is trusted and matches the name" {
	lab_probe "$LAB_PORT_MX"
	assert_equal "$(p .verification.trusted)" true
	assert_equal "$(p .verification.hostname_match)" true
	assert_equal "$(p .verification.chain_complete)" true
	assert_equal "$(p '.verification.errors | length')" 0
}

@test "expired certificate: handshake completes, verification says expired" {
	lab_probe "$LAB_PORT_EXPIRED"
	assert_equal "$(p .tls.established)" true
	assert_equal "$(p .verification.trusted)" false
	assert_equal "$(p '.verification.errors | join(" ")')" expired
	assert_equal "$(p '.certificates[0].sha256_fingerprint')" "$(fingerprint "$LAB_CERT_EXPIRED")"
	assert_equal "$(p '.certificates[0].days_remaining')" "$(days_left "$LAB_CERT_EXPIRED")"
	[ "$(p '.certificates[0].days_remaining')" -lt 0 ]
	assert_equal "$(findings)" cert-expired
	assert_equal "$(p .ehlo_tls.code)" 250
}

@test "self-signed certificate: untrusted and self-signed" {
	lab_probe "$LAB_PORT_SELFSIGNED"
	assert_equal "$(p .tls.established)" true
	assert_equal "$(p '.certificates | length')" 1
	assert_equal "$(p '.certificates[0].self_signed')" true
	assert_equal "$(p '.certificates[0].sha256_fingerprint')" "$(fingerprint "$LAB_CERT_SELFSIGNED")"
	assert_equal "$(p .verification.trusted)" false
	assert_equal "$(p .verification.chain_complete)" true
	assert_equal "$(p '.verification.errors | sort | join(" ")')" "self-signed untrusted"
	assert_equal "$(findings)" cert-self-signed
}

@test "wrong-name certificate: trusted chain, name mismatch" {
	lab_probe "$LAB_PORT_WRONGNAME"
	assert_equal "$(p '.certificates[0].san_dns | join(" ")')" other.example.net
	assert_equal "$(p .verification.trusted)" true
	assert_equal "$(p .verification.hostname_match)" false
	assert_equal "$(p '.verification.errors | join(" ")')" hostname-mismatch
	assert_equal "$(findings)" cert-hostname-mismatch
}

@test "missing intermediate: one certificate sent, chain incomplete" {
	lab_probe "$LAB_PORT_NOINTER"
	assert_equal "$(p '.certificates | length')" 1
	assert_equal "$(p '.certificates[0].sha256_fingerprint')" "$(fingerprint "$LAB_CERT_GOOD")"
	assert_equal "$(p .verification.chain_complete)" false
	assert_equal "$(p .verification.trusted)" false
	assert_equal "$(p '.verification.errors | sort | join(" ")')" "chain-incomplete untrusted"
	assert_equal "$(findings)" chain-incomplete
}

@test "the system trust store does not trust the lab CA" {
	probe --sni "$LAB_HOST" -p "$LAB_PORT_MX" 127.0.0.1
	assert_equal "$(p .tls.established)" true
	assert_equal "$(p .verification.trusted)" false
	assert_equal "$(p '.verification.errors | join(" ")')" untrusted
	assert_equal "$(findings)" cert-untrusted
}

@test "--sni decides the name sent and checked" {
	lab_probe "$LAB_PORT_MX" --sni other.example.net
	assert_equal "$(j '.targets[0].sni')" other.example.net
	assert_equal "$(p .verification.hostname_match)" false
	assert_equal "$(findings)" cert-hostname-mismatch
	# The server saw that name in the handshake.
	probe --cafile "$HOSTILE_CA" --sni other.example.net -p "$HOSTILE_PORT_ECHO/starttls" 127.0.0.1
	assert_equal "$(p '.ehlo_tls.lines[2]')" "X-SNI other.example.net"
}

@test "an IP literal without --sni sends no SNI and checks no name" {
	probe --cafile "$LAB_CA" -p "$LAB_PORT_MX" 127.0.0.1
	assert_equal "$(j '.targets[0].sni')" null
	assert_equal "$(p .verification.hostname_match)" null
	assert_equal "$(p .verification.trusted)" true
	assert_equal "$(findings)" ""
	probe --cafile "$HOSTILE_CA" -p "$HOSTILE_PORT_ECHO/starttls" 127.0.0.1
	assert_equal "$(p '.ehlo_tls.lines[2]')" "X-SNI none"
}

@test "a host name is sent as SNI and checked: localhost is in the SANs" {
	probe --cafile "$LAB_CA" -p "$LAB_PORT_MX" localhost
	assert_equal "$(j '.targets[0].host')" localhost
	assert_equal "$(j '.targets[0].sni')" localhost
	# localhost may resolve to ::1 too, where nothing listens.
	assert_equal "$(jq -r '.targets[0].probes[] | select(.address == "127.0.0.1") | .verification.hostname_match' "$REPORT")" true
	probe --cafile "$HOSTILE_CA" -p "$HOSTILE_PORT_ECHO/starttls" localhost
	assert_equal "$(jq -r '.targets[0].probes[] | select(.address == "127.0.0.1") | .ehlo_tls.lines[2]' "$REPORT")" "X-SNI localhost"
}
