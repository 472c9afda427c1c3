#!/usr/bin/env bats
# --tls-versions against real servers: a second lab Postfix that allows TLS
# 1.0 to 1.3 (OpenSSL at security level 0, as TLS 1.0 needs), reconfigured
# later to TLS 1.3 alone; the suite's lab (TLS 1.2 and 1.3); STARTTLS and
# implicit TLS; the hostile server's TLS 1.0-only and alert-only ports; a
# server that hangs or goes down after the probe's first connection; and a
# system GnuTLS configuration that disables a version. What each version
# should give is computed independently, with openssl s_client and
# gnutls-cli against the same port, and the two must agree.

setup_file() {
	local base
	VLAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/smtp-probe-versions.XXXXXX")
	chmod 755 "$VLAB_DIR"
	export VLAB_DIR
	for _ in 1 2 3 4 5; do
		mkdir -p "$VLAB_DIR/lab"
		base=$((20000 + (RANDOM % 120) * 100 + 60))
		if LAB_PORT_BASE=$base LAB_TLS_PROTOCOLS='>=TLSv1' \
		    LAB_TLS_SECLEVEL=0 "$BATS_TEST_DIRNAME/lab/lab.sh" start \
		    "$VLAB_DIR/lab" >"$VLAB_DIR/lab.log" 2>&1; then
			return 0
		fi
		"$BATS_TEST_DIRNAME/lab/lab.sh" stop "$VLAB_DIR/lab" \
		    >/dev/null 2>&1 || true
		rm -rf "$VLAB_DIR/lab"
	done
	cat "$VLAB_DIR/lab.log" >&2
	return 1
}

teardown_file() {
	[ -n "${VLAB_DIR:-}" ] || return 0
	"$BATS_TEST_DIRNAME/lab/lab.sh" stop "$VLAB_DIR/lab" >/dev/null 2>&1 ||
	    true
	rm -rf "$VLAB_DIR"
}

setup() {
	load helpers/common
	VLAB_PORT_MX=$(vlab LAB_PORT_MX)
	VLAB_PORT_SMTPS=$(vlab LAB_PORT_SMTPS)
}

teardown() {
	[ -z "${ONESHOT_PID:-}" ] || kill "$ONESHOT_PID" 2>/dev/null || true
}

# vlab NAME - a value of the second lab's lab.env (its names are the
# suite lab's, so it is not sourced)
vlab() {
	(
		# shellcheck disable=SC1091
		. "$VLAB_DIR/lab/lab.env"
		printf '%s\n' "${!1}"
	)
}

# openssl_accepts PORT MODE VERSION - does openssl s_client complete a
# handshake offering VERSION (1.0 .. 1.3) alone? MODE starttls or implicit.
# OpenSSL 3 offers TLS 1.0 and 1.1 only at security level 0.
openssl_accepts() {
	local flag out
	flag=-tls${3/./_}
	[ "$3" != 1.0 ] || flag=-tls1
	# shellcheck disable=SC2046 # no option, or two words
	out=$(timeout 10 openssl s_client -connect "127.0.0.1:$1" "$flag" \
	    -cipher DEFAULT@SECLEVEL=0 \
	    $([ "$2" = starttls ] && echo -starttls smtp) </dev/null 2>&1) || true
	# "New, TLSv1.0" names the cipher suite's version; the session's is
	# under "Protocol", which TLS 1.3 prints only with a session ticket.
	grep -qE '^New, TLSv' <<<"$out" &&
	    grep -qE "^ *Protocol *: TLSv${3%.0}\$|^New, TLSv$3, " <<<"$out"
}

# gnutls_accepts PORT MODE VERSION - the same with gnutls-cli and a priority
# string written here, not the probe's
gnutls_accepts() {
	local out
	# shellcheck disable=SC2046 # no option, or one word
	out=$(timeout 10 gnutls-cli --insecure --port "$1" \
	    --priority "NORMAL:-VERS-ALL:+VERS-TLS$3:+3DES-CBC:%COMPAT" \
	    $([ "$2" = starttls ] && echo --starttls-proto=smtp) 127.0.0.1 \
	    </dev/null 2>&1) || true
	grep -q -- '- Handshake was completed' <<<"$out" &&
	    grep -qF -- "- Description: (TLS$3-" <<<"$out"
}

