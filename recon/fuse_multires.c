/* fuse_multires.c - multi-resolution start (sf_fuse_multires.h): coarse
   data by binning or Fourier cropping, the coarse solve and the upsampled
   initial guess. */
#include "recon/sf_fuse_multires.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"

#include <fftw3.h>
#include <math.h>
#include <string.h>
#include <time.h>

void sf_fuse_multires_params_default(sf_fuse_multires_params *p) {
  memset(p, 0, sizeof *p);
  p->method = SF_FUSE_MULTIRES_FOURIER;
  p->factor = 2.0;
  p->coarse_max_iter = 300;
}

int sf_fuse_multires_method_parse(const char *text, sf_fuse_multires_method *method) {
  if (text && strcmp(text, "fourier") == 0) {
    *method = SF_FUSE_MULTIRES_FOURIER;
    return SF_OK;
  }
  if (text && strcmp(text, "bin") == 0) {
    *method = SF_FUSE_MULTIRES_BIN;
    return SF_OK;
  }
  return sf_error_set(SF_EINVAL, "fuse multires: method \"%s\": expected fourier or bin",
                      text ? text : "(null)");
}

const char *sf_fuse_multires_method_name(sf_fuse_multires_method method) {
  switch (method) {
  case SF_FUSE_MULTIRES_FOURIER: return "fourier";
  case SF_FUSE_MULTIRES_BIN: return "bin";
  }
  return "unknown";
}

int sf_fuse_multires_coarse_size(const sf_fuse_multires_params *mp, size_t nx, size_t ny,
                                 size_t *cnx, size_t *cny) {
  if (!mp || !cnx || !cny)
    return sf_error_set(SF_EINVAL, "fuse multires: NULL argument");
  const double f = mp->factor;
  if (!(f > 1.0) || !isfinite(f))
    return sf_error_set(SF_EINVAL, "fuse multires: factor = %g: must be > 1", f);
  if (mp->method == SF_FUSE_MULTIRES_BIN) {
    if (f != floor(f))
      return sf_error_set(SF_EINVAL, "fuse multires: factor = %g: binning needs an integer", f);
    size_t k = (size_t)f;
    *cnx = (nx + k - 1) / k;
    *cny = (ny + k - 1) / k;
  } else if (mp->method == SF_FUSE_MULTIRES_FOURIER) {
    *cnx = (size_t)floor((double)nx / f + 0.5);
    *cny = (size_t)floor((double)ny / f + 0.5);
  } else
    return sf_error_set(SF_EINVAL, "fuse multires: unknown method %d", (int)mp->method);
  if (*cnx < 2 || *cny < 2 || *cnx >= nx || *cny >= ny)
    return sf_error_set(SF_EINVAL,
                        "fuse multires: a %zu x %zu map reduced by %g gives %zu x %zu: need at "
                        "least 2 x 2 and fewer pixels than the map along each axis",
                        nx, ny, f, *cnx, *cny);
  return SF_OK;
}

/* Signed frequency of index k of an axis of length m. */
static long freq_of(size_t k, size_t m) { return k < (m + 1) / 2 ? (long)k : (long)k - (long)m; }

/* Index of signed frequency q on an axis of length m. */
static size_t index_of(long q, size_t m) { return q >= 0 ? (size_t)q : (size_t)((long)m + q); }

/* Real map in (nx*ny) -> spectrum cropped or padded to mx*my -> real out.
   Crop (mx <= nx): bins of the coarse grid take the source bin of the same
   signed frequency. Pad (mx >= nx): each source bin goes to the same signed
   frequency; a Nyquist bin of an even source axis is split in half between
   +m/2 and -m/2. out = Re(IFFT(...)) / (nx ny) * norm. */
