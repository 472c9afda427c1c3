#!/usr/bin/env bats
# Servers that misbehave (tests/servers/hostile.py): whatever they do, the
# probe ends within its deadlines with a valid report whose error and
# findings say exactly what happened.

setup() {
	load helpers/common
}

@test "silent server: banner timeout within --timeout" {
	hostile_probe SILENT/starttls --timeout 3
	assert_equal "$(p .error.phase)/$(p .error.kind)" banner/timeout
	assert_equal "$(p .error.message)" "the server accepted the connection but sent no complete greeting within 3 s; a port that expects implicit TLS (usually 465) behaves like this for a STARTTLS client"
	assert_equal "$(findings)" banner-timeout
	assert_equal "$(p .mode)" unknown
}

@test "silent server in auto mode: implicit TLS is tried, the banner timeout stays" {
	hostile_probe SILENT/auto --timeout 4 --transcript
	assert_equal "$(p .error.phase)/$(p .error.kind)" banner/timeout
	assert_equal "$(findings)" banner-timeout
	assert_equal "$(p '[.transcript.lines[].text] | index("reconnecting in implicit mode") != null')" true
	# The report is the first attempt's; its error says what the retry met.
	assert_regex "$(p .error.message)" "^the server accepted the connection but sent no complete greeting within 2 s; a second connection trying implicit TLS failed too: "
	assert_equal "$(p .tls)" null
	assert_equal "$(p .mode)" unknown
	assert_regex "$(p .timing_ms.banner)" '^[0-9]+$'
	assert_equal "$(p .timing_ms.handshake)" null
	assert_regex "$(p '.findings[0].message')" "implicit TLS on a second connection did not work either"
}

@test "banner dripped one byte a second: the phase deadline holds" {
	hostile_probe DRIP_BANNER/starttls --timeout 3
	assert_equal "$(p .error.phase)/$(p .error.kind)" banner/timeout
	assert_equal "$(findings)" banner-timeout
}

@test "20 MB banner line without CRLF: a limit error, bounded memory" {
	hostile_probe HUGE_LINE/starttls --timeout 10
	assert_equal "$(p .error.phase)/$(p .error.kind)" banner/limit
	assert_equal "$(p .banner.truncated)" true
	assert_equal "$(p .banner.code)" 0
	assert_equal "$(p '.banner.lines[0] | length')" 2048
	assert_equal "$(p '.banner.lines[0][0:8]')" "220 AAAA"
	assert_equal "$(findings)" smtp-protocol-error
}

@test "endless 250- continuation lines to EHLO: a limit error" {
	hostile_probe ENDLESS_EHLO/starttls --timeout 10
	assert_equal "$(p .error.phase)/$(p .error.kind)" ehlo/limit
	assert_equal "$(p .banner.code)" 220
	assert_equal "$(p .ehlo.truncated)" true
	assert_equal "$(p '.ehlo.lines | length')" 128
	assert_equal "$(findings)" smtp-protocol-error
}

@test "NUL, invalid UTF-8, ANSI escapes and control characters: valid JSON, kept escaped" {
	hostile_probe CONTROL_CHARS/starttls --timeout 5
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .banner.code)" 220
	assert_equal "$(p '[.banner.lines[], .ehlo.lines[]] | map(test("\u001b\\[2J")) | any')" true
	assert_equal "$(p '[.banner.lines[], .ehlo.lines[]] | map(test("\u0000")) | any')" true
	assert_equal "$(p '[.banner.lines[], .ehlo.lines[]] | map(test("\ufffd")) | any')" true
	assert_equal "$(findings)" "smtp-nonconforming starttls-missing"
}

@test "text output escapes every control character a server sent" {
	text_probe --timeout 5 -p "$HOSTILE_PORT_CONTROL_CHARS/starttls" 127.0.0.1
	bytes=" $(od -An -tx1 "$TEXT" | tr -s ' \n' ' ') "
	for byte in 00 01 07 08 1b 7f; do
		[[ $bytes != *" $byte "* ]] || fail "raw byte 0x$byte in the text report"
	done
	run cat "$TEXT"
	assert_output --partial 'banner    220 ctl.test ESMTP \x00nul'
	assert_output --partial '\x1b[2J'
	assert_output --partial '\xff'
}

