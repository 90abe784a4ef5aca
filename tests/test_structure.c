/* Atom lists and their operations: validation, supercells, wrapping,
   centring, vacuum padding, stacking, carving (particle atom counts against
   density x volume), core-shell particles, seeded substitution, frozen-phonon
   configurations of a structure, and the projected preview. */
#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_imageset.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "potentials/sf_phonon.h"
#include "sim/sf_crystal.h"
#include "sim/sf_structure.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* Sums and shifts of short decimals: a few ulps. */
#define TOL_EXACT 1e-12
/* Statistical checks: |mean - expected| within this many standard errors. */
#define N_SIGMA 4.0

static const sf_crystal *crystal(const char *name) {
  const sf_crystal *c = NULL;
  cr_assert_eq(sf_crystal_find(name, &c), SF_OK, "%s", sf_error_message());
  return c;
}

static sf_structure *two_atoms(void) {
  sf_structure *s = NULL;
  cr_assert_eq(sf_structure_create(4.0, 5.0, 6.0, &s), SF_OK);
  cr_assert_eq(sf_structure_append(s, 8, 0.5, 1.0, 1.5, 1.0, 0.08), SF_OK);
  cr_assert_eq(sf_structure_append(s, 79, 2.5, 3.0, 4.5, 0.5, 0.0), SF_OK);
  return s;
}

Test(structure, validation_and_lifecycle) {
  sf_structure *s = NULL;
  cr_assert_eq(sf_structure_create(4.0, 0.0, 6.0, &s), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "b = 0"), "%s", sf_error_message());
  cr_assert_null(s);
  s = two_atoms();
  cr_assert_eq(sf_structure_append(s, 0, 0, 0, 0, 1, 0), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "unknown element Z = 0"), "%s", sf_error_message());
  cr_assert_eq(sf_structure_append(s, 104, 0, 0, 0, 1, 0), SF_ERANGE);
  cr_assert_eq(sf_structure_append(s, 8, 0, 0, 0, 1.5, 0), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "occupancy 1.5 outside [0, 1]"), "%s", sf_error_message());
  cr_assert_eq(sf_structure_append(s, 8, 0, 0, 0, 1, -0.1), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "u_rms = -0.1"), "%s", sf_error_message());
  cr_assert_eq(sf_structure_append(s, 8, NAN, 0, 0, 1, 0), SF_EINVAL);
  cr_assert_eq(s->count, 2, "failed appends add nothing");
  /* Deep copy: changing the copy leaves the original alone. */
  sf_structure *c = NULL;
  cr_assert_eq(sf_structure_copy(s, &c), SF_OK);
  c->x_A[0] = 3.0;
  cr_assert_float_eq(s->x_A[0], 0.5, TOL_EXACT);
  cr_assert_eq(c->Z[1], 79);
  cr_assert_float_eq(c->occupancy[1], 0.5, TOL_EXACT);
  /* Growing past the initial capacity keeps the contents. */
  for (int i = 0; i < 1000; ++i)
    cr_assert_eq(sf_structure_append(c, 14, i * 1e-3, 0, 0, 1, 0.076), SF_OK);
  cr_assert_eq(c->count, 1002);
  cr_assert_eq(c->Z[1], 79);
  cr_assert_float_eq(c->x_A[1001], 0.999, TOL_EXACT);
  cr_assert_eq(sf_structure_count_Z(c, 14), 1000);
  size_t n_set = 0;
  cr_assert_eq(sf_structure_set_u_rms_Z(c, 14, 0.05, &n_set), SF_OK);
  cr_assert_eq(n_set, 1000);
  cr_assert_float_eq(c->u_rms_A[500], 0.05, TOL_EXACT);
  cr_assert_float_eq(c->u_rms_A[0], 0.08, TOL_EXACT);
  unsigned char *rm = sf_alloc(c->count, 1, "test");
  for (size_t i = 0; i < c->count; ++i)
    rm[i] = c->Z[i] == 14;
  cr_assert_eq(sf_structure_remove(c, rm), SF_OK);
  cr_assert_eq(c->count, 2);
  cr_assert_eq(c->Z[1], 79);
  sf_free(rm);
  sf_structure_destroy(c);
  sf_structure_destroy(s);
  sf_structure_destroy(NULL);
}

