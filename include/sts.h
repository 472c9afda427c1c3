/*
 * sts.h - the --mta-sts check of one mail domain: its _mta-sts and
 * _smtp._tls TXT records and its policy, looked up and fetched in the one
 * loop, concurrently with the domain's MX expansion and probes.
 *
 * Three lookups start at once (the two TXT records, the addresses of
 * mta-sts.DOMAIN); the policy is fetched (probe/https.c) when the TXT
 * record says the domain uses MTA-STS. The result is plain data in a
 * struct sts_result (include/mta_sts.h) that the target owns.
 */
#ifndef SMTP_PROBE_STS_H
#define SMTP_PROBE_STS_H

#include "dns.h"
#include "https.h"
#include "mta_sts.h"

struct sts_check; /* opaque */

/* sts_done_fn - res is complete; called once, from the loop */
typedef void sts_done_fn(void *arg);

/*
 * sts_start - check domain: family (AF_UNSPEC, AF_INET, AF_INET6) limits
 * the policy host's addresses as -4 and -6 do, timeout_ms bounds the
 * fetch. res (owned by the caller, zeroed) is filled in before done.
 */
struct sts_check *sts_start(struct dns *, struct https *, const char *domain,
    int family, int timeout_ms, struct sts_result *res, sts_done_fn *done,
    void *arg);

/*
 * sts_free - release a check: after done, or, for one still running, once
 * dns_free has cancelled its lookups (its fetch is cancelled here)
 */
void sts_free(struct sts_check *);

#endif
