/* prism.c - PRISM S-matrix (built with the multislice engine) and the probes
   formed from it. */
#include "sim/sf_prism.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "core/sf_threads.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Probes formed together by one thread: each S-matrix column is then read
   once per batch instead of once per probe (the formation is memory-bound). */
#define PRISM_BATCH 8

struct sf_smatrix {
  const sf_multislice *ms; /* the engine that built it (must outlive S) */
  sf_wavegrid g;
  int f;
  size_t nxr, nyr, Nr; /* reduced grid */
  size_t nxw, nyw, Nw; /* probe window */
  double hx_A, hy_A;   /* reduced pixel sides */
  sf_probe_beam *beams;
  size_t n_beams;
  double scale; /* 1 / sqrt(N_w sum A^2) */
  size_t n_depths;
  fftwf_complex *S; /* [depth][beam][Nr] */
  int n_focal;
  double *focal_df, *focal_w;
  sf_detector_layout *layout; /* on the window's Fourier grid */
  int n_threads;
  fftwf_plan win_fwd;
  fftwf_complex **wbuf, **coef; /* PRISM_BATCH per thread */
};

void sf_prism_smatrix_destroy(sf_smatrix *S) {
  if (!S)
    return;
  if (S->win_fwd)
    fftwf_destroy_plan(S->win_fwd);
  for (size_t t = 0; t < (size_t)S->n_threads * PRISM_BATCH; ++t) {
    if (S->wbuf)
      sf_free(S->wbuf[t]);
    if (S->coef)
      sf_free(S->coef[t]);
  }
  free(S->wbuf);
  free(S->coef);
  sf_free(S->beams);
  sf_free(S->S);
  sf_free(S->focal_df);
  sf_free(S->focal_w);
  sf_detector_layout_destroy(S->layout);
  free(S);
}

size_t sf_prism_smatrix_beams(const sf_smatrix *S) { return S ? S->n_beams : 0; }

void sf_prism_smatrix_grid(const sf_smatrix *S, size_t *nx_red, size_t *ny_red,
                           size_t *nx_window, size_t *ny_window) {
  if (nx_red)
    *nx_red = S->nxr;
  if (ny_red)
    *ny_red = S->nyr;
  if (nx_window)
    *nx_window = S->nxw;
  if (ny_window)
    *ny_window = S->nyw;
}

/* --- building ------------------------------------------------------------ */

/* Per-thread work space of the S-matrix build. */
typedef struct build_work {
  fftwf_complex *wave; /* full grid */
  fftwf_complex *crop; /* reduced grid */
  double *ex, *ey;     /* plane-wave phase factors, cos/sin interleaved */
} build_work;

/* What the depth visitor needs for one beam. */
typedef struct crop_ctx {
  sf_smatrix *S;
  size_t beam;
  fftwf_complex *crop;
  fftwf_plan crop_bwd;
  const uint32_t *map_full, *map_red; /* in-band full-grid bins and their reduced bins */
  size_t n_map;
} crop_ctx;

/* Move the band-limited Fourier coefficients onto the reduced grid and
   transform: S_j(r') = sum_q Psi(q) exp(2 pi i q.r') exactly. */
static void crop_visit(void *user, size_t d, fftwf_complex *psi_q) {
  crop_ctx *c = user;
  sf_smatrix *S = c->S;
  memset(c->crop, 0, S->Nr * sizeof *c->crop);
  for (size_t k = 0; k < c->n_map; ++k) {
    c->crop[c->map_red[k]][0] = psi_q[c->map_full[k]][0];
    c->crop[c->map_red[k]][1] = psi_q[c->map_full[k]][1];
  }
  fftwf_execute_dft(c->crop_bwd, c->crop, c->crop);
  memcpy(S->S + (d * S->n_beams + c->beam) * S->Nr, c->crop, S->Nr * sizeof *c->crop);
}

static long signed_bin(size_t i, size_t n) {
  return i < (n + 1) / 2 ? (long)i : (long)i - (long)n;
}