Test(structure, supercell_translate_wrap) {
  sf_structure *s = two_atoms(), *t = NULL;
  cr_assert_eq(sf_structure_supercell(s, 2, 3, 1, &t), SF_OK);
  cr_assert_eq(t->count, 12);
  cr_assert_float_eq(t->cell_A[0], 8.0, TOL_EXACT);
  cr_assert_float_eq(t->cell_A[1], 15.0, TOL_EXACT);
  cr_assert_float_eq(t->cell_A[2], 6.0, TOL_EXACT);
  /* Tile (i1, i2, i3) = (1, 2, 0) is tile number 1 + 2*2 = 5: atoms 10, 11. */
  cr_assert_float_eq(t->x_A[11], 2.5 + 4.0, TOL_EXACT);
  cr_assert_float_eq(t->y_A[11], 3.0 + 10.0, TOL_EXACT);
  cr_assert_float_eq(t->z_A[11], 4.5, TOL_EXACT);
  cr_assert_eq(t->Z[11], 79);
  sf_structure_destroy(t);
  cr_assert_eq(sf_structure_supercell(s, 0, 1, 1, &t), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "supercell 0x1x1"), "%s", sf_error_message());
  cr_assert_null(t);
  cr_assert_eq(sf_structure_translate(s, -1.0, 4.5, 1.5), SF_OK);
  cr_assert_eq(sf_structure_wrap(s), SF_OK);
  cr_assert_float_eq(s->x_A[0], 3.5, TOL_EXACT); /* -0.5 -> 3.5 */
  cr_assert_float_eq(s->y_A[0], 0.5, TOL_EXACT); /* 5.5 -> 0.5 */
  cr_assert_float_eq(s->z_A[1], 0.0, TOL_EXACT); /* 6.0 -> 0 */
  cr_assert_float_eq(s->x_A[1], 1.5, TOL_EXACT);
  sf_structure_destroy(s);
}

Test(structure, bounds_center_vacuum) {
  sf_structure *s = two_atoms();
  double lo[3], hi[3];
  cr_assert_eq(sf_structure_bounds(s, lo, hi), SF_OK);
  cr_assert_float_eq(lo[0], 0.5, TOL_EXACT);
  cr_assert_float_eq(hi[2], 4.5, TOL_EXACT);
  const int xy[3] = {1, 1, 0};
  cr_assert_eq(sf_structure_center(s, xy), SF_OK);
  cr_assert_float_eq(s->x_A[0] + s->x_A[1], 4.0, TOL_EXACT); /* midpoint at a/2 */
  cr_assert_float_eq(s->y_A[0] + s->y_A[1], 5.0, TOL_EXACT);
  cr_assert_float_eq(s->z_A[0], 1.5, TOL_EXACT); /* z untouched */
  /* 5 Å of vacuum on each side in x and z; y (0) stays periodic. */
  const double vac[3] = {5.0, 0.0, 5.0};
  cr_assert_eq(sf_structure_pad_vacuum(s, vac), SF_OK);
  cr_assert_float_eq(s->cell_A[0], 2.0 + 10.0, TOL_EXACT);
  cr_assert_float_eq(s->cell_A[1], 5.0, TOL_EXACT);
  cr_assert_float_eq(s->cell_A[2], 3.0 + 10.0, TOL_EXACT);
  cr_assert_eq(sf_structure_bounds(s, lo, hi), SF_OK);
  cr_assert_float_eq(lo[0], 5.0, TOL_EXACT);
  cr_assert_float_eq(s->cell_A[0] - hi[0], 5.0, TOL_EXACT);
  cr_assert_float_eq(lo[2], 5.0, TOL_EXACT);
  const double bad[3] = {-1.0, 0.0, 0.0};
  cr_assert_eq(sf_structure_pad_vacuum(s, bad), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "vacuum along x = -1"), "%s", sf_error_message());
  sf_structure_destroy(s);
}

