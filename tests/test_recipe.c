/* Validation recipes: the shipped datasets load with the values they state,
   formulas become compositions, overrides and the resolved configuration
   round-trip, and every kind of mistake is an error naming file, line, key
   and value. */
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "support/testutil.h"
#include "validate/sf_harness.h"
#include "validate/sf_recipe.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Number densities are products of parsed decimals: exact to rounding. */
#define TOL_DENSITY 1e-15
/* Projected densities sum voxel contributions: a few ulps per voxel. */
#define TOL_PROJECTION 1e-12

/* A small valid recipe; tests append or replace lines. */
static const char *base_text = "name = \"t\"\n"                 /* 1 */
                               "[phantom]\n"                    /* 2 */
                               "shape = \"sphere\"\n"           /* 3 */
                               "size_A = [32, 32, 32]\n"        /* 4 */
                               "voxel_A = 2\n"                  /* 5 */
                               "radius_A = 10\n"                /* 6 */
                               "phase = \"NiO_ball\"\n"         /* 7 */
                               "[[phase]]\n"                    /* 8 */
                               "name = \"NiO_ball\"\n"          /* 9 */
                               "formula = \"NiO\"\n"            /* 10 */
                               "density_per_A3 = 0.11\n"        /* 11 */
                               "[noise]\n"                      /* 12 */
                               "haadf_dose_e_per_A2 = 1e4\n";   /* 13 */

static sf_recipe *load_ok(const char *text, const char *const *sets, size_t n_sets) {
  sf_recipe *r = NULL;
  int st = sf_recipe_load_string(text, strlen(text), "t.toml", sets, n_sets, &r);
  cr_assert_eq(st, SF_OK, "%s", sf_error_message());
  return r;
}

/* Load must fail with `status` and a message containing each of the `n` parts. */
static void expect_error(const char *text, const char *const *sets, size_t n_sets, int status,
                         const char *part1, const char *part2) {
  sf_recipe *r = NULL;
  int st = sf_recipe_load_string(text, strlen(text), "t.toml", sets, n_sets, &r);
  cr_assert_eq(st, status, "status %d (%s) for <<%s>>", st, sf_error_message(), text);
  cr_assert_null(r);
  cr_assert(strstr(sf_error_message(), part1), "<<%s>> lacks <<%s>>", sf_error_message(), part1);
  if (part2)
    cr_assert(strstr(sf_error_message(), part2), "<<%s>> lacks <<%s>>", sf_error_message(),
              part2);
}

static char *with(const char *extra) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s%s", base_text, extra);
  return buf;
}