/* exp(2 pi i m k / n) for k < n into e (interleaved), with m k reduced mod n. */
static void phase_row(long m, size_t n, double *e) {
  const long ln = (long)n;
  long step = m % ln;
  if (step < 0)
    step += ln;
  long acc = 0;
  for (size_t k = 0; k < n; ++k) {
    const double a = SF_TWO_PI * (double)acc / (double)n;
    e[2 * k] = cos(a);
    e[2 * k + 1] = sin(a);
    acc = (acc + step) % ln;
  }
}

static void plane_wave(const sf_smatrix *S, const sf_probe_beam *b, build_work *w) {
  const size_t nx = S->g.nx, ny = S->g.ny;
  phase_row(signed_bin(b->ix, nx), nx, w->ex);
  phase_row(signed_bin(b->iy, ny), ny, w->ey);
  for (size_t iy = 0; iy < ny; ++iy) {
    const double cy = w->ey[2 * iy], sy = w->ey[2 * iy + 1];
    fftwf_complex *row = w->wave + iy * nx;
    for (size_t ix = 0; ix < nx; ++ix) {
      const double cx = w->ex[2 * ix], sx = w->ex[2 * ix + 1];
      row[ix][0] = (float)(cx * cy - sx * sy);
      row[ix][1] = (float)(cx * sy + sx * cy);
    }
  }
}

/* In-band bins of the full grid and where they go on the reduced grid. */
static int make_crop_map(const sf_smatrix *S, uint32_t **full, uint32_t **red, size_t *n) {
  const sf_wavegrid *g = &S->g;
  size_t count = 0;
  for (size_t iy = 0; iy < g->ny; ++iy)
    for (size_t ix = 0; ix < g->nx; ++ix)
      count += (size_t)sf_wavegrid_in_band(g, ix, iy);
  *full = sf_alloc(count ? count : 1, sizeof **full, "PRISM crop map");
  *red = sf_alloc(count ? count : 1, sizeof **red, "PRISM crop map");
  if (!*full || !*red)
    return SF_ENOMEM;
  size_t k = 0;
  for (size_t iy = 0; iy < g->ny; ++iy) {
    long my = signed_bin(iy, g->ny);
    const size_t ry = (size_t)(my < 0 ? my + (long)S->nyr : my);
    for (size_t ix = 0; ix < g->nx; ++ix) {
      if (!sf_wavegrid_in_band(g, ix, iy))
        continue;
      long mx = signed_bin(ix, g->nx);
      const size_t rx = (size_t)(mx < 0 ? mx + (long)S->nxr : mx);
      (*full)[k] = (uint32_t)(iy * g->nx + ix);
      (*red)[k] = (uint32_t)(ry * S->nxr + rx);
      ++k;
    }
  }
  *n = count;
  return SF_OK;
}

static void free_work(build_work *w, int n) {
  for (int t = 0; w && t < n; ++t) {
    sf_free(w[t].wave);
    sf_free(w[t].crop);
    sf_free(w[t].ex);
    sf_free(w[t].ey);
  }
  free(w);
}