Test(structure, stacked_film) {
  const int z001[3] = {0, 0, 1};
  sf_structure *cell = NULL, *sto = NULL, *top = NULL, *film = NULL;
  cr_assert_eq(sf_crystal_cell(crystal("SrTiO3"), z001, 0.0, 0, &cell, NULL), SF_OK);
  cr_assert_eq(sf_structure_supercell(cell, 2, 2, 3, &sto), SF_OK);
  cr_assert_eq(sf_structure_supercell(cell, 2, 2, 2, &top), SF_OK);
  /* A "film" of the same lattice: substitute Sr by Ba in the top block. */
  for (size_t i = 0; i < top->count; ++i)
    if (top->Z[i] == 38)
      top->Z[i] = 56;
  cr_assert_eq(sf_structure_stack(sto, top, 1.0, 1e-6, &film), SF_OK, "%s", sf_error_message());
  cr_assert_eq(film->count, sto->count + top->count);
  cr_assert_float_eq(film->cell_A[2], 5 * 3.9053 + 1.0, TOL_EXACT);
  size_t k = sto->count;
  cr_assert_eq(film->Z[k], 56);
  cr_assert_float_eq(film->z_A[k], top->z_A[0] + 3 * 3.9053 + 1.0, TOL_EXACT);
  sf_structure_destroy(film);
  /* Carving the 3-cell block to z < 2a keeps 4 atomic layers: 2 x 2 x 2 cells. */
  sf_shape slab = {SF_SHAPE_SLAB, {0, 0, 0}, 0, {0, 0, 0}, 0, 0, 0.0, 2 * 3.9053 - 0.01};
  cr_assert_eq(sf_structure_carve(sto, &slab, 1), SF_OK);
  cr_assert_eq(sto->count, 2 * 2 * 2 * 5);
  sf_structure *wide = NULL;
  cr_assert_eq(sf_structure_supercell(cell, 3, 2, 1, &wide), SF_OK);
  cr_assert_eq(sf_structure_stack(top, wide, 0.0, 1e-3, &film), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "lateral cells differ"), "%s", sf_error_message());
  cr_assert_null(film);
  sf_structure_destroy(wide);
  sf_structure_destroy(top);
  sf_structure_destroy(sto);
  sf_structure_destroy(cell);
}

Test(structure, shapes) {
  sf_shape oct = {SF_SHAPE_TRUNC_OCT, {1, 2, 3}, 0, {0, 0, 0}, 10.0, 8.0, 0, 0};
  const double s3 = sqrt(3.0);
  /* On a {100} facet, just outside it, on a {111} facet, outside it. */
  const double p1[3] = {11, 2, 3}, p2[3] = {11.001, 2, 3};
  const double p3[3] = {1 + 8 / s3, 2 + 8 / s3, 3 + 8 / s3 - 1e-9};
  const double p4[3] = {1 + 8 / s3, 2 + 8 / s3, 3 + 8 / s3 + 1e-6};
  cr_assert(sf_shape_contains(&oct, p1));
  cr_assert(!sf_shape_contains(&oct, p2));
  cr_assert(sf_shape_contains(&oct, p3));
  cr_assert(!sf_shape_contains(&oct, p4));
  double r = 0;
  cr_assert_eq(sf_shape_bounding_radius(&oct, &r), SF_OK);
  cr_assert_float_eq(r, 8 * s3, TOL_EXACT);
  sf_shape bad = {SF_SHAPE_SPHERE, {0, 0, 0}, -2.0, {0, 0, 0}, 0, 0, 0, 0};
  cr_assert_eq(sf_shape_bounding_radius(&bad, &r), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "radius = -2"), "%s", sf_error_message());
}

/* The count of atoms of a particle whose centre is uniformly random over a
   unit cell has expectation density x volume exactly. Over n_centres random
   centres the mean relative deviation must lie within N_SIGMA standard
   errors of zero. */
