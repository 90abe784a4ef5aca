/* atomic.c - temporary-name writing with a final rename. */
#include "io/sf_atomic.h"

#include "core/sf_status.h"

#include <errno.h>
#include <ftw.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static atomic_uint temp_counter;

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void remove_tree(const char *path) {
  nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int prepare(const char *path, int force, sf_atomic_file *af) {
  memset(af, 0, sizeof *af);
  if (!path || !*path)
    return sf_error_set(SF_EINVAL, "output path is empty");
  struct stat st;
  if (stat(path, &st) == 0 && !force)
    return sf_error_set(SF_EEXIST, "%s: output already exists (use --force to overwrite)", path);
  const char *slash = strrchr(path, '/');
  size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
  const char *base = slash ? slash + 1 : path;
  if (!*base)
    return sf_error_set(SF_EINVAL, "%s: output path names a directory, not a file", path);
  if (dir_len) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%.*s", (int)dir_len, path);
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
      return sf_error_set(SF_ENOENT, "%s: directory %s does not exist", path, dir);
  }
  size_t tmp_size = strlen(path) + 64;
  af->final_path = strdup(path);
  af->tmp_path = malloc(tmp_size);
  if (!af->final_path || !af->tmp_path) {
    sf_atomic_abort(af);
    return sf_error_set(SF_ENOMEM, "%s: out of memory", path);
  }
  snprintf(af->tmp_path, tmp_size, "%.*s.%s.tmp-%ld-%u", (int)dir_len, path, base,
           (long)getpid(), atomic_fetch_add(&temp_counter, 1));
  return SF_OK;
}

int sf_atomic_check(const char *path, int force) {
  sf_atomic_file af;
  SF_TRY(prepare(path, force, &af));
  sf_atomic_abort(&af);
  return SF_OK;
}

int sf_atomic_begin(const char *path, int force, sf_atomic_file *af) {
  return prepare(path, force, af);
}

int sf_atomic_begin_dir(const char *path, int force, sf_atomic_file *af) {
  SF_TRY(prepare(path, force, af));
  af->is_dir = 1;
  if (mkdir(af->tmp_path, 0777) != 0) {
    int status = sf_error_set(SF_EIO, "%s: cannot create %s: %s", path, af->tmp_path,
                              strerror(errno));
    sf_atomic_abort(af);
    return status;
  }
  return SF_OK;
}

int sf_atomic_commit(sf_atomic_file *af) {
  int status = SF_OK;
  struct stat st;
  /* rename() replaces a file but not a non-empty directory; a forced
     directory output first removes the old tree. */
  if (af->is_dir && stat(af->final_path, &st) == 0)
    remove_tree(af->final_path);
  if (rename(af->tmp_path, af->final_path) != 0) {
    status = sf_error_set(SF_EIO, "%s: cannot rename %s into place: %s", af->final_path,
                          af->tmp_path, strerror(errno));
    sf_atomic_abort(af);
    return status;
  }
  free(af->final_path);
  free(af->tmp_path);
  memset(af, 0, sizeof *af);
  return status;
}

void sf_atomic_abort(sf_atomic_file *af) {
  if (af->tmp_path) {
    if (af->is_dir)
      remove_tree(af->tmp_path);
    else
      remove(af->tmp_path);
  }
  free(af->final_path);
  free(af->tmp_path);
  memset(af, 0, sizeof *af);
}
