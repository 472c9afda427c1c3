#!/usr/bin/env bash
# https.sh - a real HTTPS server for the MTA-STS tests: Debian's nginx
# (nginx-light), serving policies at https://mta-sts.DOMAIN/.well-known/
# mta-sts.txt on port 443 of a random loopback address 127.x.y.z (never
# 127.0.0.1, so parallel runs do not clash; another is tried when one is
# taken), with one certificate for every mta-sts.DOMAIN name, signed by the
# CA the caller names (the lab's, so one --cafile serves SMTP and HTTPS).
#
#   tests/servers/https.sh start DIR   DIR holds policies/ (below)
#   tests/servers/https.sh stop DIR    safe to repeat
#
# DIR/policies/ says what each domain serves, one file per domain, so a
# test can add its own before start:
#   DOMAIN            the policy's body, served as text/plain
#   DOMAIN.redirect   instead: a 301 to the URL this file holds
#   DOMAIN.type       with DOMAIN: this Content-Type instead of text/plain
# Environment: HTTPS_CA_CERT and HTTPS_CA_KEY (PEM), the signing CA.
# start writes DIR/https.env (HTTPS_ADDR) once nginx answers; its pid file
# is DIR/nginx.pid. Needs root (port 443), nginx, certtool, curl.
set -euo pipefail

die() { echo "https.sh: $*" >&2; exit 1; }

# domains - every DOMAIN of DIR/policies
domains() {
	local f
	for f in "$1"/policies/*; do
		f=${f##*/}
		f=${f%.redirect}
		echo "${f%.type}"
	done | sort -u
}

make_cert() {
	local dir=$1 d
	{
		echo 'organization = "smtp-probe tests"'
		echo 'cn = "mta-sts test server"'
		for d in $(domains "$dir"); do
			echo "dns_name = \"mta-sts.$d\""
		done
		echo tls_www_server
		echo signing_key
		echo expiration_days = 30
	} >"$dir/cert.tmpl"
	certtool --generate-privkey --key-type ecdsa --curve secp256r1 \
	    --no-text --outfile "$dir/key.pem" 2>/dev/null
	certtool --generate-certificate --hash SHA256 --no-text \
	    --load-privkey "$dir/key.pem" --template "$dir/cert.tmpl" \
	    --load-ca-certificate "${HTTPS_CA_CERT:?}" \
	    --load-ca-privkey "${HTTPS_CA_KEY:?}" \
	    --outfile "$dir/cert.pem" 2>/dev/null ||
	    die "certtool could not sign the certificate"
}

# server_block DIR ADDR DOMAIN - what nginx serves for mta-sts.DOMAIN
server_block() {
	local dir=$1 addr=$2 d=$3 p=$1/policies/$3 body type=text/plain
	if [[ -f $p.redirect ]]; then
		body="return 301 $(cat "$p.redirect");"
	else
		[[ -f $p.type ]] && type=$(cat "$p.type")
		body="default_type \"$type\"; alias $p;"
	fi
	cat <<EOF
	server {
		listen $addr:443 ssl;
		server_name mta-sts.$d;
		ssl_certificate $dir/cert.pem;
		ssl_certificate_key $dir/key.pem;
		location = /.well-known/mta-sts.txt { $body }
		location / { return 404; }
	}
EOF
}

write_conf() {
	local dir=$1 addr=$2 d
	cat <<EOF
# One process, in the foreground of its caller's background job.
daemon off;
master_process off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 64; }
http {
	access_log $dir/access.log;
	types { }
	client_body_temp_path $dir/tmp;
	proxy_temp_path $dir/tmp;
	fastcgi_temp_path $dir/tmp;
	uwsgi_temp_path $dir/tmp;
	scgi_temp_path $dir/tmp;
$(for d in $(domains "$dir"); do server_block "$dir" "$addr" "$d"; done)
}
EOF
}

# try ADDR - start nginx on ADDR; true once it answers there
try() {
	local dir=$1 addr=$2 pid d
	write_conf "$dir" "$addr" >"$dir/nginx.conf"
	nginx -t -q -c "$dir/nginx.conf" -p "$dir" >/dev/null 2>&1 ||
	    { nginx -t -c "$dir/nginx.conf" -p "$dir" >&2 || true; die "bad config"; }
	nginx -c "$dir/nginx.conf" -p "$dir" >"$dir/nginx.out" 2>&1 3>&- 9>&- &
	pid=$!
	d=$(domains "$dir" | head -n 1)
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$dir/nginx.pid"; return 1; }
		if curl -s -o /dev/null --cacert "$HTTPS_CA_CERT" \
		    --resolve "mta-sts.$d:443:$addr" \
		    "https://mta-sts.$d/.well-known/mta-sts.txt"; then
			printf "HTTPS_ADDR='%s'\n" "$addr" >"$dir/https.env"
			return 0
		fi
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	rm -f "$dir/nginx.pid"
	return 1
}

cmd_start() {
	local dir addr
	[[ -d $1/policies ]] || die "$1/policies: not a directory"
	dir=$(realpath -- "$1")
	mkdir -p "$dir/tmp"
	make_cert "$dir"
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		addr=127.$((RANDOM % 254 + 1)).$((RANDOM % 254 + 1)).$((RANDOM % 254 + 1))
		[[ $addr == 127.0.0.1 ]] && continue
		try "$dir" "$addr" && return 0
	done
	cat "$dir/nginx.out" "$dir/error.log" >&2 2>/dev/null || true
	die "nginx did not start on any address tried"
}

# cmd_stop DIR - nginx's own stop, which removes its pid file on the way
# out; a process that does not go is killed
cmd_stop() {
	local dir pid
	dir=$(realpath -- "$1")
	rm -f "$dir/https.env"
	[[ -f $dir/nginx.pid ]] || return 0
	pid=$(cat "$dir/nginx.pid")
	nginx -q -s stop -c "$dir/nginx.conf" -p "$dir" 2>/dev/null || true
	for _ in $(seq 50); do
		[[ -f $dir/nginx.pid ]] || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$dir/nginx.pid"
}

case ${1:-}/$# in
start/2) cmd_start "$2" ;;
stop/2) cmd_stop "$2" ;;
*) die "usage: $0 start|stop DIR" ;;
esac
