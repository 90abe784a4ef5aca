/* multislice.c - the multislice engine: plan (propagator, probe beams,
   detector lookup, per-thread buffers, FFTW plans) and execute (one wave, or
   every probe of a scan in parallel). */
#include "sim/sf_multislice.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

struct sf_multislice {
  sf_stem_params p; /* copy; depth_slices and detectors point to the arrays below */
  size_t *depth;    /* recorded depths in slices (n = p.n_depths >= 1) */
  sf_detector *dets;
  sf_wavegrid g;
  fftwf_complex *P; /* propagator times 1/N */
  sf_probe_beam *beams;
  size_t n_beams;
  double beam_scale; /* 1 / sqrt(N sum A^2) */
  int n_focal;
  double *focal_df, *focal_w;
  sf_detector_layout *layout;
  int n_threads;
  fftwf_complex **buf;  /* per thread: batch waves */
  fftwf_complex **coef; /* per thread: beam coefficients */
  fftwf_plan fwd, bwd, fwd_batch, bwd_batch;
};

void sf_multislice_destroy(sf_multislice *ms) {
  if (!ms)
    return;
  fftwf_plan plans[4] = {ms->fwd, ms->bwd, ms->fwd_batch, ms->bwd_batch};
  for (int i = 0; i < 4; ++i)
    if (plans[i])
      fftwf_destroy_plan(plans[i]);
  for (int t = 0; t < ms->n_threads; ++t) {
    if (ms->buf)
      sf_free(ms->buf[t]);
    if (ms->coef)
      sf_free(ms->coef[t]);
  }
  free(ms->buf);
  free(ms->coef);
  sf_free(ms->P);
  sf_free(ms->beams);
  sf_free(ms->focal_df);
  sf_free(ms->focal_w);
  sf_detector_layout_destroy(ms->layout);
  free(ms->dets);
  free(ms->depth);
  free(ms);
}

const sf_wavegrid *sf_multislice_grid(const sf_multislice *ms) { return &ms->g; }
const sf_stem_params *sf_multislice_params(const sf_multislice *ms) { return &ms->p; }
const size_t *sf_multislice_depth_slices(const sf_multislice *ms) { return ms->depth; }

/* Copies of the caller's arrays, so the engine outlives them. */
static int copy_arrays(sf_multislice *ms, const sf_stem_params *p) {
  const size_t n_depths = p->n_depths ? p->n_depths : 1;
  ms->depth = malloc(n_depths * sizeof *ms->depth);
  if (p->detectors.n_detectors) {
    ms->dets = malloc(p->detectors.n_detectors * sizeof *ms->dets);
    if (ms->dets)
      memcpy(ms->dets, p->detectors.detectors, p->detectors.n_detectors * sizeof *ms->dets);
  }
  if (!ms->depth || (p->detectors.n_detectors && !ms->dets))
    return sf_error_set(SF_ENOMEM, "multislice: out of memory");
  if (p->n_depths)
    memcpy(ms->depth, p->depth_slices, n_depths * sizeof *ms->depth);
  else
    ms->depth[0] = p->n_slices;
  ms->p.depth_slices = ms->depth;
  ms->p.n_depths = n_depths;
  ms->p.detectors.detectors = ms->dets;
  return SF_OK;
}

static int make_probe(sf_multislice *ms) {
  const sf_stem_params *p = &ms->p;
  SF_TRY(sf_probe_beams(&p->probe, &ms->g, 1, &ms->beams, &ms->n_beams));
  double a2 = 0.0;
  for (size_t j = 0; j < ms->n_beams; ++j)
    a2 += ms->beams[j].amplitude * ms->beams[j].amplitude;
  ms->beam_scale = 1.0 / sqrt((double)(ms->g.nx * ms->g.ny) * a2);
  ms->n_focal = p->probe.focal_spread_A > 0.0 ? p->probe.focal_nodes : 1;
  ms->focal_df = sf_alloc((size_t)ms->n_focal, sizeof(double), "focal nodes");
  ms->focal_w = sf_alloc((size_t)ms->n_focal, sizeof(double), "focal nodes");
  if (!ms->focal_df || !ms->focal_w)
    return SF_ENOMEM;
  if (p->probe.focal_spread_A > 0.0)
    return sf_probe_focal_nodes(p->probe.focal_spread_A, ms->n_focal, ms->focal_df,
                                ms->focal_w);
  ms->focal_w[0] = 1.0;
  return SF_OK;
}