Test(recipe, coreshell_dataset) {
  sf_recipe *r = NULL;
  cr_assert_eq(sf_recipe_load(sf_test_source_path("datasets/coreshell_CoS_CoO.toml"), NULL, 0,
                              &r),
               SF_OK, "%s", sf_error_message());
  const sf_recipe_params *p = &r->p;
  cr_assert_eq(p->shape, SF_RECIPE_CORE_SHELL);
  cr_assert_eq(p->nx, 64);
  cr_assert_eq(p->ny, 64);
  cr_assert_eq(p->nz, 64);
  cr_assert_float_eq(p->centre_A[0], 64.0, 0.0, "centre defaults to the middle of the box");
  cr_assert_eq(p->n_elements, 3);
  cr_assert_str_eq(p->symbol[0], "Co");
  cr_assert_str_eq(p->symbol[1], "S");
  cr_assert_str_eq(p->symbol[2], "O");
  cr_assert_eq(p->Z[2], 8);
  /* CoS at 0.0790 atoms/Å^3: half Co, half S */
  const sf_phantom_phase *core = &p->phases[p->core_phase].phase;
  cr_assert_str_eq(core->name, "CoS_core");
  cr_assert_float_eq(core->density_per_A3[0], 0.0395, TOL_DENSITY);
  cr_assert_float_eq(sf_phantom_phase_fraction(core, 16), 0.5, TOL_DENSITY);
  cr_assert_eq(p->form, SF_HAADF_LINEAR);
  cr_assert_eq(p->fuse_form, SF_HAADF_LINEAR, "fuse.form = same follows haadf.form");
  cr_assert_float_eq(p->fuse_gamma, 1.7, 0.0, "fuse.gamma = 0 takes the true gamma");
  cr_assert(p->known_yields);
  cr_assert_eq(p->lambda_mode, SF_RECIPE_LAMBDA_SNR_SCALED);
  cr_assert_eq(p->sweep_kinds, SF_RECIPE_SWEEP_DOSE | SF_RECIPE_SWEEP_GAMMA |
                                   SF_RECIPE_SWEEP_LAMBDA);
  cr_assert_eq(p->n_sweep_haadf, 6);
  cr_assert_eq(p->n_sweep_chem, 5);
  /* the linear model is recovered with gamma 1 and weights Z^gamma */
  sf_fuse_params par;
  sf_recipe_fuse_params(p, &par);
  cr_assert_float_eq(par.gamma, 1.0, 0.0);
  cr_assert_eq(par.weight_mode, SF_FUSE_WEIGHT_CUSTOM);
  double w[SF_RECIPE_MAX_ELEMENTS];
  sf_recipe_fuse_weights(p, w);
  cr_assert_float_eq(w[0], pow(27.0, 1.7), 1e-12 * w[0]);
  cr_assert(strstr(r->config_text, "[fuse]"));
  sf_recipe_destroy(r);
}

Test(recipe, films_dataset) {
  sf_recipe *r = NULL;
  cr_assert_eq(sf_recipe_load(sf_test_source_path("datasets/ga2o3_films.toml"), NULL, 0, &r),
               SF_OK, "%s", sf_error_message());
  const sf_recipe_params *p = &r->p;
  cr_assert_eq(p->shape, SF_RECIPE_FILMS);
  cr_assert_eq(p->n_films, 2);
  cr_assert_eq(p->nx, 96);
  cr_assert_eq(p->ny, 48);
  /* equal thicknesses and Ga:O partial densities 2:3 make Ga2O3 in the overlap */
  cr_assert_float_eq(p->films[0].thickness_A, p->films[1].thickness_A, 0.0);
  double ga = p->phases[0].phase.density_per_A3[0], o = p->phases[1].phase.density_per_A3[0];
  cr_assert_float_eq(ga / (ga + o), 0.4, 1e-12);
  cr_assert(!p->known_yields, "the paper's no-cross-sections recovery");
  cr_assert_eq(p->stoich_labels, SF_RECIPE_LABELS_COMBINATION);
  sf_recipe_destroy(r);
}

/* Two films of the same composition, one by formula, one by symbols and
   amounts; a cuboid check of the projection follows from the film geometry. */
static const char *films_text = "name = \"films\"\n"
                                "[phantom]\n"
                                "shape = \"films\"\n"
                                "size_A = [40, 8, 20]\n"
                                "voxel_A = 1\n"
                                "[[phase]]\n"
                                "name = \"by_formula\"\n"
                                "formula = \"Ga2O3\"\n"
                                "density_per_A3 = 0.0958\n"
                                "[[phase]]\n"
                                "name = \"by_symbols\"\n"
                                "elements = [\"Ga\", \"O\"]\n"
                                "amounts = [2, 3]\n"
                                "density_per_A3 = 0.0958\n"
                                "[[film]]\n"
                                "phase = \"by_formula\"\n"
                                "lo_A = 4\n"
                                "hi_A = 20\n"
                                "thickness_A = 6\n"
                                "[[film]]\n"
                                "phase = \"by_symbols\"\n"
                                "lo_A = 12\n"
                                "hi_A = 36\n"
                                "thickness_A = 10\n";

