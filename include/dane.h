/*
 * dane.h - --dane (RFC 7672, RFC 6698, RFC 7671): the TLSA records of a
 * probe's "_PORT._tcp.HOST", their DNSSEC state as a validating resolver
 * reports it, and whether the chain the server presented matches them.
 *
 * Four files share this header:
 *   dns_tlsa.c     the TLSA query with the AD (or CD) bit, the answer's
 *                  header and records (pure), and the DNSSEC state
 *   dane_wait.c    a target's lookups, one per name, running while its
 *                  probes do; a probe is judged when both are over
 *   dane.c         the chain kept for matching, the matching itself
 *                  (GnuTLS's libgnutls-dane and X.509 verification)
 *   diagnose_dane.c  dane-mismatch and dane-bogus
 * and reports/render_dane.c renders struct dane_result (result.h).
 */
#ifndef SMTP_PROBE_DANE_H
#define SMTP_PROBE_DANE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <gnutls/gnutls.h>

#include "bounds.h"
#include "dns.h"
#include "result.h"

/* The report's name of each state (designated, so order cannot drift). */
extern const char *const dane_dnssec_names[DANE_DNSSEC_COUNT];

/*
 * What one DNS answer to a TLSA query said: rcode, the AD bit (RFC 4035
 * 3.2.3), and its TLSA records, at most TLSA_RECORDS_MAX, each at most
 * TLSA_DATA_MAX bytes of data (a longer one is left out: truncated).
 */
struct tlsa_answer {
	bool answered; /* a DNS message came back and parsed */
	int rcode;
	bool ad;
	size_t n;
	struct tlsa_record rr[TLSA_RECORDS_MAX]; /* data owned */
	bool truncated;
};

/*
 * tlsa_query_make - the TLSA query for name, recursion desired, with the
 * AD bit set (RFC 6840 5.7: "tell me whether you validated") and, when cd,
 * the CD bit (RFC 4035 3.2.2: "give me the data even if it does not
 * validate"). *buf is c-ares's, freed with ares_free_string(). Returns 0,
 * or -1 when c-ares refuses the name.
 */
int tlsa_query_make(const char *name, bool cd, unsigned char **buf, int *len)
    __attribute__((warn_unused_result));

/*
 * tlsa_answer_parse - the header and TLSA records of answer abuf[0..alen):
 * returns 0, or -1 with a static reason when it is not a well-formed DNS
 * message (nothing it read is kept then). Records of other types (CNAME,
 * RRSIG) are skipped; any record's data outside the message is an error.
 */
int tlsa_answer_parse(const unsigned char *abuf, int alen,
    struct tlsa_answer *a, const char **why);

/*
 * tlsa_answered - a parsed answer the resolver stands by: the records, or
 * that there are none (NOERROR, NXDOMAIN); false for NULL, or any other
 * rcode (FORMERR, ...: an answer, but not about the name)
 */
bool tlsa_answered(const struct tlsa_answer *);

/* tlsa_answer_free - release the records' data */
void tlsa_answer_free(struct tlsa_answer *);

/*
 * tlsa_state - the DNSSEC state from the answer to the AD query (first)
 * and, when first was a SERVFAIL, to the same query with CD set (cd; NULL
 * if not asked): AD set: secure; an answer without AD: insecure; SERVFAIL
 * that CD lifts: bogus (the resolver validated and rejected the data);
 * anything else (no answer, SERVFAIL both ways, REFUSED, ...): error.
 * servfail says the first query failed with SERVFAIL.
 */
enum dane_dnssec tlsa_state(const struct tlsa_answer *first, bool servfail,
    const struct tlsa_answer *cd);

/*
 * tlsa_name - "_PORT._tcp.HOST" into buf (RFC 6698 3); -1 when host is an
 * address literal (it has no TLSA name: RFC 7672 applies to MX host names)
 * or the name does not fit
 */
int tlsa_name(const char *host, int port, char *buf, size_t len);

struct dane_wait; /* opaque: one target's TLSA lookups */

/* dane_ready_fn - the TLSA answer of probe i is in its result */
typedef void dane_ready_fn(void *arg, size_t i);

/*
 * dane_wait_start - with --dane: mark every probe of res as wanting DANE
 * and look up each TLSA name once (probes of one host and port share it),
 * both queries through dns. Returns NULL when res has no probe.
 */
struct dane_wait *dane_wait_start(
    struct dns *, struct target_result *res, dane_ready_fn *ready, void *arg);

/*
 * dane_wait_probe - probe i's dialogue is over (or never began): true when
 * its name's answer is already in, and then it is applied to the probe
 * (records, state, match); false: ready(arg, i) is called once it is, from
 * the loop. w NULL (no --dane): always true.
 */
bool dane_wait_probe(struct dane_wait *w, size_t i);

/* dane_wait_busy - probes ended and waiting for their answer */
size_t dane_wait_busy(const struct dane_wait *);

/* dane_wait_free - after every answer, or once dns_free cancelled them */
void dane_wait_free(struct dane_wait *);

/*
 * dane_keep_chain - with p->dane_wanted, keep the DER chain as sent (leaf
 * first, at most CERT_CHAIN_MAX) in p->dane (made if need be), for
 * dane_apply
 */
void dane_keep_chain(
    struct probe_result *p, const gnutls_datum_t *chain, size_t n);

/*
 * dane_apply - the answer (records, state, error) into p->dane, then
 * match and suggested from p's chain (kept by dane_keep_chain, released
 * here; p->dane is made if need be), host being the TLSA base domain (RFC
 * 7672 3.2.2) and now the time validity is judged against (DANE-TA only;
 * DANE-EE ignores it, 3.1.1)
 */
void dane_apply(struct probe_result *p, const struct tlsa_answer *ans,
    enum dane_dnssec state, const char *error, time_t now);

/* dane_end - at the end of a run: what dane_apply keeps from one to the next */
void dane_end(void);

/* diag_dane - dane-mismatch and dane-bogus (diagnose.c calls it) */
void diag_dane(struct probe_result *);

#endif