static int make_buffers_and_plans(sf_multislice *ms) {
  const sf_stem_params *p = &ms->p;
  const size_t N = ms->g.nx * ms->g.ny;
  ms->buf = calloc((size_t)ms->n_threads, sizeof *ms->buf);
  ms->coef = calloc((size_t)ms->n_threads, sizeof *ms->coef);
  if (!ms->buf || !ms->coef)
    return sf_error_set(SF_ENOMEM, "multislice: out of memory");
  for (int t = 0; t < ms->n_threads; ++t) {
    ms->buf[t] = sf_alloc(p->batch * N, sizeof(fftwf_complex), "multislice waves");
    ms->coef[t] =
        sf_alloc(ms->n_beams ? ms->n_beams : 1, sizeof(fftwf_complex), "probe coefficients");
    if (!ms->buf[t] || !ms->coef[t])
      return SF_ENOMEM;
  }
  /* Plans on thread 0's buffer: FFTW_MEASURE overwrites it, nothing is in it yet. */
  SF_TRY(sf_wave_plan(ms->g.nx, ms->g.ny, 1, ms->buf[0], FFTW_FORWARD, p->fft_measure, &ms->fwd));
  SF_TRY(
      sf_wave_plan(ms->g.nx, ms->g.ny, 1, ms->buf[0], FFTW_BACKWARD, p->fft_measure, &ms->bwd));
  if (p->batch > 1) {
    SF_TRY(sf_wave_plan(ms->g.nx, ms->g.ny, p->batch, ms->buf[0], FFTW_FORWARD, p->fft_measure,
                        &ms->fwd_batch));
    SF_TRY(sf_wave_plan(ms->g.nx, ms->g.ny, p->batch, ms->buf[0], FFTW_BACKWARD,
                        p->fft_measure, &ms->bwd_batch));
  }
  return SF_OK;
}

int sf_multislice_create(const sf_stem_params *p, sf_multislice **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "multislice: NULL output pointer");
  *out = NULL;
  SF_TRY(sf_stem_params_check(p, NULL));
  sf_multislice *ms = calloc(1, sizeof *ms);
  if (!ms)
    return sf_error_set(SF_ENOMEM, "multislice: out of memory");
  ms->p = *p;
  ms->n_threads = p->threads > 0 ? p->threads : sf_threads_count();
  int status = sf_stem_params_grid(p, &ms->g);
  if (status == SF_OK)
    status = copy_arrays(ms, p);
  const size_t N = ms->g.nx * ms->g.ny;
  if (status == SF_OK) {
    ms->P = sf_alloc(N, sizeof *ms->P, "propagator");
    status = ms->P ? sf_propagator_fill(&ms->g, p->slice_thickness_A, p->tilt_x_mrad,
                                        p->tilt_y_mrad, 1.0 / (double)N, ms->P)
                   : SF_ENOMEM;
  }
  if (status == SF_OK)
    status = make_probe(ms);
  if (status == SF_OK)
    status = sf_detector_layout_create(&ms->p.detectors, ms->g.nx, ms->g.ny,
                                       1.0 / ms->g.cell_x_A, 1.0 / ms->g.cell_y_A,
                                       ms->g.lambda_A, ms->g.k_max_invA, &ms->layout);
  if (status == SF_OK)
    status = make_buffers_and_plans(ms);
  if (status != SF_OK) {
    sf_multislice_destroy(ms);
    return status;
  }
  sf_log(SF_LOG_INFO,
         "multislice: %zu x %zu grid at %g A, alpha_max %.2f mrad, %zu probe beams, %zu slices "
         "of %g A, %d threads",
         ms->g.nx, ms->g.ny, ms->g.sampling_A, ms->g.alpha_max_mrad, ms->n_beams, p->n_slices,
         p->slice_thickness_A, ms->n_threads);
  *out = ms;
  return SF_OK;
}

