/* Detectors: radial bins and their edges, sum over bins + band-limit loss =
   incident intensity, annular detectors formed from the cube equal the
   direct ones, segments add up to their annulus, the centre of mass of a
   tilted exit wave, refusal of detectors beyond the band limit, mean and
   standard error over configurations, and export to an image set. */
#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "potentials/sf_projpot.h"
#include "sim/sf_detector.h"
#include "sim/sf_multislice.h"

#include <criterion/criterion.h>
#include <fftw3.h>
#include <math.h>
#include <string.h>

/* bins + loss = 1: single-precision waves, double sums */
#define TOL_UNIT_SUM 1e-5
/* the same intensities summed in another order (double) */
#define TOL_SAME_SUM 1e-12
/* centre of mass of a shifted disc (mrad): rounding of the float wave */
#define TOL_COM_mrad 1e-4

#define STO_A 3.905

static size_t sto_atoms(int cells, int layers, sf_slice_atom *atoms) {
  size_t k = 0;
  for (int l = 0; l < layers; ++l)
    for (int i = 0; i < cells; ++i)
      for (int j = 0; j < cells; ++j) {
        const double x = i * STO_A, y = j * STO_A, z = l * 0.5 * STO_A;
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

static void base_params(sf_stem_params *p, size_t n, double h, double dz, size_t n_slices) {
  sf_stem_params_default(p);
  p->nx = p->ny = n;
  p->sampling_A = h;
  p->slice_thickness_A = dz;
  p->n_slices = n_slices;
  p->threads = 1;
  p->fft_measure = 0;
  p->progress = 0;
}

Test(bins, edges_count_and_last_bin) {
  sf_detector_params p;
  sf_detector_params_default(&p);
  cr_assert_float_eq(p.bin_width_mrad, 1.0, 0.0);
  cr_assert_eq(sf_detector_bin_count(&p, 201.7), 202);
  cr_assert_eq(sf_detector_bin_count(&p, 200.0), 200);
  p.bin_width_mrad = 0.0;
  cr_assert_eq(sf_detector_bin_count(&p, 201.7), 0);
  /* Layout on a 64 x 64 grid, 1/L = 0.1 1/A, lambda 0.02 A: bin (mx, 0) has
     alpha = 2 mx mrad; k_max = 1.5 1/A (alpha_max 30 mrad, 30 bins). */
  sf_detector_params_default(&p);
  sf_detector_layout *L = NULL;
  cr_assert_eq(sf_detector_layout_create(&p, 64, 64, 0.1, 0.1, 0.02, 1.5, &L), SF_OK, "%s",
               sf_error_message());
  const sf_record_layout *r = sf_detector_layout_record(L);
  cr_assert_eq(r->n_bins, 30);
  fftwf_complex *psi = sf_alloc(64 * 64, sizeof *psi, "t");
  double rec[64];
  const size_t mx[4] = {0, 3, 7, 15}; /* 0, 6, 14, 30 mrad: the last on alpha_max */
  for (int k = 0; k < 4; ++k) {
    memset(psi, 0, 64 * 64 * sizeof *psi);
    memset(rec, 0, sizeof rec);
    psi[mx[k]][0] = 1.0f;
    sf_detector_layout_measure(L, psi, 1.0, 1.0, rec);
    const size_t want = k < 3 ? 2 * mx[k] : 29; /* closed last bin [29, 30] */
    for (size_t b = 0; b < r->n_bins; ++b)
      cr_assert_float_eq(rec[r->bins + b], b == want ? 1.0 : 0.0, 0.0, "bin %zu for mx %zu", b,
                         mx[k]);
    cr_assert_float_eq(rec[r->total], 1.0, 0.0);
  }
  /* (16, 0) is at 32 mrad, outside the band limit: measured nowhere */
  memset(psi, 0, 64 * 64 * sizeof *psi);
  memset(rec, 0, sizeof rec);
  psi[16][0] = 1.0f;
  sf_detector_layout_measure(L, psi, 1.0, 1.0, rec);
  cr_assert_float_eq(rec[r->total], 0.0, 0.0);
  sf_detector_layout_destroy(L);
  sf_free(psi);
}

Test(detectors, beyond_band_limit_is_refused) {
  sf_detector d[2];
  sf_detector_init(&d[0], "ADF", 30.0, 60.0, 0, 0.0);
  sf_detector_init(&d[1], "HAADF", 70.0, 250.0, 0, 0.0);
  sf_detector_params p;
  sf_detector_params_default(&p);
  p.detectors = d;
  p.n_detectors = 2;
  cr_assert_eq(sf_detector_check(&p, 201.7), SF_ERANGE);
  const char *m = sf_error_message();
  cr_assert(strstr(m, "'HAADF'") && strstr(m, "250 mrad") && strstr(m, "alpha_max = 201.7"),
            "%s", m);
  d[1].outer_mrad = 200.0;
  cr_assert_eq(sf_detector_check(&p, 201.7), SF_OK);
  d[1].inner_mrad = 200.0;
  cr_assert_eq(sf_detector_check(&p, 201.7), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "inner < outer"), "%s", sf_error_message());
  sf_detector_init(&d[1], "ADF", 70.0, 200.0, 0, 0.0);
  cr_assert_eq(sf_detector_check(&p, 201.7), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "used twice"));
  sf_detector_init(&d[1], "band_limit_loss", 70.0, 200.0, 0, 0.0);
  cr_assert_eq(sf_detector_check(&p, 201.7), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "reserved"));
  sf_detector_init(&d[1], "bad name", 70.0, 200.0, 0, 0.0);
  cr_assert_eq(sf_detector_check(&p, 201.7), SF_EINVAL);
}