static void check_particle_counts(const char *name, sf_shape shape, double volume_A3,
                                  int n_centres) {
  const sf_crystal *c = crystal(name);
  const int z001[3] = {0, 0, 1};
  double L[3][3];
  sf_crystal_lattice(c, L);
  double vcell = L[0][0] * (L[1][1] * L[2][2] - L[1][2] * L[2][1]) -
                 L[0][1] * (L[1][0] * L[2][2] - L[1][2] * L[2][0]) +
                 L[0][2] * (L[1][0] * L[2][1] - L[1][1] * L[2][0]);
  double expected = c->atoms_per_cell / fabs(vcell) * volume_A3;
  double sum = 0, sum2 = 0;
  for (int k = 0; k < n_centres; ++k) {
    sf_rng rng;
    sf_rng_init(&rng, 2024, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 7), (uint32_t)k);
    double f[3] = {sf_rng_uniform(&rng), sf_rng_uniform(&rng), sf_rng_uniform(&rng)};
    for (int q = 0; q < 3; ++q)
      shape.centre_A[q] = f[0] * L[0][q] + f[1] * L[1][q] + f[2] * L[2][q];
    sf_structure *s = NULL;
    cr_assert_eq(sf_crystal_particle(c, z001, &shape, 4.0, &s), SF_OK, "%s", sf_error_message());
    double rel = (double)s->count / expected - 1.0;
    sum += rel;
    sum2 += rel * rel;
    /* The padded cell holds the particle with 4 Å on each side. */
    double lo[3], hi[3];
    cr_assert_eq(sf_structure_bounds(s, lo, hi), SF_OK);
    for (int q = 0; q < 3; ++q)
      cr_assert_float_eq(lo[q], 4.0, TOL_EXACT);
    sf_structure_destroy(s);
  }
  double mean = sum / n_centres;
  double sd = sqrt((sum2 - n_centres * mean * mean) / (n_centres - 1));
  cr_assert(fabs(mean) <= N_SIGMA * sd / sqrt((double)n_centres),
            "%s: mean relative deviation %.5f, standard error %.5f (expected %.1f atoms)", name,
            mean, sd / sqrt((double)n_centres), expected);
}

Test(structure, particle_atom_counts) {
  const double R = 15.0;
  sf_shape sphere = {SF_SHAPE_SPHERE, {0, 0, 0}, R, {0, 0, 0}, 0, 0, 0, 0};
  double vs = 4.0 / 3.0 * SF_PI * R * R * R;
  check_particle_counts("Au", sphere, vs, 24);
  check_particle_counts("SrTiO3", sphere, vs, 24);
  check_particle_counts("CoS", sphere, vs, 24);       /* hexagonal lattice */
  check_particle_counts("Ga2O3-beta", sphere, vs, 24); /* monoclinic lattice */
  /* Truncated octahedron, d100 = 12, s = sqrt3 d111 = 18 sqrt3 in [2 d100, 3 d100]:
     V = 8 (d100^3 - (3 d100 - s)^3 / 6). */
  const double d100 = 12.0, d111 = 18.0, s = sqrt(3.0) * d111;
  sf_shape to = {SF_SHAPE_TRUNC_OCT, {0, 0, 0}, 0, {0, 0, 0}, d100, d111, 0, 0};
  double vto = 8.0 * (d100 * d100 * d100 - pow(3 * d100 - s, 3) / 6.0);
  check_particle_counts("Au", to, vto, 24);
  sf_shape box = {SF_SHAPE_CUBOID, {0, 0, 0}, 0, {9.0, 7.0, 11.0}, 0, 0, 0, 0};
  check_particle_counts("Si", box, 8.0 * 9.0 * 7.0 * 11.0, 24);
}

/* A particle along [110] is the rotated [001] particle: same atom count and
   the same multiset of distances from the centre. */