static int check_specimen(const sf_multislice *ms, const sf_specimen *spec) {
  if (!spec)
    return sf_error_set(SF_EINVAL, "multislice: NULL specimen");
  const size_t ns = sf_specimen_slices(spec);
  const double dz = sf_specimen_thickness_A(spec);
  const sf_wavegrid *sg = sf_specimen_grid(spec);
  if (ns != ms->p.n_slices || fabs(dz - ms->p.slice_thickness_A) > 1e-9 * dz ||
      sg->nx != ms->g.nx || sg->ny != ms->g.ny)
    return sf_error_set(SF_EINVAL,
                        "multislice: the specimen (%zu slices of %g A on %zu x %zu) does not "
                        "match the engine (%zu slices of %g A on %zu x %zu)",
                        ns, dz, sg->nx, sg->ny, ms->p.n_slices, ms->p.slice_thickness_A,
                        ms->g.nx, ms->g.ny);
  return SF_OK;
}

int sf_multislice_propagate(const sf_multislice *ms, const sf_specimen *spec, fftwf_complex *psi,
                            sf_wave_visit_fn *visit, void *user) {
  if (!ms || !psi)
    return sf_error_set(SF_EINVAL, "multislice: NULL argument");
  SF_TRY(check_specimen(ms, spec));
  const size_t N = ms->g.nx * ms->g.ny;
  const size_t last = ms->depth[ms->p.n_depths - 1];
  size_t d = 0;
  for (size_t s = 0; s < last; ++s) {
    sf_wave_multiply(psi, sf_specimen_transmission(spec, s), N);
    fftwf_execute_dft(ms->fwd, psi, psi);
    sf_wave_multiply(psi, ms->P, N);
    if (s + 1 == ms->depth[d]) {
      if (visit)
        visit(user, d, psi);
      ++d;
    }
    fftwf_execute_dft(ms->bwd, psi, psi);
  }
  return SF_OK;
}

int sf_multislice_result_create(const sf_multislice *ms, const sf_scan *scan,
                                sf_stem_result **out) {
  if (!ms || !scan || !out)
    return sf_error_set(SF_EINVAL, "multislice result: NULL argument");
  double *depth_A = malloc(ms->p.n_depths * sizeof *depth_A);
  if (!depth_A)
    return sf_error_set(SF_ENOMEM, "multislice result: out of memory");
  for (size_t d = 0; d < ms->p.n_depths; ++d)
    depth_A[d] = (double)ms->depth[d] * ms->p.slice_thickness_A;
  const int status =
      sf_stem_result_create(&ms->p.detectors, &ms->g, scan, depth_A, ms->p.n_depths, out);
  free(depth_A);
  return status;
}

/* `count` probes at scan indices first.. (count 1 with the single plans, or
   p.batch with the batch plans), every focal node, every recorded depth. */
