/* Voxel phantoms and the linear incoherent model: projections of known shapes
   against geometry, HAADF forms against direct evaluation, the probe blur's
   moments and conservation, and error paths. */
#include "core/sf_constants.h"
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "sim/sf_incoherent.h"
#include "sim/sf_phantom.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* Exact arithmetic on dyadic/short decimal geometry: a few ulps of the sums. */
#define TOL_EXACT 1e-12

static sf_phantom *make_phantom(size_t nx, size_t ny, size_t nz, double voxel_A) {
  sf_phantom *ph = NULL;
  cr_assert_eq(sf_phantom_create(nx, ny, nz, voxel_A, &ph), SF_OK, "%s", sf_error_message());
  return ph;
}

static int add_single(sf_phantom *ph, const char *name, int Z, const char *sym, double rho) {
  sf_phantom_phase phase;
  cr_assert_eq(sf_phantom_phase_init(&phase, name), SF_OK);
  cr_assert_eq(sf_phantom_phase_add_element(&phase, Z, sym, rho), SF_OK, "%s",
               sf_error_message());
  int index = 0;
  cr_assert_eq(sf_phantom_add_phase(ph, &phase, &index), SF_OK, "%s", sf_error_message());
  return index;
}

static double map_sum(const sf_map *m) {
  double s = 0.0;
  for (size_t i = 0; i < m->nx * m->ny; ++i)
    s += ((const double *)m->data)[i];
  return s;
}

/* A cuboid with edges off the voxel grid projects exactly: interior columns
   have the full height, edge columns the covered fraction, and the total is
   the box volume times the density. */
Test(phantom, cuboid_projects_exactly) {
  sf_phantom *ph = make_phantom(20, 16, 12, 0.5);
  int box = add_single(ph, "box", 14, "Si", 1.0);
  const double lo[3] = {1.25, 2.0, 0.3}, hi[3] = {6.75, 5.5, 4.1};
  cr_assert_eq(sf_phantom_add_cuboid(ph, box, lo, hi), SF_OK);
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_phantom_project(ph, set), SF_OK, "%s", sf_error_message());
  sf_map *t = sf_imageset_find(set, "truth_Si");
  sf_map *th = sf_imageset_find(set, "thickness_box");
  cr_assert(t && th);
  cr_assert_str_eq(t->axis[0].units, "Å");
  cr_assert_float_eq(t->axis[0].origin, 0.25, TOL_EXACT);
  cr_assert_float_eq(t->axis[0].step, 0.5, TOL_EXACT);
  /* Interior column (x in [3,3.5], y in [3,3.5]): full height 3.8 Å. */
  cr_assert_float_eq(sf_map_get(t, 6, 6, 0), 3.8, TOL_EXACT);
  /* x pixel 2 spans [1, 1.5]: half covered. */
  cr_assert_float_eq(sf_map_get(t, 2, 6, 0), 1.9, TOL_EXACT);
  /* x pixel 13 spans [6.5, 7]: half covered; corner with y pixel 10 ([5,5.5]) full in y. */
  cr_assert_float_eq(sf_map_get(t, 13, 10, 0), 1.9, TOL_EXACT);
  cr_assert_float_eq(sf_map_get(t, 14, 6, 0), 0.0, TOL_EXACT);
  cr_assert_float_eq(sf_map_get(t, 6, 3, 0), 0.0, TOL_EXACT); /* y in [1.5, 2) */
  double volume = 5.5 * 3.5 * 3.8;
  cr_assert_float_eq(map_sum(t) * 0.25, volume, TOL_EXACT * volume);
  cr_assert_float_eq(map_sum(th) * 0.25, volume, TOL_EXACT * volume);
  int Z = 0;
  double z = 0;
  cr_assert_eq(sf_attrs_get_double(&t->attrs, "", "Z", &z), SF_OK);
  Z = (int)z;
  cr_assert_eq(Z, 14);
  double vox = 0;
  cr_assert_eq(sf_attrs_get_double(&set->attrs, "simulation", "phantom_voxel_A", &vox), SF_OK);
  cr_assert_float_eq(vox, 0.5, TOL_EXACT);
  sf_imageset_destroy(set);
  sf_phantom_destroy(ph);
}

/* Mean over a square pixel of side v, whose centre is offset by (a, b) from
   the sphere's axis, of the chord 2 sqrt(r^2 - x^2 - y^2): 2r - (a^2 + b^2 +
   v^2/6)/r to second order (the fourth-order term is below 1e-5 Å here). */
static double centre_chord(double r, double v, double a, double b) {
  return 2.0 * r - (a * a + b * b + v * v / 6.0) / r;
}

