#!/usr/bin/python3
"""Hostile SMTP test server for smtp-probe.

One listener per misbehaviour on 127.0.0.1, at consecutive ports from
--port-base. Certificates are generated with certtool into --dir, then
DIR/hostile.env is written (HOSTILE_PORT_<NAME>, HOSTILE_CA, HOSTILE_PID).
Runs until SIGTERM/SIGINT. See README.md next to this file.
Standard library only, for Debian's /usr/bin/python3.
"""
import argparse
import contextlib
import functools
import itertools
import os
import re
import select
import selectors
import shlex
import signal
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import traceback
import warnings

LISTEN_ADDRESS = "127.0.0.1"
CONNECTION_CAP = 110   # s a connection may live whatever the client does; closing adds <= 6 s
CLOSE_GRACE = 2        # s spent on close_notify and on draining the client at close
MAX_LINE = 4096        # a longer command line drops the client
MAX_CONNECTIONS = 64   # concurrent connections per listener; more are closed at once
POSTSCREEN_DELAY = 6   # s of silence before the postscreen banner
HUGE_LINE_BYTES = 20 * 1024 * 1024

# --------------------------------------------------------------- certificates

CA_TEMPLATE = 'cn = "{cn}"\nca\ncert_signing_key\nexpiration_days = 365\n'
LEAF_TEMPLATE = ('tls_www_server\nsigning_key\nencryption_key\n'
                 'expiration_days = 30\nip_address = "127.0.0.1"\n')
NORMAL_SUBJECT = 'cn = "hostile.test"\ndns_name = "hostile.test"\n'
# Long (~330 chars), non-ASCII and control characters in the subject.
UGLY_SUBJECT = (
    'cn = "ugly.hostile.test ' + "C" * 100 + '"\n'
    'organization = "Ünïcödé Straße 東京 ' + "O" * 60 + '"\n'
    'unit = "ctl \x01soh \x1b[31mred\x1b[0m \x07bel \x7fdel"\n'
    'unit = "' + "U" * 120 + '"\n')
# certtool keeps only 128 dns_name lines, so openssl adds the ugly leaf's
# extensions: 500 SANs, then hostile.test last so the cert verifies only for
# a client that reads the whole list.
UGLY_EXTENSIONS = (
    "[leaf]\nbasicConstraints = critical, CA:FALSE\n"
    "keyUsage = critical, digitalSignature, keyEncipherment\n"
    "extendedKeyUsage = serverAuth\nsubjectAltName = "
    + "".join(f"DNS:san{i}.ugly.test," for i in range(500)) + "DNS:hostile.test,IP:127.0.0.1\n")
CHAIN_LENGTH = 29      # intermediates under the root; CHAIN_12 uses the first 12
EXPIRING_DAYS = 5      # below smtp-probe's default --warn-days of 21


def run(*command):
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command[:2])} failed: {done.stderr.strip()}")


def certtool(*args):
    run("certtool", *args)


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def make_cert(base, template, issuer=None, key=None):
    """Writes base.pem (and base.key unless key is given) from a certtool
    template; issuer is the (pem, key) of the signing CA, None self-signs."""
    if key is None:
        key = base + ".key"
        certtool("--generate-privkey", "--key-type", "ecdsa", "--curve", "secp256r1",
                 "--no-text", "--outfile", key)
    write(base + ".tmpl", template)
    signer = (["--generate-certificate", "--load-ca-certificate", issuer[0],
               "--load-ca-privkey", issuer[1]] if issuer else ["--generate-self-signed"])
    certtool(*signer, "--load-privkey", key, "--template", base + ".tmpl", "--no-text",
             "--outfile", base + ".pem")
    return base + ".pem", key


def write_chain(path, pems):
    """Concatenates PEMs leaf first: OpenSSL then sends them all, in order."""
    with open(path, "w", encoding="ascii") as out:
        for pem in pems:
            with open(pem, encoding="ascii") as f:
                out.write(f.read())
    return path


