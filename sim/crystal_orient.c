/* crystal_orient.c - orthorhombic periodic cells of a crystal with a zone
   axis [uvw] along z (the search for the repeat vectors and the filling of
   the cell; conventions in sf_crystal.h). */
#include "sim/sf_crystal.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_INDEX 8
#define MAX_MAX_INDEX 24
/* "Exactly" perpendicular: |cos| below this (rad). */
#define EXACT_COS 1e-9
/* Lengths and areas equal to this relative precision count as ties. */
#define TIE_REL 1e-9
/* Fractional coordinates within this of a cell face belong to the lower face. */
#define FACE_EPS 1e-9
/* Search radius (deg) for the nearest candidate named in an error message. */
#define NEAREST_SEARCH_DEG 5.0

typedef struct cand {
  int n[3];
  double v[3];
  double len;
  int zeros;
} cand;

static void lattice_vector(double L[3][3], const int n[3], double v[3]) {
  for (int k = 0; k < 3; ++k)
    v[k] = n[0] * L[0][k] + n[1] * L[1][k] + n[2] * L[2][k];
}

static double dot3(const double a[3], const double b[3]) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static void cross3(const double a[3], const double b[3], double c[3]) {
  c[0] = a[1] * b[2] - a[2] * b[1];
  c[1] = a[2] * b[0] - a[0] * b[2];
  c[2] = a[0] * b[1] - a[1] * b[0];
}

