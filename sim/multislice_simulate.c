/* multislice_simulate.c - the STEM driver over frozen-phonon configurations
   (multislice or PRISM) and the provenance attributes of a run. */
#include "sim/sf_multislice.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "sim/sf_prism.h"

#include <math.h>
#include <stdio.h>

/* One configuration: atoms -> specimen -> multislice or PRISM. */
static int run_configuration(const sf_stem_params *p, sf_multislice *ms, sf_projpot *pp,
                             sf_slice_finite *finite, sf_specimen *spec, double z0_A, sf_configuration_fn *fn,
                             void *user, size_t c, const sf_scan *scan, sf_stem_result *res,
                             sf_progress *progress) {
  const sf_slice_atom *atoms = NULL;
  size_t n_atoms = 0;
  int status = fn(user, c, &atoms, &n_atoms);
  if (status != SF_OK)
    return sf_error_prepend(status, "configuration %zu: ", c);
  status = sf_specimen_build_projected(spec, pp, finite, atoms, n_atoms, z0_A);
  if (status != SF_OK)
    return sf_error_prepend(status, "configuration %zu: ", c);
  if (p->algorithm == SF_STEM_MULTISLICE)
    return sf_multislice_run(ms, spec, scan, res, progress);
  sf_smatrix *S = NULL;
  SF_TRY(sf_prism_smatrix_build(ms, spec, p->prism_f, NULL, &S));
  status = sf_prism_run(S, scan, res, progress);
  sf_prism_smatrix_destroy(S);
  return status;
}

int sf_stem_simulate(const sf_stem_params *p, const sf_projpot_options *popt, double z0_A,
                     sf_configuration_fn *fn, void *user, size_t n_configs,
                     const sf_scan *scan, sf_stem_result **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "STEM simulation: NULL output pointer");
  *out = NULL;
  if (!p || !fn || !scan)
    return sf_error_set(SF_EINVAL, "STEM simulation: NULL argument");
  if (n_configs < 1)
    return sf_error_set(SF_EINVAL, "STEM simulation: n_configs = %zu: need at least 1",
                        n_configs);
  if (!isfinite(z0_A))
    return sf_error_set(SF_EINVAL, "STEM simulation: z0_A = %g: must be finite", z0_A);
  /* Everything is checked before any work. */
  SF_TRY(sf_stem_params_check(p, scan));
  double need = 0.0;
  SF_TRY(sf_stem_memory_estimate(p, scan, &need));
  char mem[32];
  sf_format_bytes(mem, sizeof mem, need);
  sf_log(SF_LOG_NOTE, "STEM: %s, %zu x %zu grid at %g A, %zu slices, %zu probes, %zu "
         "configuration(s), about %s",
         p->algorithm == SF_STEM_PRISM ? "PRISM" : "multislice", p->nx, p->ny, p->sampling_A,
         p->n_slices, scan->n, n_configs, mem);

  sf_projpot_options o;
  sf_projpot_options_default(&o);
  if (popt)
    o = *popt;
  o.band_limit = p->band_limit;
  sf_multislice *ms = NULL;
  sf_projpot *pp = NULL;
  sf_specimen *spec = NULL;
  sf_slice_finite *finite = NULL;
  sf_stem_result *res = NULL;
  int status = sf_multislice_create(p, &ms);
  if (status == SF_OK)
    status = sf_projpot_create(p->nx, p->ny, p->sampling_A, &o, &pp);
  if (status == SF_OK && p->projection == SF_PROJECTION_FINITE)
    status = sf_slice_finite_create(pp, &finite);
  if (status == SF_OK)
    status = sf_specimen_create(sf_multislice_grid(ms), p->n_slices, p->slice_thickness_A,
                                &spec);
  if (status == SF_OK)
    status = sf_multislice_result_create(ms, scan, &res);
  sf_progress *progress =
      status == SF_OK && p->progress ? sf_progress_begin("probes", (uint64_t)(scan->n * n_configs))
                                     : NULL;
  for (size_t c = 0; c < n_configs && status == SF_OK; ++c)
    status = run_configuration(p, ms, pp, finite, spec, z0_A, fn, user, c, scan, res, progress);
  sf_progress_end(progress);
  sf_specimen_destroy(spec);
  sf_slice_finite_destroy(finite);
  sf_projpot_destroy(pp);
  sf_multislice_destroy(ms);
  if (status != SF_OK) {
    sf_stem_result_destroy(res);
    return status;
  }
  *out = res;
  return SF_OK;
}

