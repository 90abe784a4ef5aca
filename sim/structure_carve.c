/* structure_carve.c - solids for carving particles and films, and removal of
   atoms that come too close at an interface. */
#include "sim/sf_structure.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdlib.h>

static int positive(const char *what, double v) {
  if (!(v > 0.0) || !isfinite(v))
    return sf_error_set(SF_EINVAL, "shape: %s = %g Å: must be finite and > 0", what, v);
  return SF_OK;
}

int sf_shape_bounding_radius(const sf_shape *shape, double *radius_A) {
  if (!shape || !radius_A)
    return sf_error_set(SF_EINVAL, "sf_shape_bounding_radius: NULL argument");
  for (int k = 0; k < 3; ++k)
    if (!isfinite(shape->centre_A[k]))
      return sf_error_set(SF_EINVAL, "shape: centre is not finite");
  switch (shape->kind) {
  case SF_SHAPE_SPHERE:
    SF_TRY(positive("radius", shape->radius_A));
    *radius_A = shape->radius_A;
    return SF_OK;
  case SF_SHAPE_CUBOID:
    SF_TRY(positive("half size x", shape->half_A[0]));
    SF_TRY(positive("half size y", shape->half_A[1]));
    SF_TRY(positive("half size z", shape->half_A[2]));
    *radius_A = sqrt(shape->half_A[0] * shape->half_A[0] + shape->half_A[1] * shape->half_A[1] +
                     shape->half_A[2] * shape->half_A[2]);
    return SF_OK;
  case SF_SHAPE_TRUNC_OCT: {
    SF_TRY(positive("d100", shape->d100_A));
    SF_TRY(positive("d111", shape->d111_A));
    /* Inside the cube |r_k| <= d100 and the octahedron sum |r_k| <= sqrt3 d111. */
    double cube = sqrt(3.0) * shape->d100_A, octa = sqrt(3.0) * shape->d111_A;
    *radius_A = cube < octa ? cube : octa;
    return SF_OK;
  }
  case SF_SHAPE_SLAB:
    if (!isfinite(shape->z_lo_A) || !isfinite(shape->z_hi_A) || !(shape->z_hi_A > shape->z_lo_A))
      return sf_error_set(SF_EINVAL, "shape: slab z from %g to %g Å: need finite z_lo < z_hi",
                          shape->z_lo_A, shape->z_hi_A);
    return sf_error_set(SF_EINVAL, "shape: a slab is unbounded and has no bounding radius");
  }
  return sf_error_set(SF_EINVAL, "shape: unknown kind %d", (int)shape->kind);
}

int sf_shape_contains(const sf_shape *shape, const double r_A[3]) {
  double d[3];
  for (int k = 0; k < 3; ++k)
    d[k] = r_A[k] - shape->centre_A[k];
  switch (shape->kind) {
  case SF_SHAPE_SPHERE:
    return d[0] * d[0] + d[1] * d[1] + d[2] * d[2] <= shape->radius_A * shape->radius_A;
  case SF_SHAPE_CUBOID:
    return fabs(d[0]) <= shape->half_A[0] && fabs(d[1]) <= shape->half_A[1] &&
           fabs(d[2]) <= shape->half_A[2];
  case SF_SHAPE_TRUNC_OCT:
    return fabs(d[0]) <= shape->d100_A && fabs(d[1]) <= shape->d100_A &&
           fabs(d[2]) <= shape->d100_A &&
           fabs(d[0]) + fabs(d[1]) + fabs(d[2]) <= sqrt(3.0) * shape->d111_A;
  case SF_SHAPE_SLAB: return r_A[2] >= shape->z_lo_A && r_A[2] < shape->z_hi_A;
  }
  return 0;
}

int sf_structure_carve(sf_structure *s, const sf_shape *shape, int keep_inside) {
  if (!s || !shape)
    return sf_error_set(SF_EINVAL, "sf_structure_carve: NULL argument");
  double radius;
  if (shape->kind != SF_SHAPE_SLAB)
    SF_TRY(sf_shape_bounding_radius(shape, &radius));
  else if (!isfinite(shape->z_lo_A) || !isfinite(shape->z_hi_A) ||
           !(shape->z_hi_A > shape->z_lo_A))
    return sf_error_set(SF_EINVAL, "shape: slab z from %g to %g Å: need finite z_lo < z_hi",
                        shape->z_lo_A, shape->z_hi_A);
  if (s->count == 0)
    return SF_OK;
  unsigned char *remove = sf_alloc(s->count, 1, "carve: flags");
  if (!remove)
    return SF_ENOMEM;
  for (size_t i = 0; i < s->count; ++i) {
    const double r[3] = {s->x_A[i], s->y_A[i], s->z_A[i]};
    int inside = sf_shape_contains(shape, r);
    remove[i] = (unsigned char)(keep_inside ? !inside : inside);
  }
  int status = sf_structure_remove(s, remove);
  sf_free(remove);
  return status;
}

/* A uniform grid of bins of side >= min_distance over the bounding box of
   ref: each atom of s is compared with the atoms of the 27 bins around it. */
typedef struct bin_grid {
  double lo[3], side;
  long n[3];
  size_t *start; /* n0*n1*n2 + 1 offsets into order */
  size_t *order; /* ref atom indices sorted by bin */
} bin_grid;