/* SrTiO3 [001], 2 x 2 cells, 4 slices at a/40 (alpha_max 67.2 mrad), a few
   probes: the full chain with several detectors. */
typedef struct sto_run {
  sf_multislice *ms;
  sf_stem_result *res;
  sf_scan *scan;
  sf_specimen *spec;
} sto_run;

static sto_run run_sto(const sf_detector *dets, size_t n_dets, int com, double tilt_phase_g) {
  const size_t n = 80, ns = 4;
  const double h = STO_A / 40.0, dz = 0.5 * STO_A;
  sf_stem_params p;
  base_params(&p, n, h, dz, ns);
  p.detectors.detectors = dets;
  p.detectors.n_detectors = n_dets;
  p.detectors.com = com;
  sto_run r = {0};
  cr_assert_eq(sf_multislice_create(&p, &r.ms), SF_OK, "%s", sf_error_message());
  sf_specimen *spec = NULL;
  cr_assert_eq(sf_specimen_create(sf_multislice_grid(r.ms), ns, dz, &spec), SF_OK);
  if (tilt_phase_g == 0.0) {
    sf_projpot *pp = NULL;
    cr_assert_eq(sf_projpot_create(n, n, h, NULL, &pp), SF_OK);
    sf_slice_atom atoms[64];
    const size_t na = sto_atoms(2, 4, atoms);
    cr_assert_eq(sf_specimen_build(spec, pp, atoms, na, 0.0), SF_OK);
    sf_projpot_destroy(pp);
  } else {
    /* first slice t = exp(2 pi i g x) with g = tilt_phase_g bins of 1/L */
    fftwf_complex *t = sf_specimen_transmission(spec, 0);
    for (size_t iy = 0; iy < n; ++iy)
      for (size_t ix = 0; ix < n; ++ix) {
        const double a = SF_TWO_PI * tilt_phase_g * (double)ix / (double)n;
        t[iy * n + ix][0] = (float)cos(a);
        t[iy * n + ix][1] = (float)sin(a);
      }
  }
  const double x[5] = {0.0, 1.9525, 0.9, 3.3, 7.0}, y[5] = {0.0, 1.9525, 0.4, 2.2, 6.5};
  cr_assert_eq(sf_scan_list_create(x, y, 5, &r.scan), SF_OK);
  cr_assert_eq(sf_multislice_result_create(r.ms, r.scan, &r.res), SF_OK);
  cr_assert_eq(sf_multislice_run(r.ms, spec, r.scan, r.res, NULL), SF_OK, "%s",
               sf_error_message());
  r.spec = spec;
  return r;
}

