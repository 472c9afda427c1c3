#!/usr/bin/env bats
# Implicit TLS (RFC 8314) against the lab Postfix in wrapper mode, and the
# detection of a port that speaks the other mode.

setup() {
	load helpers/common
}

@test "implicit port: handshake first, then banner and EHLO inside TLS" {
	lab_probe "$LAB_PORT_SMTPS/implicit" --transcript
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .mode)" implicit
	assert_equal "$(p .tls.established)" true
	assert_equal "$(p .banner.code)" 220
	assert_equal "$(p '.banner.lines[0]')" "$LAB_BANNER"
	assert_equal "$(p .ehlo)" null
	assert_equal "$(p .ehlo_tls.code)" 250
	assert_equal "$(p .starttls.offered)" false
	assert_equal "$(p .timing_ms.ehlo)" null
	assert_equal "$(p .timing_ms.starttls)" null
	[[ $(p .timing_ms.handshake) =~ ^[0-9]+$ ]]
	assert_equal "$(p '.certificates[0].sha256_fingerprint')" "$(fingerprint "$LAB_CERT_GOOD")"
	assert_equal "$(p '.auth.after_tls | join(" ")')" "PLAIN LOGIN"
	assert_equal "$(p .auth.only_after_tls)" true
	assert_equal "$(p .client_advice.tls)" implicit
	assert_equal "$(findings)" ""
	# The first thing on the wire from the server is TLS, not a greeting.
	assert_equal "$(p '.transcript.lines[0].dir')" tls
}

@test "implicit mode against a STARTTLS port: the port speaks plaintext" {
	lab_probe "$LAB_PORT_MX/implicit"
	assert_equal "$(p .outcome)" error
	assert_equal "$(p .error.phase)" handshake
	assert_equal "$(p .error.kind)" protocol
	assert_equal "$(findings)" implicit-port-speaks-plaintext
}

@test "auto mode on a silent port tries implicit TLS and says so" {
	# With room to spare under valgrind: the implicit attempt starts
	# after 1.5 s and answers long before the greeting wait ends.
	lab_probe "$LAB_PORT_SMTPS" --timeout 8
	assert_equal "$(p .requested_mode)" auto
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .mode)" implicit
	assert_equal "$(p '.banner.lines[0]')" "$LAB_BANNER"
	assert_equal "$(p .ehlo_tls.code)" 250
	assert_equal "$(findings)" port-expects-implicit-tls
	assert_equal "$(p .client_advice.tls)" implicit
}