@test "bare LF line endings are accepted and noted" {
	hostile_probe BARE_LF/starttls --timeout 5
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .banner.bare_lf)" true
	assert_equal "$(p .ehlo.bare_lf)" true
	assert_equal "$(p '.ehlo.capabilities | map(.keyword) | join(" ")')" "SIZE 8BITMIME"
	assert_equal "$(p '.ehlo.capabilities[0].params[0]')" 1000
	assert_equal "$(findings)" "smtp-nonconforming starttls-missing"
}

@test "5,000 capability lines: kept up to the limits, marked truncated" {
	hostile_probe MANY_CAPS/starttls --timeout 5
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .ehlo.truncated)" true
	assert_equal "$(p '.ehlo.lines | length')" 128
	assert_equal "$(p '.ehlo.capabilities | length')" 64
	assert_equal "$(p .ehlo.capabilities_truncated)" true
	assert_equal "$(p '.ehlo.capabilities[0].keyword')" X-CAP-0001
	assert_equal "$(findings)" starttls-missing
}

@test "421 greeting then close: greeting rejected" {
	hostile_probe GREETING_421/starttls --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" banner/protocol
	assert_equal "$(p .banner.code)" 421
	assert_equal "$(p '.banner.lines[0]')" "4.3.2 Service not available, closing transmission channel"
	assert_equal "$(findings)" greeting-rejected
	assert_equal "$(p .mode)" plain
}

@test "connection reset right after EHLO: the connection was lost" {
	hostile_probe RESET_AFTER_EHLO/starttls --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" ehlo/reset
	assert_equal "$(findings)" connection-lost
}

@test "STARTTLS answered with a line that is not SMTP: a protocol error, not a refusal" {
	hostile_probe STARTTLS_NOT_SMTP/starttls --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" starttls/protocol
	assert_equal "$(p .starttls.offered)" true
	assert_equal "$(p .tls)" null
	assert_equal "$(p .mode)" plain
	assert_equal "$(findings)" smtp-protocol-error
}

@test "EHLO answered 421: the server refuses the client" {
	hostile_probe EHLO_421/starttls --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" ehlo/protocol
	assert_equal "$(p .ehlo.code)" 421
	assert_equal "$(p '.ehlo.lines[0]')" "4.7.0 busy.test too busy, try later"
	assert_equal "$(p .mode)" plain
	assert_equal "$(findings)" greeting-rejected
	assert_regex "$(p '.findings[0].message')" "^The server refused EHLO with 421"
}

@test "EHLO and HELO refused: the server refuses the client" {
	hostile_probe HELO_REFUSED/starttls --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" ehlo/protocol
	assert_equal "$(p .ehlo.code)" 550
	assert_equal "$(p .ehlo.command)" HELO
	assert_equal "$(findings)" greeting-rejected
	assert_regex "$(p '.findings[0].message')" "^The server refused EHLO and HELO with 550"
}

@test "STARTTLS answered 454: starttls rejected, no TLS" {
	hostile_probe STARTTLS_454/starttls --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" starttls/protocol
	assert_equal "$(p .starttls.offered)" true
	assert_equal "$(p .starttls.code)" 454
	assert_equal "$(p .starttls.text)" "4.7.0 TLS not available due to local problem"
	assert_equal "$(p .tls)" null
	assert_equal "$(p .mode)" plain
	assert_equal "$(findings)" starttls-rejected
}

@test "STARTTLS 220 then garbage: handshake failed" {
	hostile_probe STARTTLS_GARBAGE/starttls --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" handshake/tls
	assert_equal "$(p .tls.established)" false
	assert_equal "$(p .tls.error)" "An unexpected TLS packet was received."
	assert_equal "$(findings)" handshake-failed
}

@test "STARTTLS 220 then a TLS alert: the alert is named" {
	hostile_probe STARTTLS_ALERT/starttls --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" handshake/tls
	assert_equal "$(p .tls.alert)" "Handshake failed"
	assert_equal "$(findings)" handshake-failed
}

