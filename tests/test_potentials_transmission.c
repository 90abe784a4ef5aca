/* Transmission function t = exp(i sigma v_z) of a slice and its band limit
   (2/3 of Nyquist by default): phase, unit modulus, zeroed Fourier
   components beyond the limit, untouched ones inside, and bad input. */
#include "core/sf_alloc.h"
#include "core/sf_attrs.h"
#include "core/sf_constants.h"
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "potentials/sf_interaction.h"
#include "potentials/sf_projpot.h"

#include <criterion/criterion.h>
#include <fftw3.h>
#include <math.h>
#include <string.h>

/* single-precision wave arithmetic: relative rounding of a few 1e-7 */
#define TOL_FLOAT 2e-6
/* Fourier components beyond the limit, relative to the zero-frequency one
   (rounding of the single-precision inverse and forward transforms) */
#define TOL_OUTSIDE_BAND 1e-6

#define N 96
#define H 0.05

static size_t tio2_layer(sf_slice_atom *atoms) {
  /* A TiO2-like layer (Ti at the centre, O at the edge midpoints) of 2 x 2
     square cells of 2.4 A, which tile the 96 x 0.05 A grid. */
  size_t n = 0;
  for (int cx = 0; cx < 2; ++cx)
    for (int cy = 0; cy < 2; ++cy) {
      atoms[n++] = (sf_slice_atom){22, (cx + 0.5) * 2.4, (cy + 0.5) * 2.4, 1.95};
      atoms[n++] = (sf_slice_atom){8, (cx + 0.5) * 2.4, cy * 2.4, 1.95};
      atoms[n++] = (sf_slice_atom){8, cx * 2.4, (cy + 0.5) * 2.4, 1.95};
    }
  return n;
}

static sf_projpot *make(double band_limit) {
  sf_projpot_options o;
  sf_projpot_options_default(&o);
  o.band_limit = band_limit;
  sf_projpot *pp = NULL;
  cr_assert_eq(sf_projpot_create(N, N, H, &o, &pp), SF_OK, "%s", sf_error_message());
  return pp;
}

Test(transmission, phase_is_sigma_times_vz_without_band_limit) {
  sf_slice_atom atoms[12];
  const size_t n = tio2_layer(atoms);
  sf_projpot *pp = make(0.0);
  double *vz = sf_alloc(N * N, sizeof *vz, "test");
  fftwf_complex *t = fftwf_alloc_complex(N * N);
  cr_assert_eq(sf_projpot_slice(pp, atoms, n, 300.0, vz, t), SF_OK);
  double sigma = 0;
  sf_interaction_sigma(300.0, &sigma);
  double max_phase = 0.0;
  for (size_t i = 0; i < N * N; ++i) {
    const double mod = hypot(t[i][0], t[i][1]);
    cr_assert(fabs(mod - 1.0) < TOL_FLOAT, "pixel %zu |t| = %.8f", i, mod);
    const double expected = remainder(sigma * vz[i], SF_TWO_PI);
    const double phase = atan2(t[i][1], t[i][0]);
    cr_assert(fabs(remainder(phase - expected, SF_TWO_PI)) < TOL_FLOAT, "pixel %zu", i);
    max_phase = fmax(max_phase, sigma * vz[i]);
  }
  /* a Ti column of one slice shifts the phase by about a radian at 300 keV */
  cr_assert(max_phase > 0.5 && max_phase < 3.0, "max phase %g", max_phase);
  sf_projpot_destroy(pp);
  sf_free(vz);
  fftwf_free(t);
}