/* Relative volume tolerance of the supersampled ball: counting the R^3
   sub-voxel centres inside a ball of radius R = r s / v sub-voxels has a
   lattice-point discrepancy of order R^(3/2) (the classical sphere problem);
   the bound allows R^(3/2) sub-voxels. (At a grid-symmetric centre the
   errors add coherently, about twice this; the tests use a generic centre.) */
static double lattice_tol(double r, double v, int s) {
  double R = r * s / v, sub = pow(v / s, 3);
  return pow(R, 1.5) * sub / (4.0 / 3.0 * SF_PI * r * r * r);
}

/* A sphere: the projected thickness at the centre is the diameter (pixel-
   averaged), and the total projected amount is (4/3) pi r^3 rho. The cap
   voxels of the centre column are sampled at s points along z, so the centre
   may be off by at most v/(2s) per cap. */
Test(phantom, sphere_thickness_and_volume) {
  const double v = 0.5, r = 8.0, rho = 0.09;
  const double centre[3] = {12.31, 12.17, 12.43}; /* in pixel (24, 24), centre (12.25, 12.25) */
  for (int s = 4; s <= 8; s *= 2) {
    sf_phantom *ph = make_phantom(49, 49, 49, v);
    cr_assert_eq(sf_phantom_set_supersampling(ph, s), SF_OK);
    int p = add_single(ph, "ball", 27, "Co", rho);
    cr_assert_eq(sf_phantom_add_sphere(ph, p, centre, r), SF_OK);
    sf_imageset *set = sf_imageset_create();
    cr_assert_eq(sf_phantom_project(ph, set), SF_OK, "%s", sf_error_message());
    sf_map *th = sf_imageset_find(set, "thickness_ball");
    sf_map *t = sf_imageset_find(set, "truth_Co");
    double cap_tol = 2.0 * v / (2.0 * s);
    double want = centre_chord(r, v, 0.06, -0.08);
    cr_assert_float_eq(sf_map_get(th, 24, 24, 0), want, cap_tol,
                       "s = %d: centre thickness %.6f vs %.6f", s, sf_map_get(th, 24, 24, 0), want);
    cr_assert_float_eq(sf_map_get(t, 24, 24, 0), rho * sf_map_get(th, 24, 24, 0), TOL_EXACT);
    double volume = 4.0 / 3.0 * SF_PI * r * r * r, tol = lattice_tol(r, v, s);
    cr_assert_float_eq(map_sum(th) * v * v, volume, tol * volume,
                       "s = %d: volume %.5f vs %.5f (tolerance %.2e relative)", s,
                       map_sum(th) * v * v, volume, tol);
    cr_assert_float_eq(map_sum(t) * v * v, rho * volume, tol * rho * volume);
    cr_assert_eq(sf_phantom_voxel_phase(ph, 24, 24, 24), p);
    cr_assert_eq(sf_phantom_voxel_phase(ph, 0, 0, 0), 0);
    sf_imageset_destroy(set);
    sf_phantom_destroy(ph);
  }
}

/* A sphere centred on a voxel centre projects with the grid's mirror symmetry. */
Test(phantom, sphere_projection_is_symmetric) {
  sf_phantom *ph = make_phantom(41, 41, 41, 0.5);
  int p = add_single(ph, "ball", 27, "Co", 1.0);
  const double centre[3] = {10.25, 10.25, 10.25}; /* centre of voxel 20 */
  cr_assert_eq(sf_phantom_add_sphere(ph, p, centre, 7.3), SF_OK);
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_phantom_project(ph, set), SF_OK);
  sf_map *th = sf_imageset_find(set, "thickness_ball");
  for (size_t d = 1; d <= 16; ++d) {
    double a = sf_map_get(th, 20 - d, 20, 0);
    cr_assert_float_eq(a, sf_map_get(th, 20 + d, 20, 0), TOL_EXACT);
    cr_assert_float_eq(a, sf_map_get(th, 20, 20 - d, 0), TOL_EXACT);
    cr_assert_float_eq(a, sf_map_get(th, 20, 20 + d, 0), TOL_EXACT);
  }
  sf_imageset_destroy(set);
  sf_phantom_destroy(ph);
}

/* Anti-aliasing makes the projection of a sphere follow the analytic chord:
   the RMS deviation from 2 sqrt(r^2 - d^2) over the disc is several times
   smaller with 4x4x4 supersampling than with one sample per voxel. */