Test(recipe, formula_and_symbols_agree_and_project) {
  sf_recipe *r = load_ok(films_text, NULL, 0);
  const sf_recipe_params *p = &r->p;
  cr_assert_eq(p->n_phases, 2);
  for (int k = 0; k < 2; ++k) {
    const sf_phantom_phase *ph = &p->phases[k].phase;
    cr_assert_eq(ph->n, 2);
    cr_assert_float_eq(ph->density_per_A3[0], 0.0958 * 0.4, TOL_DENSITY);
    cr_assert_float_eq(ph->density_per_A3[1], 0.0958 * 0.6, TOL_DENSITY);
  }
  cr_assert_eq(p->n_elements, 2);
  cr_assert_str_eq(p->symbol[0], "Ga");
  sf_imageset *truth = NULL;
  cr_assert_eq(sf_harness_truth(p, &truth), SF_OK, "%s", sf_error_message());
  /* column x in [12, 20): both films, 16 Å of Ga2O3 */
  const sf_map *ga = sf_imageset_find(truth, "truth_Ga");
  cr_assert_not_null(ga);
  cr_assert_float_eq(sf_map_get(ga, 15, 3, 0), 16.0 * 0.0958 * 0.4, TOL_PROJECTION);
  cr_assert_float_eq(sf_map_get(ga, 5, 3, 0), 6.0 * 0.0958 * 0.4, TOL_PROJECTION);
  cr_assert_float_eq(sf_map_get(ga, 30, 3, 0), 10.0 * 0.0958 * 0.4, TOL_PROJECTION);
  cr_assert_float_eq(sf_map_get(ga, 38, 3, 0), 0.0, 0.0);
  /* the noiseless model: paper form, gamma 1.7, and chemical maps y x */
  const sf_map *h = sf_imageset_find(truth, "HAADF");
  const sf_map *o = sf_imageset_find(truth, "truth_O");
  double want = pow(31.0 * sf_map_get(ga, 15, 3, 0), 1.7) + pow(8.0 * sf_map_get(o, 15, 3, 0), 1.7);
  cr_assert_float_eq(sf_map_get(h, 15, 3, 0), want, 1e-12 * want);
  const sf_map *edx = sf_imageset_find(truth, "EDX_Ga");
  cr_assert_not_null(edx);
  cr_assert_float_eq(sf_map_get(edx, 15, 3, 0), sf_map_get(ga, 15, 3, 0), 0.0);
  /* phase groups, dominant phase (default): the overlap belongs to the
     thicker film; erosion by 1 px removes the columns next to another label
     (the grid edge does not erode) */
  sf_harness_labels g;
  cr_assert_eq(sf_harness_labels_make(p, truth, &g), SF_OK, "%s", sf_error_message());
  cr_assert_eq(g.n_groups, 2, "%zu groups", g.n_groups);
  cr_assert_str_eq(g.names[0], "by_formula");
  cr_assert_eq(g.n_pixels[0], 6 * 8, "x in [5, 11), 8 rows");
  cr_assert_eq(g.n_pixels[1], 22 * 8, "x in [13, 35)");
  sf_harness_labels_clear(&g);
  /* by phase combination: the overlap is a group of its own */
  sf_recipe_params q = *p;
  q.stoich_labels = SF_RECIPE_LABELS_COMBINATION;
  cr_assert_eq(sf_harness_labels_make(&q, truth, &g), SF_OK, "%s", sf_error_message());
  cr_assert_eq(g.n_groups, 3, "%zu groups", g.n_groups);
  cr_assert_str_eq(g.names[1], "by_formula+by_symbols");
  cr_assert_eq(g.n_pixels[1], 6 * 8, "x in [13, 19)");
  cr_assert_eq(g.labels[3 * 40 + 15], 2);
  cr_assert_eq(g.labels[3 * 40 + 12], 0, "eroded edge");
  sf_harness_labels_clear(&g);
  sf_imageset_destroy(truth);
  sf_recipe_destroy(r);
}

