/* The STEM run as a whole: a thickness series equals separate runs at each
   thickness, results are bit-identical for 1 and 2 threads and any batch
   size, frozen-phonon averaging gives the mean and standard error of the
   configurations, focal spread is the weighted average over defocus, the
   source size blurs the finished images, and bad configurations are refused
   with clear messages before any work is done. */
#include "core/sf_alloc.h"
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "potentials/sf_projpot.h"
#include "sim/sf_multislice.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* the same single-precision operations in another engine or through
   another probe coefficient rounding (focal nodes): relative */
#define TOL_SAME_PHYSICS 2e-5
/* sums of the same doubles in the same order */
#define TOL_DOUBLE 1e-13

#define STO_A 3.905
#define NPX 80 /* 2 x 2 cells at a/40 */
#define NSLICES 4

static size_t sto_atoms(int cells, int layers, double shift_A, sf_slice_atom *atoms) {
  size_t k = 0;
  for (int l = 0; l < layers; ++l)
    for (int i = 0; i < cells; ++i)
      for (int j = 0; j < cells; ++j) {
        const double x = i * STO_A + shift_A * (l + 1) * (i + 1),
                     y = j * STO_A - shift_A * (j + 1), z = l * 0.5 * STO_A;
        if (l % 2 == 0) {
          atoms[k++] = (sf_slice_atom){38, x, y, z};
          atoms[k++] = (sf_slice_atom){8, x + 0.5 * STO_A, y + 0.5 * STO_A, z};
        } else {
          atoms[k++] = (sf_slice_atom){22, x + 0.5 * STO_A, y + 0.5 * STO_A, z};
          atoms[k++] = (sf_slice_atom){8, x + 0.5 * STO_A, y, z};
          atoms[k++] = (sf_slice_atom){8, x, y + 0.5 * STO_A, z};
        }
      }
  return k;
}

static sf_detector DETS[2];

static void base_params(sf_stem_params *p, size_t n_slices) {
  sf_stem_params_default(p);
  p->nx = p->ny = NPX;
  p->sampling_A = STO_A / 40.0;
  p->slice_thickness_A = 0.5 * STO_A;
  p->n_slices = n_slices;
  p->threads = 1;
  p->fft_measure = 0;
  p->progress = 0;
  sf_detector_init(&DETS[0], "HAADF", 40.0, 65.0, 0, 0.0);
  sf_detector_init(&DETS[1], "BF", 0.0, 20.0, 0, 0.0);
  p->detectors.detectors = DETS;
  p->detectors.n_detectors = 2;
}

/* Specimen of the first n_slices slices of the (optionally displaced) crystal. */
static sf_specimen *make_specimen(const sf_multislice *ms, size_t n_slices, double shift_A) {
  sf_projpot *pp = NULL;
  cr_assert_eq(sf_projpot_create(NPX, NPX, STO_A / 40.0, NULL, &pp), SF_OK);
  sf_slice_atom atoms[64];
  const size_t na = sto_atoms(2, (int)n_slices, shift_A, atoms);
  sf_specimen *spec = NULL;
  cr_assert_eq(sf_specimen_create(sf_multislice_grid(ms), n_slices, 0.5 * STO_A, &spec), SF_OK);
  cr_assert_eq(sf_specimen_build(spec, pp, atoms, na, 0.0), SF_OK, "%s", sf_error_message());
  sf_projpot_destroy(pp);
  return spec;
}

static sf_scan *scan_3x3(void) {
  sf_scan *scan = NULL;
  cr_assert_eq(sf_scan_grid_create(0.2, 0.1, 0.6, 0.7, 3, 3, &scan), SF_OK);
  return scan;
}

static void get(const sf_stem_result *r, size_t d, const char *name, double *v) {
  cr_assert_eq(sf_stem_result_get(r, d, name, v, NULL), SF_OK, "%s", sf_error_message());
}