static void free_run(sto_run *r) {
  sf_specimen_destroy(r->spec);
  sf_stem_result_destroy(r->res);
  sf_scan_destroy(r->scan);
  sf_multislice_destroy(r->ms);
}

Test(detectors, bins_plus_loss_is_one_and_cube_equals_direct) {
  sf_detector d[4];
  sf_detector_init(&d[0], "HAADF", 40.0, 65.0, 0, 0.0);
  sf_detector_init(&d[1], "BF", 0.0, 20.0, 0, 0.0);
  sf_detector_init(&d[2], "ABF", 10.0, 20.0, 0, 0.0);
  sf_detector_init(&d[3], "DF4", 22.0, 50.0, 4, 0.3);
  sto_run r = run_sto(d, 4, 0, 0.0);
  const size_t nb = sf_stem_result_record_layout(r.res)->n_bins;
  cr_assert_eq(nb, 68); /* alpha_max = 67.2 mrad */
  double cube[5 * 68], loss[5], haadf[5], bf[5], abf[5], seg[4][5], se[5];
  cr_assert_eq(sf_stem_result_bins(r.res, 0, cube), SF_OK);
  cr_assert_eq(sf_stem_result_get(r.res, 0, "band_limit_loss", loss, se), SF_OK);
  cr_assert_eq(sf_stem_result_get(r.res, 0, "HAADF", haadf, NULL), SF_OK);
  cr_assert_eq(sf_stem_result_get(r.res, 0, "BF", bf, NULL), SF_OK);
  cr_assert_eq(sf_stem_result_get(r.res, 0, "ABF", abf, NULL), SF_OK);
  for (int s = 0; s < 4; ++s) {
    char name[16];
    snprintf(name, sizeof name, "DF4_s%d", s);
    cr_assert_eq(sf_stem_result_get(r.res, 0, name, seg[s], NULL), SF_OK, "%s", name);
  }
  cr_assert_eq(sf_stem_result_get(r.res, 0, "DF4", seg[0], NULL), SF_ENOENT);
  double worst = 0.0;
  for (int i = 0; i < 5; ++i) {
    double sum = 0.0, h = 0.0, b = 0.0, a = 0.0, df = 0.0;
    for (size_t k = 0; k < nb; ++k) {
      const double v = cube[i * nb + k];
      sum += v;
      h += (k >= 40 && k < 65) ? v : 0.0;
      b += k < 20 ? v : 0.0;
      a += (k >= 10 && k < 20) ? v : 0.0;
      df += (k >= 22 && k < 50) ? v : 0.0;
    }
    /* independently: the norm of the exit wave of the same probe */
    const size_t N = 80 * 80;
    fftwf_complex *psi = sf_alloc(N, sizeof *psi, "t");
    cr_assert_eq(sf_probe_wave(&sf_multislice_params(r.ms)->probe, sf_multislice_grid(r.ms),
                               r.scan->x_A[i], r.scan->y_A[i], psi),
                 SF_OK);
    cr_assert_eq(sf_multislice_propagate(r.ms, r.spec, psi, NULL, NULL), SF_OK);
    double exit_norm = 0.0;
    for (size_t k = 0; k < N; ++k)
      exit_norm += (double)psi[k][0] * psi[k][0] + (double)psi[k][1] * psi[k][1];
    sf_free(psi);
    worst = fmax(worst, fabs(sum + (1.0 - exit_norm) - 1.0));
    cr_assert(fabs(sum - exit_norm) < TOL_UNIT_SUM, "probe %d: bins %.8f, exit norm %.8f", i,
              sum, exit_norm);
    cr_assert(fabs(loss[i] - (1.0 - exit_norm)) < TOL_UNIT_SUM, "probe %d: loss %.8f vs %.8f", i,
              loss[i], 1.0 - exit_norm);
    cr_assert(loss[i] > 1e-6, "the band limit removes some intensity in SrTiO3 (%g)", loss[i]);
    cr_assert_float_eq(se[i], 0.0, 0.0); /* one configuration */
    cr_assert(fabs(h - haadf[i]) < TOL_SAME_SUM * haadf[i], "HAADF %g vs cube %g", haadf[i], h);
    cr_assert(fabs(b - bf[i]) < TOL_SAME_SUM * bf[i]);
    cr_assert(fabs(a - abf[i]) < TOL_SAME_SUM * abf[i]);
    const double segs = seg[0][i] + seg[1][i] + seg[2][i] + seg[3][i];
    cr_assert(fabs(segs - df) < TOL_SAME_SUM * df, "segments %g vs annulus %g", segs, df);
  }
  cr_log_info("bins + (1 - exit norm) - 1: max %.3g over 5 probes; loss %.3g at the Sr column",
              worst,
              loss[0]);
  /* on the Sr column the four segments see the same intensity (four-fold symmetry about
     the column, segments rotated by 0.3 rad all alike) */
  for (int s = 1; s < 4; ++s)
    cr_assert(fabs(seg[s][0] - seg[0][0]) < 1e-5 * seg[0][0], "segment %d: %g vs %g", s,
              seg[s][0], seg[0][0]);
  free_run(&r);
}

