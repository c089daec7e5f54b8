#include <stdlib.h>

#include "core/series.h"

void
slg_series_free(struct slg_series *s)
{
	if (s == NULL)
		return;
	free(s->pts);
	free(s->labels);
	free(s);
}
