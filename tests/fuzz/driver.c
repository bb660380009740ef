/* tests/fuzz/driver.c: main() for a harness without libFuzzer: runs it once over each file
 * named (a directory: each file in it, sorted) and prints "parsed NAME" or "refused NAME".
 * A crash, a sanitizer report or a failed property aborts. Exit 2 when a file cannot be read. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fuzz/fuzz.h"

static int driver_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	unsigned char *b = malloc(cap);
	size_t n;
	while (b && (n = fread(b + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			unsigned char *nb = realloc(b, cap *= 2);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	int bad = ferror(f);
	fclose(f);
	if (!b || bad) {
		fprintf(stderr, "%s: cannot read\n", path);
		free(b);
		return -1;
	}
	/* Exactly len bytes, as libFuzzer hands them over: a read past the end is caught. */
	unsigned char *exact = malloc(len ? len : 1);
	if (!exact)
		abort();
	memcpy(exact, b, len);
	free(b);
	fuzz_accepted = 0;
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	printf("%s %s\n", fuzz_accepted ? "parsed" : "refused", path);
	fflush(stdout);
	return 0;
}

static int driver_by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int main(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode)) {
			rc |= driver_file(argv[i]) != 0;
			continue;
		}
		struct dirent **list;
		int n = scandir(argv[i], &list, NULL, driver_by_name);
		if (n < 0) {
			perror(argv[i]);
			return 2;
		}
		for (int k = 0; k < n; k++) {
			if (list[k]->d_name[0] != '.') {
				char path[4096];
				snprintf(path, sizeof path, "%s/%s", argv[i], list[k]->d_name);
				rc |= driver_file(path) != 0;
			}
			free(list[k]);
		}
		free(list);
	}
	return rc ? 2 : 0;
}