Test(structure, particle_orientation) {
  const sf_crystal *c = crystal("SrTiO3");
  sf_shape sphere = {SF_SHAPE_SPHERE, {0.1, 0.2, 0.3}, 9.0, {0, 0, 0}, 0, 0, 0, 0};
  const int z001[3] = {0, 0, 1}, z110[3] = {1, 1, 0};
  sf_structure *a = NULL, *b = NULL;
  cr_assert_eq(sf_crystal_particle(c, z001, &sphere, 3.0, &a), SF_OK);
  cr_assert_eq(sf_crystal_particle(c, z110, &sphere, 3.0, &b), SF_OK);
  cr_assert_eq(a->count, b->count);
  /* Along [110] the Sr-Sr pair (0,0,0)-(1,1,0)a is one column: same x, y. */
  double sum_a = 0, sum_b = 0;
  for (size_t i = 0; i < a->count; ++i) {
    sum_a += a->Z[i] * a->Z[i];
    sum_b += b->Z[i] * b->Z[i];
  }
  cr_assert_float_eq(sum_a, sum_b, TOL_EXACT);
  /* Sr at the lattice points (m0, m1, m2) a: in the [110] particle, those
     with equal m0 - m1 and m2 share a column. Count the Sr columns that
     hold more than one atom: there must be some, and none in between. */
  int shared = 0;
  for (size_t i = 0; i < b->count; ++i)
    for (size_t j = i + 1; j < b->count; ++j)
      if (b->Z[i] == 38 && b->Z[j] == 38 && fabs(b->x_A[i] - b->x_A[j]) < 1e-9 &&
          fabs(b->y_A[i] - b->y_A[j]) < 1e-9) {
        double dz = fabs(b->z_A[i] - b->z_A[j]);
        double period = 3.9053 * sqrt(2.0);
        cr_assert_float_eq(dz / period, round(dz / period), 1e-9, "Sr column spacing %.6f", dz);
        ++shared;
      }
  cr_assert(shared > 0);
  sf_structure_destroy(a);
  sf_structure_destroy(b);
}

Test(structure, core_shell) {
  const sf_crystal *core = crystal("CoS"), *shell = crystal("CoO");
  const int z001[3] = {0, 0, 1};
  const double rc = 10.0, ro = 15.0, min_sep = 1.5;
  sf_shape cs = {SF_SHAPE_SPHERE, {0, 0, 0}, rc, {0, 0, 0}, 0, 0, 0, 0};
  sf_shape os = {SF_SHAPE_SPHERE, {0, 0, 0}, ro, {0, 0, 0}, 0, 0, 0, 0};
  sf_structure *p = NULL, *loose = NULL;
  size_t removed = 0, removed_loose = 0;
  cr_assert_eq(sf_crystal_core_shell(core, shell, z001, &cs, &os, min_sep, 5.0, &p, &removed),
               SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_crystal_core_shell(core, shell, z001, &cs, &os, 1e-6, 5.0, &loose,
                                     &removed_loose),
               SF_OK);
  cr_assert_eq(removed_loose, 0);
  cr_assert_eq(p->count + removed, loose->count);
  /* Centre of the particle: the padded cell's centre. */
  double ctr[3] = {p->cell_A[0] / 2, p->cell_A[1] / 2, p->cell_A[2] / 2};
  size_t n_core = 0, n_shell = 0;
  for (size_t i = 0; i < p->count; ++i) {
    double dx = p->x_A[i] - ctr[0], dy = p->y_A[i] - ctr[1], dz = p->z_A[i] - ctr[2];
    double r = sqrt(dx * dx + dy * dy + dz * dz);
    int is_core = p->tag[i] < core->n_sites;
    n_core += is_core;
    n_shell += !is_core;
    if (is_core)
      cr_assert(p->Z[i] == 27 || p->Z[i] == 16);
    else
      cr_assert(p->Z[i] == 27 || p->Z[i] == 8);
    /* The bounding box of the whole particle is centred, so the centre is
       known to within the lattice's asymmetry; 0.5 Å covers it. */
    cr_assert(is_core ? r <= rc + 0.5 : (r > rc - 0.5 && r <= ro + 0.5), "atom %zu at r = %.3f",
              i, r);
    if (p->Z[i] == 16)
      cr_assert(is_core);
    if (p->Z[i] == 8)
      cr_assert(!is_core);
  }
  cr_assert(n_core > 0 && n_shell > 0);
  /* No shell atom within min_sep of a core atom. */
  for (size_t i = 0; i < p->count; ++i)
    for (size_t j = 0; j < p->count; ++j)
      if (p->tag[i] < core->n_sites && p->tag[j] >= core->n_sites) {
        double dx = p->x_A[i] - p->x_A[j], dy = p->y_A[i] - p->y_A[j], dz = p->z_A[i] - p->z_A[j];
        cr_assert(dx * dx + dy * dy + dz * dz >= min_sep * min_sep);
      }
  cr_assert(removed > 0, "the CoS/CoO interface has overlapping sites to remove");
  sf_structure_destroy(loose);
  sf_structure_destroy(p);
}