static void run_probes(const sf_multislice *ms, const sf_specimen *spec, const sf_scan *scan,
                       size_t first, size_t count, fftwf_complex *buf, fftwf_complex *coef,
                       double *records, size_t record_size) {
  const size_t N = ms->g.nx * ms->g.ny;
  const fftwf_plan fwd = count > 1 ? ms->fwd_batch : ms->fwd;
  const fftwf_plan bwd = count > 1 ? ms->bwd_batch : ms->bwd;
  const size_t last = ms->depth[ms->p.n_depths - 1];
  for (int f = 0; f < ms->n_focal; ++f) {
    for (size_t k = 0; k < count; ++k) {
      fftwf_complex *psi = buf + k * N;
      memset(psi, 0, N * sizeof *psi);
      sf_probe_coefficients(ms->beams, ms->n_beams, ms->beam_scale, ms->g.lambda_A,
                            scan->x_A[first + k], scan->y_A[first + k], ms->focal_df[f], coef);
      for (size_t j = 0; j < ms->n_beams; ++j) {
        fftwf_complex *z = &psi[ms->beams[j].iy * ms->g.nx + ms->beams[j].ix];
        (*z)[0] = coef[j][0];
        (*z)[1] = coef[j][1];
      }
    }
    fftwf_execute_dft(bwd, buf, buf);
    size_t d = 0;
    for (size_t s = 0; s < last; ++s) {
      fftwf_complex *t = sf_specimen_transmission(spec, s);
      for (size_t k = 0; k < count; ++k)
        sf_wave_multiply(buf + k * N, t, N);
      fftwf_execute_dft(fwd, buf, buf);
      for (size_t k = 0; k < count; ++k)
        sf_wave_multiply(buf + k * N, ms->P, N);
      if (s + 1 == ms->depth[d]) {
        for (size_t k = 0; k < count; ++k)
          sf_detector_layout_measure(ms->layout, buf + k * N, (double)N, ms->focal_w[f],
                                     records + (d * scan->n + first + k) * record_size);
        ++d;
      }
      if (s + 1 < last)
        fftwf_execute_dft(bwd, buf, buf);
    }
  }
}

int sf_multislice_run(sf_multislice *ms, const sf_specimen *spec, const sf_scan *scan,
                      sf_stem_result *res, sf_progress *progress) {
  if (!ms || !scan || !res)
    return sf_error_set(SF_EINVAL, "multislice run: NULL argument");
  SF_TRY(check_specimen(ms, spec));
  SF_TRY(sf_scan_check_cell(scan, ms->g.cell_x_A, ms->g.cell_y_A));
  const sf_record_layout *rl = sf_stem_result_record_layout(res);
  const sf_record_layout *ll = sf_detector_layout_record(ms->layout);
  if (rl->size != ll->size || sf_stem_result_depths(res) != ms->p.n_depths)
    return sf_error_set(SF_EINVAL,
                        "multislice run: the result (%zu doubles per record, %zu depths) was "
                        "not made for this engine (%zu, %zu)",
                        rl->size, sf_stem_result_depths(res), ll->size, ms->p.n_depths);
  if (ms->p.probe.source_sigma_A > 0.0 && !scan->is_grid)
    return sf_error_set(SF_EINVAL, "multislice run: a source size needs a grid scan");
  double *records = sf_stem_result_records(res);
  const size_t B = ms->p.batch, n_batches = (scan->n + B - 1) / B;
#pragma omp parallel num_threads(ms->n_threads)
  {
    const int t = omp_get_thread_num();
#pragma omp for schedule(dynamic, 1)
    for (size_t b = 0; b < n_batches; ++b) {
      const size_t first = b * B;
      const size_t count = scan->n - first < B ? scan->n - first : B;
      if (count == B)
        run_probes(ms, spec, scan, first, count, ms->buf[t], ms->coef[t], records, rl->size);
      else
        for (size_t k = 0; k < count; ++k)
          run_probes(ms, spec, scan, first + k, 1, ms->buf[t], ms->coef[t], records, rl->size);
      sf_progress_add(progress, count);
    }
  }
  const int periodic = ms->p.source_periodic >= 0
                           ? ms->p.source_periodic
                           : sf_scan_covers_period(scan, ms->g.cell_x_A, ms->g.cell_y_A);
  return sf_stem_result_commit(res, ms->p.probe.source_sigma_A, periodic);
}