int sf_stem_attrs(const sf_stem_params *p, sf_attrs *a, const char *group) {
  if (!p || !a || !group)
    return sf_error_set(SF_EINVAL, "STEM attributes: NULL argument");
  sf_wavegrid g;
  SF_TRY(sf_stem_params_grid(p, &g));
  SF_TRY(sf_attrs_set_double(a, group, "beam_energy_keV", p->energy_keV));
  SF_TRY(sf_attrs_set_double(a, group, "wavelength_A", g.lambda_A));
  SF_TRY(sf_attrs_set_double(a, group, "convergence_semiangle_mrad", p->probe.semiangle_mrad));
  SF_TRY(sf_attrs_set_double(a, group, "aperture_edge_mrad", p->probe.edge_mrad));
  static const char *names[] = {"C10", "C12", "C21", "C23", "C30", "C32", "C34",
                                "C41", "C43", "C45", "C50", "C52", "C54", "C56"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
    double C = 0.0, phi = 0.0;
    sf_aberrations_get(&p->probe.aberrations, names[i], &C, &phi);
    char key[32];
    snprintf(key, sizeof key, "%s_A", names[i]);
    SF_TRY(sf_attrs_set_double(a, group, key, C));
    if (names[i][2] != '0') {
      snprintf(key, sizeof key, "phi%s_rad", names[i] + 1);
      SF_TRY(sf_attrs_set_double(a, group, key, phi));
    }
  }
  SF_TRY(sf_attrs_set_double(a, group, "defocus_A", -p->probe.aberrations.C10_A));
  SF_TRY(sf_attrs_set_string(a, group, "defocus_convention",
                             "defocus = -C10; positive defocus = underfocus"));
  SF_TRY(sf_attrs_set_double(a, group, "C30_mm", 1e-7 * p->probe.aberrations.C30_A));
  SF_TRY(sf_attrs_set_double(a, group, "focal_spread_A", p->probe.focal_spread_A));
  SF_TRY(sf_attrs_set_int(a, group, "focal_nodes",
                          p->probe.focal_spread_A > 0.0 ? p->probe.focal_nodes : 1));
  SF_TRY(sf_attrs_set_double(a, group, "source_sigma_A", p->probe.source_sigma_A));
  SF_TRY(sf_attrs_set_double(a, group, "alpha_max_mrad", g.alpha_max_mrad));
  SF_TRY(sf_attrs_set_double(a, group, "band_limit_fraction", p->band_limit));
  SF_TRY(sf_attrs_set_string(a, group, "potential_projection",
                             sf_projection_mode_name(p->projection)));
  SF_TRY(sf_attrs_set_double(a, group, "band_limit_invA", g.k_max_invA));
  SF_TRY(sf_attrs_set_double(a, group, "sampling_A", p->sampling_A));
  SF_TRY(sf_attrs_set_int(a, group, "grid_nx", (int64_t)p->nx));
  SF_TRY(sf_attrs_set_int(a, group, "grid_ny", (int64_t)p->ny));
  SF_TRY(sf_attrs_set_double(a, group, "slice_thickness_A", p->slice_thickness_A));
  SF_TRY(sf_attrs_set_int(a, group, "n_slices", (int64_t)p->n_slices));
  SF_TRY(sf_attrs_set_double(a, group, "tilt_x_mrad", p->tilt_x_mrad));
  SF_TRY(sf_attrs_set_double(a, group, "tilt_y_mrad", p->tilt_y_mrad));
  SF_TRY(sf_attrs_set_string(a, group, "algorithm",
                             p->algorithm == SF_STEM_PRISM ? "prism" : "multislice"));
  if (p->algorithm == SF_STEM_PRISM)
    SF_TRY(sf_attrs_set_int(a, group, "prism_f", p->prism_f));
  SF_TRY(sf_attrs_set_double(a, group, "bin_width_mrad", p->detectors.bin_width_mrad));
  SF_TRY(sf_attrs_set_string(a, group, "precision",
                             "waves single precision (fftwf), intensities double"));
  return SF_OK;
}
