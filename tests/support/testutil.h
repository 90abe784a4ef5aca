/* testutil.h - helpers shared by the Criterion tests.

   Tolerances are named after what they check (style.md, habit 9). */
#ifndef SF_TESTUTIL_H
#define SF_TESTUTIL_H
#include <float.h>
#include <stddef.h>

#define SF_TOL_DBL (2.0 * DBL_EPSILON)
#define SF_TOL_SNGL 1e-6

/** A fresh empty directory for one test (removed at exit); returns its path. */
const char *sf_test_tmpdir(void);
/** Path inside the test's temporary directory (static buffer rotated 8 ways). */
const char *sf_test_path(const char *name);
/** Run the stemfuse command with a shell argument string; returns its exit
    status and captures stdout+stderr into *output (malloc'ed; may be NULL). */
int sf_test_run_cli(const char *args, char **output);
/** Path of a file in the source tree (datasets/..., ../shared is not used). */
const char *sf_test_source_path(const char *relative);
/** 1 if the file exists. */
int sf_test_file_exists(const char *path);
/** Write text to a file in the temp dir and return its path. */
const char *sf_test_write_text(const char *name, const char *text);

#endif
