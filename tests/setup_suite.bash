# setup_suite.bash - servers shared by every .bats file of one run: the lab
# Postfix, the hostile server and a DNS server (unbound), on 127.0.0.1 only,
# and an HTTPS server (nginx) serving MTA-STS policies on port 443 of a
# random 127.x.y.z, stopped at the end even when tests fail. Ports are
# picked at random in 20000-31999 (below the kernel's ephemeral range) so
# that two runs on one machine (a developer's and CI's) do not collide; a
# busy port makes the start fail, and the next base is tried.

setup_suite() {
	local base i
	export SUITE_DIR
	SUITE_DIR=$(mktemp -d "${TMPDIR:-/tmp}/smtp-probe-suite.XXXXXX")
	# The postfix user must be able to reach the lab below it.
	chmod 755 "$SUITE_DIR"
	mkdir -p "$SUITE_DIR/lab" "$SUITE_DIR/hostile"
	"$BATS_TEST_DIRNAME/helpers/lab-start" "$SUITE_DIR/lab" 20000 120 100 ||
	    return 1
	for i in 1 2 3 4 5; do
		base=$((20000 + (RANDOM % 120) * 100 + 40))
		/usr/bin/python3 "$BATS_TEST_DIRNAME/servers/hostile.py" \
		    --dir "$SUITE_DIR/hostile" --port-base "$base" \
		    >"$SUITE_DIR/hostile.log" 2>&1 &
		echo $! >"$SUITE_DIR/hostile.pid"
		"$BATS_TEST_DIRNAME/helpers/wait-env" \
		    "$SUITE_DIR/hostile/hostile.env" \
		    "$(cat "$SUITE_DIR/hostile.pid")" && break
		# Killed outright, so it cannot write into the next attempt's
		# directory.
		kill -9 "$(cat "$SUITE_DIR/hostile.pid")" 2>/dev/null || true
		wait "$(cat "$SUITE_DIR/hostile.pid")" 2>/dev/null || true
		rm -rf "$SUITE_DIR/hostile" && mkdir -p "$SUITE_DIR/hostile"
	done
	[ -f "$SUITE_DIR/hostile/hostile.env" ] || {
		cat "$SUITE_DIR/hostile.log" >&2
		return 1
	}
	start_https && start_dns
}

# start_https - nginx with the MTA-STS policies of tests/servers/mta-sts/,
# its certificate signed by the lab's CA (tests/servers/https.sh)
start_https() {
	# shellcheck disable=SC1091
	. "$SUITE_DIR/lab/lab.env"
	mkdir -p "$SUITE_DIR/https"
	cp -R "$BATS_TEST_DIRNAME/servers/mta-sts" "$SUITE_DIR/https/policies"
	HTTPS_CA_CERT=$LAB_CA HTTPS_CA_KEY=$LAB_DIR/pki/root.key \
	    "$BATS_TEST_DIRNAME/servers/https.sh" start "$SUITE_DIR/https" \
	    >"$SUITE_DIR/https.log" 2>&1 || {
		cat "$SUITE_DIR/https.log" >&2
		return 1
	}
}

# start_dns - unbound with the test zone (tests/servers/dns.sh), its SRV
# records naming the lab's submission ports
start_dns() {
	local i
	# shellcheck disable=SC1091
	. "$SUITE_DIR/lab/lab.env"
	mkdir -p "$SUITE_DIR/dns"
	for i in 1 2 3 4 5; do
		DNS_PORT=$((20000 + (RANDOM % 120) * 100 + 90)) \
		    LAB_PORT_SUBMISSION=$LAB_PORT_SUBMISSION \
		    LAB_PORT_SMTPS=$LAB_PORT_SMTPS \
		    STS_HTTPS_ADDR=$(. "$SUITE_DIR/https/https.env" &&
			echo "$HTTPS_ADDR") \
		    "$BATS_TEST_DIRNAME/servers/dns.sh" start "$SUITE_DIR/dns" \
		    >"$SUITE_DIR/dns.log" 2>&1 && return 0
		"$BATS_TEST_DIRNAME/servers/dns.sh" stop "$SUITE_DIR/dns" \
		    >/dev/null 2>&1 || true
	done
	cat "$SUITE_DIR/dns.log" >&2
	return 1
}

teardown_suite() {
	[ -n "${SUITE_DIR:-}" ] || return 0
	if [ -f "$SUITE_DIR/hostile.pid" ]; then
		kill "$(cat "$SUITE_DIR/hostile.pid")" 2>/dev/null || true
		wait "$(cat "$SUITE_DIR/hostile.pid")" 2>/dev/null || true
	fi
	"$BATS_TEST_DIRNAME/servers/dns.sh" stop "$SUITE_DIR/dns" \
	    >/dev/null 2>&1 || true
	"$BATS_TEST_DIRNAME/servers/https.sh" stop "$SUITE_DIR/https" \
	    >/dev/null 2>&1 || true
	"$BATS_TEST_DIRNAME/lab/lab.sh" stop "$SUITE_DIR/lab" >/dev/null 2>&1 ||
	    true
	rm -rf "$SUITE_DIR"
}