Test(detectors, centre_of_mass_of_a_tilted_wave) {
  /* t = exp(2 pi i g x) shifts the whole diffraction disc by g = 5 / L:
     COM_x = 1000 lambda g mrad, COM_y = 0. */
  sf_detector d[1];
  sf_detector_init(&d[0], "BF", 0.0, 20.0, 0, 0.0);
  sto_run r = run_sto(d, 1, 1, 5.0);
  const sf_wavegrid *g = sf_multislice_grid(r.ms);
  const double want = 1000.0 * g->lambda_A * 5.0 / g->cell_x_A;
  double cx[5], cy[5], loss[5];
  cr_assert_eq(sf_stem_result_get(r.res, 0, "COM_x", cx, NULL), SF_OK);
  cr_assert_eq(sf_stem_result_get(r.res, 0, "COM_y", cy, NULL), SF_OK);
  cr_assert_eq(sf_stem_result_get(r.res, 0, "band_limit_loss", loss, NULL), SF_OK);
  for (int i = 0; i < 5; ++i) {
    cr_assert(fabs(cx[i] - want) < TOL_COM_mrad, "COM_x %g, expected %g mrad", cx[i], want);
    cr_assert(fabs(cy[i]) < TOL_COM_mrad, "COM_y %g", cy[i]);
    cr_assert(fabs(loss[i]) < TOL_UNIT_SUM, "shifted disc stays inside the band limit");
  }
  free_run(&r);
}

