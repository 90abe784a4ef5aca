/* structure_ops.c - supercells, translation, wrapping, centring, vacuum
   padding and stacking of atom lists. */
#include "sim/sf_structure.h"

#include "core/sf_status.h"

#include <math.h>
#include <stdint.h>

int sf_structure_supercell(const sf_structure *s, int n1, int n2, int n3, sf_structure **out) {
  if (!s || !out)
    return sf_error_set(SF_EINVAL, "sf_structure_supercell: NULL argument");
  *out = NULL;
  if (n1 < 1 || n2 < 1 || n3 < 1)
    return sf_error_set(SF_EINVAL, "supercell %dx%dx%d: each repeat must be >= 1", n1, n2, n3);
  uint64_t tiles = (uint64_t)n1 * (uint64_t)n2 * (uint64_t)n3;
  if (s->count && tiles > SIZE_MAX / s->count)
    return sf_error_set(SF_ENOMEM, "supercell %dx%dx%d of %zu atoms: too many atoms", n1, n2, n3,
                        s->count);
  sf_structure *t = NULL;
  SF_TRY(sf_structure_create(n1 * s->cell_A[0], n2 * s->cell_A[1], n3 * s->cell_A[2], &t));
  int status = sf_structure_reserve(t, (size_t)tiles * s->count);
  for (int i3 = 0; i3 < n3 && status == SF_OK; ++i3)
    for (int i2 = 0; i2 < n2 && status == SF_OK; ++i2)
      for (int i1 = 0; i1 < n1 && status == SF_OK; ++i1) {
        size_t o = t->count;
        status = sf_structure_append_all(t, s);
        for (size_t k = o; k < t->count && status == SF_OK; ++k) {
          t->x_A[k] += i1 * s->cell_A[0];
          t->y_A[k] += i2 * s->cell_A[1];
          t->z_A[k] += i3 * s->cell_A[2];
        }
      }
  if (status != SF_OK) {
    sf_structure_destroy(t);
    return status;
  }
  *out = t;
  return SF_OK;
}

int sf_structure_translate(sf_structure *s, double dx_A, double dy_A, double dz_A) {
  if (!s)
    return sf_error_set(SF_EINVAL, "sf_structure_translate: structure is NULL");
  if (!isfinite(dx_A) || !isfinite(dy_A) || !isfinite(dz_A))
    return sf_error_set(SF_EINVAL, "translation (%g, %g, %g) Å is not finite", dx_A, dy_A, dz_A);
  for (size_t i = 0; i < s->count; ++i) {
    s->x_A[i] += dx_A;
    s->y_A[i] += dy_A;
    s->z_A[i] += dz_A;
  }
  return SF_OK;
}

static double wrap1(double v, double L) {
  double w = v - L * floor(v / L);
  return w >= L ? 0.0 : w; /* v slightly below 0 can round up to L */
}

int sf_structure_wrap(sf_structure *s) {
  if (!s)
    return sf_error_set(SF_EINVAL, "sf_structure_wrap: structure is NULL");
  for (size_t i = 0; i < s->count; ++i) {
    s->x_A[i] = wrap1(s->x_A[i], s->cell_A[0]);
    s->y_A[i] = wrap1(s->y_A[i], s->cell_A[1]);
    s->z_A[i] = wrap1(s->z_A[i], s->cell_A[2]);
  }
  return SF_OK;
}

int sf_structure_bounds(const sf_structure *s, double lo_A[3], double hi_A[3]) {
  if (!s || !lo_A || !hi_A)
    return sf_error_set(SF_EINVAL, "sf_structure_bounds: NULL argument");
  if (s->count == 0)
    return sf_error_set(SF_EINVAL, "structure bounds: the structure has no atoms");
  const double *r[3] = {s->x_A, s->y_A, s->z_A};
  for (int k = 0; k < 3; ++k) {
    lo_A[k] = hi_A[k] = r[k][0];
    for (size_t i = 1; i < s->count; ++i) {
      lo_A[k] = r[k][i] < lo_A[k] ? r[k][i] : lo_A[k];
      hi_A[k] = r[k][i] > hi_A[k] ? r[k][i] : hi_A[k];
    }
  }
  return SF_OK;
}