Test(series, thickness_series_equals_separate_runs) {
  sf_stem_params p;
  base_params(&p, NSLICES);
  const size_t depths[3] = {1, 3, 4};
  p.depth_slices = depths;
  p.n_depths = 3;
  sf_multislice *ms = NULL;
  cr_assert_eq(sf_multislice_create(&p, &ms), SF_OK);
  sf_specimen *spec = make_specimen(ms, NSLICES, 0.0);
  sf_scan *scan = scan_3x3();
  sf_stem_result *series = NULL;
  cr_assert_eq(sf_multislice_result_create(ms, scan, &series), SF_OK);
  cr_assert_eq(sf_multislice_run(ms, spec, scan, series, NULL), SF_OK);
  cr_assert_float_eq(sf_stem_result_depth_A(series, 1), 3 * 0.5 * STO_A, 1e-12);
  for (size_t d = 0; d < 3; ++d) {
    sf_stem_params q;
    base_params(&q, depths[d]);
    sf_multislice *one = NULL;
    cr_assert_eq(sf_multislice_create(&q, &one), SF_OK);
    sf_specimen *part = make_specimen(one, depths[d], 0.0);
    sf_stem_result *r = NULL;
    cr_assert_eq(sf_multislice_result_create(one, scan, &r), SF_OK);
    cr_assert_eq(sf_multislice_run(one, part, scan, r, NULL), SF_OK);
    for (int k = 0; k < 2; ++k) {
      double a[9], b[9];
      get(series, d, DETS[k].name, a);
      get(r, 0, DETS[k].name, b);
      cr_assert(memcmp(a, b, sizeof a) == 0, "%s at %zu slices differs from a separate run",
                DETS[k].name, depths[d]);
    }
    sf_stem_result_destroy(r);
    sf_specimen_destroy(part);
    sf_multislice_destroy(one);
  }
  /* export: every map gets the fixed-width depth tag and its thickness, and no
     name is a prefix of another (HyperSpy 1.7.3) */
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_stem_result_to_imageset(series, set), SF_OK, "%s", sf_error_message());
  sf_map *m = sf_imageset_find(set, "HAADF_d02_mean");
  cr_assert(m && sf_imageset_find(set, "BF_d00_stderr") &&
            sf_imageset_find(set, "ADF_radial_bins_d01"));
  cr_assert_eq(sf_imageset_check_names(set), SF_OK, "%s", sf_error_message());
  double t = 0.0;
  cr_assert_eq(sf_attrs_get_double(&m->attrs, "", "thickness_A", &t), SF_OK);
  cr_assert_float_eq(t, 4 * 0.5 * STO_A, 1e-12);
  sf_imageset_destroy(set);
  sf_stem_result_destroy(series);
  sf_scan_destroy(scan);
  sf_specimen_destroy(spec);
  sf_multislice_destroy(ms);
}

static void run_threads(int threads, size_t batch, double *haadf, double *cube, size_t *nb) {
  sf_stem_params p;
  base_params(&p, NSLICES);
  p.threads = threads;
  p.batch = batch;
  sf_multislice *ms = NULL;
  cr_assert_eq(sf_multislice_create(&p, &ms), SF_OK, "%s", sf_error_message());
  sf_specimen *spec = make_specimen(ms, NSLICES, 0.0);
  sf_scan *scan = NULL;
  cr_assert_eq(sf_scan_grid_create(0.0, 0.0, 0.39, 0.39, 7, 5, &scan), SF_OK);
  sf_stem_result *r = NULL;
  cr_assert_eq(sf_multislice_result_create(ms, scan, &r), SF_OK);
  cr_assert_eq(sf_multislice_run(ms, spec, scan, r, NULL), SF_OK);
  get(r, 0, "HAADF", haadf);
  *nb = sf_stem_result_record_layout(r)->n_bins;
  cr_assert_eq(sf_stem_result_bins(r, 0, cube), SF_OK);
  sf_stem_result_destroy(r);
  sf_scan_destroy(scan);
  sf_specimen_destroy(spec);
  sf_multislice_destroy(ms);
}

