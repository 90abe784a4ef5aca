/* testutil.c - temporary directories and running the command for tests. */
#include "testutil.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[256];

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

static void cleanup_tmpdir(void) {
  if (tmpdir[0])
    nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

const char *sf_test_tmpdir(void) {
  if (!tmpdir[0]) {
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/sftest-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) {
      perror("mkdtemp");
      exit(2);
    }
    atexit(cleanup_tmpdir);
  }
  return tmpdir;
}

const char *sf_test_path(const char *name) {
  static char buffers[8][512];
  static int next = 0;
  char *buf = buffers[next];
  next = (next + 1) % 8;
  snprintf(buf, 512, "%s/%s", sf_test_tmpdir(), name);
  return buf;
}

const char *sf_test_source_path(const char *relative) {
  static char buffers[4][1024];
  static int next = 0;
  char *buf = buffers[next];
  next = (next + 1) % 4;
  snprintf(buf, 1024, "%s/%s", SF_SOURCE_DIR, relative);
  return buf;
}

int sf_test_file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

const char *sf_test_write_text(const char *name, const char *text) {
  const char *path = sf_test_path(name);
  FILE *f = fopen(path, "w");
  if (!f) {
    perror(path);
    exit(2);
  }
  fputs(text, f);
  fclose(f);
  return path;
}

int sf_test_run_cli(const char *args, char **output) {
  size_t cmd_size = strlen(args) + strlen(SF_TEST_BIN) + 32;
  char *cmd = malloc(cmd_size);
  snprintf(cmd, cmd_size, "'%s' %s 2>&1", SF_TEST_BIN, args);
  FILE *p = popen(cmd, "r");
  free(cmd);
  if (!p)
    return -1;
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while ((got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
    len += got;
    if (cap - len < 1024) {
      cap *= 2;
      buf = realloc(buf, cap);
    }
  }
  buf[len] = '\0';
  int status = pclose(p);
  if (output)
    *output = buf;
  else
    free(buf);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