@test "plaintext after the 220 to STARTTLS is discarded, never fed to TLS" {
	hostile_probe STARTTLS_PIPELINED/starttls --timeout 5
	assert_equal "$(p .outcome)" ok
	# "250-INJECTED\r\n250 AUTH PLAIN\r\n"
	assert_equal "$(p .starttls.trailing_bytes)" 30
	assert_equal "$(p .tls.established)" true
	assert_equal "$(p '.ehlo_tls.lines[0]')" hostile.test
	assert_equal "$(p '.auth.after_tls | join(" ")')" PLAIN
	assert_equal "$(findings)" starttls-response-injection
}

@test "plaintext SMTP on a port probed in implicit mode" {
	hostile_probe PLAIN_ON_IMPLICIT/implicit --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" handshake/protocol
	assert_equal "$(findings)" implicit-port-speaks-plaintext
}

@test "TLS from the first byte on a port probed in STARTTLS mode" {
	hostile_probe IMPLICIT_ONLY/starttls --timeout 3
	assert_equal "$(p .error.phase)/$(p .error.kind)" banner/timeout
	assert_equal "$(findings)" banner-timeout
}

@test "TLS from the first byte on a port probed in auto mode: detected" {
	hostile_probe IMPLICIT_ONLY/auto --timeout 8 --transcript
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .mode)" implicit
	# The probe's phases are the implicit dialogue's, not the plaintext
	# wait beside it.
	assert_equal "$(p '.timing_ms.banner == .attempts[1].timing_ms.banner and .timing_ms.handshake == .attempts[1].timing_ms.handshake')" true
	# The implicit attempt started 1.5 s in, beside the STARTTLS attempt
	# (not after its 4 s greeting wait): the two overlap, and the
	# STARTTLS attempt was given up because implicit TLS answered.
	[ "$(p .timing_ms.total)" -ge 1500 ] || fail "total $(p .timing_ms.total) ms"
	assert_equal "$(p '.timing_ms.total < .attempts[0].timing_ms.total + .attempts[1].timing_ms.total')" true
	assert_equal "$(p '[.attempts[].mode] | join(",")')" starttls,implicit
	assert_equal "$(p '.attempts[0].error.phase + "/" + .attempts[0].error.kind')" banner/timeout
	assert_equal "$(p .attempts[0].error.message)" "the server sent no greeting in clear while implicit TLS worked on a second connection"
	assert_equal "$(p '.attempts[1].outcome')" ok
	assert_equal "$(p '.attempts[1].timing_ms.handshake | type')" number
	# Both dialogues are in the transcript: the first attempt's silence
	# has no lines, the second's TLS and EHLO do, after the note.
	assert_equal "$(p '[.transcript.lines[].text] | index("reconnecting in implicit mode")')" 0
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "sent") | .text] | join("|")')" "EHLO smtp-probe.invalid|QUIT"
	assert_equal "$(p '.banner.lines[0]')" "implicit.test ESMTP"
	assert_equal "$(p '.auth.after_tls | join(" ")')" "PLAIN LOGIN"
	assert_equal "$(findings)" port-expects-implicit-tls
}

@test "greeting delayed 6 s (postscreen): nothing sent early, a normal STARTTLS server" {
	hostile_probe POSTSCREEN/auto --transcript
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .mode)" starttls
	assert_equal "$(p '.banner.lines[0]')" "postscreen.test ESMTP"
	# Nothing is sent before the greeting: EHLO, the first line sent,
	# follows the 220. (Off port 25, a parallel implicit-TLS attempt
	# starts meanwhile; the greeting in clear still wins.)
	assert_regex "$(p '[.transcript.lines[] | select(.dir == "received")][0].text')" "^220 postscreen.test"
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "sent")][0].text')" "EHLO smtp-probe.invalid"
	assert_equal "$(p '([.transcript.lines[] | select(.dir == "sent")][0].ms) >= ([.transcript.lines[] | select(.dir == "received")][0].ms)')" true
	assert_equal "$(p '.attempts[0].mode + "/" + .attempts[0].outcome')" starttls/ok
	[ "$(p .timing_ms.banner)" -ge 5500 ]
	assert_equal "$(findings)" ""
}

@test "a chain of 12 intermediates is kept whole and verifies" {
	hostile_probe CHAIN_12/starttls
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .error)" null
	assert_equal "$(p '.certificates | length')" 13
	assert_equal "$(p .chain_truncated)" false
	assert_equal "$(p .verification.trusted)" true
	assert_equal "$(findings)" ""
}