Test(recipe, overrides_and_resolved_config_round_trip) {
  const char *sets[] = {"noise.realisations=7", "fuse.lambda_tv=0.25", "chem.yields=[2, 0.5]"};
  sf_recipe *r = load_ok(base_text, sets, 3);
  cr_assert_eq(r->p.realisations, 7);
  cr_assert_float_eq(r->p.lambda_tv, 0.25, 0.0);
  cr_assert_float_eq(r->p.yield_rel[0], 2.0, 0.0, "Ni");
  cr_assert_float_eq(r->p.yield_rel[1], 0.5, 0.0, "O");
  cr_assert(strstr(r->config_text, "realisations = 7  # --set"), "%s", r->config_text);
  cr_assert(strstr(r->config_text, "seed = 1  # default"), "%s", r->config_text);
  /* the resolved text is itself a recipe that gives the same run */
  sf_recipe *again = load_ok(r->config_text, NULL, 0);
  cr_assert_eq(memcmp(&again->p, &r->p, sizeof r->p), 0,
               "resolved configuration reloads to identical parameters");
  sf_recipe_destroy(again);
  sf_recipe_destroy(r);
}

Test(recipe, unknown_key) {
  expect_error(with("dose = 5\n"), NULL, 0, SF_EINVAL, "t.toml:14: noise.dose = 5: unknown key",
               "[noise] accepts: haadf_dose_e_per_A2");
  expect_error(with("haadf_dose_e_per_A = 5\n"), NULL, 0, SF_EINVAL,
               "t.toml:14: noise.haadf_dose_e_per_A = 5: unknown key",
               "did you mean 'haadf_dose_e_per_A2'");
  expect_error(with("[phantom_x]\n"), NULL, 0, SF_EINVAL, "t.toml:14: [phantom_x]: unknown table",
               NULL);
}

Test(recipe, negative_dose) {
  char text[4096];
  snprintf(text, sizeof text, "%s", base_text);
  char *d = strstr(text, "1e4");
  memcpy(d, "-50", 3);
  expect_error(text, NULL, 0, SF_ERANGE, "t.toml:13: noise.haadf_dose_e_per_A2 = -50", "must be");
  /* a dose of zero gives no counts */
  memcpy(d, "0  ", 3);
  expect_error(text, NULL, 0, SF_EINVAL, "t.toml:13: noise.haadf_dose_e_per_A2 = 0:",
               "no counts");
  /* and from an override */
  const char *sets[] = {"noise.chem_dose_e_per_A2=-1"};
  expect_error(base_text, sets, 1, SF_ERANGE, "--set: noise.chem_dose_e_per_A2 = -1", NULL);
}

Test(recipe, zero_size_phantom) {
  char text[4096];
  snprintf(text, sizeof text, "%s", base_text);
  char *s = strstr(text, "[32, 32, 32]");
  memcpy(s, "[32,  0, 32]", 12);
  expect_error(text, NULL, 0, SF_EINVAL, "t.toml:4: phantom.size_A = [32, 0, 32]:",
               "zero-size phantom: 0 voxels along y");
  /* a size under half a voxel rounds to no voxel */
  const char *sets[] = {"phantom.size_A=[32, 32, 0.9]"};
  expect_error(base_text, sets, 1, SF_EINVAL, "--set: phantom.size_A = [32, 32, 0.9]",
               "0 voxels along z");
}

Test(recipe, missing_or_unknown_element) {
  /* a chemical-map list without O */
  expect_error(with("[chem]\nelements = [\"Ni\"]\n"), NULL, 0, SF_EINVAL,
               "t.toml:15: chem.elements = [\"Ni\"]: missing element 'O'", NULL);
  /* an element in no phase */
  expect_error(with("[chem]\nelements = [\"Ni\", \"O\", \"Fe\"]\n"), NULL, 0, SF_EINVAL,
               "element 'Fe' is in no [[phase]]", NULL);
  /* a formula with a non-element */
  char text[4096];
  snprintf(text, sizeof text, "%s", base_text);
  memcpy(strstr(text, "\"NiO\""), "\"XxO\"", 5);
  expect_error(text, NULL, 0, SF_EINVAL, "t.toml:10: phase.1.formula = \"XxO\":",
               "'Xx' is not an element symbol");
  /* a phase without any composition */
  expect_error("[phantom]\nshape = \"sphere\"\nradius_A = 5\nphase = \"p\"\n[[phase]]\nname = "
               "\"p\"\ndensity_per_A3 = 0.1\n",
               NULL, 0, SF_EINVAL, "phase.1.formula = \"\" (default): missing element", NULL);
  /* yields that do not match the elements */
  expect_error(with("[chem]\nyields = [1]\n"), NULL, 0, SF_EINVAL,
               "t.toml:15: chem.yields = [1]: 1 yields for 2 elements", NULL);
}