Test(phantom, antialiasing_smooths_the_projection) {
  const double v = 1.0, r = 9.3;
  const double centre[3] = {16.2, 15.9, 16.1};
  double rms[2];
  for (int pass = 0; pass < 2; ++pass) {
    sf_phantom *ph = make_phantom(32, 32, 32, v);
    cr_assert_eq(sf_phantom_set_supersampling(ph, pass == 0 ? 1 : 4), SF_OK);
    int p = add_single(ph, "ball", 8, "O", 1.0);
    cr_assert_eq(sf_phantom_add_sphere(ph, p, centre, r), SF_OK);
    sf_imageset *set = sf_imageset_create();
    cr_assert_eq(sf_phantom_project(ph, set), SF_OK);
    sf_map *th = sf_imageset_find(set, "thickness_ball");
    double ss = 0.0;
    int n = 0;
    for (size_t iy = 0; iy < 32; ++iy)
      for (size_t ix = 0; ix < 32; ++ix) {
        double dx = (ix + 0.5) * v - centre[0], dy = (iy + 0.5) * v - centre[1];
        if (dx * dx + dy * dy > (r - 1.5) * (r - 1.5))
          continue; /* interior disc, where the chord is smooth within the pixel */
        /* Pixel-averaged chord, 8 x 8 midpoint rule. */
        double chord = 0.0;
        for (int j = 0; j < 8; ++j)
          for (int i = 0; i < 8; ++i) {
            double ex = dx + ((i + 0.5) / 8.0 - 0.5) * v, ey = dy + ((j + 0.5) / 8.0 - 0.5) * v;
            chord += 2.0 * sqrt(r * r - ex * ex - ey * ey) / 64.0;
          }
        ss += pow(sf_map_get(th, ix, iy, 0) - chord, 2);
        ++n;
      }
    rms[pass] = sqrt(ss / n);
    sf_imageset_destroy(set);
    sf_phantom_destroy(ph);
  }
  /* The cap-error bound v/(2s) per surface scales as 1/s: at least 4x better
     (measured: 0.41 -> 0.028, about 15x). */
  cr_assert_lt(rms[1], 0.25 * rms[0], "RMS deviation %.4f (s = 4) vs %.4f (s = 1)", rms[1],
               rms[0]);
}

/* Core-shell sphere: path lengths through core and shell at the centre are
   2 r_core and 2 (r_out - r_core); the projected Co is the sum over phases of
   density times path. */
Test(phantom, core_shell_phases) {
  const double v = 0.5;
  sf_phantom *ph = make_phantom(49, 49, 49, v);
  sf_phantom_phase cos_phase, coo_phase;
  const int Zs[2] = {27, 16}, Zo[2] = {27, 8};
  const char *ss[2] = {"Co", "S"}, *so[2] = {"Co", "O"};
  const double amounts[2] = {1, 1};
  cr_assert_eq(sf_phantom_phase_from_amounts(&cos_phase, "CoS_core", 2, Zs, ss, amounts, 0.08),
               SF_OK);
  cr_assert_eq(sf_phantom_phase_from_amounts(&coo_phase, "CoO_shell", 2, Zo, so, amounts, 0.11),
               SF_OK);
  cr_assert_float_eq(sf_phantom_phase_fraction(&cos_phase, 16), 0.5, TOL_EXACT);
  cr_assert_float_eq(sf_phantom_phase_fraction(&cos_phase, 8), 0.0, TOL_EXACT);
  int core = 0, shell = 0;
  cr_assert_eq(sf_phantom_add_phase(ph, &cos_phase, &core), SF_OK);
  cr_assert_eq(sf_phantom_add_phase(ph, &coo_phase, &shell), SF_OK);
  const double c[3] = {12.31, 12.17, 12.43}; /* in pixel (24, 24), offset (0.06, -0.08) */
  const double r_core = 5.0, r_out = 9.0;
  cr_assert_eq(sf_phantom_add_core_shell(ph, core, shell, c, r_core, r_out), SF_OK);
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_phantom_project(ph, set), SF_OK, "%s", sf_error_message());
  cr_assert_eq(set->count, 5); /* truth Co, S, O + two thickness maps */
  sf_map *tc = sf_imageset_find(set, "thickness_CoS_core");
  sf_map *ts = sf_imageset_find(set, "thickness_CoO_shell");
  sf_map *co = sf_imageset_find(set, "truth_Co"), *s = sf_imageset_find(set, "truth_S");
  sf_map *o = sf_imageset_find(set, "truth_O");
  cr_assert(tc && ts && co && s && o);
  const double cap_tol = 2.0 * v / 8.0; /* two caps per surface, s = 4 */
  double core_path = sf_map_get(tc, 24, 24, 0), shell_path = sf_map_get(ts, 24, 24, 0);
  cr_assert_float_eq(core_path, centre_chord(r_core, v, 0.06, -0.08), cap_tol);
  cr_assert_float_eq(core_path + shell_path, centre_chord(r_out, v, 0.06, -0.08), cap_tol);
  cr_assert_float_eq(sf_map_get(co, 24, 24, 0), 0.04 * core_path + 0.055 * shell_path,
                     TOL_EXACT);
  cr_assert_float_eq(sf_map_get(s, 24, 24, 0), 0.04 * core_path, TOL_EXACT);
  cr_assert_float_eq(sf_map_get(o, 24, 24, 0), 0.055 * shell_path, TOL_EXACT);
  /* Outside the core radius in projection (7 Å from the centre) no S. */
  cr_assert_float_eq(sf_map_get(s, 24 + 14, 24, 0), 0.0, TOL_EXACT);
  cr_assert_gt(sf_map_get(o, 24 + 14, 24, 0), 0.0);
  /* Voxel phases and fractions. */
  cr_assert_eq(sf_phantom_voxel_phase(ph, 24, 24, 24), core);
  cr_assert_eq(sf_phantom_voxel_phase(ph, 24 + 14, 24, 24), shell);
  /* Inside the outer sphere (voxel centre deeper than a voxel diagonal) core and
     shell fill the voxel, including where the core surface cuts it. */
  int cut = 0;
  for (size_t ix = 0; ix < 49; ++ix) {
    double d = fabs((ix + 0.5) * v - c[0]);
    double fc = sf_phantom_voxel_fraction(ph, core, ix, 24, 24);
    double fs = sf_phantom_voxel_fraction(ph, shell, ix, 24, 24);
    cr_assert_leq(fc + fs, 1.0 + TOL_EXACT);
    if (d < r_out - v)
      cr_assert_float_eq(fc + fs, 1.0, TOL_EXACT, "x = %zu: core %.6f + shell %.6f", ix, fc, fs);
    cut += fc > 0.0 && fc < 1.0;
  }
  cr_assert_gt(cut, 0, "the row crosses the core surface in cut voxels");
  /* Total volume of the core phase. */
  double vcore = 4.0 / 3.0 * SF_PI * pow(r_core, 3);
  cr_assert_float_eq(map_sum(tc) * v * v, vcore, lattice_tol(r_core, v, 4) * vcore);
  sf_imageset_destroy(set);
  sf_phantom_destroy(ph);
}