# expect_versions PORT MODE [N] - each version's accepted in the report
# (probe N) is what openssl and gnutls-cli both see; VERSIONS gets
# "TLS1.0=true ..." for the caller to check against what the server allows
expect_versions() {
	local v o g got
	VERSIONS=
	for v in 1.0 1.1 1.2 1.3; do
		o=false g=false
		if openssl_accepts "$1" "$2" "$v"; then o=true; fi
		if gnutls_accepts "$1" "$2" "$v"; then g=true; fi
		[ "$o" = "$g" ] ||
		    fail "TLS$v on $1: openssl says $o, gnutls-cli says $g"
		got=$(p ".tls_versions[\"TLS$v\"].accepted" "${3:-0}")
		[ "$got" = "$o" ] ||
		    fail "TLS$v on $1: the report says $got, openssl and gnutls-cli $o"
		VERSIONS+="TLS$v=$o "
	done
	VERSIONS=${VERSIONS% }
}

# sweep_attempts - "mode:version:outcome" of the sweep's attempts
sweep_attempts() {
	p '[.attempts[] | select(.tls_version) | "\(.mode):\(.tls_version)"] | join(" ")'
}

@test "STARTTLS, Postfix allowing TLS 1.0 to 1.3: all four accepted" {
	probe --cafile "$(vlab LAB_CA)" --sni "$LAB_HOST" --tls-versions \
	    -p "$VLAB_PORT_MX/starttls" 127.0.0.1
	# Postfix saw a TLS 1.0 and a TLS 1.1 session (smtpd_tls_loglevel 1):
	# the probe's own is TLS 1.3, and only the sweep offers the others.
	for v in TLSv1 TLSv1.1; do
		for _ in $(seq 20); do
			grep -q "TLS connection established from .*: $v with" \
			    "$(vlab LAB_MAILLOG)" && break
			sleep 0.1
		done
		grep -q "TLS connection established from .*: $v with" \
		    "$(vlab LAB_MAILLOG)" || fail "no $v session in the maillog"
	done
	expect_versions "$VLAB_PORT_MX" starttls
	assert_equal "$VERSIONS" \
	    "TLS1.0=true TLS1.1=true TLS1.2=true TLS1.3=true"
	assert_equal "$(p '[.tls_versions[].error] | unique | join(",")')" ""
	# The probe's own fields are its own attempt's: TLS 1.3 negotiated.
	assert_equal "$(p .tls.version)" TLS1.3
	assert_equal "$(p .ehlo_tls.code)" 250
	assert_equal "$(p '.attempts | length')" 5
	assert_equal "$(p '.attempts[0].tls_version')" null
	assert_equal "$(sweep_attempts)" \
	    "starttls:TLS1.0 starttls:TLS1.1 starttls:TLS1.2 starttls:TLS1.3"
	assert_equal "$(p '[.attempts[].outcome] | unique | join(",")')" ok
	assert_equal "$(findings)" tls-legacy-version
	run p '.findings[0].message'
	assert_output --partial "accepts TLS1.0 and TLS1.1 offered alone (--tls-versions)"
}

@test "implicit TLS, Postfix allowing TLS 1.0 to 1.3: the sweep speaks implicit TLS" {
	probe --cafile "$(vlab LAB_CA)" --sni "$LAB_HOST" --tls-versions \
	    -p "$VLAB_PORT_SMTPS/implicit" 127.0.0.1
	expect_versions "$VLAB_PORT_SMTPS" implicit
	assert_equal "$VERSIONS" \
	    "TLS1.0=true TLS1.1=true TLS1.2=true TLS1.3=true"
	assert_equal "$(sweep_attempts)" \
	    "implicit:TLS1.0 implicit:TLS1.1 implicit:TLS1.2 implicit:TLS1.3"
	assert_equal "$(p .mode)" implicit
	assert_equal "$(findings)" tls-legacy-version
}

@test "the suite's Postfix (TLS 1.2 and 1.3): 1.0 and 1.1 refused with an alert, no finding" {
	lab_probe "$LAB_PORT_MX/starttls" --tls-versions
	expect_versions "$LAB_PORT_MX" starttls
	assert_equal "$VERSIONS" \
	    "TLS1.0=false TLS1.1=false TLS1.2=true TLS1.3=true"
	run p '.tls_versions["TLS1.0"].error'
	assert_output --regexp '^the server refused it with the alert ".+"$'
	assert_equal "$(p '.tls_versions["TLS1.2"].error')" null
	assert_equal "$(findings)" ""
	# A refused version is a connection that ended in an error.
	assert_equal "$(p '[.attempts[] | select(.tls_version == "TLS1.1")][0].error.phase')" handshake
}