static int build_columns(sf_smatrix *S, const sf_specimen *spec, int measure,
                         sf_progress *progress) {
  const size_t N = S->g.nx * S->g.ny;
  uint32_t *map_full = NULL, *map_red = NULL;
  size_t n_map = 0;
  fftwf_plan crop_bwd = NULL;
  build_work *w = calloc((size_t)S->n_threads, sizeof *w);
  int status = w ? make_crop_map(S, &map_full, &map_red, &n_map)
                 : sf_error_set(SF_ENOMEM, "PRISM: out of memory");
  for (int t = 0; status == SF_OK && t < S->n_threads; ++t) {
    w[t].wave = sf_alloc(N, sizeof(fftwf_complex), "PRISM plane wave");
    w[t].crop = sf_alloc(S->Nr, sizeof(fftwf_complex), "PRISM reduced wave");
    w[t].ex = sf_alloc(2 * S->g.nx, sizeof(double), "PRISM phase factors");
    w[t].ey = sf_alloc(2 * S->g.ny, sizeof(double), "PRISM phase factors");
    if (!w[t].wave || !w[t].crop || !w[t].ex || !w[t].ey)
      status = SF_ENOMEM;
  }
  if (status == SF_OK)
    status = sf_wave_plan(S->nxr, S->nyr, 1, w[0].crop, FFTW_BACKWARD, measure, &crop_bwd);
  if (status == SF_OK) {
    int failed = SF_OK;
#pragma omp parallel num_threads(S->n_threads)
    {
      build_work *mine = &w[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 1)
      for (size_t j = 0; j < S->n_beams; ++j) {
        plane_wave(S, &S->beams[j], mine);
        crop_ctx c = {S, j, mine->crop, crop_bwd, map_full, map_red, n_map};
        const int st = sf_multislice_propagate(S->ms, spec, mine->wave, crop_visit, &c);
        if (st != SF_OK) {
#pragma omp atomic write
          failed = st;
        }
        sf_progress_add(progress, 1);
      }
    }
    status = failed;
  }
  if (crop_bwd)
    fftwf_destroy_plan(crop_bwd);
  free_work(w, S->n_threads);
  sf_free(map_full);
  sf_free(map_red);
  return status;
}

static int make_probe_side(sf_smatrix *S, const sf_stem_params *p) {
  SF_TRY(sf_probe_beams(&p->probe, &S->g, (size_t)S->f, &S->beams, &S->n_beams));
  double a2 = 0.0;
  for (size_t j = 0; j < S->n_beams; ++j)
    a2 += S->beams[j].amplitude * S->beams[j].amplitude;
  S->scale = 1.0 / sqrt((double)S->Nw * a2);
  S->n_focal = p->probe.focal_spread_A > 0.0 ? p->probe.focal_nodes : 1;
  S->focal_df = sf_alloc((size_t)S->n_focal, sizeof(double), "focal nodes");
  S->focal_w = sf_alloc((size_t)S->n_focal, sizeof(double), "focal nodes");
  if (!S->focal_df || !S->focal_w)
    return SF_ENOMEM;
  if (p->probe.focal_spread_A > 0.0)
    SF_TRY(sf_probe_focal_nodes(p->probe.focal_spread_A, S->n_focal, S->focal_df, S->focal_w));
  else
    S->focal_w[0] = 1.0;
  SF_TRY(sf_detector_layout_create(&p->detectors, S->nxw, S->nyw, (double)S->f / S->g.cell_x_A,
                                   (double)S->f / S->g.cell_y_A, S->g.lambda_A,
                                   S->g.k_max_invA, &S->layout));
  const size_t n_buf = (size_t)S->n_threads * PRISM_BATCH;
  S->wbuf = calloc(n_buf, sizeof *S->wbuf);
  S->coef = calloc(n_buf, sizeof *S->coef);
  if (!S->wbuf || !S->coef)
    return sf_error_set(SF_ENOMEM, "PRISM: out of memory");
  for (size_t t = 0; t < n_buf; ++t) {
    S->wbuf[t] = sf_alloc(S->Nw, sizeof(fftwf_complex), "PRISM window");
    S->coef[t] = sf_alloc(S->n_beams ? S->n_beams : 1, sizeof(fftwf_complex), "PRISM beams");
    if (!S->wbuf[t] || !S->coef[t])
      return SF_ENOMEM;
  }
  return sf_wave_plan(S->nxw, S->nyw, 1, S->wbuf[0], FFTW_FORWARD, p->fft_measure, &S->win_fwd);
}

