/* The disk cache of transition-potential sets: a second request with the
   same parameters is served from disk with identical values, a different
   parameter misses, and damaged, truncated, foreign or colliding files are
   detected (SF_EFORMAT) and rebuilt. */
#include "core/sf_status.h"
#include "potentials/sf_transition.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void params(sf_transition_params *p, double window) {
  sf_transition_params_default(p);
  p->Z = 8;
  snprintf(p->edge, sizeof p->edge, "K");
  p->energy_keV = 200.0;
  p->window_eV = window;
  p->energy_nodes = 3;
  p->q_max_invA = 1.5;
}

static void assert_same(const sf_transition_set *a, const sf_transition_set *b) {
  cr_assert_eq(sf_transition_set_count(a), sf_transition_set_count(b));
  cr_assert_eq(sf_transition_set_nodes(a), sf_transition_set_nodes(b));
  for (size_t f = 0; f < sf_transition_set_count(a); ++f) {
    const double qs[3][2] = {{0.0, 0.0}, {0.3, -0.2}, {1.1, 0.7}};
    for (int k = 0; k < 3; ++k) {
      double ta[2], tb[2];
      cr_assert_eq(sf_transition_potential_q(a, f, qs[k][0], qs[k][1], ta), SF_OK);
      cr_assert_eq(sf_transition_potential_q(b, f, qs[k][0], qs[k][1], tb), SF_OK);
      cr_assert(ta[0] == tb[0] && ta[1] == tb[1], "f = %zu q %d differs", f, k);
    }
  }
  double sa, sb;
  sf_transition_cross_section(a, 20.0, &sa);
  sf_transition_cross_section(b, 20.0, &sb);
  cr_assert(sa == sb);
  cr_assert(sf_transition_set_max_overlap(a) == sf_transition_set_max_overlap(b));
  cr_assert_str_eq(sf_transition_set_edge(a)->name, sf_transition_set_edge(b)->name);
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

Test(transition_cache, second_request_is_served_from_disk) {
  const char *dir = sf_test_tmpdir();
  sf_transition_params p;
  params(&p, 30.0);
  sf_transition_set *a = NULL, *b = NULL, *c = NULL;
  int hit = -1;
  cr_assert_eq(sf_transition_set_create_cached(&p, dir, &a, &hit), SF_OK, "%s",
               sf_error_message());
  cr_assert_eq(hit, 0);
  char path[1024];
  sf_tp_cache_path(dir, &p, path, sizeof path);
  cr_assert(sf_test_file_exists(path), "%s", path);
  cr_assert_eq(sf_transition_set_create_cached(&p, dir, &b, &hit), SF_OK);
  cr_assert_eq(hit, 1);
  assert_same(a, b);
  /* any changed parameter is another entry */
  sf_transition_params q;
  params(&q, 31.0);
  char path2[1024];
  sf_tp_cache_path(dir, &q, path2, sizeof path2);
  cr_assert_str_neq(path, path2);
  cr_assert_eq(sf_tp_cache_load(dir, &q, &c), SF_ENOENT);
  cr_assert_eq(sf_transition_set_create_cached(&q, dir, &c, &hit), SF_OK);
  cr_assert_eq(hit, 0);
  /* no cache directory: plain build */
  sf_transition_set *d = NULL;
  cr_assert_eq(sf_transition_set_create_cached(&p, NULL, &d, &hit), SF_OK);
  cr_assert_eq(hit, 0);
  assert_same(a, d);
  char key[1024];
  cr_assert(strstr(sf_transition_params_key(&p, key, sizeof key), "Z=8 edge=K energy_keV=200"));
  sf_transition_set_destroy(a);
  sf_transition_set_destroy(b);
  sf_transition_set_destroy(c);
  sf_transition_set_destroy(d);
}

static void corrupt(const char *path, long offset) {
  FILE *f = fopen(path, "r+b");
  cr_assert_not_null(f);
  fseek(f, offset, SEEK_SET);
  int ch = fgetc(f);
  fseek(f, offset, SEEK_SET);
  fputc(ch ^ 0x5a, f);
  fclose(f);
}

Test(transition_cache, damaged_entries_are_detected_and_rebuilt) {
  const char *dir = sf_test_tmpdir();
  sf_transition_params p, q;
  params(&p, 20.0);
  params(&q, 25.0);
  sf_transition_set *a = NULL, *b = NULL;
  int hit;
  cr_assert_eq(sf_transition_set_create_cached(&p, dir, &a, &hit), SF_OK);
  char path[1024], pathq[1024];
  sf_tp_cache_path(dir, &p, path, sizeof path);
  sf_tp_cache_path(dir, &q, pathq, sizeof pathq);
  const long size = file_size(path);
  cr_assert(size > 1000);
  /* one flipped byte in the tables */
  corrupt(path, size / 2);
  cr_assert_eq(sf_tp_cache_load(dir, &p, &b), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "checksum mismatch"), "%s", sf_error_message());
  cr_assert_null(b);
  cr_assert_eq(sf_transition_set_create_cached(&p, dir, &b, &hit), SF_OK);
  cr_assert_eq(hit, 0); /* rebuilt ... */
  assert_same(a, b);
  sf_transition_set_destroy(b);
  cr_assert_eq(sf_tp_cache_load(dir, &p, &b), SF_OK); /* ... and rewritten */
  sf_transition_set_destroy(b);
  /* truncated */
  cr_assert_eq(truncate(path, size - 100), 0);
  cr_assert_eq(sf_tp_cache_load(dir, &p, &b), SF_EFORMAT);
  /* foreign file under the name */
  FILE *f = fopen(path, "wb");
  fputs("not a cache file at all, just text that is long enough", f);
  fclose(f);
  cr_assert_eq(sf_tp_cache_load(dir, &p, &b), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "not a stemfuse transition-potential cache file"), "%s",
            sf_error_message());
  /* a valid file for other parameters under q's name (a hash collision) */
  cr_assert_eq(sf_tp_cache_store(dir, a), SF_OK);
  cr_assert_eq(rename(path, pathq), 0);
  cr_assert_eq(sf_tp_cache_load(dir, &q, &b), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "stored for other parameters"), "%s", sf_error_message());
  /* a directory that does not exist */
  cr_assert_eq(sf_tp_cache_store(sf_test_path("no/such/dir"), a), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "does not exist"), "%s", sf_error_message());
  sf_transition_set_destroy(a);
}
