/* SPDX-License-Identifier: BSD-3-Clause */
/* A harness that crashes on the input "BOOM": run through run_fuzzer.sh with a corpus holding it,
 * the test must fail (fuzz-selfcheck-fails), proving that findings are failures, not skips. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 4 && memcmp(data, "BOOM", 4) == 0)
		abort();
	return 0;
}