int sf_prism_smatrix_build(const sf_multislice *ms, const sf_specimen *spec, int f,
                           sf_progress *progress, sf_smatrix **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "PRISM: NULL output pointer");
  *out = NULL;
  if (!ms || !spec)
    return sf_error_set(SF_EINVAL, "PRISM: NULL argument");
  const sf_stem_params *p = sf_multislice_params(ms);
  sf_stem_params pf = *p;
  pf.prism_f = f;
  pf.algorithm = SF_STEM_PRISM;
  if (p->memory_limit_bytes > 0.0) /* the S-matrix must fit before anything is built */
    SF_TRY(sf_stem_params_check(&pf, NULL));
  sf_smatrix *S = calloc(1, sizeof *S);
  if (!S)
    return sf_error_set(SF_ENOMEM, "PRISM: out of memory");
  S->ms = ms;
  S->g = *sf_multislice_grid(ms);
  S->f = f;
  S->n_depths = p->n_depths;
  S->n_threads = p->threads > 0 ? p->threads : sf_threads_count();
  int status = sf_prism_reduced_grid(&S->g, f, &S->nxr, &S->nyr);
  if (status == SF_OK) {
    S->Nr = S->nxr * S->nyr;
    S->nxw = S->nxr / (size_t)f;
    S->nyw = S->nyr / (size_t)f;
    S->Nw = S->nxw * S->nyw;
    S->hx_A = S->g.cell_x_A / (double)S->nxr;
    S->hy_A = S->g.cell_y_A / (double)S->nyr;
    status = make_probe_side(S, p);
  }
  if (status == SF_OK) {
    S->S = sf_alloc(S->n_depths * S->n_beams, S->Nr * sizeof(fftwf_complex), "PRISM S-matrix");
    if (!S->S)
      status = SF_ENOMEM;
  }
  if (status == SF_OK) {
    sf_log(SF_LOG_INFO,
           "PRISM f = %d: %zu beams, reduced grid %zu x %zu, window %zu x %zu, %zu depth(s)", f,
           S->n_beams, S->nxr, S->nyr, S->nxw, S->nyw, S->n_depths);
    status = build_columns(S, spec, p->fft_measure, progress);
  }
  if (status != SF_OK) {
    sf_prism_smatrix_destroy(S);
    return status;
  }
  *out = S;
  return SF_OK;
}

/* --- probes ---------------------------------------------------------------- */

/* out[k] += c * in[k] for k < n (single-precision complex). */
static void caxpy(fftwf_complex *restrict out, fftwf_complex *restrict in, const float *c,
                  size_t n) {
  float *o = (float *)out;
  const float *x = (const float *)in;
  const float cr = c[0], ci = c[1];
#pragma omp simd
  for (size_t k = 0; k < n; ++k) {
    const float xr = x[2 * k], xi = x[2 * k + 1];
    o[2 * k] += cr * xr - ci * xi;
    o[2 * k + 1] += cr * xi + ci * xr;
  }
}

static size_t wrap_index(long i, size_t n) {
  long m = i % (long)n;
  return (size_t)(m < 0 ? m + (long)n : m);
}

/* Where probe (x, y)'s window starts on the reduced grid. */
typedef struct window_pos {
  size_t sx, sy, len1; /* first column and row; columns before the wrap */
} window_pos;

static window_pos window_at(const sf_smatrix *S, double x_A, double y_A) {
  window_pos w;
  w.sx = wrap_index(lround(x_A / S->hx_A) - (long)(S->nxw / 2), S->nxr);
  w.sy = wrap_index(lround(y_A / S->hy_A) - (long)(S->nyw / 2), S->nyr);
  w.len1 = S->nxr - w.sx < S->nxw ? S->nxr - w.sx : S->nxw;
  return w;
}

/* The windows of `count` probes (scan indices first..) for focal node f at
   depth d: psi_k(r') = sum_j c_kj S_j(r') over each probe's window. The beam
   loop is outside the probe loop, so each S_j is read from memory once per
   batch; every probe still sums its beams in the same order. */
