/* Multislice physics: vacuum propagation conserves the norm (what the band
   limit removes is accounted for) and matches the analytic Fresnel result,
   propagators compose, a thin weak-phase object gives the kinematic
   diffraction intensities to first order, and images of SrTiO3 [001] scanned
   symmetrically have the mirror and four-fold symmetry of the structure. */
#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "potentials/sf_interaction.h"
#include "potentials/sf_projpot.h"
#include "sim/sf_multislice.h"

#include <complex.h>
#include <criterion/criterion.h>
#include <fftw3.h>
#include <math.h>
#include <string.h>

/* norm of a single-precision wave after 2 FFTs per slice, 20 slices */
#define TOL_NORM 1e-5
/* single-precision complex values of order 1 after 10 slices */
#define TOL_FRESNEL 2e-5
/* kinematic theory: the relative error of |Psi(g)|^2 is first order in the
   phase (phase_max = eps); it must be below 2 eps ... */
#define KIN_FIRST_ORDER 2.0
/* ... and halving eps must halve it (ratio 2 within 15 %) */
#define KIN_RATIO_TOL 0.15
/* symmetric images: probes at mirror positions see mirror potentials built
   with different rounding; relative to the image maximum */
#define TOL_SYMMETRY 2e-5

#define STO_A 3.905