static long bin_of(const bin_grid *g, double v, int k) {
  long b = (long)floor((v - g->lo[k]) / g->side);
  return b;
}

static int grid_build(bin_grid *g, const sf_structure *ref, double side) {
  double hi[3];
  SF_TRY(sf_structure_bounds(ref, g->lo, hi));
  /* Bins no smaller than the search distance, and not many more bins than
     atoms (a tiny distance must not ask for a huge grid). */
  double limit = 2.0 * (double)ref->count + 64.0, cells_d;
  for (;;) {
    cells_d = 1.0;
    for (int k = 0; k < 3; ++k)
      cells_d *= floor((hi[k] - g->lo[k]) / side) + 1.0;
    if (cells_d <= limit)
      break;
    side *= 1.5;
  }
  g->side = side;
  size_t cells = 1;
  for (int k = 0; k < 3; ++k) {
    g->n[k] = (long)(floor((hi[k] - g->lo[k]) / side) + 1.0);
    cells *= (size_t)g->n[k];
  }
  g->start = sf_alloc(cells + 1, sizeof *g->start, "interface check: bins");
  g->order = sf_alloc(ref->count ? ref->count : 1, sizeof *g->order, "interface check: order");
  if (!g->start || !g->order)
    return SF_ENOMEM;
  const double *r[3] = {ref->x_A, ref->y_A, ref->z_A};
  size_t *bin = sf_alloc(ref->count ? ref->count : 1, sizeof *bin, "interface check: bin index");
  if (!bin)
    return SF_ENOMEM;
  for (size_t i = 0; i < ref->count; ++i) {
    long b[3];
    for (int k = 0; k < 3; ++k) {
      b[k] = bin_of(g, r[k][i], k);
      b[k] = b[k] < 0 ? 0 : (b[k] >= g->n[k] ? g->n[k] - 1 : b[k]);
    }
    bin[i] = ((size_t)b[2] * (size_t)g->n[1] + (size_t)b[1]) * (size_t)g->n[0] + (size_t)b[0];
    g->start[bin[i] + 1]++;
  }
  for (size_t c = 0; c < cells; ++c)
    g->start[c + 1] += g->start[c];
  size_t *fill = sf_alloc(cells ? cells : 1, sizeof *fill, "interface check: fill");
  if (!fill) {
    sf_free(bin);
    return SF_ENOMEM;
  }
  for (size_t i = 0; i < ref->count; ++i)
    g->order[g->start[bin[i]] + fill[bin[i]]++] = i;
  sf_free(fill);
  sf_free(bin);
  return SF_OK;
}

int sf_structure_remove_close(sf_structure *s, const sf_structure *ref, double min_distance_A,
                              size_t *n_removed) {
  if (!s || !ref)
    return sf_error_set(SF_EINVAL, "sf_structure_remove_close: NULL argument");
  if (!(min_distance_A > 0.0) || !isfinite(min_distance_A))
    return sf_error_set(SF_EINVAL, "minimum distance %g Å: must be finite and > 0",
                        min_distance_A);
  if (n_removed)
    *n_removed = 0;
  if (s->count == 0 || ref->count == 0)
    return SF_OK;
  bin_grid g = {{0, 0, 0}, 0, {0, 0, 0}, NULL, NULL};
  int status = grid_build(&g, ref, min_distance_A);
  unsigned char *remove = status == SF_OK ? sf_alloc(s->count, 1, "interface check: flags") : NULL;
  if (status == SF_OK && !remove)
    status = SF_ENOMEM;
  size_t removed = 0;
  const double d2min = min_distance_A * min_distance_A;
  for (size_t i = 0; status == SF_OK && i < s->count; ++i) {
    const double p[3] = {s->x_A[i], s->y_A[i], s->z_A[i]};
    long b[3];
    int outside = 0;
    for (int k = 0; k < 3; ++k) {
      b[k] = bin_of(&g, p[k], k);
      outside |= b[k] < -1 || b[k] > g.n[k];
    }
    if (outside)
      continue;
    for (long d2 = -1; d2 <= 1 && !remove[i]; ++d2)
      for (long d1 = -1; d1 <= 1 && !remove[i]; ++d1)
        for (long d0 = -1; d0 <= 1 && !remove[i]; ++d0) {
          long c0 = b[0] + d0, c1 = b[1] + d1, c2 = b[2] + d2;
          if (c0 < 0 || c1 < 0 || c2 < 0 || c0 >= g.n[0] || c1 >= g.n[1] || c2 >= g.n[2])
            continue;
          size_t c = ((size_t)c2 * (size_t)g.n[1] + (size_t)c1) * (size_t)g.n[0] + (size_t)c0;
          for (size_t q = g.start[c]; q < g.start[c + 1]; ++q) {
            size_t j = g.order[q];
            double dx = p[0] - ref->x_A[j], dy = p[1] - ref->y_A[j], dz = p[2] - ref->z_A[j];
            if (dx * dx + dy * dy + dz * dz < d2min) {
              remove[i] = 1;
              break;
            }
          }
        }
    removed += remove[i];
  }
  if (status == SF_OK)
    status = sf_structure_remove(s, remove);
  if (status == SF_OK && n_removed)
    *n_removed = removed;
  sf_free(remove);
  sf_free(g.start);
  sf_free(g.order);
  return status;
}
