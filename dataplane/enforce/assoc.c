/* SPDX-License-Identifier: BSD-3-Clause */
/* Association table (temporary: no tracking yet). */
#include <stdlib.h>

#include "enforce_int.h"

int
enf_table_init(struct sw_enforce *e)
{
	(void)e;
	return 0;
}

void
enf_table_fini(struct sw_enforce *e)
{
	(void)e;
}

void
enf_table_clear(struct sw_enforce *e)
{
	(void)e;
}
