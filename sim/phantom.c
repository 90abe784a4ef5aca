/* phantom.c - the voxel phantom: grid, phases, painting shapes, voxel queries. */
#include "sim/sf_phantom.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sf_phantom {
  size_t nx, ny, nz;
  double voxel_A;
  int samples; /* sub-voxel samples per axis for curved surfaces */
  size_t n_phases;
  sf_phantom_phase phases[SF_PHANTOM_MAX_PHASES];
  /* fraction[p] is the volume fraction of phase p+1, data[(iz*ny + iy)*nx + ix] */
  double *fraction[SF_PHANTOM_MAX_PHASES];
};

static int label_char_ok(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* The label an element goes by in map names: its symbol or "Z<n>". */
static void element_label(const sf_phantom_phase *phase, size_t k, char *buf, size_t size) {
  if (phase->symbol[k][0])
    snprintf(buf, size, "%s", phase->symbol[k]);
  else
    snprintf(buf, size, "Z%d", phase->Z[k]);
}

int sf_phantom_phase_init(sf_phantom_phase *phase, const char *name) {
  if (!phase)
    return sf_error_set(SF_EINVAL, "phantom phase: NULL phase");
  memset(phase, 0, sizeof *phase);
  if (!sf_name_is_valid(name) || strlen(name) >= SF_PHANTOM_NAME_MAX)
    return sf_error_set(SF_EINVAL,
                        "phantom phase name '%s': use 1-%d characters from [A-Za-z0-9_]",
                        name ? name : "", SF_PHANTOM_NAME_MAX - 1);
  snprintf(phase->name, sizeof phase->name, "%s", name);
  return SF_OK;
}

int sf_phantom_phase_add_element(sf_phantom_phase *phase, int Z, const char *symbol,
                                 double density_per_A3) {
  if (Z < 1 || Z > 118)
    return sf_error_set(SF_EINVAL, "phase '%s': element Z = %d: must be 1..118", phase->name, Z);
  if (!isfinite(density_per_A3) || density_per_A3 < 0.0)
    return sf_error_set(SF_EINVAL, "phase '%s': element Z = %d: density_per_A3 = %g: must be "
                        "finite and >= 0", phase->name, Z, density_per_A3);
  size_t len = symbol ? strlen(symbol) : 0;
  if (len >= SF_PHANTOM_SYMBOL_MAX)
    return sf_error_set(SF_EINVAL, "phase '%s': element symbol '%s': at most %d characters",
                        phase->name, symbol, SF_PHANTOM_SYMBOL_MAX - 1);
  for (size_t i = 0; i < len; ++i)
    if (!label_char_ok(symbol[i]))
      return sf_error_set(SF_EINVAL, "phase '%s': element symbol '%s': use [A-Za-z0-9] only",
                          phase->name, symbol);
  for (size_t k = 0; k < phase->n; ++k)
    if (phase->Z[k] == Z)
      return sf_error_set(SF_EINVAL, "phase '%s': element Z = %d given twice", phase->name, Z);
  if (phase->n == SF_PHANTOM_MAX_ELEMENTS)
    return sf_error_set(SF_ERANGE, "phase '%s': more than %d elements", phase->name,
                        SF_PHANTOM_MAX_ELEMENTS);
  size_t k = phase->n++;
  phase->Z[k] = Z;
  snprintf(phase->symbol[k], SF_PHANTOM_SYMBOL_MAX, "%s", symbol ? symbol : "");
  phase->density_per_A3[k] = density_per_A3;
  return SF_OK;
}

int sf_phantom_phase_from_amounts(sf_phantom_phase *phase, const char *name, size_t n,
                                  const int *Z, const char *const *symbols,
                                  const double *amounts, double total_density_per_A3) {
  SF_TRY(sf_phantom_phase_init(phase, name));
  if (n == 0 || !Z || !amounts)
    return sf_error_set(SF_EINVAL, "phase '%s': no elements given", name);
  if (!isfinite(total_density_per_A3) || total_density_per_A3 < 0.0)
    return sf_error_set(SF_EINVAL, "phase '%s': total_density_per_A3 = %g: must be finite and "
                        ">= 0", name, total_density_per_A3);
  double sum = 0.0;
  for (size_t k = 0; k < n; ++k) {
    if (!isfinite(amounts[k]) || amounts[k] < 0.0)
      return sf_error_set(SF_EINVAL, "phase '%s': amount of Z = %d is %g: must be finite and "
                          ">= 0", name, Z[k], amounts[k]);
    sum += amounts[k];
  }
  if (!(sum > 0.0))
    return sf_error_set(SF_EINVAL, "phase '%s': the amounts sum to zero", name);
  for (size_t k = 0; k < n; ++k)
    SF_TRY(sf_phantom_phase_add_element(phase, Z[k], symbols ? symbols[k] : NULL,
                                        total_density_per_A3 * amounts[k] / sum));
  return SF_OK;
}

double sf_phantom_phase_fraction(const sf_phantom_phase *phase, int Z) {
  double sum = 0.0, mine = 0.0;
  for (size_t k = 0; k < phase->n; ++k) {
    sum += phase->density_per_A3[k];
    if (phase->Z[k] == Z)
      mine = phase->density_per_A3[k];
  }
  return sum > 0.0 ? mine / sum : 0.0;
}

int sf_phantom_create(size_t nx, size_t ny, size_t nz, double voxel_A, sf_phantom **out) {
  *out = NULL;
  if (nx == 0 || ny == 0 || nz == 0)
    return sf_error_set(SF_EINVAL, "phantom: grid %zu x %zu x %zu has a zero dimension", nx, ny,
                        nz);
  if (!isfinite(voxel_A) || voxel_A <= 0.0)
    return sf_error_set(SF_EINVAL, "phantom: voxel_A = %g: must be finite and > 0", voxel_A);
  if (ny > SIZE_MAX / nx || nz > SIZE_MAX / (nx * ny) ||
      nx * ny * nz > SIZE_MAX / sizeof(double) / SF_PHANTOM_MAX_PHASES)
    return sf_error_set(SF_ENOMEM, "phantom: grid %zu x %zu x %zu is too large", nx, ny, nz);
  sf_phantom *ph = calloc(1, sizeof *ph);
  if (!ph)
    return sf_error_set(SF_ENOMEM, "phantom: out of memory");
  ph->nx = nx;
  ph->ny = ny;
  ph->nz = nz;
  ph->voxel_A = voxel_A;
  ph->samples = 4;
  *out = ph;
  return SF_OK;
}

void sf_phantom_destroy(sf_phantom *ph) {
  if (!ph)
    return;
  for (size_t p = 0; p < ph->n_phases; ++p)
    sf_free(ph->fraction[p]);
  free(ph);
}

int sf_phantom_set_supersampling(sf_phantom *ph, int samples_per_axis) {
  if (samples_per_axis < 1 || samples_per_axis > 16)
    return sf_error_set(SF_EINVAL, "phantom: supersampling = %d: must be 1..16",
                        samples_per_axis);
  ph->samples = samples_per_axis;
  return SF_OK;
}

int sf_phantom_get_supersampling(const sf_phantom *ph) { return ph->samples; }

int sf_phantom_add_phase(sf_phantom *ph, const sf_phantom_phase *phase, int *index) {
  if (!phase || phase->n == 0)
    return sf_error_set(SF_EINVAL, "phantom phase '%s': has no elements",
                        phase ? phase->name : "");
  if (!sf_name_is_valid(phase->name))
    return sf_error_set(SF_EINVAL, "phantom phase name '%s': use [A-Za-z0-9_]", phase->name);
  if (ph->n_phases == SF_PHANTOM_MAX_PHASES)
    return sf_error_set(SF_ERANGE, "phantom phase '%s': more than %d phases", phase->name,
                        SF_PHANTOM_MAX_PHASES);
  for (size_t p = 0; p < ph->n_phases; ++p) {
    const sf_phantom_phase *q = &ph->phases[p];
    if (strcmp(q->name, phase->name) == 0)
      return sf_error_set(SF_EINVAL, "phantom phase '%s': name already used", phase->name);
    for (size_t a = 0; a < phase->n; ++a)
      for (size_t b = 0; b < q->n; ++b) {
        if (phase->Z[a] != q->Z[b])
          continue;
        char la[16], lb[16];
        element_label(phase, a, la, sizeof la);
        element_label(q, b, lb, sizeof lb);
        if (strcmp(la, lb) != 0)
          return sf_error_set(SF_EINVAL, "phantom phase '%s': Z = %d labelled '%s', but phase "
                              "'%s' labels it '%s'", phase->name, phase->Z[a], la, q->name, lb);
      }
  }
  double *f = sf_alloc(ph->nx * ph->ny * ph->nz, sizeof(double), "phantom phase fractions");
  if (!f)
    return SF_ENOMEM;
  ph->phases[ph->n_phases] = *phase;
  ph->fraction[ph->n_phases] = f;
  ph->n_phases++;
  if (index)
    *index = (int)ph->n_phases;
  return SF_OK;
}

size_t sf_phantom_phase_count(const sf_phantom *ph) { return ph->n_phases; }

const sf_phantom_phase *sf_phantom_get_phase(const sf_phantom *ph, int index) {
  if (index < 1 || (size_t)index > ph->n_phases)
    return NULL;
  return &ph->phases[index - 1];
}

void sf_phantom_get_dims(const sf_phantom *ph, size_t *nx, size_t *ny, size_t *nz,
                         double *voxel_A) {
  if (nx)
    *nx = ph->nx;
  if (ny)
    *ny = ph->ny;
  if (nz)
    *nz = ph->nz;
  if (voxel_A)
    *voxel_A = ph->voxel_A;
}

static size_t voxel_index(const sf_phantom *ph, size_t ix, size_t iy, size_t iz) {
  return (iz * ph->ny + iy) * ph->nx + ix;
}

double sf_phantom_voxel_fraction(const sf_phantom *ph, int index, size_t ix, size_t iy,
                                 size_t iz) {
  if (ix >= ph->nx || iy >= ph->ny || iz >= ph->nz || index < 0 ||
      (size_t)index > ph->n_phases)
    return 0.0;
  size_t v = voxel_index(ph, ix, iy, iz);
  if (index > 0)
    return ph->fraction[index - 1][v];
  double filled = 0.0;
  for (size_t p = 0; p < ph->n_phases; ++p)
    filled += ph->fraction[p][v];
  return filled < 1.0 ? 1.0 - filled : 0.0;
}

int sf_phantom_voxel_phase(const sf_phantom *ph, size_t ix, size_t iy, size_t iz) {
  int best = 0;
  double best_f = sf_phantom_voxel_fraction(ph, 0, ix, iy, iz);
  for (size_t p = 1; p <= ph->n_phases; ++p) {
    double f = sf_phantom_voxel_fraction(ph, (int)p, ix, iy, iz);
    if (f > best_f) {
      best_f = f;
      best = (int)p;
    }
  }
  return best;
}

/* Index range [*i0, *i1) of voxels that overlap [lo, hi] (Å) on an axis of n voxels. */
static void voxel_range(double lo, double hi, double v, size_t n, size_t *i0, size_t *i1) {
  double a = floor(lo / v), b = ceil(hi / v);
  if (a < 0.0)
    a = 0.0;
  if (b > (double)n)
    b = (double)n;
  if (b <= a) {
    *i0 = *i1 = 0;
    return;
  }
  *i0 = (size_t)a;
  *i1 = (size_t)b;
}

static int shape_check(const sf_phantom_shape *s) {
  if (s->kind == SF_PHANTOM_SPHERE) {
    for (int a = 0; a < 3; ++a)
      if (!isfinite(s->centre_A[a]))
        return sf_error_set(SF_EINVAL, "phantom sphere: centre_A[%d] = %g: must be finite", a,
                            s->centre_A[a]);
    if (!isfinite(s->radius_A) || s->radius_A <= 0.0)
      return sf_error_set(SF_EINVAL, "phantom sphere: radius_A = %g: must be finite and > 0",
                          s->radius_A);
    return SF_OK;
  }
  if (s->kind == SF_PHANTOM_CUBOID) {
    for (int a = 0; a < 3; ++a)
      if (!isfinite(s->lo_A[a]) || !isfinite(s->hi_A[a]) || !(s->hi_A[a] > s->lo_A[a]))
        return sf_error_set(SF_EINVAL, "phantom cuboid: axis %d: lo_A = %g, hi_A = %g: need "
                            "finite values with hi > lo", a, s->lo_A[a], s->hi_A[a]);
    return SF_OK;
  }
  return sf_error_set(SF_EINVAL, "phantom shape: unknown kind %d", (int)s->kind);
}

int sf_phantom_add_shape(sf_phantom *ph, int index, const sf_phantom_shape *shape) {
  if (index < 1 || (size_t)index > ph->n_phases)
    return sf_error_set(SF_EINVAL, "phantom shape: phase %d does not exist (have %zu)", index,
                        ph->n_phases);
  SF_TRY(shape_check(shape));
  double lo[3], hi[3];
  for (int a = 0; a < 3; ++a) {
    if (shape->kind == SF_PHANTOM_SPHERE) {
      lo[a] = shape->centre_A[a] - shape->radius_A;
      hi[a] = shape->centre_A[a] + shape->radius_A;
    } else {
      lo[a] = shape->lo_A[a];
      hi[a] = shape->hi_A[a];
    }
  }
  const double v = ph->voxel_A;
  size_t x0, x1, y0, y1, z0, z1;
  voxel_range(lo[0], hi[0], v, ph->nx, &x0, &x1);
  voxel_range(lo[1], hi[1], v, ph->ny, &y0, &y1);
  voxel_range(lo[2], hi[2], v, ph->nz, &z0, &z1);
  const size_t target = (size_t)index - 1;
  const int samples = ph->samples;
#pragma omp parallel for schedule(static)
  for (size_t iz = z0; iz < z1; ++iz)
    for (size_t iy = y0; iy < y1; ++iy)
      for (size_t ix = x0; ix < x1; ++ix) {
        double blo[3] = {ix * v, iy * v, iz * v};
        double bhi[3] = {(ix + 1) * v, (iy + 1) * v, (iz + 1) * v};
        double f = sf_phantom_shape_coverage(shape, blo, bhi, samples);
        if (f <= 0.0)
          continue;
        size_t k = voxel_index(ph, ix, iy, iz);
        for (size_t p = 0; p < ph->n_phases; ++p)
          ph->fraction[p][k] *= 1.0 - f;
        ph->fraction[target][k] += f;
      }
  return SF_OK;
}
