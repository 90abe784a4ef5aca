/* slice_finite.c - finite projection of a slice: cached radial depth
   weights and the grid superposition (see sf_slice_finite.h). */
#include "potentials/sf_slice_finite.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "potentials/sf_elements.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Slab offsets are rounded to this grid (A) so that atoms at the same depth
   relative to the slices share a table despite rounding of their z. */
#define OFFSET_QUANTUM_A 1e-9
#define HASH_BUCKETS 4096u
/* Tables kept between calls before the cache is emptied (about 16 MB). */
#define CACHE_LIMIT 8192u
#define NODES SF_SLICE_FINITE_NODES
/* Half-width in pixels of the cells whose weight is averaged over sub-cells:
   0, the cell that holds the atom (where v_c is log-singular); sub-cells for
   the 3 x 3 block changed the split by less than 1e-6 of the integral. */
#define SUB_HALF 0
/* Cells whose centre lies within this many pixels of the atom get the
   cell-averaged depth weight (2 x 2 Gauss); farther ones w at the centre. */
#define GAUSS_PIXELS SF_VZ_MID_PIXELS
/* Step, in pixels, of the weight table uniform in r used beyond that. */
#define FAR_STEP_PIXELS 0.125
#define SUB SF_SLICE_FINITE_SUB

typedef struct weight_table {
  int Z;
  double lo, hi; /* slab relative to the atom (A), quantised */
  double r_cut;
  struct weight_table *next;
  double inv_dr;  /* 1 / step of the table uniform in r */
  size_t n_far;   /* its nodes */
  double *far;    /* w at r = i / inv_dr (from w[]), for the cells beyond the Gauss radius */
  double w[NODES];
} weight_table;

struct sf_slice_finite {
  sf_projpot *pp;
  weight_table *buckets[HASH_BUCKETS];
  size_t n_tables;
};

/* One atom's contribution to one slice. */
typedef struct contribution {
  const sf_vz_table *table;
  const weight_table *weight;
  double x, y, reach, gauss_radius;
  int flat; /* the weight is 1 everywhere (the atom's whole reach in this slice) */
  long ia, ja, jy_lo, jy_hi;
  double block[SF_VZ_NEAR_SIZE * SF_VZ_NEAR_SIZE]; /* finite values of the near cells */
} contribution;

static void cache_clear(sf_slice_finite *f) {
  for (size_t b = 0; b < HASH_BUCKETS; ++b) {
    weight_table *t = f->buckets[b];
    while (t) {
      weight_table *next = t->next;
      free(t->far);
      free(t);
      t = next;
    }
    f->buckets[b] = NULL;
  }
  f->n_tables = 0;
}

void sf_slice_finite_destroy(sf_slice_finite *f) {
  if (!f)
    return;
  cache_clear(f);
  free(f);
}

int sf_slice_finite_create(sf_projpot *pp, sf_slice_finite **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "finite projection: NULL output pointer");
  *out = NULL;
  if (!pp)
    return sf_error_set(SF_EINVAL, "finite projection: NULL projected-potential builder");
  sf_slice_finite *f = calloc(1, sizeof *f);
  if (!f)
    return sf_error_set(SF_ENOMEM, "finite projection: out of memory");
  f->pp = pp;
  *out = f;
  return SF_OK;
}

static double quantise(double v) {
  if (!isfinite(v))
    return v;
  return nearbyint(v / OFFSET_QUANTUM_A) * OFFSET_QUANTUM_A;
}

static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  return h;
}

static uint64_t double_bits(double v) {
  uint64_t u;
  memcpy(&u, &v, sizeof u);
  return u;
}

/* The weight limit at r = 0: the nucleus inside, on a face of, or outside the slab. */
static double centre_weight(double lo, double hi) {
  if (lo < 0.0 && hi > 0.0)
    return 1.0;
  if (lo == 0.0 || hi == 0.0)
    return 0.5;
  return 0.0;
}

