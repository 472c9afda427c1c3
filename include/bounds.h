/*
 * bounds.h - every limit smtp-probe enforces, in one place.
 *
 * A server controls how many bytes it sends, so each buffer that holds server
 * data has one of these as its maximum. Reaching one is recorded in the report
 * ("truncated", or an error of kind "limit"); it is never a crash and never
 * unbounded growth.
 */
#ifndef SMTP_PROBE_BOUNDS_H
#define SMTP_PROBE_BOUNDS_H

/* RFC 5321 4.5.3.1.5 allows 512 octets; Postfix's line_length_limit is 2048. */
#define SMTP_LINE_MAX 2048
#define SMTP_REPLY_LINES_MAX 128
#define SMTP_REPLY_BYTES_MAX 32768
/* Bytes a reader buffers before a line ends: one line plus its CRLF. */
#define SMTP_RX_MAX (SMTP_LINE_MAX + 2)
/* Hard limits on what one reply may cost on the wire, stored or not. */
#define SMTP_REPLY_WIRE_MAX (1024 * 1024)
#define SMTP_REPLY_WIRE_LINES 10000
/* Bytes read from a socket in one call. */
#define RX_CHUNK 4096

/*
 * One command line smtp-probe sends: the longest is AUTH PLAIN with its
 * initial response, base64 of NUL user NUL password (RFC 4616 allows 255
 * octets each): 11 + 4 * 171 + CRLF, within RFC 4954 4's 12288.
 */
#define AUTH_USER_MAX 255
#define AUTH_PASSWORD_MAX 255
#define SMTP_CMD_MAX 1024

#define EHLO_CAPS_MAX 64
#define CAP_PARAMS_MAX 16
#define AUTH_MECHS_MAX 32

#define CERT_CHAIN_MAX 16
#define CERT_SAN_MAX 1024
#define CERT_DN_MAX 4096
/* Chains whose verification verdict a run remembers. */
#define CERT_CACHE_MAX 64
#define CERT_CACHE_ENTRY_MAX 32768

#define TRANSCRIPT_BYTES_MAX 262144
#define ERR_MSG_MAX 256
/* Every finding a probe can raise fits: at most 15 about the dialogue and
 * the chain as a whole, 6 about changes since a --baseline, login-failed,
 * dane-mismatch or dane-bogus, mta-sts-mismatch, starttls-injection, 2
 * about the OCSP staple, and 3 per certificate (cert-expired or
 * cert-expiring, weak-key, weak-signature) for CERT_CHAIN_MAX of them. */
#define FINDINGS_MAX (29 + 3 * CERT_CHAIN_MAX)
/* Findings about a host as a whole (diagnose_target): its DNS, ports-swapped
 * once, mta-sts-invalid and tls-rpt-missing (--mta-sts). */
#define TARGET_FINDINGS_MAX 6
#define PORTS_MAX 64
#define HOSTNAME_MAX 255
/*
 * Bytes of one -f line, from its first to its last non-blank character. A
 * target is at most "[" HOSTNAME_MAX "]:65535/implicit", so this leaves
 * room to spare. A longer line is a bad line: its first TARGET_LINE_MAX
 * bytes are kept, and the rest is read and dropped, never stored.
 */
#define TARGET_LINE_MAX 1024
/*
 * Bytes of a target, a host or a file name quoted in a message: enough to
 * recognise it, and short enough that the line number and what is wrong
 * always fit in ERR_MSG_MAX.
 */
#define TARGET_QUOTE_MAX 48
/* Bytes of one message on stderr before escaping (probe/log.c): a path
 * near PATH_MAX and what is wrong with it fit; a longer one ends "...". */
#define LOG_LINE_MAX 4608

/* Bytes kept of what a server sent after its 220 to STARTTLS. */
#define STARTTLS_TRAILING_MAX 512
/* Bytes of the server's first flight kept to recognise plaintext SMTP. */
#define TLS_FIRST_BYTES 8

/* Bytes kept of the OCSP responder URL a leaf names (AIA). */
#define OCSP_URL_MAX 255

/* Addresses probed per host name. */
#define RESOLVE_ADDRS_MAX 16
/*
 * MX records kept per domain, and SRV records per service (the most
 * preferred ones): real domains publish a handful, and each record costs
 * a probe per port and address.
 */
#define DNS_RECORDS_MAX 16
/*
 * Lookups c-ares holds at once (an address lookup is two queries, A and
 * AAAA); more wait in a queue. Their answers must fit in the socket's
 * receive buffer (DNS_RCVBUF, capped by net.core.rmem_max): a burst the
 * kernel drops costs a retransmission, a third of --connect-timeout.
 */
#define DNS_LOOKUPS_MAX 128
#define DNS_RCVBUF (1024 * 1024)
/*
 * Connections one probe may make: auto mode tries the other mode once
 * (MAIN_ATTEMPTS_MAX), and --tls-versions adds one per version it sweeps.
 */
#define MAIN_ATTEMPTS_MAX 2
#define SWEEP_VERSIONS 4
#define ATTEMPTS_MAX (MAIN_ATTEMPTS_MAX + SWEEP_VERSIONS)
/*
 * --dane: TLSA records kept per name (real ones publish one to four), and
 * bytes of one record's data: a SHA-512 is 64, a whole certificate
 * (matching type Full) a few KiB; a longer record is reported as cut.
 */
#define TLSA_RECORDS_MAX 16
#define TLSA_DATA_MAX 4096
/* Parts --shard may split the target list into. */
#define SHARDS_MAX 100000
/* Descriptors kept free for stdio, the report, and what GnuTLS opens. */
#define FD_RESERVE 16

/*
 * --baseline: bytes of JSON of one target of the baseline file (only one
 * is held at a time), probes kept (about 300 bytes each), and bytes of a
 * list of AUTH mechanisms or EHLO keywords as compared.
 */
#define BASELINE_TARGET_BYTES_MAX (64 * 1024 * 1024)
#define BASELINE_PROBES_MAX 262144
#define BASELINE_LIST_MAX 1024

/*
 * --mta-sts (RFC 8461, RFC 8460): TXT records kept per name and bytes of
 * each (its strings joined; longer ones are cut, and seen as bad), the
 * policy's bytes (RFC 8461 3.3 suggests 64 KiB), its mx patterns kept,
 * the id's length and the largest max_age (RFC 8461 3.1, 3.2), and the
 * TLS-RPT reporting URIs kept and their length.
 */
#define DNS_TXT_MAX 8
#define DNS_TXT_LEN_MAX 1024
#define STS_POLICY_MAX (64 * 1024)
#define STS_MX_MAX 32
#define STS_ID_MAX 32
#define STS_MAX_AGE_MAX 31557600L
#define TLSRPT_RUA_MAX 8
#define TLSRPT_URI_MAX 512

#endif