Test(structure, mn_substitution_in_co3o4) {
  const sf_crystal *c = crystal("Co3O4");
  const int z001[3] = {0, 0, 1};
  int oct = -1, tet = -1;
  cr_assert_eq(sf_crystal_site_find(c, "Co_oct", &oct), SF_OK);
  cr_assert_eq(sf_crystal_site_find(c, "Co_tet", &tet), SF_OK);
  sf_structure *cell = NULL, *s = NULL, *same = NULL, *other = NULL, *half = NULL;
  cr_assert_eq(sf_crystal_cell(c, z001, 0.0, 0, &cell, NULL), SF_OK);
  cr_assert_eq(sf_structure_supercell(cell, 2, 2, 2, &s), SF_OK);
  cr_assert_eq(sf_structure_copy(s, &same), SF_OK);
  cr_assert_eq(sf_structure_copy(s, &other), SF_OK);
  cr_assert_eq(sf_structure_copy(s, &half), SF_OK);
  size_t n = 0;
  cr_assert_eq(sf_structure_substitute(s, 27, oct, 25, 0.25, 7, &n), SF_OK);
  cr_assert_eq(n, 32); /* 25 % of 2 x 2 x 2 x 16 octahedral Co */
  cr_assert_eq(sf_structure_count_Z(s, 25), 32);
  cr_assert_eq(sf_structure_count_Z(s, 27), 64 + 96);
  for (size_t i = 0; i < s->count; ++i)
    if (s->Z[i] == 25)
      cr_assert_eq(s->tag[i], oct, "Mn only on 16d");
  /* Same seed: same sites. Another seed: other sites. */
  cr_assert_eq(sf_structure_substitute(same, 27, oct, 25, 0.25, 7, NULL), SF_OK);
  cr_assert_eq(sf_structure_substitute(other, 27, oct, 25, 0.25, 8, NULL), SF_OK);
  cr_assert_eq(sf_structure_substitute(half, 27, oct, 25, 0.5, 7, NULL), SF_OK);
  int differ = 0;
  for (size_t i = 0; i < s->count; ++i) {
    cr_assert_eq(s->Z[i], same->Z[i]);
    differ += s->Z[i] != other->Z[i];
    /* Nested: the 25 % set lies inside the 50 % set of the same seed. */
    if (s->Z[i] == 25)
      cr_assert_eq(half->Z[i], 25);
  }
  cr_assert(differ > 0);
  cr_assert_eq(sf_structure_count_Z(half, 25), 64);
  /* tag -1: any Co; fraction 1 replaces all of them. */
  cr_assert_eq(sf_structure_substitute(other, 27, -1, 25, 1.0, 1, &n), SF_OK);
  cr_assert_eq(n, 160);
  cr_assert_eq(sf_structure_count_Z(other, 27), 0);
  cr_assert_eq(sf_structure_substitute(other, 8, -1, 9, 1.5, 1, &n), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "fraction 1.5"), "%s", sf_error_message());
  sf_structure_destroy(half);
  sf_structure_destroy(other);
  sf_structure_destroy(same);
  sf_structure_destroy(s);
  sf_structure_destroy(cell);
}

/* Occupancy semantics: in each configuration a site of occupancy 0.9 is
   kept with probability 0.9 (digenite Cu); kept atoms have occupancy 1. */