Test(transmission, band_limit_zeroes_high_frequencies_only) {
  sf_slice_atom atoms[12];
  const size_t n = tio2_layer(atoms);
  sf_projpot *limited = make(SF_PROJPOT_BAND_LIMIT_DEFAULT), *full = make(0.0);
  cr_assert(fabs(sf_projpot_band_limit_invA(limited) - 1.0 / (3.0 * H)) < 1e-12,
            "2/3 of Nyquist = 1/(3 h)");
  cr_assert(isinf(sf_projpot_band_limit_invA(full)));
  double *vz = sf_alloc(N * N, sizeof *vz, "test");
  fftwf_complex *t = fftwf_alloc_complex(N * N), *t0 = fftwf_alloc_complex(N * N);
  cr_assert_eq(sf_projpot_vz(limited, atoms, n, vz), SF_OK);
  cr_assert_eq(sf_projpot_transmission(limited, vz, 200.0, t), SF_OK);
  cr_assert_eq(sf_projpot_transmission(full, vz, 200.0, t0), SF_OK);
  fftwf_plan p = fftwf_plan_dft_2d(N, N, t, t, FFTW_FORWARD, FFTW_ESTIMATE);
  fftwf_plan p0 = fftwf_plan_dft_2d(N, N, t0, t0, FFTW_FORWARD, FFTW_ESTIMATE);
  fftwf_execute(p);
  fftwf_execute(p0);
  const double kmax = 1.0 / (3.0 * H);
  const double dc = hypot(t0[0][0], t0[0][1]);
  size_t kept = 0;
  double power_kept = 0.0, power_all = 0.0;
  for (size_t iy = 0; iy < N; ++iy)
    for (size_t ix = 0; ix < N; ++ix) {
      const double kx = (ix < N / 2 ? (double)ix : (double)ix - N) / (N * H);
      const double ky = (iy < N / 2 ? (double)iy : (double)iy - N) / (N * H);
      const size_t i = iy * N + ix;
      const double a = hypot(t[i][0], t[i][1]), a0 = hypot(t0[i][0], t0[i][1]);
      power_all += a0 * a0;
      if (kx * kx + ky * ky > kmax * kmax) {
        cr_assert(a < TOL_OUTSIDE_BAND * dc, "k = (%g, %g): |T| = %g", kx, ky, a);
      } else {
        ++kept;
        power_kept += a * a;
        cr_assert(hypot(t[i][0] - t0[i][0], t[i][1] - t0[i][1]) < 10 * TOL_FLOAT * dc,
                  "k = (%g, %g) changed", kx, ky);
      }
    }
  /* the disc of radius 1/(3h) holds pi/9 of the (1/h)^2 square */
  cr_assert(fabs((double)kept / (N * N) - SF_PI / 9.0) < 0.01, "kept %zu", kept);
  /* Parseval: the band limit can only remove intensity */
  cr_assert(power_kept < power_all && power_kept > 0.9 * power_all, "kept %.4f of the power",
            power_kept / power_all);
  fftwf_destroy_plan(p);
  fftwf_destroy_plan(p0);
  sf_projpot_destroy(limited);
  sf_projpot_destroy(full);
  sf_free(vz);
  fftwf_free(t);
  fftwf_free(t0);
}

Test(transmission, slice_equals_vz_then_transmission) {
  sf_slice_atom atoms[12];
  const size_t n = tio2_layer(atoms);
  sf_projpot *pp = make(SF_PROJPOT_BAND_LIMIT_DEFAULT);
  double *vz = sf_alloc(N * N, sizeof *vz, "test");
  fftwf_complex *a = fftwf_alloc_complex(N * N), *b = fftwf_alloc_complex(N * N);
  cr_assert_eq(sf_projpot_slice(pp, atoms, n, 300.0, NULL, a), SF_OK);
  cr_assert_eq(sf_projpot_vz(pp, atoms, n, vz), SF_OK);
  cr_assert_eq(sf_projpot_transmission(pp, vz, 300.0, b), SF_OK);
  cr_assert_eq(memcmp(a, b, N * N * sizeof *a), 0);
  sf_projpot_destroy(pp);
  sf_free(vz);
  fftwf_free(a);
  fftwf_free(b);
}