Test(series, results_do_not_depend_on_thread_count) {
  double h1[35], h2[35], c1[35 * 80], c2[35 * 80];
  size_t nb = 0;
  run_threads(1, 1, h1, c1, &nb);
  run_threads(2, 1, h2, c2, &nb);
  cr_assert(memcmp(h1, h2, sizeof h1) == 0, "HAADF: 1 and 2 threads differ");
  cr_assert(memcmp(c1, c2, 35 * nb * sizeof(double)) == 0, "radial bins: 1 and 2 threads differ");
  /* batches of 3 probes (35 = 11 x 3 + 2): the same with 1 and 2 threads, and
     within single-precision rounding of the unbatched FFTs */
  double h3[35], h4[35];
  run_threads(1, 3, h3, c1, &nb);
  run_threads(2, 3, h4, c2, &nb);
  cr_assert(memcmp(h3, h4, sizeof h3) == 0, "batch 3: 1 and 2 threads differ");
  for (int i = 0; i < 35; ++i)
    cr_assert(fabs(h3[i] - h1[i]) < TOL_SAME_PHYSICS * h1[i], "batch vs single %g %g", h3[i],
              h1[i]);
}

/* Three frozen-phonon-like configurations (displaced lattices). */
typedef struct configs {
  sf_slice_atom atoms[3][64];
  size_t n[3];
  int calls;
} configs;

static int give(void *user, size_t index, const sf_slice_atom **atoms, size_t *n) {
  configs *c = user;
  c->calls++;
  if (index > 2)
    return sf_error_set(SF_ERANGE, "no configuration %zu", index);
  *atoms = c->atoms[index];
  *n = c->n[index];
  return SF_OK;
}

static void fill_configs(configs *c) {
  const double shifts[3] = {0.0, 0.03, -0.05};
  for (int k = 0; k < 3; ++k)
    c->n[k] = sto_atoms(2, NSLICES, shifts[k], c->atoms[k]);
  c->calls = 0;
}

Test(phonons, mean_and_standard_error_of_configurations) {
  sf_stem_params p;
  base_params(&p, NSLICES);
  p.threads = 2;
  configs c;
  fill_configs(&c);
  sf_scan *scan = scan_3x3();
  sf_stem_result *avg = NULL;
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 3, scan, &avg), SF_OK, "%s",
               sf_error_message());
  cr_assert_eq(c.calls, 3);
  cr_assert_eq(sf_stem_result_configurations(avg), 3);
  double single[3][9];
  for (int k = 0; k < 3; ++k) {
    configs one = c;
    memcpy(one.atoms[0], c.atoms[k], sizeof c.atoms[k]);
    one.n[0] = c.n[k];
    sf_stem_result *r = NULL;
    cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &one, 1, scan, &r), SF_OK);
    get(r, 0, "HAADF", single[k]);
    sf_stem_result_destroy(r);
  }
  double mean[9], se[9];
  cr_assert_eq(sf_stem_result_get(avg, 0, "HAADF", mean, se), SF_OK);
  double max_se = 0.0;
  for (int i = 0; i < 9; ++i) {
    const double m = (single[0][i] + single[1][i] + single[2][i]) / 3.0;
    double v = 0.0;
    for (int k = 0; k < 3; ++k)
      v += pow(single[k][i] - m, 2) / 2.0;
    cr_assert(fabs(mean[i] - m) < TOL_DOUBLE * m, "mean %g vs %g", mean[i], m);
    cr_assert(fabs(se[i] - sqrt(v / 3.0)) < 1e-9 * sqrt(v / 3.0) + 1e-18, "SE %g vs %g", se[i],
              sqrt(v / 3.0));
    max_se = fmax(max_se, se[i] / m);
  }
  cr_assert(max_se > 1e-3, "displaced lattices must differ (relative SE %g)", max_se);
  sf_stem_result_destroy(avg);
  sf_scan_destroy(scan);
}