Test(result, mean_and_standard_error_over_configurations) {
  sf_detector d[1];
  sf_detector_init(&d[0], "HAADF", 40.0, 60.0, 0, 0.0);
  sf_detector_params p;
  sf_detector_params_default(&p);
  p.detectors = d;
  p.n_detectors = 1;
  sf_wavegrid g;
  cr_assert_eq(sf_wavegrid_init(&g, 64, 64, 0.1, 300.0, 2.0 / 3.0), SF_OK);
  sf_scan *scan = NULL;
  cr_assert_eq(sf_scan_grid_create(0, 0, 0.5, 0.5, 2, 1, &scan), SF_OK);
  const double depth = 10.0;
  sf_stem_result *res = NULL;
  cr_assert_eq(sf_stem_result_create(&p, &g, scan, &depth, 1, &res), SF_OK);
  const sf_record_layout *L = sf_stem_result_record_layout(res);
  cr_assert_eq(sf_stem_result_get(res, 0, "HAADF", (double[2]){0}, NULL), SF_EINVAL);
  const double vals[3] = {1.0, 2.0, 4.0};
  for (int c = 0; c < 3; ++c) {
    double *rec = sf_stem_result_records(res);
    rec[L->channels] = vals[c];
    rec[L->size + L->channels] = 5.0;
    rec[L->total] = rec[L->size + L->total] = 1.0;
    rec[L->bins + 3] = vals[c];
    cr_assert_eq(sf_stem_result_commit(res, 0.0, 0), SF_OK);
  }
  cr_assert_eq(sf_stem_result_configurations(res), 3);
  double mean[2], se[2];
  cr_assert_eq(sf_stem_result_get(res, 0, "HAADF", mean, se), SF_OK);
  /* mean 7/3, sample variance 7/3, SE = sqrt(7/3 / 3) */
  cr_assert_float_eq(mean[0], 7.0 / 3.0, 1e-14);
  cr_assert_float_eq(se[0], sqrt(7.0 / 9.0), 1e-14);
  cr_assert_float_eq(mean[1], 5.0, 1e-14);
  cr_assert_float_eq(se[1], 0.0, 0.0);
  double cube[2 * 80]; /* alpha_max 65.6 mrad: 66 bins per position */
  cr_assert_eq(sf_stem_result_record_layout(res)->n_bins, 66);
  cr_assert_eq(sf_stem_result_bins(res, 0, cube), SF_OK);
  cr_assert_float_eq(cube[3], 7.0 / 3.0, 1e-14);
  cr_assert_eq(sf_stem_result_get(res, 0, "nothing", mean, se), SF_ENOENT);
  cr_assert(strstr(sf_error_message(), "'nothing'"));

  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_stem_result_to_imageset(res, set), SF_OK, "%s", sf_error_message());
  /* names <subject>_<kind>: none is a prefix of another (HyperSpy 1.7.3) */
  sf_map *m = sf_imageset_find(set, "HAADF_mean");
  cr_assert(m && sf_imageset_find(set, "HAADF_stderr") &&
            sf_imageset_find(set, "band_limit_loss_mean"));
  cr_assert_null(sf_imageset_find(set, "HAADF"));
  cr_assert_eq(sf_imageset_check_names(set), SF_OK, "%s", sf_error_message());
  cr_assert_float_eq(sf_map_get(m, 0, 0, 0), 7.0 / 3.0, 1e-14);
  cr_assert_str_eq(m->axis[0].units, "Å");
  cr_assert_float_eq(m->axis[0].step, 0.5, 0.0);
  double v = 0.0;
  cr_assert_eq(sf_attrs_get_double(&m->attrs, "", "alpha_max_mrad", &v), SF_OK);
  cr_assert_float_eq(v, g.alpha_max_mrad, 1e-12);
  cr_assert_eq(sf_attrs_get_double(&m->attrs, "", "outer_mrad", &v), SF_OK);
  cr_assert_float_eq(v, 60.0, 0.0);
  sf_map *cubem = sf_imageset_find(set, "ADF_radial_bins");
  cr_assert(cubem);
  cr_assert_eq(cubem->nz, sf_detector_bin_count(&p, g.alpha_max_mrad));
  cr_assert_eq(cubem->dtype, SF_F32);
  cr_assert_float_eq(cubem->axis[2].origin, 0.5, 0.0);
  cr_assert_str_eq(cubem->axis[2].units, "mrad");
  cr_assert_float_eq(sf_map_get(cubem, 0, 0, 3), 7.0 / 3.0, 1e-6);
  sf_imageset_destroy(set);
  sf_stem_result_destroy(res);
  sf_scan_destroy(scan);
}