static sf_wavegrid grid(size_t n, double h) {
  sf_wavegrid g;
  cr_assert_eq(sf_wavegrid_init(&g, n, n, h, 300.0, SF_BAND_LIMIT_DEFAULT), SF_OK, "%s",
               sf_error_message());
  return g;
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

/* Norm sum_r |psi|^2 = N sum_q |Psi(q)|^2 of the visited wave at each depth. */
typedef struct norm_visit {
  size_t N;
  double norm[32];
} norm_visit;

static void visit_norm(void *user, size_t d, fftwf_complex *psi_q) {
  norm_visit *v = user;
  double s = 0.0;
  for (size_t i = 0; i < v->N; ++i)
    s += (double)psi_q[i][0] * psi_q[i][0] + (double)psi_q[i][1] * psi_q[i][1];
  v->norm[d] = s * (double)v->N;
}

Test(vacuum, probe_norm_is_conserved) {
  const size_t n = 96, ns = 20;
  sf_stem_params p;
  base_params(&p, n, 0.1, 2.0, ns);
  size_t depths[ns];
  for (size_t d = 0; d < ns; ++d)
    depths[d] = d + 1;
  p.depth_slices = depths;
  p.n_depths = ns;
  sf_multislice *ms = NULL;
  cr_assert_eq(sf_multislice_create(&p, &ms), SF_OK, "%s", sf_error_message());
  sf_specimen *spec = NULL;
  cr_assert_eq(sf_specimen_create(sf_multislice_grid(ms), ns, 2.0, &spec), SF_OK);
  fftwf_complex *psi = sf_alloc(n * n, sizeof *psi, "test");
  cr_assert_eq(sf_probe_wave(&p.probe, sf_multislice_grid(ms), 4.8, 4.8, psi), SF_OK);
  norm_visit v = {.N = n * n};
  cr_assert_eq(sf_multislice_propagate(ms, spec, psi, visit_norm, &v), SF_OK);
  double worst = 0.0;
  for (size_t d = 0; d < ns; ++d) {
    worst = fmax(worst, fabs(v.norm[d] - 1.0));
    cr_assert(fabs(v.norm[d] - 1.0) < TOL_NORM, "depth %zu: norm %.9f", d, v.norm[d]);
  }
  cr_log_info("vacuum: max |norm - 1| over 20 slices %.3g", worst);
  sf_free(psi);
  sf_specimen_destroy(spec);
  sf_multislice_destroy(ms);
}

Test(vacuum, band_limit_loss_is_the_content_outside_the_disc) {
  /* A wave with content at all frequencies (random phases and amplitudes):
     one vacuum slice keeps exactly the part inside |q| <= k_max. */
  const size_t n = 64, N = n * n;
  sf_stem_params p;
  base_params(&p, n, 0.1, 2.0, 1);
  sf_multislice *ms = NULL;
  cr_assert_eq(sf_multislice_create(&p, &ms), SF_OK);
  const sf_wavegrid *g = sf_multislice_grid(ms);
  sf_specimen *spec = NULL;
  cr_assert_eq(sf_specimen_create(g, 1, 2.0, &spec), SF_OK);
  fftwf_complex *psi = sf_alloc(N, sizeof *psi, "test"), *ref = sf_alloc(N, sizeof *ref, "test");
  unsigned state = 12345u;
  double s = 0.0;
  for (size_t i = 0; i < N; ++i) {
    state = state * 1664525u + 1013904223u;
    const double a = (double)(state >> 8) / 16777216.0;
    state = state * 1664525u + 1013904223u;
    const double ph = SF_TWO_PI * (double)(state >> 8) / 16777216.0;
    psi[i][0] = (float)(a * cos(ph));
    psi[i][1] = (float)(a * sin(ph));
    s += a * a;
  }
  for (size_t i = 0; i < N; ++i) {
    psi[i][0] /= (float)sqrt(s);
    psi[i][1] /= (float)sqrt(s);
  }
  memcpy(ref, psi, N * sizeof *psi);
  fftwf_plan fw = fftwf_plan_dft_2d(n, n, ref, ref, FFTW_FORWARD, FFTW_ESTIMATE);
  fftwf_execute(fw);
  fftwf_destroy_plan(fw);
  double inside = 0.0, all = 0.0;
  for (size_t iy = 0; iy < n; ++iy)
    for (size_t ix = 0; ix < n; ++ix) {
      const double Iq = (double)ref[iy * n + ix][0] * ref[iy * n + ix][0] +
                       (double)ref[iy * n + ix][1] * ref[iy * n + ix][1];
      all += Iq;
      inside += sf_wavegrid_in_band(g, ix, iy) ? Iq : 0.0;
    }
  norm_visit v = {.N = N};
  cr_assert_eq(sf_multislice_propagate(ms, spec, psi, visit_norm, &v), SF_OK);
  cr_assert(inside / all < 0.4 && inside / all > 0.3, "kept fraction %g", inside / all);
  cr_assert(fabs(v.norm[0] - inside / all) < TOL_NORM, "norm %.8f, kept %.8f", v.norm[0],
            inside / all);
  sf_free(psi);
  sf_free(ref);
  sf_specimen_destroy(spec);
  sf_multislice_destroy(ms);
}

Test(vacuum, gaussian_beam_matches_fresnel) {
  /* psi0 = exp(-r^2 / 2 s^2) -> (s^2 / S^2) exp(-r^2 / 2 S^2) after z, with
     S^2 = s^2 + i lambda z / (2 pi) (P = exp(-i pi lambda z q^2)). */
  const size_t n = 128, ns = 10, N = n * n;
  const double h = 0.1, dz = 25.0, s = 1.0, c = 0.5 * n * h;
  sf_stem_params p;
  base_params(&p, n, h, dz, ns);
  sf_multislice *ms = NULL;
  cr_assert_eq(sf_multislice_create(&p, &ms), SF_OK);
  const sf_wavegrid *g = sf_multislice_grid(ms);
  sf_specimen *spec = NULL;
  cr_assert_eq(sf_specimen_create(g, ns, dz, &spec), SF_OK);
  fftwf_complex *psi = sf_alloc(N, sizeof *psi, "test");
  for (size_t iy = 0; iy < n; ++iy)
    for (size_t ix = 0; ix < n; ++ix) {
      const double r2 = pow(ix * h - c, 2) + pow(iy * h - c, 2);
      psi[iy * n + ix][0] = (float)exp(-r2 / (2 * s * s));
    }
  cr_assert_eq(sf_multislice_propagate(ms, spec, psi, NULL, NULL), SF_OK);
  const double z = ns * dz;
  const double complex S2 = s * s + I * g->lambda_A * z / SF_TWO_PI;
  double worst = 0.0;
  for (size_t iy = 0; iy < n; ++iy)
    for (size_t ix = 0; ix < n; ++ix) {
      const double r2 = pow(ix * h - c, 2) + pow(iy * h - c, 2);
      const double complex want = s * s / S2 * cexp(-r2 / (2.0 * S2));
      const double complex got = psi[iy * n + ix][0] + I * psi[iy * n + ix][1];
      worst = fmax(worst, cabs(got - want));
    }
  cr_log_info("Fresnel: max |psi - analytic| = %.3g", worst);
  cr_assert(worst < TOL_FRESNEL, "max |psi - Fresnel| = %.3g", worst);
  sf_free(psi);
  sf_specimen_destroy(spec);
  sf_multislice_destroy(ms);
}

Test(vacuum, propagators_compose) {
  const sf_wavegrid g = grid(48, 0.1);
  fftwf_complex *a = sf_alloc(48 * 48, sizeof *a, "t"), *b = sf_alloc(48 * 48, sizeof *b, "t"),
                *ab = sf_alloc(48 * 48, sizeof *ab, "t");
  cr_assert_eq(sf_propagator_fill(&g, 13.0, 2.0, -1.0, 1.0, a), SF_OK);
  cr_assert_eq(sf_propagator_fill(&g, 29.0, 2.0, -1.0, 1.0, b), SF_OK);
  cr_assert_eq(sf_propagator_fill(&g, 42.0, 2.0, -1.0, 1.0, ab), SF_OK);
  sf_wave_multiply(a, b, 48 * 48);
  for (size_t i = 0; i < 48 * 48; ++i)
    cr_assert(hypot(a[i][0] - ab[i][0], a[i][1] - ab[i][1]) < 1e-6, "bin %zu", i);
  /* zero outside the band-limit disc, unit modulus inside */
  for (size_t iy = 0; iy < 48; ++iy)
    for (size_t ix = 0; ix < 48; ++ix) {
      const double m = hypot(ab[iy * 48 + ix][0], ab[iy * 48 + ix][1]);
      cr_assert_float_eq(m, sf_wavegrid_in_band(&g, ix, iy) ? 1.0 : 0.0, 1e-6);
    }
  sf_free(a);
  sf_free(b);
  sf_free(ab);
}

typedef struct copy_visit {
  size_t N;
  fftwf_complex *out;
} copy_visit;

static void visit_copy(void *user, size_t d, fftwf_complex *psi_q) {
  (void)d;
  copy_visit *c = user;
  memcpy(c->out, psi_q, c->N * sizeof *psi_q);
}

/* One slice of a non-centrosymmetric Si-O-Ti layer (2 x 2 cells of 3.2 A):
   without a centre of symmetry the phases of v_g and (v^2)_g differ, so the
   second-order term changes |Psi(g)|^2 at first order in the phase (for a
   centrosymmetric layer the error would be of second order). */
static size_t si_layer(sf_slice_atom *atoms) {
  size_t k = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      atoms[k++] = (sf_slice_atom){14, i * 3.2, j * 3.2, 0.5};
      atoms[k++] = (sf_slice_atom){8, (i + 0.3) * 3.2, (j + 0.1) * 3.2, 0.5};
      atoms[k++] = (sf_slice_atom){22, (i + 0.6) * 3.2, (j + 0.55) * 3.2, 0.5};
    }
  return k;
}