@test "implicit TLS on the suite's Postfix: auto mode on a port other than 465 sweeps in implicit" {
	lab_probe "$LAB_PORT_SMTPS" --tls-versions
	assert_equal "$(p .mode)" implicit
	expect_versions "$LAB_PORT_SMTPS" implicit
	assert_equal "$VERSIONS" \
	    "TLS1.0=false TLS1.1=false TLS1.2=true TLS1.3=true"
	# Auto mode's first STARTTLS attempt stays first, the sweep after it.
	assert_equal "$(p '.attempts[0].mode'):$(p '.attempts[0].tls_version')" starttls:null
	assert_equal "$(sweep_attempts)" \
	    "implicit:TLS1.0 implicit:TLS1.1 implicit:TLS1.2 implicit:TLS1.3"
}

@test "text and Prometheus outputs show the versions" {
	text_probe --cafile "$LAB_CA" --sni "$LAB_HOST" --tls-versions \
	    -p "$LAB_PORT_MX/starttls" 127.0.0.1
	grep -qE '^ +versions +TLS1\.0 no, TLS1\.1 no, TLS1\.2 yes, TLS1\.3 yes$' "$TEXT" ||
	    fail "no versions line: $(cat "$TEXT")"
	out=$BATS_TEST_TMPDIR/metrics.prom
	timeout 60 $WRAP "$PROBE" --format prometheus --cafile "$LAB_CA" \
	    --sni "$LAB_HOST" --tls-versions -p "$LAB_PORT_MX/starttls" \
	    127.0.0.1 >"$out"
	run promtool check metrics <"$out"
	assert_success
	assert_output ""
	for v in 1.0:0 1.1:0 1.2:1 1.3:1; do
		grep -qxF "smtp_probe_tls_version_accepted{host=\"127.0.0.1\",address=\"127.0.0.1\",port=\"$LAB_PORT_MX\",mode=\"starttls\",version=\"TLS${v%:*}\"} ${v#*:}" "$out" ||
		    fail "no series for TLS${v%:*} = ${v#*:}"
	done
	# Without --tls-versions: no such series, no tls_versions.
	timeout 60 $WRAP "$PROBE" --format prometheus --cafile "$LAB_CA" \
	    --sni "$LAB_HOST" -p "$LAB_PORT_MX/starttls" 127.0.0.1 >"$out"
	! grep -q smtp_probe_tls_version_accepted "$out"
	lab_probe "$LAB_PORT_MX/starttls"
	assert_equal "$(p 'has("tls_versions")')" false
	assert_equal "$(p '.attempts | length')" 1
}

@test "hostile TLS 1.0-only server: 1.0 accepted, the others refused" {
	hostile_probe TLS10_ONLY/starttls --tls-versions
	expect_versions "$HOSTILE_PORT_TLS10_ONLY" starttls
	assert_equal "$VERSIONS" \
	    "TLS1.0=true TLS1.1=false TLS1.2=false TLS1.3=false"
	run p '.findings[] | select(.id == "tls-legacy-version") | .message'
	assert_output --partial "negotiated TLS1.0, and accepts TLS1.0 offered alone"
}

@test "a server that answers every ClientHello with an alert: swept, each refused, no hang" {
	hostile_probe STARTTLS_ALERT/starttls --tls-versions --timeout 10
	assert_equal "$(p .tls.established)" false
	for v in 1.0 1.1 1.2 1.3; do
		assert_equal "$(p ".tls_versions[\"TLS$v\"].accepted")" false
		run p ".tls_versions[\"TLS$v\"].error"
		assert_output 'the server refused it with the alert "Handshake failed"'
	done
	assert_equal "$(p '.attempts | length')" 5
}

