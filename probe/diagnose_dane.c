/*
 * diagnose_dane.c - the findings of --dane: dane-mismatch, only where a
 * DANE client would act on the records (DNSSEC-secure and usable, RFC
 * 7672 2.2), and dane-bogus. An insecure zone's records, and a lookup that
 * failed for other reasons, raise nothing: the report's dane object says
 * what was found. Pure.
 */
#include "dane.h"

#include "diagnose.h"

/* diag_dane - findings from p->dane, as dane_apply() left it */
void
diag_dane(struct probe_result *p)
{
	const struct dane_result *d = p->dane;

	if (d == NULL || !d->named)
		return;
	if (d->dnssec == DANE_DNSSEC_BOGUS)
		diag_add(p, F_DANE_BOGUS,
		    "The TLSA records of %s do not validate: %s. DANE senders "
		    "defer mail to this server until the zone validates.",
		    d->name, d->error);
	else if (d->dnssec == DANE_DNSSEC_SECURE && d->match == 0)
		diag_add(p, F_DANE_MISMATCH,
		    "The DNSSEC-signed TLSA records of %s do not match: %s. "
		    "DANE senders defer mail to this server. %s%s",
		    d->name, d->reason,
		    d->suggested[0] != '\0'
			? "The record that pins the current key is: "
			: "",
		    d->suggested);
}