/* Largest relative deviation of |Psi(g)|^2 from the kinematic (eps v_g)^2 over
   the 12 strongest beams g != 0, for a phase scaled to a maximum of eps. */
static double kinematic_error(double eps) {
  const size_t n = 64, N = n * n;
  const double h = 0.1, dz = 1.0;
  sf_stem_params p;
  base_params(&p, n, h, dz, 1);
  sf_multislice *ms = NULL;
  cr_assert_eq(sf_multislice_create(&p, &ms), SF_OK);
  const sf_wavegrid *g = sf_multislice_grid(ms);
  sf_projpot *pp = NULL;
  cr_assert_eq(sf_projpot_create(n, n, h, NULL, &pp), SF_OK);
  sf_slice_atom atoms[12];
  const size_t na = si_layer(atoms);
  double *vz = sf_alloc(N, sizeof *vz, "t");
  cr_assert_eq(sf_projpot_vz(pp, atoms, na, vz), SF_OK);
  double sigma = 0.0, vmax = 0.0;
  sf_interaction_sigma(300.0, &sigma);
  for (size_t i = 0; i < N; ++i)
    vmax = fmax(vmax, fabs(vz[i]));
  for (size_t i = 0; i < N; ++i) /* phase sigma vz = eps vz / vmax */
    vz[i] *= eps / (sigma * vmax);
  sf_specimen *spec = NULL;
  cr_assert_eq(sf_specimen_create(g, 1, dz, &spec), SF_OK);
  cr_assert_eq(sf_projpot_transmission(pp, vz, 300.0, sf_specimen_transmission(spec, 0)), SF_OK);
  /* kinematic amplitudes: i sigma v_g with v_g the normalised DFT of vz */
  fftw_complex *vq = fftw_alloc_complex(N);
  for (size_t i = 0; i < N; ++i) {
    vq[i][0] = sigma * vz[i] / (double)N;
    vq[i][1] = 0.0;
  }
  fftw_plan fp = fftw_plan_dft_2d(n, n, vq, vq, FFTW_FORWARD, FFTW_ESTIMATE);
  fftw_execute(fp);
  fftw_destroy_plan(fp);
  /* plane wave of unit norm; the exit wave's coefficients are copied at depth 1 */
  fftwf_complex *psi = sf_alloc(N, sizeof *psi, "t");
  for (size_t i = 0; i < N; ++i)
    psi[i][0] = (float)(1.0 / sqrt((double)N));
  copy_visit cp = {N, sf_alloc(N, sizeof(fftwf_complex), "t")};
  cr_assert_eq(sf_multislice_propagate(ms, spec, psi, visit_copy, &cp), SF_OK);
  /* the 12 strongest beams g != 0 inside the band limit */
  double worst = 0.0;
  unsigned char *used = sf_alloc(N, 1, "t");
  for (int k = 0; k < 12; ++k) {
    size_t best = 0;
    double bmax = -1.0;
    for (size_t i = 1; i < N; ++i) {
      const double Iq = vq[i][0] * vq[i][0] + vq[i][1] * vq[i][1];
      if (!used[i] && sf_wavegrid_in_band(g, i % n, i / n) && Iq > bmax) {
        bmax = Iq;
        best = i;
      }
    }
    used[best] = 1;
    const double got =
        N * ((double)cp.out[best][0] * cp.out[best][0] + (double)cp.out[best][1] * cp.out[best][1]);
    worst = fmax(worst, fabs(got / bmax - 1.0));
  }
  sf_free(used);
  sf_free(cp.out);
  sf_free(psi);
  fftw_free(vq);
  sf_free(vz);
  sf_specimen_destroy(spec);
  sf_projpot_destroy(pp);
  sf_multislice_destroy(ms);
  return worst;
}