Test(structure, phonon_configuration_occupancy) {
  const int z001[3] = {0, 0, 1};
  sf_structure *cell = NULL, *s = NULL;
  cr_assert_eq(sf_crystal_cell(crystal("Cu1.8S-digenite"), z001, 0.0, 0, &cell, NULL), SF_OK);
  cr_assert_eq(sf_structure_supercell(cell, 5, 5, 5, &s), SF_OK);
  size_t n_cu = sf_structure_count_Z(s, 29), n_s = sf_structure_count_Z(s, 16);
  cr_assert_eq(n_cu, 1000);
  size_t kept = 0;
  const int n_conf = 8;
  for (int k = 0; k < n_conf; ++k) {
    sf_structure *p = NULL;
    cr_assert_eq(sf_structure_phonon(s, NULL, 99, (uint64_t)k, &p), SF_OK, "%s",
                 sf_error_message());
    cr_assert_eq(sf_structure_count_Z(p, 16), n_s, "S (occupancy 1) is always present");
    kept += sf_structure_count_Z(p, 29);
    for (size_t i = 0; i < p->count; ++i)
      cr_assert_float_eq(p->occupancy[i], 1.0, TOL_EXACT);
    cr_assert_float_eq(p->cell_A[0], s->cell_A[0], TOL_EXACT);
    sf_structure_destroy(p);
  }
  double trials = (double)n_cu * n_conf, frac = (double)kept / trials;
  cr_assert_float_eq(frac, 0.9, N_SIGMA * sqrt(0.9 * 0.1 / trials), "kept fraction %.4f", frac);
  sf_structure_destroy(s);
  sf_structure_destroy(cell);
}

Test(structure, projection_preview) {
  sf_structure *s = NULL;
  cr_assert_eq(sf_structure_create(8.0, 6.0, 3.0, &s), SF_OK);
  cr_assert_eq(sf_structure_append(s, 14, 3.013, 2.507, 1.0, 1.0, 0.0), SF_OK);
  sf_imageset *set = sf_imageset_create();
  sf_map *m = NULL;
  const double pixel = 0.05, radius = 0.6;
  cr_assert_eq(sf_structure_project(s, pixel, radius, set, "projection", &m), SF_OK);
  cr_assert_eq(m->nx, 160);
  cr_assert_eq(m->ny, 120);
  cr_assert_str_eq(m->axis[0].units, "Å");
  cr_assert_float_eq(m->axis[0].step, 0.05, TOL_EXACT);
  cr_assert_float_eq(m->axis[1].origin, 0.025, TOL_EXACT);
  double sum = 0, sx = 0, sy = 0;
  for (size_t iy = 0; iy < m->ny; ++iy)
    for (size_t ix = 0; ix < m->nx; ++ix) {
      double v = sf_map_get(m, ix, iy, 0);
      sum += v;
      sx += v * (ix + 0.5) * pixel;
      sy += v * (iy + 0.5) * pixel;
    }
  /* A disc with a one-pixel linear edge: pi (R^2 + h^2 / 12) Z^1.7, sampled
     on the pixel grid (sampling error below 0.5 % at R / h = 12). */
  double expected = SF_PI * (radius * radius + pixel * pixel / 12) * pow(14.0, 1.7);
  cr_assert_float_eq(sum * pixel * pixel, expected, 5e-3 * expected, "%.5f vs %.5f",
                     sum * pixel * pixel, expected);
  cr_assert_float_eq(sx / sum, 3.013, 1e-3);
  cr_assert_float_eq(sy / sum, 2.507, 1e-3);
  /* An atom on the corner wraps onto four corners with the same total. */
  sf_structure_destroy(s);
  cr_assert_eq(sf_structure_create(8.0, 6.0, 3.0, &s), SF_OK);
  cr_assert_eq(sf_structure_append(s, 14, 0.0, 0.0, 1.0, 1.0, 0.0), SF_OK);
  cr_assert_eq(sf_structure_project(s, pixel, radius, set, "corner", &m), SF_OK);
  double sum2 = 0;
  for (size_t i = 0; i < m->nx * m->ny; ++i)
    sum2 += ((double *)m->data)[i];
  cr_assert_float_eq(sum2, sum, 5e-3 * sum);
  cr_assert(sf_map_get(m, 0, 0, 0) > 0 && sf_map_get(m, m->nx - 1, m->ny - 1, 0) > 0);
  cr_assert_eq(sf_structure_project(s, -1.0, radius, set, "bad", NULL), SF_EINVAL);
  sf_imageset_destroy(set);
  sf_structure_destroy(s);
}
