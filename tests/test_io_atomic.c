/* Outputs appear complete or not at all, and never replace a file unasked. */
#include "io/sf_atomic.h"
#include "core/sf_status.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int entries_in(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
  closedir(d);
  return n;
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

static int file_is(const char *path, const char *text) {
  char buf[64] = {0};
  FILE *f = fopen(path, "r");
  if (!f)
    return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  return n == strlen(text) && memcmp(buf, text, n) == 0;
}

Test(atomic, commit_renames_and_abort_leaves_nothing) {
  const char *out = sf_test_path("result.emd");
  sf_atomic_file af;
  cr_assert_eq(sf_atomic_begin(out, 0, &af), SF_OK);
  cr_assert(strstr(af.tmp_path, ".result.emd.tmp-"));
  write_file(af.tmp_path, "new");
  cr_assert_not(sf_test_file_exists(out));
  cr_assert_eq(sf_atomic_commit(&af), SF_OK);
  cr_assert(file_is(out, "new"));
  cr_assert_eq(entries_in(sf_test_tmpdir()), 1);

  cr_assert_eq(sf_atomic_begin(sf_test_path("other.emd"), 0, &af), SF_OK);
  write_file(af.tmp_path, "partial");
  sf_atomic_abort(&af);
  cr_assert_eq(entries_in(sf_test_tmpdir()), 1);
}

Test(atomic, existing_output_is_kept_unless_forced) {
  const char *out = sf_test_path("keep.emd");
  write_file(out, "old");
  sf_atomic_file af;
  cr_assert_eq(sf_atomic_begin(out, 0, &af), SF_EEXIST);
  cr_assert(strstr(sf_error_message(), "keep.emd"));
  cr_assert(strstr(sf_error_message(), "--force"));
  cr_assert(file_is(out, "old"));
  cr_assert_eq(sf_atomic_begin(out, 1, &af), SF_OK);
  write_file(af.tmp_path, "new");
  cr_assert_eq(sf_atomic_commit(&af), SF_OK);
  cr_assert(file_is(out, "new"));
}

Test(atomic, missing_directory_is_reported) {
  sf_atomic_file af;
  cr_assert_eq(sf_atomic_begin(sf_test_path("no/such/dir/x.emd"), 0, &af), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "does not exist"));
  cr_assert_eq(sf_atomic_begin("", 0, &af), SF_EINVAL);
}

Test(atomic, directories_replace_whole_trees_when_forced) {
  const char *out = sf_test_path("report");
  sf_atomic_file af;
  cr_assert_eq(sf_atomic_begin_dir(out, 0, &af), SF_OK);
  char inner[600];
  snprintf(inner, sizeof inner, "%s/a.txt", af.tmp_path);
  write_file(inner, "one");
  cr_assert_eq(sf_atomic_commit(&af), SF_OK);
  cr_assert_eq(sf_atomic_begin_dir(out, 0, &af), SF_EEXIST);
  cr_assert_eq(sf_atomic_begin_dir(out, 1, &af), SF_OK);
  snprintf(inner, sizeof inner, "%s/b.txt", af.tmp_path);
  write_file(inner, "two");
  cr_assert_eq(sf_atomic_commit(&af), SF_OK);
  cr_assert_eq(entries_in(out), 1);
  snprintf(inner, sizeof inner, "%s/b.txt", out);
  cr_assert(file_is(inner, "two"));
  /* An aborted directory leaves nothing. */
  cr_assert_eq(sf_atomic_begin_dir(sf_test_path("gone"), 0, &af), SF_OK);
  snprintf(inner, sizeof inner, "%s/c.txt", af.tmp_path);
  write_file(inner, "x");
  sf_atomic_abort(&af);
  cr_assert_eq(entries_in(sf_test_tmpdir()), 1);
}