Test(weak_phase, kinematic_intensities_to_first_order) {
  const double eps = 0.1;
  const double e1 = kinematic_error(eps), e2 = kinematic_error(eps / 2);
  cr_log_info("kinematic: relative error %.4g at phase %g, %.4g at %g", e1, eps, e2, eps / 2);
  cr_assert(e1 < KIN_FIRST_ORDER * eps, "relative error %.3g at eps = %g", e1, eps);
  cr_assert(fabs(e1 / e2 - 2.0) < 2.0 * KIN_RATIO_TOL, "error %.3g at eps, %.3g at eps/2", e1,
            e2);
}

/* SrTiO3 [001], cells x cells x layers/2: SrO at z = 0, TiO2 at z = a/2. */
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

Test(symmetry, srtio3_images_have_the_structure_symmetry) {
  /* 2 x 2 cells on 80 x 80 pixels of a/40 (atoms on pixel centres), 4 slices;
     9 x 9 probes over one cell, x = k a/8: the structure is symmetric under
     x -> a - x, y -> a - y and x <-> y about the Sr column, so the images are. */
  const size_t n = 80, ns = 4;
  const double h = STO_A / 40.0, dz = 0.5 * STO_A;
  sf_stem_params p;
  base_params(&p, n, h, dz, ns);
  sf_detector dets[2];
  sf_detector_init(&dets[0], "HAADF", 40.0, 65.0, 0, 0.0);
  sf_detector_init(&dets[1], "BF", 0.0, 10.0, 0, 0.0);
  p.detectors.detectors = dets;
  p.detectors.n_detectors = 2;
  p.threads = 2;
  sf_multislice *ms = NULL;
  cr_assert_eq(sf_multislice_create(&p, &ms), SF_OK, "%s", sf_error_message());
  sf_projpot *pp = NULL;
  cr_assert_eq(sf_projpot_create(n, n, h, NULL, &pp), SF_OK);
  sf_slice_atom atoms[64];
  const size_t na = sto_atoms(2, 4, atoms);
  sf_specimen *spec = NULL;
  cr_assert_eq(sf_specimen_create(sf_multislice_grid(ms), ns, dz, &spec), SF_OK);
  cr_assert_eq(sf_specimen_build(spec, pp, atoms, na, 0.0), SF_OK, "%s", sf_error_message());
  sf_scan *scan = NULL;
  cr_assert_eq(sf_scan_grid_create(0.0, 0.0, STO_A / 8, STO_A / 8, 9, 9, &scan), SF_OK);
  sf_stem_result *res = NULL;
  cr_assert_eq(sf_multislice_result_create(ms, scan, &res), SF_OK);
  cr_assert_eq(sf_multislice_run(ms, spec, scan, res, NULL), SF_OK, "%s", sf_error_message());
  const char *names[2] = {"HAADF", "BF"};
  for (int d = 0; d < 2; ++d) {
    double img[81];
    cr_assert_eq(sf_stem_result_get(res, 0, names[d], img, NULL), SF_OK);
    double mx = 0.0, asym = 0.0;
    for (int i = 0; i < 81; ++i)
      mx = fmax(mx, img[i]);
    for (int y = 0; y < 9; ++y)
      for (int x = 0; x < 9; ++x)
        asym = fmax(asym, fmax(fabs(img[y * 9 + x] - img[y * 9 + 8 - x]),
                               fmax(fabs(img[y * 9 + x] - img[(8 - y) * 9 + x]),
                                    fabs(img[y * 9 + x] - img[x * 9 + y]))));
    cr_log_info("symmetry %s: max asymmetry %.3g of the maximum %.4g", names[d], asym / mx, mx);
    for (int y = 0; y < 9; ++y)
      for (int x = 0; x < 9; ++x) {
        const double v = img[y * 9 + x];
        cr_assert(fabs(v - img[y * 9 + (8 - x)]) < TOL_SYMMETRY * mx, "%s x mirror", names[d]);
        cr_assert(fabs(v - img[(8 - y) * 9 + x]) < TOL_SYMMETRY * mx, "%s y mirror", names[d]);
        cr_assert(fabs(v - img[x * 9 + y]) < TOL_SYMMETRY * mx, "%s transpose", names[d]);
      }
    /* HAADF: the Sr column (corner) is brightest, the Ti-O column (centre) next */
    if (d == 0) {
      cr_assert(img[0] > img[4 * 9 + 4] && img[4 * 9 + 4] > img[2 * 9 + 2],
                "Sr %g, Ti-O %g, between %g", img[0], img[40], img[20]);
    }
  }
  sf_stem_result_destroy(res);
  sf_scan_destroy(scan);
  sf_specimen_destroy(spec);
  sf_projpot_destroy(pp);
  sf_multislice_destroy(ms);
}
