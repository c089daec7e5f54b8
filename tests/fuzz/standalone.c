/* standalone: runs a fuzz harness once per corpus file, built with the
 * ordinary compiler, so `make test` replays every finding without clang.
 * Arguments are files or directories (their regular files, in name order,
 * not recursing). Exits 0 when every file was read and ran; a harness
 * that finds something aborts. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/* The input in a buffer of exactly its size, so that a harness reading
 * past the end is caught by a sanitizer here as under libFuzzer. */
static int
run_file(const char *path)
{
	struct stat st;
	uint8_t *data = NULL;
	size_t len;
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) != 0) {
		fprintf(stderr, "standalone: cannot read '%s': %s\n", path,
		    strerror(errno));
		goto out;
	}
	len = (size_t)st.st_size;
	if ((data = malloc(len ? len : 1)) == NULL ||
	    fread(data, 1, len, f) != len) {
		fprintf(stderr, "standalone: cannot read '%s'\n", path);
		goto out;
	}
	LLVMFuzzerTestOneInput(data, len);
	rc = 0;
out:
	free(data);
	if (f != NULL)
		fclose(f);
	return rc;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of dir; *n counts them. */
static int
run_dir(const char *dir, size_t *n)
{
	char **names = NULL, path[4096];
	size_t cnt = 0, cap = 0;
	struct dirent *e;
	struct stat st;
	DIR *d;
	int rc = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "standalone: cannot open '%s': %s\n", dir,
		    strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char **grown;

		if (e->d_name[0] == '.')
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 64;
			if ((grown = realloc(names, cap * sizeof(*names))) ==
			    NULL) {
				rc = -1;
				break;
			}
			names = grown;
		}
		if ((names[cnt] = strdup(e->d_name)) == NULL) {
			rc = -1;
			break;
		}
		cnt++;
	}
	closedir(d);
	/* name order, so two replays run the same inputs the same way */
	if (cnt > 0)
		qsort(names, cnt, sizeof(*names), by_name);
	for (size_t i = 0; i < cnt && rc == 0; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(path) != 0)
			rc = -1;
		else
			(*n)++;
	}
	for (size_t i = 0; i < cnt; i++)
		free(names[i]);
	free(names);
	if (rc != 0)
		fprintf(stderr, "standalone: cannot list '%s'\n", dir);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat st;
	size_t n = 0;
	int rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 64;
	}
	LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "standalone: no '%s'\n", argv[i]);
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			rc |= run_dir(argv[i], &n) != 0;
		} else if (run_file(argv[i]) != 0) {
			rc = 1;
		} else {
			n++;
		}
	}
	printf("%s: %zu inputs replayed%s\n", argv[0], n, rc ? ", some "
	    "could not be read" : "");
	return rc;
}