@test "no TLS, no sweep: a silent port, STARTTLS refused, plain mode" {
	hostile_probe SILENT/starttls --tls-versions --timeout 3
	assert_equal "$(p 'has("tls_versions")')" false
	assert_equal "$(p '.attempts | length')" 1
	hostile_probe STARTTLS_454/starttls --tls-versions
	assert_equal "$(p 'has("tls_versions")')" false
	lab_probe "$LAB_PORT_PLAIN/plain" --tls-versions
	assert_equal "$(p 'has("tls_versions")')" false
	# A port answering the ClientHello in plaintext is not swept either.
	lab_probe "$LAB_PORT_MX/implicit" --tls-versions
	assert_equal "$(p 'has("tls_versions")')" false
}

@test "more connections than file descriptors: probes wait their turn, no version fails for it" {
	targets=$(printf "127.0.0.1 %.0s" $(seq 12))
	run bash -c "ulimit -n 24 && $WRAP '$PROBE' --cafile '$LAB_CA' -j 64 --tls-versions -p '$LAB_PORT_MX/starttls' $targets >'$BATS_TEST_TMPDIR/r.json'"
	assert_success
	"$VALIDATE" "$BATS_TEST_TMPDIR/r.json"
	REPORT=$BATS_TEST_TMPDIR/r.json
	# Four descriptors a probe while its versions run: two probes at once.
	assert_equal "$(j '[.targets[].probes[].tls_versions | to_entries[] | "\(.key)=\(.value.accepted)"] | unique | join(" ")')" \
	    "TLS1.0=false TLS1.1=false TLS1.2=true TLS1.3=true"
	assert_equal "$(j '[.targets[].probes[].attempts[] | select(.error.phase == "connect")] | length')" 0
}

# oneshot AFTER - a relay to the suite's lab MX for one connection, then
# hang or down; sets ONESHOT_PORT
oneshot() {
	/usr/bin/python3 "$ROOT/tests/servers/oneshot.py" --target "$LAB_PORT_MX" \
	    --after "$1" --port-file "$BATS_TEST_TMPDIR/oneshot.port" &
	ONESHOT_PID=$!
	for _ in $(seq 100); do
		[ -s "$BATS_TEST_TMPDIR/oneshot.port" ] && break
		sleep 0.05
	done
	ONESHOT_PORT=$(cat "$BATS_TEST_TMPDIR/oneshot.port")
}

@test "a server that hangs after the first connection: the sweep ends by --timeout" {
	oneshot hang
	probe --cafile "$LAB_CA" --sni "$LAB_HOST" --tls-versions --timeout 4 \
	    -p "$ONESHOT_PORT/starttls" 127.0.0.1
	within_timeout 4
	[ "$ELAPSED_MS" -ge 3500 ] || fail "ended after $ELAPSED_MS ms: the sweep did not wait"
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p .tls.established)" true
	for v in 1.0 1.1 1.2 1.3; do
		assert_equal "$(p ".tls_versions[\"TLS$v\"].accepted")" false
		run p ".tls_versions[\"TLS$v\"].error"
		assert_output --partial "4 s"
	done
	assert_equal "$(p '[.attempts[] | select(.tls_version) | .error.kind] | unique | join(",")')" timeout
	assert_equal "$(p '[.attempts[] | select(.tls_version) | .error.phase] | unique | join(",")')" banner
}

@test "SIGINT while the versions wait: exit 130, a complete report, nothing leaked" {
	oneshot hang
	$WRAP "$PROBE" --format json --tls-versions --timeout 30 \
	    -p "$ONESHOT_PORT/starttls" 127.0.0.1 >"$BATS_TEST_TMPDIR/r.json" \
	    2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	# The probe's own connection is the first: wait until the versions'
	# are held by the relay, then stop the run.
	sleep 2
	[ -z "$WRAP" ] || sleep 6
	kill -INT "$pid"
	rc=0
	wait "$pid" || rc=$?
	assert_equal "$rc" 130
	"$VALIDATE" "$BATS_TEST_TMPDIR/r.json"
	assert_equal "$(jq .interrupted "$BATS_TEST_TMPDIR/r.json")" true
}

@test "a server that goes down after the first connection: each version refused at connect" {
	oneshot down
	probe --cafile "$LAB_CA" --sni "$LAB_HOST" --tls-versions --timeout 10 \
	    -p "$ONESHOT_PORT/starttls" 127.0.0.1
	within_timeout 3
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p '[.attempts[] | select(.tls_version) | .error.phase] | unique | join(",")')" connect
	assert_equal "$(p '[.attempts[] | select(.tls_version) | .error.kind] | unique | join(",")')" refused
	assert_equal "$(p '[.tls_versions[].accepted] | unique | join(",")')" false
}