/* Stacked films (the paper's Fig. 5): a Ga film and an O film overlapping in
   projection; in the overlap the projected amounts add and c_Ga is set by the
   thicknesses. */
Test(phantom, stacked_films_overlap) {
  const double v = 1.0;
  sf_phantom *ph = make_phantom(40, 8, 30, v);
  int ga = add_single(ph, "Ga_film", 31, "Ga", 0.05);
  int ox = add_single(ph, "O_film", 8, "O", 0.05);
  /* Ga film x in [4, 28], 8 Å; O film x in [12, 36], 12 Å: overlap x in [12, 28]. */
  sf_phantom_film films[2] = {{ga, 4.0, 28.0, 8.0}, {ox, 12.0, 36.0, 12.0}};
  cr_assert_eq(sf_phantom_add_films(ph, SF_PHANTOM_AXIS_X, 2.0, 2, films), SF_OK);
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_phantom_project(ph, set), SF_OK);
  sf_map *g = sf_imageset_find(set, "truth_Ga"), *o = sf_imageset_find(set, "truth_O");
  for (size_t iy = 0; iy < 8; ++iy) {
    cr_assert_float_eq(sf_map_get(g, 6, iy, 0), 0.4, TOL_EXACT);  /* Ga only */
    cr_assert_float_eq(sf_map_get(o, 6, iy, 0), 0.0, TOL_EXACT);
    cr_assert_float_eq(sf_map_get(g, 20, iy, 0), 0.4, TOL_EXACT); /* overlap */
    cr_assert_float_eq(sf_map_get(o, 20, iy, 0), 0.6, TOL_EXACT);
    cr_assert_float_eq(sf_map_get(g, 30, iy, 0), 0.0, TOL_EXACT); /* O only */
    cr_assert_float_eq(sf_map_get(o, 30, iy, 0), 0.6, TOL_EXACT);
    cr_assert_float_eq(sf_map_get(g, 38, iy, 0), 0.0, TOL_EXACT);
  }
  /* c_Ga = 0.4 / (0.4 + 0.6) = 40 % in the overlap, the Ga2O3 stoichiometry. */
  double cga = sf_map_get(g, 20, 3, 0) / (sf_map_get(g, 20, 3, 0) + sf_map_get(o, 20, 3, 0));
  cr_assert_float_eq(cga, 0.4, TOL_EXACT);
  /* The films are stacked in z: the O film starts where the Ga film ends. */
  cr_assert_float_eq(sf_phantom_voxel_fraction(ph, ga, 20, 0, 9), 1.0, TOL_EXACT);
  cr_assert_float_eq(sf_phantom_voxel_fraction(ph, ox, 20, 0, 10), 1.0, TOL_EXACT);
  cr_assert_float_eq(sf_phantom_voxel_fraction(ph, ox, 20, 0, 21), 1.0, TOL_EXACT);
  cr_assert_float_eq(sf_phantom_voxel_fraction(ph, 0, 20, 0, 22), 1.0, TOL_EXACT);
  sf_imageset_destroy(set);
  sf_phantom_destroy(ph);
}