static void form_windows(const sf_smatrix *S, size_t d, const sf_scan *scan, size_t first,
                         size_t count, double df_A, fftwf_complex **w, fftwf_complex **c) {
  window_pos pos[PRISM_BATCH];
  for (size_t k = 0; k < count; ++k) {
    const double x = scan->x_A[first + k], y = scan->y_A[first + k];
    sf_probe_coefficients(S->beams, S->n_beams, S->scale, S->g.lambda_A, x, y, df_A, c[k]);
    memset(w[k], 0, S->Nw * sizeof *w[k]);
    pos[k] = window_at(S, x, y);
  }
  for (size_t j = 0; j < S->n_beams; ++j) {
    fftwf_complex *Sj = S->S + (d * S->n_beams + j) * S->Nr;
    for (size_t k = 0; k < count; ++k) {
      const window_pos *p = &pos[k];
      for (size_t wy = 0; wy < S->nyw; ++wy) {
        fftwf_complex *row = Sj + ((p->sy + wy) % S->nyr) * S->nxr;
        fftwf_complex *o = w[k] + wy * S->nxw;
        caxpy(o, row + p->sx, c[k][j], p->len1);
        if (p->len1 < S->nxw)
          caxpy(o + p->len1, row, c[k][j], S->nxw - p->len1);
      }
    }
  }
}

int sf_prism_run(const sf_smatrix *S, const sf_scan *scan, sf_stem_result *res,
                 sf_progress *progress) {
  if (!S || !scan || !res)
    return sf_error_set(SF_EINVAL, "PRISM run: NULL argument");
  SF_TRY(sf_scan_check_cell(scan, S->g.cell_x_A, S->g.cell_y_A));
  const sf_record_layout *rl = sf_stem_result_record_layout(res);
  if (rl->size != sf_detector_layout_record(S->layout)->size ||
      sf_stem_result_depths(res) != S->n_depths)
    return sf_error_set(SF_EINVAL,
                        "PRISM run: the result (%zu doubles per record, %zu depths) was not "
                        "made for this S-matrix (%zu, %zu)",
                        rl->size, sf_stem_result_depths(res),
                        sf_detector_layout_record(S->layout)->size, S->n_depths);
  const sf_stem_params *p = sf_multislice_params(S->ms);
  if (p->probe.source_sigma_A > 0.0 && !scan->is_grid)
    return sf_error_set(SF_EINVAL, "PRISM run: a source size needs a grid scan");
  double *records = sf_stem_result_records(res);
  const double inv_Nw = 1.0 / (double)S->Nw;
  const size_t n_batches = (scan->n + PRISM_BATCH - 1) / PRISM_BATCH;
#pragma omp parallel num_threads(S->n_threads)
  {
    const int t = omp_get_thread_num();
    fftwf_complex **w = S->wbuf + (size_t)t * PRISM_BATCH, **c = S->coef + (size_t)t * PRISM_BATCH;
#pragma omp for schedule(dynamic, 1)
    for (size_t b = 0; b < n_batches; ++b) {
      const size_t first = b * PRISM_BATCH;
      const size_t count = scan->n - first < PRISM_BATCH ? scan->n - first : PRISM_BATCH;
      for (size_t d = 0; d < S->n_depths; ++d)
        for (int f = 0; f < S->n_focal; ++f) {
          form_windows(S, d, scan, first, count, S->focal_df[f], w, c);
          for (size_t k = 0; k < count; ++k) {
            fftwf_execute_dft(S->win_fwd, w[k], w[k]);
            sf_detector_layout_measure(S->layout, w[k], inv_Nw, S->focal_w[f],
                                       records + (d * scan->n + first + k) * rl->size);
          }
        }
      sf_progress_add(progress, count);
    }
  }
  const int periodic = p->source_periodic >= 0
                           ? p->source_periodic
                           : sf_scan_covers_period(scan, S->g.cell_x_A, S->g.cell_y_A);
  return sf_stem_result_commit(res, p->probe.source_sigma_A, periodic);
}