static int table_fill(weight_table *t, const sf_scatfac *sf) {
  t->w[0] = centre_weight(t->lo, t->hi);
  if (isinf(t->lo) && isinf(t->hi)) {
    for (int i = 0; i < NODES; ++i)
      t->w[i] = 1.0;
    return SF_OK;
  }
  for (int i = 1; i < NODES; ++i) {
    const double u = (double)i / (double)(NODES - 1);
    const double r = t->r_cut * u * u;
    double slab = 0.0;
    SF_TRY(sf_scatfac_vz_slab(sf, r, t->lo, t->hi, &slab));
    const double total = sf_scatfac_vz(sf, r);
    double w = t->w[i - 1];
    if (isfinite(total) && total > 0.0 && isfinite(slab))
      w = slab / total;
    t->w[i] = w < 0.0 ? 0.0 : (w > 1.0 ? 1.0 : w);
  }
  return SF_OK;
}

static double weight_at(const weight_table *t, double r) {
  if (r <= 0.0)
    return t->w[0];
  const double s = sqrt(r / t->r_cut) * (double)(NODES - 1);
  if (s >= (double)(NODES - 1))
    return t->w[NODES - 1];
  const int i = (int)s;
  const double a = s - (double)i;
  return (1.0 - a) * t->w[i] + a * t->w[i + 1];
}

/* w at radius r from the table uniform in r (cells beyond the Gauss radius). */
static double weight_far(const weight_table *t, double r) {
  const double s = r * t->inv_dr;
  const size_t i = (size_t)s;
  if (i + 1 >= t->n_far)
    return t->far[t->n_far - 1];
  const double a = s - (double)i;
  return (1.0 - a) * t->far[i] + a * t->far[i + 1];
}

/* The cached table of (Z, lo, hi) (offsets already quantised), made if needed. */
static const weight_table *table_get(sf_slice_finite *f, int Z, double lo, double hi) {
  const uint64_t h = mix(mix(mix(0, (uint64_t)Z), double_bits(lo)), double_bits(hi));
  const size_t b = (size_t)(h % HASH_BUCKETS);
  for (weight_table *t = f->buckets[b]; t; t = t->next)
    if (t->Z == Z && t->lo == lo && t->hi == hi)
      return t;
  const sf_vz_table *vt = sf_projpot_table(f->pp, Z);
  if (!vt)
    return NULL;
  weight_table *t = calloc(1, sizeof *t);
  if (!t) {
    sf_error_set(SF_ENOMEM, "finite projection: out of memory for a depth-weight table");
    return NULL;
  }
  t->Z = Z;
  t->lo = lo;
  t->hi = hi;
  t->r_cut = sf_vz_table_r_cut(vt);
  if (table_fill(t, sf_vz_table_scatfac(vt)) != SF_OK) {
    sf_error_prepend(SF_EINVAL, "finite projection: Z = %d, slab [%g, %g] A", Z, lo, hi);
    free(t);
    return NULL;
  }
  double px = 0.0;
  sf_projpot_grid(f->pp, NULL, NULL, &px);
  const double dr = FAR_STEP_PIXELS * px;
  t->n_far = (size_t)ceil(t->r_cut / dr) + 2;
  t->inv_dr = 1.0 / dr;
  t->far = malloc(t->n_far * sizeof *t->far);
  if (!t->far) {
    free(t);
    sf_error_set(SF_ENOMEM, "finite projection: out of memory for a depth-weight table");
    return NULL;
  }
  for (size_t i = 0; i < t->n_far; ++i)
    t->far[i] = weight_at(t, (double)i * dr);
  t->next = f->buckets[b];
  f->buckets[b] = t;
  f->n_tables++;
  return t;
}


