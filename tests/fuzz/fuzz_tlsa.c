/*
 * fuzz_tlsa.c - libFuzzer harness for the TLSA answer parser of --dane.
 *
 * Input: the bytes of a DNS answer, as a resolver (or anyone who can
 * answer in its name) sends them. Invariants (abort() on failure): a
 * refused answer keeps nothing; an accepted one holds at most
 * TLSA_RECORDS_MAX records, each with at most TLSA_DATA_MAX bytes of data
 * and at least one; everything is released, so LeakSanitizer sees a leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dane.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* LLVMFuzzerTestOneInput - one answer, parsed from a copy of its length */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tlsa_answer a;
	const char *why = NULL;
	size_t i;

	if (size > 65535)
		return 0;
	if (tlsa_answer_parse(data, (int)size, &a, &why) == -1) {
		if (a.n != 0 || a.answered || why == NULL)
			abort();
		return 0;
	}
	if (a.n > TLSA_RECORDS_MAX || !a.answered)
		abort();
	for (i = 0; i < a.n; i++)
		if (a.rr[i].len == 0 || a.rr[i].len > TLSA_DATA_MAX ||
		    a.rr[i].data == NULL)
			abort();
	tlsa_answer_free(&a);
	return 0;
}