static int resample_fourier(size_t nx, size_t ny, const double *in, size_t mx, size_t my,
                            double norm, double *out) {
  fftw_complex *a = fftw_malloc(nx * ny * sizeof(fftw_complex));
  fftw_complex *b = fftw_malloc(mx * my * sizeof(fftw_complex));
  if (!a || !b) {
    fftw_free(a);
    fftw_free(b);
    return sf_error_set(SF_ENOMEM, "fuse multires: FFT buffers (%zu x %zu and %zu x %zu)", nx,
                        ny, mx, my);
  }
  fftw_plan pf = fftw_plan_dft_2d((int)ny, (int)nx, a, a, FFTW_FORWARD, FFTW_ESTIMATE);
  fftw_plan pb = fftw_plan_dft_2d((int)my, (int)mx, b, b, FFTW_BACKWARD, FFTW_ESTIMATE);
  if (!pf || !pb) {
    if (pf)
      fftw_destroy_plan(pf);
    if (pb)
      fftw_destroy_plan(pb);
    fftw_free(a);
    fftw_free(b);
    return sf_error_set(SF_ENOMEM, "fuse multires: FFTW could not make a plan");
  }
  for (size_t p = 0; p < nx * ny; p++) {
    a[p][0] = in[p];
    a[p][1] = 0.0;
  }
  fftw_execute(pf);
  memset(b, 0, mx * my * sizeof(fftw_complex));
  if (mx <= nx && my <= ny) {
    for (size_t ky = 0; ky < my; ky++) {
      size_t sy = index_of(freq_of(ky, my), ny);
      for (size_t kx = 0; kx < mx; kx++) {
        size_t sx = index_of(freq_of(kx, mx), nx);
        b[ky * mx + kx][0] = a[sy * nx + sx][0];
        b[ky * mx + kx][1] = a[sy * nx + sx][1];
      }
    }
  } else {
    for (size_t ky = 0; ky < ny; ky++) {
      long qy = freq_of(ky, ny);
      int spy = (ny % 2 == 0 && qy == -(long)(ny / 2));
      for (size_t kx = 0; kx < nx; kx++) {
        long qx = freq_of(kx, nx);
        int spx = (nx % 2 == 0 && qx == -(long)(nx / 2));
        double wgt = (spy ? 0.5 : 1.0) * (spx ? 0.5 : 1.0);
        for (int sy = 0; sy <= spy; sy++)
          for (int sx = 0; sx <= spx; sx++) {
            size_t ty = index_of(sy ? -qy : qy, my), tx = index_of(sx ? -qx : qx, mx);
            b[ty * mx + tx][0] += wgt * a[ky * nx + kx][0];
            b[ty * mx + tx][1] += wgt * a[ky * nx + kx][1];
          }
      }
    }
  }
  fftw_execute(pb);
  const double scale = norm / (double)(nx * ny);
  for (size_t p = 0; p < mx * my; p++)
    out[p] = b[p][0] * scale;
  fftw_destroy_plan(pf);
  fftw_destroy_plan(pb);
  fftw_free(a);
  fftw_free(b);
  return SF_OK;
}

int sf_fuse_multires_reduce(const sf_fuse_multires_params *mp, size_t nx, size_t ny,
                            const double *in, int sum, double *out) {
  size_t cnx, cny;
  SF_TRY(sf_fuse_multires_coarse_size(mp, nx, ny, &cnx, &cny));
  if (!in || !out)
    return sf_error_set(SF_EINVAL, "fuse multires: NULL map");
  if (mp->method == SF_FUSE_MULTIRES_FOURIER) {
    double norm = sum ? (double)(nx * ny) / (double)(cnx * cny) : 1.0;
    return resample_fourier(nx, ny, in, cnx, cny, norm, out);
  }
  const size_t f = (size_t)mp->factor;
  for (size_t cy = 0; cy < cny; cy++)
    for (size_t cx = 0; cx < cnx; cx++) {
      double s = 0.0;
      size_t cnt = 0;
      for (size_t iy = cy * f; iy < (cy + 1) * f && iy < ny; iy++)
        for (size_t ix = cx * f; ix < (cx + 1) * f && ix < nx; ix++) {
          s += in[iy * nx + ix];
          cnt++;
        }
      out[cy * cnx + cx] = sum ? s * (double)(f * f) / (double)cnt : s / (double)cnt;
    }
  return SF_OK;
}

/* Bilinear weights along one axis: fine index i -> coarse j0, j1, t. */
static void bilin(size_t i, size_t f, size_t m, size_t *j0, size_t *j1, double *t) {
  double u = ((double)i - 0.5 * (double)(f - 1)) / (double)f;
  if (u <= 0.0) {
    *j0 = *j1 = 0;
    *t = 0.0;
    return;
  }
  size_t j = (size_t)floor(u);
  if (j >= m - 1) {
    *j0 = *j1 = m - 1;
    *t = 0.0;
    return;
  }
  *j0 = j;
  *j1 = j + 1;
  *t = u - (double)j;
}