Test(phantom, bad_input_errors) {
  sf_phantom *ph = NULL;
  cr_assert_eq(sf_phantom_create(0, 8, 8, 1.0, &ph), SF_EINVAL);
  cr_assert_null(ph);
  cr_assert(strstr(sf_error_message(), "zero dimension"), "%s", sf_error_message());
  cr_assert_eq(sf_phantom_create(8, 8, 8, -0.5, &ph), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "voxel_A = -0.5"), "%s", sf_error_message());
  ph = make_phantom(8, 8, 8, 1.0);
  const double c[3] = {4, 4, 4};
  cr_assert_eq(sf_phantom_add_sphere(ph, 1, c, 2.0), SF_EINVAL); /* no phase yet */
  cr_assert(strstr(sf_error_message(), "phase 1 does not exist"), "%s", sf_error_message());
  sf_phantom_phase phase;
  cr_assert_eq(sf_phantom_phase_init(&phase, "bad name"), SF_EINVAL);
  cr_assert_eq(sf_phantom_phase_init(&phase, "a"), SF_OK);
  cr_assert_eq(sf_phantom_phase_add_element(&phase, 0, "X", 1.0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "Z = 0"), "%s", sf_error_message());
  cr_assert_eq(sf_phantom_phase_add_element(&phase, 26, "Fe", -1.0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "density_per_A3 = -1"), "%s", sf_error_message());
  cr_assert_eq(sf_phantom_add_phase(ph, &phase, NULL), SF_EINVAL); /* empty */
  cr_assert_eq(sf_phantom_phase_add_element(&phase, 26, "Fe", 0.08), SF_OK);
  cr_assert_eq(sf_phantom_phase_add_element(&phase, 26, "Fe", 0.08), SF_EINVAL);
  cr_assert_eq(sf_phantom_add_phase(ph, &phase, NULL), SF_OK);
  /* Another phase calling Z = 26 something else. */
  sf_phantom_phase other;
  cr_assert_eq(sf_phantom_phase_init(&other, "b"), SF_OK);
  cr_assert_eq(sf_phantom_phase_add_element(&other, 26, "Xx", 0.08), SF_OK);
  cr_assert_eq(sf_phantom_add_phase(ph, &other, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "labelled 'Xx'"), "%s", sf_error_message());
  cr_assert_eq(sf_phantom_add_sphere(ph, 1, c, 0.0), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "radius_A = 0"), "%s", sf_error_message());
  const double lo[3] = {1, 1, 1}, hi[3] = {3, 0.5, 3};
  cr_assert_eq(sf_phantom_add_cuboid(ph, 1, lo, hi), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "axis 1"), "%s", sf_error_message());
  cr_assert_eq(sf_phantom_add_core_shell(ph, 1, 1, c, 3.0, 2.0), SF_EINVAL);
  cr_assert_eq(sf_phantom_set_supersampling(ph, 0), SF_EINVAL);
  const double amounts[1] = {-2};
  const int Z[1] = {8};
  cr_assert_eq(sf_phantom_phase_from_amounts(&other, "c", 1, Z, NULL, amounts, 0.1), SF_EINVAL);
  /* Projecting twice into one set clashes on names; nothing new is added. */
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_phantom_project(ph, set), SF_OK);
  size_t count = set->count;
  cr_assert_eq(sf_phantom_project(ph, set), SF_EINVAL);
  cr_assert_eq(set->count, count);
  sf_imageset_destroy(set);
  sf_phantom_destroy(ph);
  sf_phantom_destroy(NULL);
}

/* ---- incoherent model ---- */

/* A set with two element maps on a calibrated grid, x_i known per pixel. */
static sf_imageset *two_element_set(size_t nx, size_t ny, double step_A) {
  sf_imageset *set = sf_imageset_create();
  sf_map *a, *b;
  cr_assert_eq(sf_imageset_add_map(set, "truth_Co", SF_F64, nx, ny, 1, &a), SF_OK);
  cr_assert_eq(sf_imageset_add_map(set, "truth_O", SF_F32, nx, ny, 1, &b), SF_OK);
  for (int i = 0; i < 2; ++i) {
    sf_map *m = i ? b : a;
    cr_assert_eq(sf_map_set_axis(m, 0, "x", "Å", 0.0, step_A), SF_OK);
    cr_assert_eq(sf_map_set_axis(m, 1, "y", "Å", 0.0, step_A), SF_OK);
  }
  for (size_t iy = 0; iy < ny; ++iy)
    for (size_t ix = 0; ix < nx; ++ix) {
      sf_map_set(a, ix, iy, 0, 0.25 * (double)((ix + 2 * iy) % 5));
      sf_map_set(b, ix, iy, 0, 0.5 + 0.125 * (double)((3 * ix + iy) % 4));
    }
  return set;
}