@test "30 certificates in one chain: 16 kept, too long to verify" {
	hostile_probe CHAIN_30/starttls
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .error)" null
	assert_equal "$(p '.certificates | length')" 16
	assert_equal "$(p .chain_truncated)" true
	assert_equal "$(p '.verification.errors | index("chain-too-long") != null')" true
	assert_equal "$(findings)" cert-untrusted
}

@test "long, non-ASCII and control characters in the subject, 501 SANs" {
	hostile_probe UGLY_CERT/starttls
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p '.certificates[0].san_dns | length')" 501
	assert_equal "$(p '.certificates[0].san_dns[-1]')" hostile.test
	assert_equal "$(p '.certificates[0].subject | test("Ünïcödé Straße 東京")')" true
	assert_equal "$(p '.certificates[0].subject | test("\u001b")')" true
	assert_equal "$(p .verification.hostname_match)" true
	text_probe --cafile "$HOSTILE_CA" --sni hostile.test -p "$HOSTILE_PORT_UGLY_CERT/starttls" 127.0.0.1
	run cat "$TEXT"
	refute_output --partial $'\033'
	assert_output --partial 'Ünïcödé'
}

@test "TLS 1.0 only: the handshake completes and the version is a finding" {
	hostile_probe TLS10_ONLY/starttls
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .error)" null
	assert_equal "$(p .tls.established)" true
	assert_equal "$(p .tls.version)" TLS1.0
	assert_equal "$(findings)" tls-legacy-version
}

@test "a well-behaved server: no findings" {
	hostile_probe STARTTLS_OK/starttls
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p '.ehlo_tls.lines[0]')" hostile.test
	assert_equal "$(findings)" ""
}

@test "a 32 KiB multi-line reply to STARTTLS is kept whole, bounded" {
	hostile_probe STARTTLS_BIG_REPLY/starttls --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" starttls/protocol
	assert_equal "$(p .starttls.code)" 454
	# 128 lines of 256 bytes joined by 127 line feeds
	assert_equal "$(p '.starttls.text | length')" 32895
	assert_equal "$(p '.starttls.text | split("\n") | length')" 128
	assert_equal "$(findings)" starttls-rejected
}

@test "plaintext injected a moment after the 220 to STARTTLS is still caught" {
	hostile_probe STARTTLS_LATE_INJECTION/starttls --timeout 5
	assert_equal "$(p .error.phase)/$(p .error.kind)" handshake/protocol
	# What GnuTLS read as the ServerHello: at least a record header.
	[ "$(p .starttls.trailing_bytes)" -ge 5 ] || fail "trailing_bytes $(p .starttls.trailing_bytes)"
	assert_equal "$(findings)" "handshake-failed starttls-response-injection"
}

@test "EHLO refused: HELO is used and recorded" {
	hostile_probe HELO_ONLY/starttls --timeout 5 --transcript
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .ehlo.command)" HELO
	assert_equal "$(p .ehlo.code)" 250
	assert_equal "$(p '.ehlo.lines[0]')" helo.test
	assert_equal "$(p '.ehlo.capabilities | length')" 0
	assert_equal "$(p .starttls.offered)" false
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "sent") | .text] | join("|")')" \
	    "EHLO smtp-probe.invalid|HELO smtp-probe.invalid|QUIT"
	assert_equal "$(findings)" starttls-missing
}

@test "EHLO refused inside implicit TLS: HELO is recorded under ehlo_tls" {
	hostile_probe HELO_ONLY_TLS/implicit --timeout 5
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .ehlo)" null
	assert_equal "$(p .ehlo_tls.command)" HELO
	assert_equal "$(p .timing_ms.ehlo)" null
	[[ $(p .timing_ms.ehlo_tls) =~ ^[0-9]+$ ]]
	assert_equal "$(findings)" ""
}

@test "auto mode, a greeting dripped slower than half the timeout: a slow STARTTLS port, not an implicit one" {
	hostile_probe DRIP_BANNER/auto --timeout 14
	assert_equal "$(p .error.phase)/$(p .error.kind)" banner/timeout
	assert_regex "$(p .error.message)" "greets later"
	assert_equal "$(findings)" banner-timeout
}