Test(coherence, focal_spread_is_the_weighted_average_over_defocus) {
  sf_stem_params p;
  base_params(&p, 2);
  p.probe.focal_spread_A = 40.0;
  p.probe.focal_nodes = 5;
  sf_aberrations_set_defocus(&p.probe.aberrations, 20.0);
  configs c;
  fill_configs(&c);
  c.n[0] = sto_atoms(2, 2, 0.0, c.atoms[0]);
  sf_scan *scan = scan_3x3();
  sf_stem_result *r = NULL;
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, scan, &r), SF_OK, "%s",
               sf_error_message());
  double spread[9], want[9] = {0};
  get(r, 0, "HAADF", spread);
  sf_stem_result_destroy(r);
  double df[5], w[5];
  cr_assert_eq(sf_probe_focal_nodes(40.0, 5, df, w), SF_OK);
  for (int k = 0; k < 5; ++k) {
    sf_stem_params q = p;
    q.probe.focal_spread_A = 0.0;
    sf_aberrations_set_defocus(&q.probe.aberrations, 20.0 + df[k]);
    cr_assert_eq(sf_stem_simulate(&q, NULL, 0.0, give, &c, 1, scan, &r), SF_OK);
    double v[9];
    get(r, 0, "HAADF", v);
    for (int i = 0; i < 9; ++i)
      want[i] += w[k] * v[i];
    sf_stem_result_destroy(r);
  }
  for (int i = 0; i < 9; ++i)
    cr_assert(fabs(spread[i] - want[i]) < TOL_SAME_PHYSICS * want[i], "%g vs %g", spread[i],
              want[i]);
  sf_scan_destroy(scan);
}

Test(coherence, source_size_blurs_the_images) {
  sf_stem_params p;
  base_params(&p, 2);
  configs c;
  fill_configs(&c);
  c.n[0] = sto_atoms(2, 2, 0.0, c.atoms[0]);
  /* one unit cell in 10 x 10 steps: a whole period, blurred periodically */
  sf_scan *scan = NULL;
  cr_assert_eq(sf_scan_grid_create(0.0, 0.0, STO_A / 10, STO_A / 10, 10, 10, &scan), SF_OK);
  sf_stem_result *sharp = NULL, *blurred = NULL;
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, scan, &sharp), SF_OK);
  p.probe.source_sigma_A = 0.3;
  p.source_periodic = 1;
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, scan, &blurred), SF_OK);
  double a[100], b[100];
  get(sharp, 0, "HAADF", a);
  get(blurred, 0, "HAADF", b);
  cr_assert_eq(sf_probe_source_blur(a, 10, 10, STO_A / 10, STO_A / 10, 0.3, 1), SF_OK);
  double sa = 0.0, sb = 0.0;
  for (int i = 0; i < 100; ++i) {
    cr_assert(fabs(a[i] - b[i]) < TOL_DOUBLE * 10 * fabs(a[i]) + 1e-18, "%g vs %g", a[i], b[i]);
    sa += a[i];
    sb += b[i];
  }
  cr_assert(fabs(sa - sb) < TOL_DOUBLE * sa);
  sf_stem_result_destroy(sharp);
  sf_stem_result_destroy(blurred);
  sf_scan_destroy(scan);
}