/* Both HAADF forms against direct evaluation, chemical maps = yield * x. */
Test(incoherent, haadf_forms_match_direct_evaluation) {
  const double gamma = 1.7;
  for (int f = 0; f < 2; ++f) {
    sf_imageset *set = two_element_set(7, 5, 0.4);
    sf_incoherent_element el[2] = {{"truth_Co", 27, 0.8, "EDX_Co"}, {"truth_O", 8, 1.9, "EDX_O"}};
    sf_incoherent_params p = {f == 0 ? SF_HAADF_PAPER : SF_HAADF_LINEAR, gamma, 0.0,
                              SF_BLUR_PERIODIC, NULL};
    cr_assert_eq(sf_incoherent_simulate(set, &p, 2, el), SF_OK, "%s", sf_error_message());
    sf_map *h = sf_imageset_find(set, "HAADF");
    sf_map *a = sf_imageset_find(set, "truth_Co"), *b = sf_imageset_find(set, "truth_O");
    sf_map *ca = sf_imageset_find(set, "EDX_Co"), *cb = sf_imageset_find(set, "EDX_O");
    cr_assert(h && ca && cb);
    for (size_t iy = 0; iy < 5; ++iy)
      for (size_t ix = 0; ix < 7; ++ix) {
        double xa = sf_map_get(a, ix, iy, 0), xb = sf_map_get(b, ix, iy, 0);
        double want = f == 0 ? pow(27.0 * xa, gamma) + pow(8.0 * xb, gamma)
                             : pow(27.0, gamma) * xa + pow(8.0, gamma) * xb;
        cr_assert_float_eq(sf_map_get(h, ix, iy, 0), want, 1e-13 * want + 1e-300,
                           "form %d pixel (%zu, %zu)", f, ix, iy);
        cr_assert_float_eq(sf_map_get(ca, ix, iy, 0), 0.8 * xa, 1e-15);
        cr_assert_float_eq(sf_map_get(cb, ix, iy, 0), 1.9 * xb, 1e-15);
      }
    cr_assert_str_eq(sf_attrs_get_string(&h->attrs, "", "incoherent_form"),
                     f == 0 ? "paper" : "linear");
    double g = 0;
    cr_assert_eq(sf_attrs_get_double(&set->attrs, "simulation", "incoherent_gamma", &g), SF_OK);
    cr_assert_float_eq(g, gamma, 0.0);
    cr_assert_eq(sf_attrs_get_double(&cb->attrs, "", "yield", &g), SF_OK);
    cr_assert_float_eq(g, 1.9, 0.0);
    cr_assert_float_eq(h->axis[0].step, 0.4, 0.0);
    sf_imageset_destroy(set);
  }
}

/* Paper form, a single element: (Z x)^gamma is Z^gamma times the linear form's x^gamma. */
Test(incoherent, haadf_array_function) {
  const int Z[2] = {31, 8};
  const double xa[3] = {0.0, 1.0, 2.0}, xb[3] = {3.0, 0.0, 0.5};
  const double *x[2] = {xa, xb};
  double out[3];
  cr_assert_eq(sf_incoherent_haadf(SF_HAADF_PAPER, 2.0, 2, Z, x, 3, out), SF_OK);
  cr_assert_float_eq(out[0], 576.0, 1e-12);        /* (8*3)^2 */
  cr_assert_float_eq(out[1], 961.0, 1e-12);        /* 31^2 */
  cr_assert_float_eq(out[2], 3844.0 + 16.0, 1e-12); /* 62^2 + 4^2 */
  cr_assert_eq(sf_incoherent_haadf(SF_HAADF_LINEAR, 2.0, 2, Z, x, 3, out), SF_OK);
  cr_assert_float_eq(out[0], 192.0, 1e-12);         /* 64*3 */
  cr_assert_float_eq(out[2], 1922.0 + 32.0, 1e-12); /* 961*2 + 64*0.5 */
  const double bad[3] = {0.0, -1.0, 0.0};
  const double *xbad[2] = {xa, bad};
  cr_assert_eq(sf_incoherent_haadf(SF_HAADF_PAPER, 1.7, 2, Z, xbad, 3, out), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "pixel 1"), "%s", sf_error_message());
  cr_assert_eq(sf_incoherent_haadf(SF_HAADF_PAPER, 0.0, 2, Z, x, 3, out), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "gamma = 0"), "%s", sf_error_message());
}

/* Second moment of a blurred delta about its centre, along x and y. */
static void delta_moments(const double *img, size_t nx, size_t ny, size_t cx, size_t cy,
                          double *sum, double *var_x, double *var_y) {
  double s = 0, sx = 0, sy = 0;
  for (size_t iy = 0; iy < ny; ++iy)
    for (size_t ix = 0; ix < nx; ++ix) {
      double v = img[iy * nx + ix], dx = (double)ix - (double)cx, dy = (double)iy - (double)cy;
      s += v;
      sx += v * dx * dx;
      sy += v * dy * dy;
    }
  *sum = s;
  *var_x = sx / s;
  *var_y = sy / s;
}

