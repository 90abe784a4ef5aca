/* crystal_particle.c - particles carved from the infinite crystal (the exact
   equivalent of carving a large rotated block) and two-phase core-shell
   particles. */
#include "sim/sf_crystal.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <math.h>
#include <string.h>

/* Rotation taking the crystal frame to the lab frame (rows: lab axes). */
static int particle_rotation(const sf_crystal *c, const int uvw[3], double R[3][3]) {
  sf_crystal_cell_info info;
  if (sf_crystal_orient(c, uvw, 0.0, 0, &info) == SF_OK) {
    memcpy(R, info.rotation, sizeof info.rotation);
    return SF_OK;
  }
  if (!uvw || (!uvw[0] && !uvw[1] && !uvw[2]))
    return sf_error_set(SF_EINVAL, "particle: zone axis [0 0 0] is not a direction");
  sf_error_clear();
  double L[3][3], z[3], x[3], y[3];
  sf_crystal_lattice(c, L);
  for (int k = 0; k < 3; ++k)
    z[k] = uvw[0] * L[0][k] + uvw[1] * L[1][k] + uvw[2] * L[2][k];
  double nz = sqrt(z[0] * z[0] + z[1] * z[1] + z[2] * z[2]);
  for (int k = 0; k < 3; ++k)
    z[k] /= nz;
  /* x: a (or b, if a is nearly along z) projected onto the plane normal to z. */
  for (int r = 0; r < 2; ++r) {
    double p = L[r][0] * z[0] + L[r][1] * z[1] + L[r][2] * z[2];
    for (int k = 0; k < 3; ++k)
      x[k] = L[r][k] - p * z[k];
    double nx = sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    double la = sqrt(L[r][0] * L[r][0] + L[r][1] * L[r][1] + L[r][2] * L[r][2]);
    if (nx > 0.1 * la) {
      for (int k = 0; k < 3; ++k)
        x[k] /= nx;
      break;
    }
  }
  y[0] = z[1] * x[2] - z[2] * x[1];
  y[1] = z[2] * x[0] - z[0] * x[2];
  y[2] = z[0] * x[1] - z[1] * x[0];
  for (int k = 0; k < 3; ++k) {
    R[0][k] = x[k];
    R[1][k] = y[k];
    R[2][k] = z[k];
  }
  return SF_OK;
}

/* Inverse of the lattice matrix (rows a, b, c): f = r * Linv. */
static void invert_lattice(double L[3][3], double inv[3][3]) {
  double det = L[0][0] * (L[1][1] * L[2][2] - L[1][2] * L[2][1]) -
               L[0][1] * (L[1][0] * L[2][2] - L[1][2] * L[2][0]) +
               L[0][2] * (L[1][0] * L[2][1] - L[1][1] * L[2][0]);
  inv[0][0] = (L[1][1] * L[2][2] - L[1][2] * L[2][1]) / det;
  inv[0][1] = (L[0][2] * L[2][1] - L[0][1] * L[2][2]) / det;
  inv[0][2] = (L[0][1] * L[1][2] - L[0][2] * L[1][1]) / det;
  inv[1][0] = (L[1][2] * L[2][0] - L[1][0] * L[2][2]) / det;
  inv[1][1] = (L[0][0] * L[2][2] - L[0][2] * L[2][0]) / det;
  inv[1][2] = (L[0][2] * L[1][0] - L[0][0] * L[1][2]) / det;
  inv[2][0] = (L[1][0] * L[2][1] - L[1][1] * L[2][0]) / det;
  inv[2][1] = (L[0][1] * L[2][0] - L[0][0] * L[2][1]) / det;
  inv[2][2] = (L[0][0] * L[1][1] - L[0][1] * L[1][0]) / det;
}

/* Append to dst the atoms of crystal c inside `shape` and outside `exclude`
   (optional), both in the crystal frame, as R (r - pivot). */