int sf_structure_center(sf_structure *s, const int axes[3]) {
  if (!s || !axes)
    return sf_error_set(SF_EINVAL, "sf_structure_center: NULL argument");
  if (s->count == 0)
    return SF_OK;
  double lo[3], hi[3], d[3] = {0, 0, 0};
  SF_TRY(sf_structure_bounds(s, lo, hi));
  for (int k = 0; k < 3; ++k)
    if (axes[k])
      d[k] = 0.5 * s->cell_A[k] - 0.5 * (lo[k] + hi[k]);
  return sf_structure_translate(s, d[0], d[1], d[2]);
}

int sf_structure_pad_vacuum(sf_structure *s, const double vacuum_A[3]) {
  if (!s || !vacuum_A)
    return sf_error_set(SF_EINVAL, "sf_structure_pad_vacuum: NULL argument");
  static const char axis[3] = {'x', 'y', 'z'};
  for (int k = 0; k < 3; ++k)
    if (!(vacuum_A[k] >= 0.0) || !isfinite(vacuum_A[k]))
      return sf_error_set(SF_EINVAL, "vacuum along %c = %g Å: must be finite and >= 0", axis[k],
                          vacuum_A[k]);
  if (s->count == 0)
    return sf_error_set(SF_EINVAL, "vacuum padding: the structure has no atoms");
  double lo[3], hi[3], cell[3], d[3] = {0, 0, 0};
  SF_TRY(sf_structure_bounds(s, lo, hi));
  for (int k = 0; k < 3; ++k) {
    cell[k] = s->cell_A[k];
    if (vacuum_A[k] > 0.0) {
      cell[k] = (hi[k] - lo[k]) + 2.0 * vacuum_A[k];
      d[k] = vacuum_A[k] - lo[k];
    }
  }
  SF_TRY(sf_structure_set_cell(s, cell[0], cell[1], cell[2]));
  return sf_structure_translate(s, d[0], d[1], d[2]);
}

int sf_structure_stack(const sf_structure *bottom, const sf_structure *top, double gap_A,
                       double lateral_tol, sf_structure **out) {
  if (!bottom || !top || !out)
    return sf_error_set(SF_EINVAL, "sf_structure_stack: NULL argument");
  *out = NULL;
  if (!(gap_A >= 0.0) || !isfinite(gap_A))
    return sf_error_set(SF_EINVAL, "stack: gap %g Å: must be finite and >= 0", gap_A);
  if (!(lateral_tol >= 0.0))
    return sf_error_set(SF_EINVAL, "stack: lateral tolerance %g: must be >= 0", lateral_tol);
  for (int k = 0; k < 2; ++k) {
    double a = bottom->cell_A[k], b = top->cell_A[k];
    if (fabs(a - b) > lateral_tol * (a > b ? a : b))
      return sf_error_set(SF_EINVAL,
                          "stack: lateral cells differ: bottom %g x %g Å, top %g x %g Å "
                          "(relative tolerance %g)",
                          bottom->cell_A[0], bottom->cell_A[1], top->cell_A[0], top->cell_A[1],
                          lateral_tol);
  }
  sf_structure *t = NULL;
  SF_TRY(sf_structure_create(bottom->cell_A[0], bottom->cell_A[1],
                             bottom->cell_A[2] + gap_A + top->cell_A[2], &t));
  int status = sf_structure_append_all(t, bottom);
  size_t o = t->count;
  if (status == SF_OK)
    status = sf_structure_append_all(t, top);
  if (status != SF_OK) {
    sf_structure_destroy(t);
    return status;
  }
  for (size_t i = o; i < t->count; ++i)
    t->z_A[i] += bottom->cell_A[2] + gap_A;
  *out = t;
  return SF_OK;
}
