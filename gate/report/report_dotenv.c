/* report_dotenv: KEY=value lines for GitLab's artifacts:reports:dotenv. */
#include "report/report.h"

int
slg_report_dotenv(FILE *f, const struct slg_verdict *v)
{
	/* values are fixed words and numbers: no quoting needed */
	fprintf(f, "SLOGATE_VERDICT=%s\n", slg_verdict_str(v->verdict));
	fprintf(f, "SLOGATE_VERDICT_ID=%lld\n", (long long)v->id);
	fprintf(f, "SLOGATE_EXIT_CODE=%d\n", (int)v->verdict);
	if (v->has_score)
		fprintf(f, "SLOGATE_SCORE=%g\nSLOGATE_SCORE_MAX=%g\n", v->score,
		    v->score_max);
	return ferror(f) ? -1 : 0;
}
