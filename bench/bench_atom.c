/* bench_atom.c - timings of the atom solver and of transition-potential
   sets: SCF for O, Fe, Pt, U; building O K, Fe L2,3, Pt M4,5 sets; a cache
   round trip; real-space transition potentials on a 256 x 256 grid. Prints
   measured figures, never pass/fail. Usage: bench_atom [CACHE_DIR]. */
#include "core/sf_status.h"
#include "potentials/sf_atom.h"
#include "potentials/sf_transition.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static sf_transition_set *build(int Z, const char *edge, const char *cache, double *seconds) {
  sf_transition_params p;
  sf_transition_params_default(&p);
  p.Z = Z;
  snprintf(p.edge, sizeof p.edge, "%s", edge);
  p.energy_keV = 300.0;
  p.window_eV = 50.0;
  p.energy_nodes = 5;
  p.q_max_invA = 8.0;
  sf_transition_set *ts = NULL;
  int hit = 0;
  const double t0 = now_s();
  if (sf_transition_set_create_cached(&p, cache, &ts, &hit) != SF_OK) {
    fprintf(stderr, "%s\n", sf_error_message());
    exit(1);
  }
  *seconds = now_s() - t0;
  return ts;
}

int main(int argc, char **argv) {
  const char *cache = argc > 1 ? argv[1] : NULL;
  const int Zs[] = {8, 26, 78, 92};
  for (int k = 0; k < 4; ++k) {
    sf_atom_config c;
    sf_atom_config_ground(Zs[k], &c);
    sf_atom *a = NULL;
    const double t0 = now_s();
    if (sf_atom_solve(&c, NULL, &a) != SF_OK) {
      fprintf(stderr, "%s\n", sf_error_message());
      return 1;
    }
    printf("atom Z = %2d: %2d SCF iterations, %.3f s, E = %.6f Ha\n", Zs[k],
           sf_atom_iterations(a), now_s() - t0, sf_atom_total_energy(a));
    sf_atom_destroy(a);
  }
  const struct {
    int Z;
    const char *edge;
  } edges[] = {{8, "K"}, {26, "L23"}, {78, "M45"}};
  for (int k = 0; k < 3; ++k) {
    double s1, s2 = 0.0;
    sf_transition_set *ts = build(edges[k].Z, edges[k].edge, cache, &s1);
    if (cache)
      sf_transition_set_destroy(build(edges[k].Z, edges[k].edge, cache, &s2));
    sf_tp_grid g = {256, 256, 0.05, 0.05, 0.0};
    float *buf = malloc(2 * 256 * 256 * sizeof *buf);
    const double t0 = now_s();
    const size_t nf = sf_transition_set_count(ts);
    for (size_t f = 0; f < nf; ++f)
      sf_transition_potential_grid(ts, f, &g, 6.4, 6.4, 1, buf);
    const double tg = now_s() - t0;
    printf("Z = %2d %-3s: %3zu final states, build %.3f s%s%.3f s, 256^2 grid %.2f ms/state\n",
           edges[k].Z, edges[k].edge, nf, s1, cache ? ", from cache " : "", cache ? s2 : 0.0,
           1e3 * tg / (double)nf);
    free(buf);
    sf_transition_set_destroy(ts);
  }
  return 0;
}