int sf_fuse_multires_expand(const sf_fuse_multires_params *mp, size_t cnx, size_t cny,
                            const double *in, size_t nx, size_t ny, double *out) {
  size_t ex, ey;
  SF_TRY(sf_fuse_multires_coarse_size(mp, nx, ny, &ex, &ey));
  if (ex != cnx || ey != cny)
    return sf_error_set(SF_EINVAL,
                        "fuse multires: coarse map %zu x %zu does not match %zu x %zu reduced "
                        "by %g (%zu x %zu)",
                        cnx, cny, nx, ny, mp->factor, ex, ey);
  if (!in || !out)
    return sf_error_set(SF_EINVAL, "fuse multires: NULL map");
  if (mp->method == SF_FUSE_MULTIRES_FOURIER)
    return resample_fourier(cnx, cny, in, nx, ny, 1.0, out);
  const size_t f = (size_t)mp->factor;
  for (size_t iy = 0; iy < ny; iy++) {
    size_t y0, y1;
    double ty;
    bilin(iy, f, cny, &y0, &y1, &ty);
    for (size_t ix = 0; ix < nx; ix++) {
      size_t x0, x1;
      double tx;
      bilin(ix, f, cnx, &x0, &x1, &tx);
      out[iy * nx + ix] = (1 - ty) * ((1 - tx) * in[y0 * cnx + x0] + tx * in[y0 * cnx + x1]) +
                          ty * ((1 - tx) * in[y1 * cnx + x0] + tx * in[y1 * cnx + x1]);
    }
  }
  return SF_OK;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int sf_fuse_multires_initial(const sf_fuse_problem *prob, const sf_fuse_params *par,
                             const sf_fuse_multires_params *mp, double *x0,
                             sf_fuse_multires_info *info) {
  const double t0 = now_s();
  if (!prob || !par || !mp || !x0)
    return sf_error_set(SF_EINVAL, "fuse multires: NULL argument");
  SF_TRY(sf_fuse_problem_check(prob, par));
  if (mp->coarse_max_iter < 1)
    return sf_error_set(SF_EINVAL, "fuse multires: coarse iterations = %d: must be >= 1",
                        mp->coarse_max_iter);
  const size_t nx = prob->nx, ny = prob->ny, n = nx * ny, ne = prob->n_elements;
  size_t cnx, cny;
  SF_TRY(sf_fuse_multires_coarse_size(mp, nx, ny, &cnx, &cny));
  const size_t cn = cnx * cny;
  const double area = mp->method == SF_FUSE_MULTIRES_BIN ? mp->factor * mp->factor
                                                         : (double)n / (double)cn;
  double *buf = sf_alloc((ne + 1) * cn + n, sizeof(double), "fuse multires coarse data");
  if (!buf)
    return SF_ENOMEM;
  double *ch = buf, *cchem = buf + cn, *fine = buf + (ne + 1) * cn;
  const double *cptr[SF_FUSE_MAX_ELEMENTS];
  int st = sf_fuse_multires_reduce(mp, nx, ny, prob->haadf, 0, ch);
  for (size_t i = 0; st == SF_OK && i < ne; i++) {
    st = sf_fuse_multires_reduce(mp, nx, ny, prob->chem[i], 1, cchem + i * cn);
    if (par->chem_model == SF_FUSE_CHEM_POISSON)
      for (size_t p = 0; p < cn; p++)
        cchem[i * cn + p] = cchem[i * cn + p] > 0.0 ? cchem[i * cn + p] : 0.0;
    cptr[i] = cchem + i * cn;
  }
  sf_fuse_result *r = NULL;
  if (st == SF_OK) {
    sf_fuse_problem cp = *prob;
    cp.nx = cnx;
    cp.ny = cny;
    cp.haadf = ch;
    cp.chem = cptr;
    sf_fuse_params cpar = *par;
    cpar.max_iter = mp->coarse_max_iter;
    cpar.progress = 0;
    if (par->haadf_sigma > 0.0)
      cpar.haadf_sigma = par->haadf_sigma / sqrt(area);
    if (par->scale_mode == SF_FUSE_SCALE_FIXED)
      cpar.scale = par->scale / pow(area, par->gamma);
    st = sf_fuse_solve(&cp, &cpar, NULL, &r);
  }
  for (size_t i = 0; st == SF_OK && i < ne; i++) {
    for (size_t p = 0; p < cn; p++)
      ch[p] = r->x[i * cn + p] / area; /* the coarse HAADF is no longer needed */
    st = sf_fuse_multires_expand(mp, cnx, cny, ch, nx, ny, fine);
    for (size_t p = 0; st == SF_OK && p < n; p++)
      x0[i * n + p] = fine[p] > 0.0 ? fine[p] : 0.0;
  }
  if (st == SF_OK && info) {
    info->cnx = cnx;
    info->cny = cny;
    info->area_ratio = area;
    info->coarse_iterations = r->iterations;
    info->coarse_stop = r->stop;
    info->seconds = now_s() - t0;
  }
  sf_fuse_result_destroy(r);
  sf_free(buf);
  return st;
}