Test(transmission, empty_slice_is_transparent) {
  sf_projpot *pp = make(SF_PROJPOT_BAND_LIMIT_DEFAULT);
  fftwf_complex *t = fftwf_alloc_complex(N * N);
  cr_assert_eq(sf_projpot_slice(pp, NULL, 0, 100.0, NULL, t), SF_OK);
  for (size_t i = 0; i < N * N; ++i)
    cr_assert(fabs(t[i][0] - 1.0f) < TOL_FLOAT && fabs(t[i][1]) < TOL_FLOAT);
  sf_projpot_destroy(pp);
  fftwf_free(t);
}

Test(transmission, bad_energy_is_rejected) {
  sf_projpot *pp = make(SF_PROJPOT_BAND_LIMIT_DEFAULT);
  double *vz = sf_alloc(N * N, sizeof *vz, "test");
  fftwf_complex *t = fftwf_alloc_complex(N * N);
  cr_assert_eq(sf_projpot_transmission(pp, vz, 0.0, t), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "energy_keV = 0"), "%s", sf_error_message());
  cr_assert_eq(sf_projpot_slice(pp, NULL, 0, -300.0, vz, t), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "energy_keV = -300"), "%s", sf_error_message());
  cr_assert_eq(sf_projpot_transmission(pp, NULL, 300.0, t), SF_EINVAL);
  cr_assert_eq(sf_projpot_transmission(NULL, vz, 300.0, t), SF_EINVAL);
  sf_projpot_destroy(pp);
  sf_free(vz);
  fftwf_free(t);
}

Test(transmission, provenance_attributes) {
  sf_projpot *pp = make(SF_PROJPOT_BAND_LIMIT_DEFAULT);
  sf_attrs attrs = {0};
  cr_assert_eq(sf_projpot_attrs(pp, &attrs, "simulation"), SF_OK);
  cr_assert_str_eq(sf_attrs_get_string(&attrs, "simulation", "potential_parameterization"),
                   "kirkland");
  cr_assert_str_eq(sf_attrs_get_string(&attrs, "simulation", "potential_doi"),
                   "10.1007/978-1-4419-6533-2");
  cr_assert_str_eq(sf_attrs_get_string(&attrs, "simulation", "potential_projection"), "infinite");
  double limit = 0;
  cr_assert_eq(sf_attrs_get_double(&attrs, "simulation", "band_limit_invA", &limit), SF_OK);
  cr_assert(fabs(limit - 1.0 / (3.0 * H)) < 1e-12);
  sf_attrs_clear(&attrs);
  sf_projpot_destroy(pp);
}

Test(transmission, projected_potential_as_an_image_set_map) {
  sf_slice_atom atoms[12];
  const size_t n = tio2_layer(atoms);
  sf_projpot *pp = make(SF_PROJPOT_BAND_LIMIT_DEFAULT);
  double *vz = sf_alloc(N * N, sizeof *vz, "test");
  cr_assert_eq(sf_projpot_vz(pp, atoms, n, vz), SF_OK);
  sf_imageset *set = sf_imageset_create();
  sf_map *m = NULL;
  cr_assert_eq(sf_projpot_add_map(pp, vz, set, "vz_slice_0", &m), SF_OK);
  cr_assert_eq(m->nx, N);
  cr_assert_eq(m->ny, N);
  cr_assert_eq(m->dtype, SF_F64);
  cr_assert_str_eq(m->units, "V·Å");
  cr_assert_str_eq(m->axis[0].units, "Å");
  cr_assert_eq(m->axis[0].step, H);
  cr_assert_eq(sf_map_get(m, 7, 11, 0), vz[11 * N + 7]);
  cr_assert_str_eq(sf_attrs_get_string(&m->attrs, "", "potential_doi"), "10.1007/978-1-4419-6533-2");
  cr_assert_eq(sf_projpot_add_map(pp, vz, set, "vz_slice_0", NULL), SF_EINVAL, "duplicate name");
  sf_imageset_destroy(set);
  sf_projpot_destroy(pp);
  sf_free(vz);
}