def make_pki(directory):
    """Returns (root CA path, {setup name: (chain PEM, key)}) for the TLS setups."""
    def at(name):
        return os.path.join(directory, name)
    # One RSA key for every leaf: RSA works with any client and with TLS 1.0.
    leaf_key = at("leaf.key")
    certtool("--generate-privkey", "--key-type", "rsa", "--bits", "2048",
             "--no-text", "--outfile", leaf_key)

    def leaf(name, subject, issuer):
        return make_cert(at(name), subject + LEAF_TEMPLATE, issuer, leaf_key)[0]

    root = make_cert(at("root"), CA_TEMPLATE.format(cn="Hostile Test Root"))
    inter = make_cert(at("int"), CA_TEMPLATE.format(cn="Hostile Test Intermediate"), root)
    chain = [root]  # chain[i] is the CA i levels below the root
    for i in range(1, CHAIN_LENGTH + 1):
        chain.append(make_cert(at(f"chain{i:02}"), CA_TEMPLATE.format(cn=f"Hostile Chain CA {i}"),
                               chain[-1]))

    def chain_under(depth):
        """leaf + intermediates chain[depth] .. chain[1], nearest issuer first"""
        pems = [leaf(f"leaf-chain{depth}", NORMAL_SUBJECT, chain[depth])]
        pems += [chain[i][0] for i in range(depth, 0, -1)]
        return write_chain(at(f"chain{depth}-full.pem"), pems), leaf_key

    def ugly_leaf():
        """certtool writes the subject into a request, openssl adds the extensions"""
        base = at("leaf-ugly")
        write(base + ".tmpl", UGLY_SUBJECT)
        write(base + ".ext", UGLY_EXTENSIONS)
        certtool("--generate-request", "--load-privkey", leaf_key, "--template", base + ".tmpl",
                 "--no-text", "--outfile", base + ".csr")
        run("openssl", "x509", "-req", "-in", base + ".csr", "-CA", inter[0], "-CAkey", inter[1],
            "-days", "30", "-extfile", base + ".ext", "-extensions", "leaf", "-out", base + ".pem")
        return base + ".pem"

    def odd_leaf(name, template, *certtool_args, key_args=("--key-type", "rsa", "--bits", "2048")):
        """a leaf under the intermediate with its own key and template"""
        base = at(name)
        certtool("--generate-privkey", *key_args, "--no-text", "--outfile", base + ".key")
        write(base + ".tmpl", NORMAL_SUBJECT + template)
        certtool("--generate-certificate", "--load-ca-certificate", inter[0],
                 "--load-ca-privkey", inter[1], "--load-privkey", base + ".key",
                 "--template", base + ".tmpl", *certtool_args, "--no-text",
                 "--outfile", base + ".pem")
        return write_chain(base + "-full.pem", [base + ".pem", inter[0]]), base + ".key"

    server_leaf = 'tls_www_server\nsigning_key\nencryption_key\nip_address = "127.0.0.1"\n'
    client_pem, client_key = make_cert(at("client"), 'cn = "probe-client.test"\ntls_www_client\n'
                                       'signing_key\nexpiration_days = 30\n', inter)
    # The client sends what the file holds: leaf and intermediate.
    client = write_chain(at("client-full.pem"), [client_pem, inter[0]]), client_key
    start = time.gmtime(time.time() + 10 * 86400)
    normal = leaf("leaf", NORMAL_SUBJECT, inter)
    ugly = ugly_leaf()
    return root[0], {
        "notyet": odd_leaf("leaf-notyet", server_leaf +
                           time.strftime('activation_date = "%Y-%m-%d %H:%M:%S"\n', start) +
                           'expiration_days = 400\n'),
        "expiring": odd_leaf("leaf-expiring", server_leaf + f"expiration_days = {EXPIRING_DAYS}\n"),
        "weakkey": odd_leaf("leaf-weakkey", server_leaf + "expiration_days = 30\n",
                            key_args=("--key-type", "rsa", "--bits", "1024")),
        "client": client,
        "sha1": odd_leaf("leaf-sha1", server_leaf + "expiration_days = 30\n", "--hash", "SHA1"),
        "normal": (write_chain(at("normal-full.pem"), [normal, inter[0]]), leaf_key),
        "ugly": (write_chain(at("ugly-full.pem"), [ugly, inter[0]]), leaf_key),
        "chain12": chain_under(12),
        "chain30": chain_under(CHAIN_LENGTH),
    }