Test(bad_config, refused_before_any_work) {
  configs c;
  fill_configs(&c);
  sf_scan *scan = scan_3x3();
  sf_stem_result *r = NULL;
  sf_stem_params p;

  /* a detector beyond the band limit (alpha_max 67.2 mrad) */
  base_params(&p, NSLICES);
  DETS[0].outer_mrad = 90.0;
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, scan, &r), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "'HAADF' reaches 90 mrad") &&
                strstr(sf_error_message(), "alpha_max = 67.2"),
            "%s", sf_error_message());

  /* a scan outside the cell (7.81 A) */
  base_params(&p, NSLICES);
  sf_scan *far = NULL;
  cr_assert_eq(sf_scan_grid_create(7.0, 0.0, 0.5, 0.5, 3, 1, &far), SF_OK);
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, far, &r), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "position 2 = (8, 0)") &&
                strstr(sf_error_message(), "outside the cell [0, 7.81]"),
            "%s", sf_error_message());
  sf_scan_destroy(far);

  /* too coarse a sampling for the aperture: 30 mrad > alpha_max */
  base_params(&p, NSLICES);
  p.probe.semiangle_mrad = 70.0;
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, scan, &r), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "sampling too coarse for the aperture"), "%s",
            sf_error_message());

  /* an impossible memory need */
  base_params(&p, NSLICES);
  p.memory_limit_bytes = 4096.0;
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, scan, &r), SF_ENOMEM);
  cr_assert(strstr(sf_error_message(), "needs about") &&
                strstr(sf_error_message(), "memory limit is 4.00 KiB"),
            "%s", sf_error_message());

  /* a source size with a list of positions */
  base_params(&p, NSLICES);
  p.probe.source_sigma_A = 0.2;
  const double xy[1] = {1.0};
  sf_scan *list = NULL;
  cr_assert_eq(sf_scan_list_create(xy, xy, 1, &list), SF_OK);
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, list, &r), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "needs a grid scan"), "%s", sf_error_message());
  sf_scan_destroy(list);

  /* depths outside the specimen */
  base_params(&p, NSLICES);
  const size_t bad[2] = {2, 5};
  p.depth_slices = bad;
  p.n_depths = 2;
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, scan, &r), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "depth 1 = 5 slices"), "%s", sf_error_message());

  cr_assert_eq(c.calls, 0, "no configuration was requested");
  cr_assert_null(r);

  /* an atom outside the slices is reported with its configuration */
  base_params(&p, 2);
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, scan, &r), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "configuration 0"), "%s", sf_error_message());
  sf_scan_destroy(scan);
}

Test(attrs, parameters_are_recorded) {
  sf_stem_params p;
  base_params(&p, NSLICES);
  sf_aberrations_set_defocus(&p.probe.aberrations, 50.0);
  sf_aberrations_set(&p.probe.aberrations, "Cs", 1.2e7, 0.0); /* 1.2 mm */
  sf_aberrations_set(&p.probe.aberrations, "C12", 20.0, 0.5);
  sf_attrs a = {0};
  cr_assert_eq(sf_stem_attrs(&p, &a, "microscope"), SF_OK, "%s", sf_error_message());
  double v = 0.0;
  cr_assert_eq(sf_attrs_get_double(&a, "microscope", "alpha_max_mrad", &v), SF_OK);
  cr_assert_float_eq(v, 0.019687 / (3.0 * STO_A / 40.0) * 1e3, 0.01); /* lambda / (3 h) */
  cr_assert_eq(sf_attrs_get_double(&a, "microscope", "defocus_A", &v), SF_OK);
  cr_assert_float_eq(v, 50.0, 0.0);
  cr_assert_eq(sf_attrs_get_double(&a, "microscope", "C10_A", &v), SF_OK);
  cr_assert_float_eq(v, -50.0, 0.0);
  cr_assert_eq(sf_attrs_get_double(&a, "microscope", "C30_mm", &v), SF_OK);
  cr_assert_float_eq(v, 1.2, 1e-12);
  cr_assert_eq(sf_attrs_get_double(&a, "microscope", "phi12_rad", &v), SF_OK);
  cr_assert_float_eq(v, 0.5, 0.0);
  cr_assert_str_eq(sf_attrs_get_string(&a, "microscope", "algorithm"), "multislice");
  cr_assert(strstr(sf_attrs_get_string(&a, "microscope", "defocus_convention"), "underfocus"));
  sf_attrs_clear(&a);
}