int sf_slice_finite_weight(sf_slice_finite *f, int Z, double lo_A, double hi_A, double r_A,
                           double *w) {
  if (!f || !w)
    return sf_error_set(SF_EINVAL, "finite projection weight: NULL argument");
  if (isnan(lo_A) || isnan(hi_A) || !(lo_A < hi_A) || !(r_A >= 0.0) || !isfinite(r_A))
    return sf_error_set(SF_EINVAL, "finite projection weight: slab [%g, %g] A, r_A = %g: need "
                        "lo < hi and a finite r >= 0", lo_A, hi_A, r_A);
  const weight_table *t = table_get(f, Z, quantise(lo_A), quantise(hi_A));
  if (!t)
    return sf_error_prepend(SF_ERANGE, "finite projection weight");
  *w = weight_at(t, r_A);
  return SF_OK;
}

static long floor_div(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
static long ceil_div(long a, long b) { return -floor_div(-a, b); }
static size_t wrap(long i, size_t n) {
  long m = i % (long)n;
  return (size_t)(m < 0 ? m + (long)n : m);
}

/* Slice index of depth z (clamped to 0 .. n - 1). */
static long slice_of(double z, double z0, double dz, size_t n) {
  const double x = floor((z - z0) / dz);
  if (x < 0.0)
    return 0;
  if (x > (double)(n - 1))
    return (long)n - 1;
  return (long)x;
}

/* Depth weight of the cell at (dx, dy) from the atom: the v_c-weighted mean
   of w over SUB x SUB sub-cells (exact sub-cell averages of v_c). */
static double cell_weight(const contribution *c, double h, double dx, double dy) {
  const double hs = h / SUB;
  double num = 0.0, den = 0.0;
  for (int sy = 0; sy < SUB; ++sy) {
    const double ey = dy - 0.5 * h + ((double)sy + 0.5) * hs;
    for (int sx = 0; sx < SUB; ++sx) {
      const double ex = dx - 0.5 * h + ((double)sx + 0.5) * hs;
      const double v = sf_vz_table_cell_exact(c->table, ex, ey, hs, hs);
      num += v * weight_at(c->weight, sqrt(ex * ex + ey * ey));
      den += v;
    }
  }
  return den > 0.0 ? num / den : weight_at(c->weight, sqrt(dx * dx + dy * dy));
}

/* Depth weight of a cell outside the near block: the v_c-weighted mean of w
   at the 2 x 2 Gauss-Legendre points of the cell (O(h^4) for smooth v_c w). */
static double gauss_weight(const contribution *c, double h, double dx, double dy) {
  const double g = 0.5 * h / sqrt(3.0);
  double num = 0.0, den = 0.0;
  for (int j = 0; j < 2; ++j) {
    const double ey = dy + (j ? g : -g);
    for (int i = 0; i < 2; ++i) {
      const double ex = dx + (i ? g : -g), r = sqrt(ex * ex + ey * ey);
      const double v = sf_vz_table_vz(c->table, r);
      num += v * weight_at(c->weight, r);
      den += v;
    }
  }
  return den > 0.0 ? num / den : weight_at(c->weight, sqrt(dx * dx + dy * dy));
}

/* Add contribution c to the grid row at unwrapped row index jy: the infinite
   path's values (sf_vz_table_add_row into the scratch row tmp of n_tmp
   columns, indexed jx mod n_tmp, and the near block) times the depth weight:
   cell-averaged within gauss_radius of the atom, at the pixel centre beyond. */
static void add_row(const contribution *c, double h, long jy, double *row, size_t nx,
                    double *tmp, size_t n_tmp) {
  const double dy = (double)jy * h - c->y;
  const long by = jy - c->ja;
  const int near_row = by >= -SF_VZ_NEAR_HALF && by <= SF_VZ_NEAR_HALF;
  const double rem = c->reach * c->reach - dy * dy;
  const double hx = rem > 0.0 ? sqrt(rem) : 0.0;
  long jx_lo = (long)ceil((c->x - hx) / h), jx_hi = (long)floor((c->x + hx) / h);
  const long near_lo = c->ia - SF_VZ_NEAR_HALF, near_hi = c->ia + SF_VZ_NEAR_HALF;
  if (near_row) {
    if (jx_lo > near_lo)
      jx_lo = near_lo;
    if (jx_hi < near_hi)
      jx_hi = near_hi;
  } else if (rem <= 0.0) {
    return;
  }
  const size_t span = (size_t)(jx_hi - jx_lo + 1);
  if (span > n_tmp)
    return; /* not reached: n_tmp covers the widest reach */
  const size_t t0 = wrap(jx_lo, n_tmp);
  for (size_t i = 0; i < span; ++i)
    tmp[(t0 + i) % n_tmp] = 0.0;
  if (near_row)
    sf_vz_table_add_row(c->table, c->x, dy, jx_lo, jx_hi, near_lo, near_hi, tmp, n_tmp);
  else
    sf_vz_table_add_row(c->table, c->x, dy, jx_lo, jx_hi, 1, 0, tmp, n_tmp);
  const double g2 = c->gauss_radius * c->gauss_radius;
  size_t ix = wrap(jx_lo, nx), it = t0;
  for (long jx = jx_lo; jx <= jx_hi; ++jx) {
    double v;
    if (near_row && jx >= near_lo && jx <= near_hi) {
      v = c->block[(by + SF_VZ_NEAR_HALF) * SF_VZ_NEAR_SIZE + (jx - near_lo)];
    } else {
      v = tmp[it];
      if (v != 0.0 && !c->flat) {
        const double dx = (double)jx * h - c->x, r2 = dx * dx + dy * dy;
        v *= r2 < g2 ? gauss_weight(c, h, dx, dy) : weight_far(c->weight, sqrt(r2));
      }
    }
    row[ix] += v;
    if (++ix == nx)
      ix = 0;
    if (++it == n_tmp)
      it = 0;
  }
}

int sf_slice_finite_vz(sf_slice_finite *f, const sf_slice_atom *atoms, size_t n, double z0,
                       double dz, size_t n_slices, size_t k, double *vz) {
  if (!f || !vz || (n > 0 && !atoms))
    return sf_error_set(SF_EINVAL, "finite projection: NULL argument");
  if (!isfinite(z0) || !isfinite(dz) || dz <= 0.0)
    return sf_error_set(SF_EINVAL, "finite projection: z0_A = %g, thickness_A = %g: need finite "
                        "values and thickness > 0", z0, dz);
  if (n_slices == 0 || k >= n_slices)
    return sf_error_set(SF_EINVAL, "finite projection: slice %zu of %zu does not exist", k,
                        n_slices);
  size_t nx = 0, ny = 0;
  double h = 0.0;
  sf_projpot_grid(f->pp, &nx, &ny, &h);
  memset(vz, 0, nx * ny * sizeof *vz);
  if (f->n_tables > CACHE_LIMIT)
    cache_clear(f);
  contribution *list = n ? sf_alloc(n, sizeof *list, "finite-projection contributions") : NULL;
  if (n && !list)
    return SF_ENOMEM;
  size_t m = 0;
  int status = SF_OK;
  for (size_t a = 0; a < n; ++a) {
    const sf_slice_atom *at = &atoms[a];
    if (!isfinite(at->x_A) || !isfinite(at->y_A) || !isfinite(at->z_A)) {
      status = sf_error_set(SF_EINVAL, "finite projection: atom %zu (Z = %d): position (%g, %g, "
                            "%g) A is not finite", a, at->Z, at->x_A, at->y_A, at->z_A);
      break;
    }
    const sf_vz_table *vt = sf_projpot_table(f->pp, at->Z);
    if (!vt) {
      status = sf_error_prepend(SF_ERANGE, "finite projection: atom %zu", a);
      break;
    }
    const double rc = sf_vz_table_r_cut(vt);
    const long k_first = slice_of(at->z_A - rc, z0, dz, n_slices);
    const long k_last = slice_of(at->z_A + rc, z0, dz, n_slices);
    if ((long)k < k_first || (long)k > k_last)
      continue;
    const double lo = (long)k == k_first ? -INFINITY
                                         : quantise(z0 + (double)k * dz - at->z_A);
    const double hi = (long)k == k_last ? INFINITY
                                        : quantise(z0 + (double)(k + 1) * dz - at->z_A);
    const weight_table *wt = table_get(f, at->Z, lo, hi);
    if (!wt) {
      status = sf_error_prepend(SF_ENOMEM, "finite projection: atom %zu", a);
      break;
    }
    contribution *c = &list[m++];
    c->table = vt;
    c->weight = wt;
    c->x = at->x_A;
    c->y = at->y_A;
  }
  if (status != SF_OK || m == 0) {
    sf_free(list);
    return status;
  }

#pragma omp parallel for schedule(dynamic, 4)
  for (size_t i = 0; i < m; ++i) {
    contribution *c = &list[i];
    c->reach = sf_vz_table_reach(c->table);
    c->gauss_radius = GAUSS_PIXELS * h;
    c->flat = isinf(c->weight->lo) && isinf(c->weight->hi);
    c->ia = (long)floor(c->x / h + 0.5);
    c->ja = (long)floor(c->y / h + 0.5);
    c->jy_lo = (long)ceil((c->y - c->reach) / h);
    c->jy_hi = (long)floor((c->y + c->reach) / h);
    if (c->jy_lo > c->ja - SF_VZ_NEAR_HALF)
      c->jy_lo = c->ja - SF_VZ_NEAR_HALF;
    if (c->jy_hi < c->ja + SF_VZ_NEAR_HALF)
      c->jy_hi = c->ja + SF_VZ_NEAR_HALF;
    /* The exact near block of the infinite path, times the cell's depth weight. */
    sf_vz_table_near_block(c->table, c->x - (double)c->ia * h, c->y - (double)c->ja * h,
                           c->block);
    for (int by = -SF_VZ_NEAR_HALF; by <= SF_VZ_NEAR_HALF; ++by)
      for (int bx = -SF_VZ_NEAR_HALF; bx <= SF_VZ_NEAR_HALF; ++bx) {
        const double dx = (double)(c->ia + bx) * h - c->x, dy = (double)(c->ja + by) * h - c->y;
        const int inner = abs(bx) <= SUB_HALF && abs(by) <= SUB_HALF;
        c->block[(by + SF_VZ_NEAR_HALF) * SF_VZ_NEAR_SIZE + (bx + SF_VZ_NEAR_HALF)] *=
            c->flat ? 1.0 : inner ? cell_weight(c, h, dx, dy) : gauss_weight(c, h, dx, dy);
      }
  }

  double reach_max = 0.0;
  for (size_t i = 0; i < m; ++i)
    reach_max = fmax(reach_max, list[i].reach);
  const size_t n_tmp = (size_t)ceil(2.0 * reach_max / h) + 2 * SF_VZ_NEAR_HALF + 4;
  int failed = 0;

  /* Rows in parallel; each pixel adds its contributions in input order. */
#pragma omp parallel
  {
    double *tmp = malloc(n_tmp * sizeof *tmp);
    if (!tmp) {
#pragma omp atomic write
      failed = 1;
    }
#pragma omp for schedule(dynamic, 2)
    for (size_t iy = 0; iy < ny; ++iy) {
      if (!tmp)
        continue;
      double *row = vz + iy * nx;
      for (size_t i = 0; i < m; ++i) {
        const contribution *c = &list[i];
        const long q_lo = ceil_div(c->jy_lo - (long)iy, (long)ny);
        const long q_hi = floor_div(c->jy_hi - (long)iy, (long)ny);
        for (long q = q_lo; q <= q_hi; ++q)
          add_row(c, h, (long)iy + q * (long)ny, row, nx, tmp, n_tmp);
      }
    }
    free(tmp);
  }
  sf_free(list);
  if (failed)
    return sf_error_set(SF_ENOMEM, "finite projection: out of memory for a row buffer");
  return SF_OK;
}
