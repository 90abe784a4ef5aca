/* atom_grid.c - the logarithmic radial grid of the atom solver and its
   quadratures (integrals of f(r) dr computed as integrals of f r dx). */
#include "potentials/sf_atom.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdlib.h>

int sf_atom_grid_create(double r_min_bohr, double r_max_bohr, size_t n, sf_atom_grid **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "sf_atom_grid_create: out is NULL");
  *out = NULL;
  if (!(r_min_bohr > 0) || !isfinite(r_min_bohr))
    return sf_error_set(SF_EINVAL, "atom grid: r_min_bohr = %g: must be > 0", r_min_bohr);
  if (!(r_max_bohr > r_min_bohr) || !isfinite(r_max_bohr))
    return sf_error_set(SF_EINVAL, "atom grid: r_max_bohr = %g: must exceed r_min_bohr = %g",
                        r_max_bohr, r_min_bohr);
  if (n < 16 || n > 10000000)
    return sf_error_set(SF_EINVAL, "atom grid: points = %zu: must be 16 .. 10000000", n);
  sf_atom_grid *g = calloc(1, sizeof *g);
  if (!g)
    return sf_error_set(SF_ENOMEM, "atom grid: out of memory");
  g->r = sf_alloc(n, sizeof(double), "atom grid radii");
  if (!g->r) {
    free(g);
    return SF_ENOMEM;
  }
  g->n = n;
  g->x0 = log(r_min_bohr);
  g->h = (log(r_max_bohr) - g->x0) / (double)(n - 1);
  for (size_t i = 0; i < n; ++i)
    g->r[i] = exp(g->x0 + (double)i * g->h);
  g->r[n - 1] = r_max_bohr;
  *out = g;
  return SF_OK;
}

void sf_atom_grid_destroy(sf_atom_grid *g) {
  if (!g)
    return;
  sf_free(g->r);
  free(g);
}

double sf_atom_grid_integrate(const sf_atom_grid *g, const double *f) {
  /* Numerical Recipes' "alternative extended Simpson" weights:
     3/8, 7/6, 23/24, 1, ..., 1, 23/24, 7/6, 3/8. */
  static const double end_w[3] = {3.0 / 8.0, 7.0 / 6.0, 23.0 / 24.0};
  const size_t n = g->n;
  double s = 0.0;
  for (size_t i = 3; i + 3 < n; ++i)
    s += f[i] * g->r[i];
  for (size_t k = 0; k < 3; ++k)
    s += end_w[k] * (f[k] * g->r[k] + f[n - 1 - k] * g->r[n - 1 - k]);
  return s * g->h;
}

void sf_atom_grid_cumulative(const sf_atom_grid *g, const double *f, int from_origin,
                             double *out) {
  const size_t n = g->n;
  const double c = g->h / 24.0;
#define G(i) (f[i] * g->r[i])
  /* piece[i] = integral over [x_i, x_{i+1}] from the local cubic through 4 points. */
  if (from_origin) {
    out[0] = 0.0;
    for (size_t i = 0; i + 1 < n; ++i) {
      double piece;
      if (i == 0)
        piece = c * (9.0 * G(0) + 19.0 * G(1) - 5.0 * G(2) + G(3));
      else if (i + 2 == n)
        piece = c * (G(n - 4) - 5.0 * G(n - 3) + 19.0 * G(n - 2) + 9.0 * G(n - 1));
      else
        piece = c * (-G(i - 1) + 13.0 * G(i) + 13.0 * G(i + 1) - G(i + 2));
      out[i + 1] = out[i] + piece;
    }
  } else {
    out[n - 1] = 0.0;
    for (size_t i = n - 1; i-- > 0;) {
      double piece;
      if (i == 0)
        piece = c * (9.0 * G(0) + 19.0 * G(1) - 5.0 * G(2) + G(3));
      else if (i + 2 == n)
        piece = c * (G(n - 4) - 5.0 * G(n - 3) + 19.0 * G(n - 2) + 9.0 * G(n - 1));
      else
        piece = c * (-G(i - 1) + 13.0 * G(i) + 13.0 * G(i + 1) - G(i + 2));
      out[i] = out[i + 1] + piece;
    }
  }
#undef G
}