@test "a version the system's GnuTLS configuration disables: not tried, and said why" {
	conf=$BATS_TEST_TMPDIR/gnutls.config
	printf '[overrides]\ndisabled-version = TLS1.0\n' >"$conf"
	GNUTLS_SYSTEM_PRIORITY_FILE=$conf probe --cafile "$(vlab LAB_CA)" \
	    --sni "$LAB_HOST" --tls-versions -p "$VLAB_PORT_MX/starttls" 127.0.0.1
	assert_equal "$(p '.tls_versions["TLS1.0"].accepted')" false
	run p '.tls_versions["TLS1.0"].error'
	assert_output --partial "not tried: the system's GnuTLS configuration $conf"
	assert_output --partial "GNUTLS_SYSTEM_PRIORITY_FILE"
	assert_equal "$(p '.tls_versions["TLS1.1"].accepted')" true
	assert_equal "$(p '.tls_versions["TLS1.3"].accepted')" true
	# No connection for it: the probe's own and three.
	assert_equal "$(sweep_attempts)" \
	    "starttls:TLS1.1 starttls:TLS1.2 starttls:TLS1.3"
	run p '.findings[0].message'
	assert_output --partial "accepts TLS1.1 offered alone"
}

@test "a system allowlist: versions it leaves out are still offered, its signatures still apply" {
	# TLS 1.2 and 1.3 enabled, one signature algorithm that TLS 1.3 uses
	# with the lab's P-256 key and TLS 1.2 names otherwise (ECDSA-SHA256).
	conf=$BATS_TEST_TMPDIR/gnutls.config
	printf '%s\n' '[global]' 'override-mode = allowlist' '[overrides]' \
	    'secure-hash = SHA256' 'secure-sig = ECDSA-SECP256R1-SHA256' \
	    'enabled-version = TLS1.2' 'enabled-version = TLS1.3' \
	    'enabled-curve = SECP256R1' 'tls-enabled-group = GROUP-SECP256R1' \
	    'tls-enabled-cipher = AES-256-GCM' 'tls-enabled-mac = AEAD' \
	    'tls-enabled-kx = ECDHE-ECDSA' >"$conf"
	GNUTLS_SYSTEM_PRIORITY_FILE=$conf probe --cafile "$(vlab LAB_CA)" \
	    --sni "$LAB_HOST" --tls-versions -p "$VLAB_PORT_MX/starttls" 127.0.0.1
	assert_equal "$(p '.tls_versions["TLS1.0"].accepted')" true
	assert_equal "$(p '.tls_versions["TLS1.3"].accepted')" true
	assert_equal "$(p '.tls_versions["TLS1.2"].accepted')" false
	run p '.tls_versions["TLS1.2"].error'
	assert_output --partial "insufficient security level"
	refute_output --partial "alert"
}

@test "Postfix reconfigured to TLS 1.3 alone: only 1.3 accepted" {
	"$ROOT/tests/lab/lab.sh" set "$VLAB_DIR/lab" \
	    'smtpd_tls_protocols=TLSv1.3' 'smtpd_tls_mandatory_protocols=TLSv1.3'
	for _ in $(seq 50); do
		gnutls_accepts "$VLAB_PORT_MX" starttls 1.2 || break
		sleep 0.2
	done
	probe --cafile "$(vlab LAB_CA)" --sni "$LAB_HOST" --tls-versions \
	    -p "$VLAB_PORT_MX/starttls,$VLAB_PORT_SMTPS/implicit" 127.0.0.1
	expect_versions "$VLAB_PORT_MX" starttls
	assert_equal "$VERSIONS" \
	    "TLS1.0=false TLS1.1=false TLS1.2=false TLS1.3=true"
	assert_equal "$(p '.port' 1)" "$VLAB_PORT_SMTPS"
	expect_versions "$VLAB_PORT_SMTPS" implicit 1
	assert_equal "$VERSIONS" \
	    "TLS1.0=false TLS1.1=false TLS1.2=false TLS1.3=true"
	assert_equal "$(findings)" ""
}