static int carve_phase(const sf_crystal *c, const int uvw[3], const sf_shape *shape,
                       const sf_shape *exclude, const double pivot[3], int tag_offset,
                       sf_structure *dst) {
  double radius;
  if (shape->kind == SF_SHAPE_SLAB)
    return sf_error_set(SF_EINVAL, "particle: a slab is unbounded; build a periodic cell and "
                                   "carve it with sf_structure_carve for a film");
  SF_TRY(sf_shape_bounding_radius(shape, &radius));
  if (exclude && exclude->kind != SF_SHAPE_SLAB) {
    double r2;
    SF_TRY(sf_shape_bounding_radius(exclude, &r2));
  }
  double R[3][3], L[3][3], inv[3][3];
  SF_TRY(particle_rotation(c, uvw, R));
  sf_crystal_lattice(c, L);
  invert_lattice(L, inv);
  long lo[3], hi[3];
  for (int k = 0; k < 3; ++k) {
    double centre_f = shape->centre_A[0] * inv[0][k] + shape->centre_A[1] * inv[1][k] +
                      shape->centre_A[2] * inv[2][k];
    double col = sqrt(inv[0][k] * inv[0][k] + inv[1][k] * inv[1][k] + inv[2][k] * inv[2][k]);
    lo[k] = (long)floor(centre_f - radius * col) - 1;
    hi[k] = (long)ceil(centre_f + radius * col) + 1;
  }
  sf_crystal_atom *atoms = NULL;
  size_t n_atoms = 0;
  SF_TRY(sf_crystal_expand(c, &atoms, &n_atoms));
  int status = SF_OK;
  for (long m0 = lo[0]; m0 <= hi[0] && status == SF_OK; ++m0)
    for (long m1 = lo[1]; m1 <= hi[1] && status == SF_OK; ++m1)
      for (long m2 = lo[2]; m2 <= hi[2] && status == SF_OK; ++m2)
        for (size_t a = 0; a < n_atoms && status == SF_OK; ++a) {
          const double f[3] = {m0 + atoms[a].frac[0], m1 + atoms[a].frac[1],
                               m2 + atoms[a].frac[2]};
          double r[3], d[3];
          for (int k = 0; k < 3; ++k)
            r[k] = f[0] * L[0][k] + f[1] * L[1][k] + f[2] * L[2][k];
          if (!sf_shape_contains(shape, r) || (exclude && sf_shape_contains(exclude, r)))
            continue;
          for (int k = 0; k < 3; ++k)
            d[k] = r[k] - pivot[k];
          double lab[3];
          for (int k = 0; k < 3; ++k)
            lab[k] = R[k][0] * d[0] + R[k][1] * d[1] + R[k][2] * d[2];
          status = sf_structure_append(dst, atoms[a].Z, lab[0], lab[1], lab[2],
                                       atoms[a].occupancy, atoms[a].u_rms_A);
          if (status == SF_OK)
            dst->tag[dst->count - 1] = tag_offset + atoms[a].site;
        }
  sf_free(atoms);
  return status;
}

static int check_vacuum(double vacuum_A) {
  if (!(vacuum_A > 0.0) || !isfinite(vacuum_A))
    return sf_error_set(SF_EINVAL, "particle: vacuum %g Å: must be finite and > 0", vacuum_A);
  return SF_OK;
}

int sf_crystal_particle(const sf_crystal *c, const int uvw[3], const sf_shape *shape,
                        double vacuum_A, sf_structure **out) {
  if (!c || !uvw || !shape || !out)
    return sf_error_set(SF_EINVAL, "sf_crystal_particle: NULL argument");
  *out = NULL;
  SF_TRY(check_vacuum(vacuum_A));
  sf_structure *s = NULL;
  SF_TRY(sf_structure_create(1.0, 1.0, 1.0, &s));
  int status = carve_phase(c, uvw, shape, NULL, shape->centre_A, 0, s);
  if (status == SF_OK && s->count == 0)
    status = sf_error_set(SF_EINVAL, "particle of %s: no atom lies inside the shape", c->name);
  if (status == SF_OK) {
    const double vac[3] = {vacuum_A, vacuum_A, vacuum_A};
    status = sf_structure_pad_vacuum(s, vac);
  }
  if (status != SF_OK) {
    sf_structure_destroy(s);
    return status;
  }
  *out = s;
  return SF_OK;
}

int sf_crystal_core_shell(const sf_crystal *core, const sf_crystal *shell, const int uvw[3],
                          const sf_shape *core_shape, const sf_shape *outer_shape,
                          double min_separation_A, double vacuum_A, sf_structure **out,
                          size_t *n_removed) {
  if (!core || !shell || !uvw || !core_shape || !outer_shape || !out)
    return sf_error_set(SF_EINVAL, "sf_crystal_core_shell: NULL argument");
  *out = NULL;
  if (n_removed)
    *n_removed = 0;
  SF_TRY(check_vacuum(vacuum_A));
  if (!(min_separation_A > 0.0) || !isfinite(min_separation_A))
    return sf_error_set(SF_EINVAL, "core-shell: minimum separation %g Å: must be finite and > 0",
                        min_separation_A);
  sf_structure *a = NULL, *b = NULL;
  SF_TRY(sf_structure_create(1.0, 1.0, 1.0, &a));
  int status = sf_structure_create(1.0, 1.0, 1.0, &b);
  if (status == SF_OK)
    status = carve_phase(core, uvw, core_shape, NULL, outer_shape->centre_A, 0, a);
  if (status == SF_OK)
    status = carve_phase(shell, uvw, outer_shape, core_shape, outer_shape->centre_A,
                         core->n_sites, b);
  if (status == SF_OK && a->count == 0)
    status = sf_error_set(SF_EINVAL, "core-shell: no atom of the core (%s) lies inside the core "
                                     "shape", core->name);
  if (status == SF_OK && b->count == 0)
    status = sf_error_set(SF_EINVAL, "core-shell: no atom of the shell (%s) lies between the "
                                     "core and outer shapes", shell->name);
  if (status == SF_OK)
    status = sf_structure_remove_close(b, a, min_separation_A, n_removed);
  if (status == SF_OK)
    status = sf_structure_append_all(a, b);
  if (status == SF_OK) {
    const double vac[3] = {vacuum_A, vacuum_A, vacuum_A};
    status = sf_structure_pad_vacuum(a, vac);
  }
  sf_structure_destroy(b);
  if (status != SF_OK) {
    sf_structure_destroy(a);
    return status;
  }
  *out = a;
  return SF_OK;
}