/* The blur of a delta has unit sum and variance sigma^2 per axis, with sigma
   = FWHM / 2.3548 in pixels of each axis. By Poisson summation the sampled
   Gaussian's variance differs from sigma^2 by ~exp(-2 pi^2 sigma^2) < 1e-30,
   and the truncation at 6 sigma removes 2e-9 of the mass (the variance tail
   is below 1e-7 relative). */
Test(incoherent, blur_of_delta_has_the_probe_variance) {
  enum { NX = 64, NY = 48 };
  static double img[NX * NY];
  const double fwhm_A = 1.5, sx_A = 0.25, sy_A = 0.3;
  const double sigma_A = fwhm_A / (2.0 * sqrt(2.0 * log(2.0)));
  for (int b = 0; b < 2; ++b) {
    memset(img, 0, sizeof img);
    img[24 * NX + 30] = 1.0;
    cr_assert_eq(sf_incoherent_blur(img, NX, NY, sx_A, sy_A, fwhm_A,
                                    b ? SF_BLUR_REFLECT : SF_BLUR_PERIODIC), SF_OK);
    double sum, vx, vy;
    delta_moments(img, NX, NY, 30, 24, &sum, &vx, &vy);
    cr_assert_float_eq(sum, 1.0, 1e-12);
    double want_x = pow(sigma_A / sx_A, 2), want_y = pow(sigma_A / sy_A, 2);
    cr_assert_float_eq(vx, want_x, 1e-7 * want_x, "boundary %d: var_x %.10f vs %.10f", b, vx,
                       want_x);
    cr_assert_float_eq(vy, want_y, 1e-7 * want_y);
    /* Half maximum at FWHM/2 = 3 px along x: the kernel is sampled there. */
    double peak = img[24 * NX + 30];
    cr_assert_float_eq(img[24 * NX + 33] / peak, 0.5, 1e-12);
    cr_assert_float_eq(img[24 * NX + 27] / peak, 0.5, 1e-12);
  }
}

/* Both boundaries conserve the image sum and keep a constant image constant;
   the periodic blur commutes with a cyclic shift. */
Test(incoherent, blur_boundaries_conserve_and_commute) {
  enum { NX = 20, NY = 12 };
  static double a[NX * NY], b[NX * NY];
  for (int bound = 0; bound < 2; ++bound) {
    double s0 = 0.0;
    for (int i = 0; i < NX * NY; ++i) {
      a[i] = (double)((i * 7919) % 13) + (i % NX < 3 ? 20.0 : 0.0);
      s0 += a[i];
    }
    sf_blur_boundary bd = bound ? SF_BLUR_REFLECT : SF_BLUR_PERIODIC;
    cr_assert_eq(sf_incoherent_blur(a, NX, NY, 1.0, 1.0, 9.0, bd), SF_OK);
    double s1 = 0.0;
    for (int i = 0; i < NX * NY; ++i)
      s1 += a[i];
    cr_assert_float_eq(s1, s0, 1e-12 * s0, "boundary %d", bound);
    for (int i = 0; i < NX * NY; ++i)
      b[i] = 2.5;
    cr_assert_eq(sf_incoherent_blur(b, NX, NY, 1.0, 1.0, 30.0, bd), SF_OK);
    for (int i = 0; i < NX * NY; ++i)
      cr_assert_float_eq(b[i], 2.5, 1e-13);
  }
  /* Shift commutation (periodic). */
  for (int i = 0; i < NX * NY; ++i)
    a[i] = (double)((i * 31) % 17);
  for (int iy = 0; iy < NY; ++iy)
    for (int ix = 0; ix < NX; ++ix)
      b[iy * NX + ix] = a[((iy + 5) % NY) * NX + (ix + 3) % NX];
  cr_assert_eq(sf_incoherent_blur(a, NX, NY, 0.5, 0.5, 1.7, SF_BLUR_PERIODIC), SF_OK);
  cr_assert_eq(sf_incoherent_blur(b, NX, NY, 0.5, 0.5, 1.7, SF_BLUR_PERIODIC), SF_OK);
  for (int iy = 0; iy < NY; ++iy)
    for (int ix = 0; ix < NX; ++ix)
      cr_assert_float_eq(b[iy * NX + ix], a[((iy + 5) % NY) * NX + (ix + 3) % NX], 1e-12);
}

/* The blur in the model applies after the HAADF nonlinearity and to the
   chemical maps: blurred outputs equal sf_incoherent_blur of the unblurred. */