static int gcd(int a, int b) {
  a = abs(a);
  b = abs(b);
  while (b) {
    int t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* Preferred order: shorter, then more zero components, then the
   lexicographically larger index triple (so [100] before [010] before
   [-100]). */
static int cand_compare(const void *pa, const void *pb) {
  const cand *a = pa, *b = pb;
  if (fabs(a->len - b->len) > TIE_REL * (a->len + b->len))
    return a->len < b->len ? -1 : 1;
  if (a->zeros != b->zeros)
    return a->zeros > b->zeros ? -1 : 1;
  for (int k = 0; k < 3; ++k)
    if (a->n[k] != b->n[k])
      return a->n[k] > b->n[k] ? -1 : 1;
  return 0;
}

/* Lattice vectors with components up to m whose angle with t3 is within
   asin(sin_tol) of 90 deg, sorted in the preferred order. */
static int perpendicular_candidates(double L[3][3], const double t3[3], int m,
                                    double sin_tol, cand **out, size_t *n_out) {
  size_t cap = (size_t)(2 * m + 1) * (size_t)(2 * m + 1) * (size_t)(2 * m + 1);
  cand *list = sf_alloc(cap, sizeof *list, "zone-axis search: candidates");
  if (!list)
    return SF_ENOMEM;
  double l3 = sqrt(dot3(t3, t3));
  size_t n = 0;
  for (int i = -m; i <= m; ++i)
    for (int j = -m; j <= m; ++j)
      for (int k = -m; k <= m; ++k) {
        if (!i && !j && !k)
          continue;
        cand c = {{i, j, k}, {0, 0, 0}, 0, (i == 0) + (j == 0) + (k == 0)};
        lattice_vector(L, c.n, c.v);
        c.len = sqrt(dot3(c.v, c.v));
        if (fabs(dot3(c.v, t3)) <= sin_tol * c.len * l3)
          list[n++] = c;
      }
  qsort(list, n, sizeof *list, cand_compare);
  *out = list;
  *n_out = n;
  return SF_OK;
}

/* Angle deviation from 90 deg between two vectors, in degrees. */
static double dev_deg(const double a[3], const double b[3]) {
  double c = dot3(a, b) / sqrt(dot3(a, a) * dot3(b, b));
  c = c > 1.0 ? 1.0 : (c < -1.0 ? -1.0 : c);
  return fabs(90.0 - acos(c) * 180.0 / SF_PI);
}

/* The best pair (t1, t2): perpendicular within sin_tol, right-handed with
   t3, smallest area, then shortest t1, then the preferred order. With
   minimize_dev, the pair with the smallest largest angle deviation instead
   (for error messages). Returns 1 if found. */
static int best_pair(const cand *c, size_t n, const double t3[3], double sin_tol,
                     int minimize_dev, size_t *bi, size_t *bj, double *best_dev) {
  double best_area = INFINITY, best_metric = INFINITY;
  int found = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j) {
      if (i == j || c[i].len > c[j].len * (1.0 + TIE_REL))
        continue;
      if (fabs(dot3(c[i].v, c[j].v)) > sin_tol * c[i].len * c[j].len)
        continue;
      double x[3];
      cross3(c[i].v, c[j].v, x);
      if (dot3(x, t3) <= 0.0)
        continue;
      double area = sqrt(dot3(x, x));
      if (minimize_dev) {
        double d = dev_deg(c[i].v, c[j].v);
        double d1 = dev_deg(c[i].v, t3), d2 = dev_deg(c[j].v, t3);
        d = d > d1 ? d : d1;
        d = d > d2 ? d : d2;
        if (d < best_metric - 1e-12 ||
            (fabs(d - best_metric) <= 1e-12 && area < best_area * (1.0 - TIE_REL))) {
          best_metric = d;
          best_area = area;
          *bi = i;
          *bj = j;
          found = 1;
        }
      } else if (area < best_area * (1.0 - TIE_REL)) {
        best_area = area;
        *bi = i;
        *bj = j;
        found = 1;
      }
    }
  if (found && best_dev)
    *best_dev = best_metric;
  return found;
}

static int check_zone(const sf_crystal *c, const int uvw[3]) {
  if (!c || !uvw)
    return sf_error_set(SF_EINVAL, "zone axis: NULL argument");
  if (!uvw[0] && !uvw[1] && !uvw[2])
    return sf_error_set(SF_EINVAL, "zone axis [0 0 0] of %s: not a direction", c->name);
  for (int k = 0; k < 3; ++k)
    if (abs(uvw[k]) > 1000)
      return sf_error_set(SF_EINVAL, "zone axis [%d %d %d] of %s: indices above 1000", uvw[0],
                          uvw[1], uvw[2], c->name);
  return SF_OK;
}

int sf_crystal_orient(const sf_crystal *c, const int uvw[3], double angle_tol_deg,
                      int max_index, sf_crystal_cell_info *info) {
  SF_TRY(check_zone(c, uvw));
  if (!info)
    return sf_error_set(SF_EINVAL, "sf_crystal_orient: info is NULL");
  if (!(angle_tol_deg >= 0.0 && angle_tol_deg < 45.0))
    return sf_error_set(SF_EINVAL, "angle tolerance %g deg: must be in [0, 45)", angle_tol_deg);
  int m = max_index == 0 ? DEFAULT_MAX_INDEX : max_index;
  if (m < 1 || m > MAX_MAX_INDEX)
    return sf_error_set(SF_EINVAL, "maximum repeat index %d: must be 1..%d", max_index,
                        MAX_MAX_INDEX);
  memset(info, 0, sizeof *info);
  double L[3][3];
  sf_crystal_lattice(c, L);
  int g = gcd(gcd(uvw[0], uvw[1]), uvw[2]);
  int n3[3] = {uvw[0] / g, uvw[1] / g, uvw[2] / g};
  double t3[3];
  lattice_vector(L, n3, t3);
  double sin_tol = angle_tol_deg > 0.0 ? sin(angle_tol_deg * SF_PI / 180.0) : EXACT_COS;

  cand *list = NULL;
  size_t n = 0, bi = 0, bj = 0;
  SF_TRY(perpendicular_candidates(L, t3, m, sin_tol, &list, &n));
  int found = best_pair(list, n, t3, sin_tol, 0, &bi, &bj, NULL);
  if (!found) {
    sf_free(list);
    double near_dev = NAN;
    size_t ni = 0, nj = 0;
    int near_found = 0;
    int near_n[2][3] = {{0, 0, 0}, {0, 0, 0}};
    double wide = sin(NEAREST_SEARCH_DEG * SF_PI / 180.0);
    if (perpendicular_candidates(L, t3, m, wide, &list, &n) == SF_OK) {
      near_found = best_pair(list, n, t3, wide, 1, &ni, &nj, &near_dev);
      if (near_found) {
        memcpy(near_n[0], list[ni].n, sizeof near_n[0]);
        memcpy(near_n[1], list[nj].n, sizeof near_n[1]);
      }
      sf_free(list);
    }
    if (near_found)
      return sf_error_set(SF_EUNSUPPORTED,
                          "%s [%d %d %d]: no orthorhombic periodic cell with repeat indices up "
                          "to %d within %g deg of 90 deg; the nearest, t1 = [%d %d %d], t2 = "
                          "[%d %d %d], is %.3g deg off (allow it with a larger angle tolerance, "
                          "or carve a particle)",
                          c->name, uvw[0], uvw[1], uvw[2], m, angle_tol_deg, near_n[0][0],
                          near_n[0][1], near_n[0][2], near_n[1][0], near_n[1][1], near_n[1][2],
                          near_dev);
    return sf_error_set(SF_EUNSUPPORTED,
                        "%s [%d %d %d]: no orthorhombic periodic cell with repeat indices up to "
                        "%d within %g deg of 90 deg (carve a particle instead)",
                        c->name, uvw[0], uvw[1], uvw[2], m, angle_tol_deg);
  }
  const cand t1 = list[bi], t2 = list[bj];
  sf_free(list);

  memcpy(info->uvw, uvw, sizeof info->uvw);
  memcpy(info->repeat[0], t1.n, sizeof t1.n);
  memcpy(info->repeat[1], t2.n, sizeof t2.n);
  memcpy(info->repeat[2], n3, sizeof n3);
  info->length_A[0] = t1.len;
  info->length_A[1] = t2.len;
  info->length_A[2] = sqrt(dot3(t3, t3));
  double d = dev_deg(t1.v, t2.v), d1 = dev_deg(t1.v, t3), d2 = dev_deg(t2.v, t3);
  d = d > d1 ? d : d1;
  info->max_angle_dev_deg = d > d2 ? d : d2;
  /* Rotation: z along t3, x along t1 made perpendicular to z, y = z x x. */
  double z[3], x[3], y[3];
  for (int k = 0; k < 3; ++k)
    z[k] = t3[k] / info->length_A[2];
  double p = dot3(t1.v, z);
  for (int k = 0; k < 3; ++k)
    x[k] = t1.v[k] - p * z[k];
  double nx = sqrt(dot3(x, x));
  for (int k = 0; k < 3; ++k)
    x[k] /= nx;
  cross3(z, x, y);
  for (int k = 0; k < 3; ++k) {
    info->rotation[0][k] = x[k];
    info->rotation[1][k] = y[k];
    info->rotation[2][k] = z[k];
  }
  long det = (long)t1.n[0] * (t2.n[1] * n3[2] - t2.n[2] * n3[1]) -
             (long)t1.n[1] * (t2.n[0] * n3[2] - t2.n[2] * n3[0]) +
             (long)t1.n[2] * (t2.n[0] * n3[1] - t2.n[1] * n3[0]);
  info->atoms = (size_t)labs(det) * (size_t)c->atoms_per_cell;
  return SF_OK;
}

/* Inverse of a 3x3 integer matrix as doubles. */
static void invert3(const int N[3][3], double inv[3][3]) {
  double a[3][3];
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      a[i][j] = N[i][j];
  double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
               a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
               a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  inv[0][0] = (a[1][1] * a[2][2] - a[1][2] * a[2][1]) / det;
  inv[0][1] = (a[0][2] * a[2][1] - a[0][1] * a[2][2]) / det;
  inv[0][2] = (a[0][1] * a[1][2] - a[0][2] * a[1][1]) / det;
  inv[1][0] = (a[1][2] * a[2][0] - a[1][0] * a[2][2]) / det;
  inv[1][1] = (a[0][0] * a[2][2] - a[0][2] * a[2][0]) / det;
  inv[1][2] = (a[0][2] * a[1][0] - a[0][0] * a[1][2]) / det;
  inv[2][0] = (a[1][0] * a[2][1] - a[1][1] * a[2][0]) / det;
  inv[2][1] = (a[0][1] * a[2][0] - a[0][0] * a[2][1]) / det;
  inv[2][2] = (a[0][0] * a[1][1] - a[0][1] * a[1][0]) / det;
}

static int fill_cell(const sf_crystal *c, const sf_crystal_cell_info *info, sf_structure *s) {
  sf_crystal_atom *atoms = NULL;
  size_t n_atoms = 0;
  SF_TRY(sf_crystal_expand(c, &atoms, &n_atoms));
  double inv[3][3];
  invert3(info->repeat, inv);
  /* Range of conventional cells that the new cell overlaps. */
  long lo[3], hi[3];
  for (int k = 0; k < 3; ++k) {
    double mn = 0.0, mx = 0.0;
    for (int corner = 1; corner < 8; ++corner) {
      double v = 0.0;
      for (int r = 0; r < 3; ++r)
        if (corner & (1 << r))
          v += info->repeat[r][k];
      mn = v < mn ? v : mn;
      mx = v > mx ? v : mx;
    }
    lo[k] = (long)floor(mn) - 1;
    hi[k] = (long)ceil(mx) + 1;
  }
  int status = sf_structure_reserve(s, info->atoms);
  for (long m0 = lo[0]; m0 <= hi[0] && status == SF_OK; ++m0)
    for (long m1 = lo[1]; m1 <= hi[1] && status == SF_OK; ++m1)
      for (long m2 = lo[2]; m2 <= hi[2] && status == SF_OK; ++m2)
        for (size_t a = 0; a < n_atoms && status == SF_OK; ++a) {
          const double F[3] = {m0 + atoms[a].frac[0], m1 + atoms[a].frac[1],
                               m2 + atoms[a].frac[2]};
          double gf[3];
          int inside = 1;
          for (int k = 0; k < 3 && inside; ++k) {
            gf[k] = F[0] * inv[0][k] + F[1] * inv[1][k] + F[2] * inv[2][k];
            inside = floor(gf[k] + FACE_EPS) == 0.0;
            gf[k] = gf[k] < 0.0 ? 0.0 : gf[k];
          }
          if (!inside)
            continue;
          status = sf_structure_append(s, atoms[a].Z, gf[0] * info->length_A[0],
                                       gf[1] * info->length_A[1], gf[2] * info->length_A[2],
                                       atoms[a].occupancy, atoms[a].u_rms_A);
          if (status == SF_OK)
            s->tag[s->count - 1] = atoms[a].site;
        }
  sf_free(atoms);
  if (status == SF_OK && s->count != info->atoms)
    status = sf_error_set(SF_ENUMERIC,
                          "%s [%d %d %d] cell: filled %zu atoms, expected %zu (|det| x %d)",
                          c->name, info->uvw[0], info->uvw[1], info->uvw[2], s->count,
                          info->atoms, c->atoms_per_cell);
  return status;
}

int sf_crystal_cell(const sf_crystal *c, const int uvw[3], double angle_tol_deg, int max_index,
                    sf_structure **out, sf_crystal_cell_info *info) {
  if (!out)
    return sf_error_set(SF_EINVAL, "sf_crystal_cell: out is NULL");
  *out = NULL;
  sf_crystal_cell_info local;
  sf_crystal_cell_info *ci = info ? info : &local;
  SF_TRY(sf_crystal_orient(c, uvw, angle_tol_deg, max_index, ci));
  sf_structure *s = NULL;
  SF_TRY(sf_structure_create(ci->length_A[0], ci->length_A[1], ci->length_A[2], &s));
  int status = fill_cell(c, ci, s);
  if (status != SF_OK) {
    sf_structure_destroy(s);
    return status;
  }
  *out = s;
  return SF_OK;
}