def server_context(chain, key, tls10_only=False, weak=False):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if tls10_only:
        with warnings.catch_warnings():  # TLSv1 is deprecated: that is the point
            warnings.simplefilter("ignore", DeprecationWarning)
            ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1
    if tls10_only or weak:
        # OpenSSL 3 refuses TLS 1.0, 1024-bit keys and SHA-1 above level 0.
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.load_cert_chain(chain, key)
    return ctx


# ----------------------------------------------------------------- connection

class Hangup(Exception):
    """The connection ends here: the client left or broke a limit, or the behaviour is done."""


NOT_TEXT = re.compile(rb"[^\t\r\n\x20-\x7e]")  # bytes no SMTP command line holds


class Conn:
    """A client connection whose every socket operation respects one hard deadline."""

    def __init__(self, sock):
        self.sock = sock
        self.deadline = time.monotonic() + CONNECTION_CAP
        self.pending = b""

    def _arm(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Hangup("connection cap reached")
        self.sock.settimeout(left)

    def send(self, data):
        self._arm()
        self.sock.sendall(data)

    def recv(self):
        self._arm()
        data = self.sock.recv(65536)
        if not data:
            raise Hangup("client closed")
        return data

    def readline(self):
        """Next command line without its line ending, or None when binary
        bytes arrived (they are dropped, with whatever was pending)."""
        while b"\n" not in self.pending:
            if len(self.pending) > MAX_LINE:
                raise Hangup("line too long")
            self.pending += self.recv()
            if NOT_TEXT.search(self.pending):
                self.pending = b""
                return None
        line, _, self.pending = self.pending.partition(b"\n")
        if len(line) > MAX_LINE:
            raise Hangup("line too long")
        return line.rstrip(b"\r")

    def start_tls(self, ctx):
        """Server-side handshake. Plaintext pipelined before it is discarded,
        as a server must (else it would be injected into the TLS session)."""
        self.pending = b""
        self._arm()
        self.sock = ctx.wrap_socket(self.sock, server_side=True, do_handshake_on_connect=False)
        self.sock.do_handshake()

    def close(self):
        """Ends so that what we sent arrives: close_notify inside TLS, FIN,
        then a short drain, since closing with unread input sends a RST."""
        sock = self.sock
        try:
            sock.settimeout(CLOSE_GRACE)
            if isinstance(sock, ssl.SSLSocket):
                with contextlib.suppress(OSError, ValueError):
                    sock.unwrap()
            sock.shutdown(socket.SHUT_WR)
            end = time.monotonic() + CLOSE_GRACE
            while time.monotonic() < end and sock.recv(65536):
                pass
        except OSError:
            pass
        finally:
            sock.close()


# ----------------------------------------------------------------------- SMTP

def reply(code, *lines, eol=b"\r\n"):
    """An SMTP reply: 'code-text' on every line but the last, 'code text' on it."""
    code = b"%d" % code
    return b"".join(code + b"-" + line + eol for line in lines[:-1]) + code + b" " + lines[-1] + eol


def banner(host):
    return reply(220, host + b" ESMTP")


BYE = reply(221, b"2.0.0 Bye")
UNKNOWN = reply(502, b"5.5.2 Error: command not recognized")
BAD_SYNTAX = reply(500, b"5.5.2 Error: bad syntax")
READY = reply(220, b"2.0.0 Ready to start TLS")
INJECTED = b"250-INJECTED\r\n250 AUTH PLAIN\r\n"
TLS_ALERT = b"\x15\x03\x03\x00\x02\x02\x28"   # fatal handshake_failure alert record
CONTROL_BANNER = reply(220, b"ctl.test ESMTP \x00nul", b"\xff\xfe\xc3\x28 invalid UTF-8",
                       b"\x1b[2J\x1b[31mANSI", b"bel\x07 bs\x08 del\x7f")
CONTROL_EHLO = reply(250, b"ctl.test\x00", b"X-BAD-UTF8 \xff\xfe\xc3\x28",
                     b"X-ANSI \x1b[2J\x1b[31m", b"X-CTL \x07\x08\x7f", b"SIZE 1000")
MANY_CAPS = reply(250, b"many.test", *(b"X-CAP-%04d" % i for i in range(1, 5001)), b"OK")


def quit_with(bye):
    def quit(conn):
        conn.send(bye)
        raise Hangup("QUIT")
    return quit


QUIT = quit_with(BYE)


def smtp(conn, greeting, commands):
    """Sends the greeting, then answers each command from the table, keyed by
    upper-case verb. A value is either the reply bytes or a function(conn)
    that may return the table to use from then on (e.g. inside TLS)."""
    conn.send(greeting)
    while True:
        line = conn.readline()
        if line is None:
            conn.send(BAD_SYNTAX)
            continue
        action = commands.get(line.split(b" ", 1)[0].upper(), UNKNOWN)
        conn.line = line  # for actions that answer with what was said
        if callable(action):
            commands = action(conn) or commands
        else:
            conn.send(action)


def table(host, caps, on_starttls=None):
    """Commands of an ESMTP server; STARTTLS is offered when on_starttls is given."""
    commands = {b"QUIT": QUIT}
    if on_starttls:
        caps = (b"STARTTLS",) + caps
        commands[b"STARTTLS"] = on_starttls
    commands[b"EHLO"] = reply(250, host, *caps)
    return commands


def starttls(ctx, after, ready=READY):
    """A STARTTLS that sends `ready`, shakes hands and goes on with table `after`."""
    def action(conn):
        conn.send(ready)
        conn.start_tls(ctx)
        return after
    return action


# ------------------------------------------------------------------ behaviours

def silent(conn):
    while True:
        conn.recv()


def drip_banner(conn):
    for byte in itertools.cycle(b"220 drip.test ESMTP"):
        conn.send(bytes([byte]))
        time.sleep(1)


def huge_line(conn):
    conn.send(b"220 ")
    chunk = b"A" * 65536
    for _ in range(HUGE_LINE_BYTES // len(chunk)):
        conn.send(chunk)
    silent(conn)  # stay open: the client has to give up on the line itself


def endless_caps(conn):
    for first in itertools.count(0, 100):
        conn.send(b"".join(b"250-cap %d\r\n" % n for n in range(first, first + 100)))


def ehlo_client_cert(conn):
    """EHLO inside TLS, naming the client certificate the handshake carried"""
    cert = conn.sock.getpeercert() or {}
    names = [value for rdn in cert.get("subject", ()) for key, value in rdn if key == "commonName"]
    conn.send(reply(250, b"hostile.test", b"X-CLIENT-CERT " + (names[0] if names else "none").encode()))


def echo(ctx):
    """EHLO answered with the name the client gave (X-EHLO-ARG) and, inside
    TLS, the SNI its handshake carried (X-SNI, 'none' without one)"""
    def ehlo(conn):
        caps = [b"X-EHLO-ARG " + conn.line.partition(b" ")[2]]
        if isinstance(conn.sock, ssl.SSLSocket):
            caps.append(b"X-SNI " + (getattr(conn.sock, "sni", None) or "none").encode())
        else:
            caps.append(b"STARTTLS")
        conn.send(reply(250, b"echo.test", *caps))
    return functools.partial(smtp, greeting=banner(b"echo.test"),
                             commands={b"EHLO": ehlo, b"STARTTLS": starttls(ctx, None), b"QUIT": QUIT})


def say(data):
    """A behaviour that sends data then closes."""
    return lambda conn: conn.send(data)


def reset(conn):
    """Aborts: lingering on with a zero timeout makes close() send a RST, not a FIN."""
    conn.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.sock.close()
    raise Hangup("reset")


def after_client_hello(data):
    """A STARTTLS that says 220, waits for the ClientHello (so data reaches the
    client's TLS layer, not its SMTP line buffer), sends data and closes."""
    def action(conn):
        conn.send(READY)
        conn.recv()
        conn.send(data)
        raise Hangup("done")
    return action


def implicit(ctx, conn, commands=None):
    conn.start_tls(ctx)
    smtp(conn, banner(b"implicit.test"),
         commands or table(b"implicit.test", (b"AUTH PLAIN LOGIN", b"SIZE 1000")))


def postscreen(ctx, conn):
    """Like Postfix postscreen's greet delay: a client that talks before the banner is rejected."""
    time.sleep(POSTSCREEN_DELAY)
    if select.select([conn.sock], [], [], 0)[0]:  # it spoke (or left) too early
        conn.send(reply(520, b"5.5.1 Protocol error"))
        return
    caps = (b"SIZE 1000",)
    smtp(conn, banner(b"postscreen.test"),
         table(b"postscreen.test", caps, starttls(ctx, table(b"postscreen.test", caps))))


def behaviours(ctx):
    """NAME -> handler(conn), in port order; ctx maps a TLS setup to its context."""
    after_tls = table(b"hostile.test", (b"AUTH PLAIN",))

    def hostile(on_starttls):
        """the well-behaved hostile.test, except for what STARTTLS does"""
        return functools.partial(smtp, greeting=banner(b"hostile.test"),
                                 commands=table(b"hostile.test", (b"SIZE 1000",), on_starttls))

    def no_tls(host, commands):
        """a server for host without STARTTLS; commands add to QUIT"""
        return functools.partial(smtp, greeting=banner(host), commands={b"QUIT": QUIT, **commands})

    def named(greeting, auth_clear, auth_tls):
        """a STARTTLS server whose greeting names its software, with AUTH
        auth_clear before TLS and auth_tls inside it"""
        host = greeting.split(b" ", 1)[0]
        return functools.partial(smtp, greeting=reply(220, greeting), commands=table(
            host, (auth_clear, b"SIZE 1000"), starttls(ctx["normal"], table(host, (auth_tls,)))))

    plain_caps = (b"AUTH PLAIN LOGIN",)
    lf = b"\n"
    return {
        "SILENT": silent,
        "DRIP_BANNER": drip_banner,
        "HUGE_LINE": huge_line,
        "ENDLESS_EHLO": no_tls(b"endless.test", {b"EHLO": endless_caps}),
        "CONTROL_CHARS": functools.partial(smtp, greeting=CONTROL_BANNER,
                                           commands={b"EHLO": CONTROL_EHLO, b"QUIT": QUIT}),
        "BARE_LF": functools.partial(
            smtp, greeting=reply(220, b"barelf.test ESMTP", eol=lf),
            commands={b"EHLO": reply(250, b"barelf.test", b"SIZE 1000", b"8BITMIME", eol=lf),
                      b"QUIT": quit_with(reply(221, b"2.0.0 Bye", eol=lf))}),
        "MANY_CAPS": no_tls(b"many.test", {b"EHLO": MANY_CAPS}),
        "GREETING_421": say(reply(421, b"4.3.2 Service not available, closing transmission channel")),
        "RESET_AFTER_EHLO": no_tls(b"reset.test", {b"EHLO": reset}),
        "STARTTLS_454": hostile(reply(454, b"4.7.0 TLS not available due to local problem")),
        "STARTTLS_GARBAGE": hostile(after_client_hello(b"this is not TLS\r\n" + os.urandom(256))),
        "STARTTLS_ALERT": hostile(after_client_hello(TLS_ALERT)),
        "STARTTLS_PIPELINED": hostile(starttls(ctx["normal"], after_tls, READY + INJECTED)),
        "PLAIN_ON_IMPLICIT": functools.partial(
            smtp, greeting=banner(b"plain.test"),
            commands=table(b"plain.test", plain_caps,
                           starttls(ctx["normal"], table(b"plain.test", plain_caps)))),
        "IMPLICIT_ONLY": functools.partial(implicit, ctx["normal"]),
        "POSTSCREEN": functools.partial(postscreen, ctx["normal"]),
        "CHAIN_12": hostile(starttls(ctx["chain12"], after_tls)),
        "CHAIN_30": hostile(starttls(ctx["chain30"], after_tls)),
        "UGLY_CERT": hostile(starttls(ctx["ugly"], after_tls)),
        "TLS10_ONLY": hostile(starttls(ctx["tls10"], after_tls)),
        "STARTTLS_OK": hostile(starttls(ctx["normal"], after_tls)),
        "STARTTLS_STALL": hostile(silent),  # STARTTLS never answered
        # 127 lines of 256 bytes and a last one: 32 KiB of text, the most a
        # reply keeps, plus a separator between each line when joined.
        "STARTTLS_BIG_REPLY": hostile(reply(454, *([b"A" * 256] * 127), b"B" * 256)),
        # The plaintext comes after the ClientHello, so it can only reach the
        # client's TLS layer: no race with the client draining its socket.
        "STARTTLS_LATE_INJECTION": hostile(after_client_hello(INJECTED)),
        "STARTTLS_NOT_SMTP": hostile(b"this is not an SMTP reply\r\n"),
        "EHLO_421": no_tls(b"busy.test", {b"EHLO": reply(421, b"4.7.0 busy.test too busy, try later")}),
        "HELO_REFUSED": no_tls(b"nohelo.test", {b"EHLO": UNKNOWN,
                                                b"HELO": reply(550, b"5.7.1 nohelo.test refuses you")}),
        "ECHO": echo(ctx["echo"]),
        "HELO_ONLY": no_tls(b"helo.test", {b"EHLO": UNKNOWN, b"HELO": reply(250, b"helo.test")}),
        "HELO_ONLY_TLS": functools.partial(implicit, ctx["normal"], commands={
            b"EHLO": UNKNOWN, b"HELO": reply(250, b"helo.test"), b"QUIT": QUIT}),
        "CLIENT_CERT": hostile(starttls(ctx["asks_client_cert"],
                                        {b"QUIT": QUIT, b"EHLO": ehlo_client_cert})),
        "CERT_NOT_YET_VALID": hostile(starttls(ctx["notyet"], after_tls)),
        "CERT_EXPIRING": hostile(starttls(ctx["expiring"], after_tls)),
        "WEAK_KEY": hostile(starttls(ctx["weakkey"], after_tls)),
        "WEAK_SIGNATURE": hostile(starttls(ctx["sha1"], after_tls)),
        # Real greetings name their software: the advice follows it.
        "SENDMAIL_CRAM": named(b"sendmail.test ESMTP Sendmail 8.17.1/8.17.1; "
                               b"Mon, 1 Jan 2024 00:00:00 GMT",
                               b"AUTH CRAM-MD5", b"AUTH CRAM-MD5 PLAIN LOGIN"),
        "EXIM_PLAIN": named(b"exim.test ESMTP Exim 4.96 Mon, 01 Jan 2024 00:00:00 +0000",
                            b"AUTH PLAIN LOGIN", b"AUTH PLAIN LOGIN"),
    }


# ---------------------------------------------------------------------- server

def serve(handler, sock, slots):
    conn = Conn(sock)
    try:
        handler(conn)
    except (Hangup, OSError):
        pass  # the client left, broke a limit or timed out, or the behaviour ended
    except Exception:  # a bug in this server, not something the client did
        traceback.print_exc()
    finally:
        conn.close()
        slots.release()


def listen(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # restart despite TIME_WAIT
    sock.bind((LISTEN_ADDRESS, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def write_env(path, ports, ca, client):
    """Writes via a rename so a reader never sees half a file."""
    lines = [f"HOSTILE_PORT_{name}={port}" for name, port in ports.items()]
    lines += [f"HOSTILE_CA={shlex.quote(ca)}", f"HOSTILE_PID={os.getpid()}",
              f"HOSTILE_CLIENT_CERT={shlex.quote(client[0])}",
              f"HOSTILE_CLIENT_KEY={shlex.quote(client[1])}"]
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(path + ".tmp", path)


def accept_loop(listeners, stop):
    """listeners: (socket, handler); runs until stop is set (checked every 0.2 s)."""
    with selectors.DefaultSelector() as sel:
        for sock, handler in listeners:
            sel.register(sock, selectors.EVENT_READ, (handler, threading.BoundedSemaphore(MAX_CONNECTIONS)))
        while not stop.is_set():
            for key, _ in sel.select(0.2):
                handler, slots = key.data
                try:
                    sock, _ = key.fileobj.accept()
                except OSError:  # the client gave up before we accepted
                    continue
                if not slots.acquire(blocking=False):
                    sock.close()  # at the cap: refuse at once rather than queue forever
                    continue
                threading.Thread(target=serve, args=(handler, sock, slots), daemon=True).start()


def main():
    parser = argparse.ArgumentParser(description="Hostile SMTP servers for smtp-probe tests.")
    parser.add_argument("--dir", required=True, help="where certificates and hostile.env go")
    parser.add_argument("--port-base", type=int, default=31025)
    parser.add_argument("--bind", action="append", default=[], metavar="NAME=PORT",
                        help="serve behaviour NAME on PORT too (e.g. PLAIN_ON_IMPLICIT=465)")
    args = parser.parse_args()

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    env = os.path.join(directory, "hostile.env")
    with contextlib.suppress(FileNotFoundError):
        os.unlink(env)  # left by a killed run: tests must not take it for ours
    ca, setups = make_pki(directory)
    contexts = {name: server_context(*files) for name, files in setups.items()
                if name not in ("weakkey", "sha1", "client")}
    contexts["tls10"] = server_context(*setups["normal"], tls10_only=True)
    for weak in ("weakkey", "sha1"):
        contexts[weak] = server_context(*setups[weak], weak=True)
    echo_ctx = contexts["echo"] = server_context(*setups["normal"])
    echo_ctx.sni_callback = lambda sock, name, _: setattr(sock, "sni", name)
    asks = contexts["asks_client_cert"] = server_context(*setups["normal"])
    asks.verify_mode = ssl.CERT_OPTIONAL  # a client without one still gets in
    asks.load_verify_locations(ca)
    handlers = behaviours(contexts)

    listeners, ports = [], {}
    try:
        for port, (name, handler) in enumerate(handlers.items(), args.port_base):
            listeners.append((listen(port), handler))
            ports[name] = port
    except OSError as e:
        sys.exit(f"hostile: cannot listen on {LISTEN_ADDRESS}:{port}: {e}")

    try:
        for spec in args.bind:
            name, _, extra = spec.partition("=")
            listeners.append((listen(int(extra)), handlers[name]))
    except (OSError, KeyError, ValueError) as e:
        sys.exit(f"hostile: --bind {spec}: {e}")

    write_env(env, ports, ca, setups["client"])
    print(f"hostile: {len(ports)} behaviours on {LISTEN_ADDRESS}:{args.port_base}-{port}, "
          f"env in {env}", file=sys.stderr, flush=True)
    try:
        accept_loop(listeners, stop)
    finally:
        os.unlink(env)  # a stale env file would point tests at a dead server
        for sock, _ in listeners:
            sock.close()
    # Connection threads are daemons: they end with the process.


if __name__ == "__main__":
    main()