Test(incoherent, simulate_blurs_after_the_model) {
  sf_imageset *set = two_element_set(24, 16, 0.2);
  sf_incoherent_element el[2] = {{"truth_Co", 27, 1.0, "EELS_Co"}, {"truth_O", 8, 0.5, NULL}};
  sf_incoherent_params p = {SF_HAADF_PAPER, 1.6, 0.0, SF_BLUR_REFLECT, "H0"};
  cr_assert_eq(sf_incoherent_simulate(set, &p, 2, el), SF_OK);
  el[0].chem_map = "EELS_Co_blur";
  p.blur_fwhm_A = 0.8;
  p.haadf_map = "H1";
  cr_assert_eq(sf_incoherent_simulate(set, &p, 2, el), SF_OK, "%s", sf_error_message());
  cr_assert_null(sf_imageset_find(set, "EELS_O"));
  static double h0[24 * 16], c0[24 * 16];
  memcpy(h0, sf_imageset_find(set, "H0")->data, sizeof h0);
  memcpy(c0, sf_imageset_find(set, "EELS_Co")->data, sizeof c0);
  cr_assert_eq(sf_incoherent_blur(h0, 24, 16, 0.2, 0.2, 0.8, SF_BLUR_REFLECT), SF_OK);
  cr_assert_eq(sf_incoherent_blur(c0, 24, 16, 0.2, 0.2, 0.8, SF_BLUR_REFLECT), SF_OK);
  const double *h1 = sf_imageset_find(set, "H1")->data;
  const double *c1 = sf_imageset_find(set, "EELS_Co_blur")->data;
  for (int i = 0; i < 24 * 16; ++i) {
    cr_assert_float_eq(h1[i], h0[i], 1e-12 * fabs(h0[i]) + 1e-15);
    cr_assert_float_eq(c1[i], c0[i], 1e-15);
  }
  double fwhm = 0;
  cr_assert_eq(sf_attrs_get_double(&sf_imageset_find(set, "H1")->attrs, "",
                                   "incoherent_blur_fwhm_A", &fwhm), SF_OK);
  cr_assert_float_eq(fwhm, 0.8, 0.0);
  cr_assert_str_eq(sf_attrs_get_string(&sf_imageset_find(set, "H1")->attrs, "",
                                       "incoherent_blur_boundary"), "reflect");
  sf_imageset_destroy(set);
}

Test(incoherent, simulate_errors_name_the_problem) {
  sf_imageset *set = two_element_set(8, 8, 0.5);
  sf_incoherent_element el[2] = {{"truth_Co", 27, 1.0, "EDX_Co"}, {"truth_Fe", 26, 1.0, NULL}};
  sf_incoherent_params p = {SF_HAADF_PAPER, 1.7, 0.0, SF_BLUR_PERIODIC, NULL};
  cr_assert_eq(sf_incoherent_simulate(set, &p, 2, el), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "truth_Fe"), "%s", sf_error_message());
  el[1].truth_map = "truth_O";
  p.gamma = -1.0;
  cr_assert_eq(sf_incoherent_simulate(set, &p, 2, el), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "gamma = -1"), "%s", sf_error_message());
  p.gamma = 1.7;
  el[1].yield = NAN;
  cr_assert_eq(sf_incoherent_simulate(set, &p, 2, el), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "yield"), "%s", sf_error_message());
  el[1].yield = 1.0;
  /* A blur needs calibrated axes. */
  sf_map *a = sf_imageset_find(set, "truth_Co"), *b = sf_imageset_find(set, "truth_O");
  cr_assert_eq(sf_map_set_axis(a, 0, "x", "px", 0.0, 1.0), SF_OK);
  cr_assert_eq(sf_map_set_axis(b, 0, "x", "px", 0.0, 1.0), SF_OK);
  p.blur_fwhm_A = 1.0;
  cr_assert_eq(sf_incoherent_simulate(set, &p, 2, el), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "units 'px'"), "%s", sf_error_message());
  cr_assert_eq(set->count, 2, "nothing added on error");
  /* Output name clash. */
  p.blur_fwhm_A = 0.0;
  el[0].chem_map = "truth_O";
  cr_assert_eq(sf_incoherent_simulate(set, &p, 2, el), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "truth_O"), "%s", sf_error_message());
  sf_haadf_form form;
  cr_assert_eq(sf_incoherent_form_parse("linear", &form), SF_OK);
  cr_assert_eq(form, SF_HAADF_LINEAR);
  cr_assert_eq(sf_incoherent_form_parse("square", &form), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "'square'"), "%s", sf_error_message());
  sf_blur_boundary bd;
  cr_assert_eq(sf_incoherent_boundary_parse("reflect", &bd), SF_OK);
  cr_assert_eq(bd, SF_BLUR_REFLECT);
  sf_imageset_destroy(set);
}