Test(recipe, shape_and_phase_mistakes) {
  /* a phase name that does not exist */
  char text[4096];
  snprintf(text, sizeof text,
           "[phantom]\nshape = \"sphere\"\nradius_A = 5\nphase = \"NiO\"\n[[phase]]\nname = "
           "\"NiO_ball\"\nformula = \"NiO\"\ndensity_per_A3 = 0.1\n");
  expect_error(text, NULL, 0, SF_EINVAL,
               "t.toml:4: phantom.phase = \"NiO\": no [[phase]] of this name (phases: NiO_ball)",
               "t.toml:6: phase.1.name = \"NiO_ball\": phase is not used");
  /* keys of another shape */
  expect_error(with("[phantom]\n"), NULL, 0, SF_EFORMAT, "t.toml:14: [phantom]: table defined twice", NULL);
  const char *sets[] = {"phantom.core_radius_A=3"};
  expect_error(base_text, sets, 1, SF_EINVAL,
               "--set: phantom.core_radius_A = 3: does not apply to shape 'sphere'", NULL);
  /* core-shell radii */
  const char *cs[] = {"phantom.shape=\"core_shell\"", "phantom.phase=\"\"",
                      "phantom.core_phase=\"NiO_ball\"", "phantom.shell_phase=\"NiO_ball\"",
                      "phantom.core_radius_A=12"};
  expect_error(base_text, cs, 5, SF_EINVAL, "core and shell are the same phase",
               "the outer radius must exceed core_radius_A");
  /* a sphere without radius */
  const char *nr[] = {"phantom.radius_A=0"};
  expect_error(base_text, nr, 1, SF_EINVAL, "--set: phantom.radius_A = 0: a sphere needs a radius",
               NULL);
}

Test(recipe, read_noise_needs_least_squares) {
  const char *sets[] = {"noise.chem_read_noise_counts=2"};
  expect_error(base_text, sets, 1, SF_EINVAL, "fuse.chem_model = \"poisson\" (default):",
               "use \"lsq\"");
  const char *ok[] = {"noise.chem_read_noise_counts=2", "fuse.chem_model=\"lsq\""};
  sf_recipe_destroy(load_ok(base_text, ok, 2));
}

Test(recipe, every_problem_reported) {
  /* two independent mistakes: both lines are in the message */
  const char *sets[] = {"report.profile_A=[1, 2]", "fuse.custom_weights=[1, 2]"};
  expect_error(base_text, sets, 2, SF_EINVAL,
               "--set: report.profile_A = [1, 2]: expected 4 values",
               "--set: fuse.custom_weights = [1, 2]: needs weight_mode = \"custom\"");
}

Test(recipe, file_errors) {
  sf_recipe *r = NULL;
  cr_assert_eq(sf_recipe_load(sf_test_path("absent.toml"), NULL, 0, &r), SF_ENOENT);
  cr_assert_null(r);
  const char *bad = sf_test_write_text("bad.toml", "[phantom\nshape = 1\n");
  cr_assert_eq(sf_recipe_load(bad, NULL, 0, &r), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "bad.toml:1:"), "%s", sf_error_message());
  cr_assert_eq(sf_recipe_load(NULL, NULL, 0, &r), SF_EINVAL);
}
