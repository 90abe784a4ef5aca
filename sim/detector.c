/* detector.c - detector definitions, checks, and the per-grid lookup that
   measures a Fourier-space exit wave into channels, radial bins and COM. */
#include "sim/sf_detector.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 32
/* Room left in a map name for the suffixes "_s31", "_d999" and "_stderr". */
#define NAME_SUFFIX_ROOM 16

struct sf_detector_layout {
  sf_record_layout rec;
  size_t nx, ny;
  size_t n_in;     /* FFT bins inside the band limit */
  uint32_t *index; /* their positions iy * nx + ix, increasing */
  uint32_t *rbin;  /* radial bin of each (when the cube is on) */
  uint64_t *mask;  /* channels containing each */
  double *ax, *ay; /* angle components in mrad (when COM is on) */
};

void sf_detector_init(sf_detector *d, const char *name, double inner_mrad, double outer_mrad,
                      int segments, double rotation_rad) {
  if (!d)
    return;
  memset(d, 0, sizeof *d);
  snprintf(d->name, sizeof d->name, "%s", name ? name : "");
  d->inner_mrad = inner_mrad;
  d->outer_mrad = outer_mrad;
  d->segments = segments;
  d->rotation_rad = rotation_rad;
}

void sf_detector_params_default(sf_detector_params *p) {
  if (!p)
    return;
  memset(p, 0, sizeof *p);
  p->bin_width_mrad = SF_DETECTOR_BIN_WIDTH_DEFAULT_mrad;
}

static size_t segments_of(const sf_detector *d) {
  return d->segments >= 2 ? (size_t)d->segments : 1;
}

size_t sf_detector_channel_count(const sf_detector_params *p) {
  size_t n = 0;
  for (size_t i = 0; p && i < p->n_detectors; ++i)
    n += segments_of(&p->detectors[i]);
  return n;
}

int sf_detector_channel_name(const sf_detector_params *p, size_t c, char *buf, size_t size) {
  size_t first = 0;
  for (size_t i = 0; p && i < p->n_detectors; ++i) {
    const sf_detector *d = &p->detectors[i];
    const size_t n = segments_of(d);
    if (c < first + n) {
      if (n == 1)
        snprintf(buf, size, "%s", d->name);
      else
        snprintf(buf, size, "%s_s%zu", d->name, c - first);
      return SF_OK;
    }
    first += n;
  }
  return sf_error_set(SF_EINVAL, "detector channel %zu: out of range (%zu channels)", c, first);
}

size_t sf_detector_bin_count(const sf_detector_params *p, double alpha_max_mrad) {
  if (!p || p->bin_width_mrad <= 0.0 || !(alpha_max_mrad > 0.0))
    return 0;
  const double r = alpha_max_mrad / p->bin_width_mrad;
  size_t n = (size_t)ceil(r);
  if (n > 1 && r - (double)(n - 1) < 1e-12 * r)
    --n; /* alpha_max on a bin edge up to rounding */
  return n < 1 ? 1 : n;
}

int sf_detector_check(const sf_detector_params *p, double alpha_max_mrad) {
  if (!p)
    return sf_error_set(SF_EINVAL, "detectors: NULL argument");
  if (p->n_detectors > 0 && !p->detectors)
    return sf_error_set(SF_EINVAL, "detectors: %zu detectors but a NULL array",
                        p->n_detectors);
  if (!isfinite(p->bin_width_mrad) || p->bin_width_mrad < 0.0)
    return sf_error_set(SF_EINVAL,
                        "detectors: bin_width_mrad = %g: must be finite and >= 0 (0: no cube)",
                        p->bin_width_mrad);
  if (p->bin_width_mrad > 0.0 && alpha_max_mrad / p->bin_width_mrad > 1e6)
    return sf_error_set(SF_EINVAL, "detectors: bin_width_mrad = %g: gives more than 1e6 bins",
                        p->bin_width_mrad);
  for (size_t i = 0; i < p->n_detectors; ++i) {
    const sf_detector *d = &p->detectors[i];
    if (!sf_name_is_valid(d->name) || strlen(d->name) >= SF_NAME_MAX - NAME_SUFFIX_ROOM)
      return sf_error_set(SF_EINVAL,
                          "detector %zu: name '%s': use 1-%d characters from [A-Za-z0-9_]", i,
                          d->name, SF_NAME_MAX - NAME_SUFFIX_ROOM - 1);
    for (size_t j = 0; j < i; ++j)
      if (strcmp(p->detectors[j].name, d->name) == 0)
        return sf_error_set(SF_EINVAL, "detector '%s': name used twice", d->name);
    if (!isfinite(d->inner_mrad) || !isfinite(d->outer_mrad) || d->inner_mrad < 0.0 ||
        !(d->outer_mrad > d->inner_mrad))
      return sf_error_set(SF_EINVAL,
                          "detector '%s': inner_mrad = %g, outer_mrad = %g: need "
                          "0 <= inner < outer",
                          d->name, d->inner_mrad, d->outer_mrad);
    if (d->segments < 0 || d->segments > MAX_SEGMENTS)
      return sf_error_set(SF_EINVAL, "detector '%s': segments = %d: must be in 0..%d", d->name,
                          d->segments, MAX_SEGMENTS);
    if (!isfinite(d->rotation_rad))
      return sf_error_set(SF_EINVAL, "detector '%s': rotation_rad = %g: must be finite",
                          d->name, d->rotation_rad);
    if (d->outer_mrad > alpha_max_mrad)
      return sf_error_set(SF_ERANGE,
                          "detector '%s' reaches %g mrad, beyond the band limit alpha_max = "
                          "%.4g mrad: refine the sampling or lower its outer angle",
                          d->name, d->outer_mrad, alpha_max_mrad);
  }
  const size_t nc = sf_detector_channel_count(p);
  if (nc > SF_DETECTOR_MAX_CHANNELS)
    return sf_error_set(SF_EINVAL, "detectors: %zu channels: at most %d", nc,
                        SF_DETECTOR_MAX_CHANNELS);
  /* Channel names must be distinct from each other and from the fixed maps. */
  char a[SF_NAME_MAX], b[SF_NAME_MAX];
  for (size_t c = 0; c < nc; ++c) {
    sf_detector_channel_name(p, c, a, sizeof a);
    if (strcmp(a, "COM_x") == 0 || strcmp(a, "COM_y") == 0 ||
        strcmp(a, "band_limit_loss") == 0 || strcmp(a, "ADF_radial_bins") == 0)
      return sf_error_set(SF_EINVAL, "detector channel '%s': name is reserved", a);
    for (size_t e = 0; e < c; ++e) {
      sf_detector_channel_name(p, e, b, sizeof b);
      if (strcmp(a, b) == 0)
        return sf_error_set(SF_EINVAL, "detector channel '%s': name used twice", a);
    }
  }
  return SF_OK;
}

static void record_layout(const sf_detector_params *p, double alpha_max_mrad,
                          sf_record_layout *r) {
  memset(r, 0, sizeof *r);
  r->n_channels = sf_detector_channel_count(p);
  r->n_bins = sf_detector_bin_count(p, alpha_max_mrad);
  r->has_com = p->com ? 1 : 0;
  r->channels = 0;
  r->bins = r->n_channels;
  r->com = r->bins + r->n_bins;
  r->total = r->com + (r->has_com ? 2 : 0);
  r->size = r->total + 1;
}

void sf_detector_record_layout(const sf_detector_params *p, double alpha_max_mrad,
                               sf_record_layout *r) {
  record_layout(p, alpha_max_mrad, r);
}

void sf_detector_layout_destroy(sf_detector_layout *L) {
  if (!L)
    return;
  sf_free(L->index);
  sf_free(L->rbin);
  sf_free(L->mask);
  sf_free(L->ax);
  sf_free(L->ay);
  free(L);
}

const sf_record_layout *sf_detector_layout_record(const sf_detector_layout *L) {
  return &L->rec;
}

static long signed_bin(size_t i, size_t n) {
  return i < (n + 1) / 2 ? (long)i : (long)i - (long)n;
}

int sf_detector_layout_create(const sf_detector_params *p, size_t nx, size_t ny,
                              double dkx_invA, double dky_invA, double lambda_A,
                              double k_max_invA, sf_detector_layout **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "detector layout: NULL output pointer");
  *out = NULL;
  if (nx < 1 || ny < 1 || nx > UINT32_MAX / ny || !(dkx_invA > 0.0) || !(dky_invA > 0.0) ||
      !(lambda_A > 0.0) || !(k_max_invA > 0.0))
    return sf_error_set(SF_EINVAL,
                        "detector layout: grid %zu x %zu, steps %g, %g 1/A, lambda %g A, "
                        "k_max %g 1/A: invalid",
                        nx, ny, dkx_invA, dky_invA, lambda_A, k_max_invA);
  const double alpha_max_mrad = 1000.0 * lambda_A * k_max_invA;
  SF_TRY(sf_detector_check(p, alpha_max_mrad));
  sf_detector_layout *L = calloc(1, sizeof *L);
  if (!L)
    return sf_error_set(SF_ENOMEM, "detector layout: out of memory");
  record_layout(p, alpha_max_mrad, &L->rec);
  L->nx = nx;
  L->ny = ny;
  const double k2max = k_max_invA * k_max_invA;
  size_t n_in = 0;
  for (size_t iy = 0; iy < ny; ++iy) {
    const double qy = (double)signed_bin(iy, ny) * dky_invA;
    for (size_t ix = 0; ix < nx; ++ix) {
      const double qx = (double)signed_bin(ix, nx) * dkx_invA;
      n_in += qx * qx + qy * qy <= k2max;
    }
  }
  const size_t cap = n_in ? n_in : 1;
  L->index = sf_alloc(cap, sizeof *L->index, "detector layout");
  L->mask = sf_alloc(cap, sizeof *L->mask, "detector layout");
  if (L->rec.n_bins)
    L->rbin = sf_alloc(cap, sizeof *L->rbin, "detector layout");
  if (L->rec.has_com) {
    L->ax = sf_alloc(cap, sizeof *L->ax, "detector layout");
    L->ay = sf_alloc(cap, sizeof *L->ay, "detector layout");
  }
  if (!L->index || !L->mask || (L->rec.n_bins && !L->rbin) ||
      (L->rec.has_com && (!L->ax || !L->ay))) {
    sf_detector_layout_destroy(L);
    return SF_ENOMEM;
  }
  size_t k = 0;
  for (size_t iy = 0; iy < ny; ++iy) {
    const double qy = (double)signed_bin(iy, ny) * dky_invA;
    for (size_t ix = 0; ix < nx; ++ix) {
      const double qx = (double)signed_bin(ix, nx) * dkx_invA;
      if (qx * qx + qy * qy > k2max)
        continue;
      const double alpha = 1000.0 * lambda_A * sqrt(qx * qx + qy * qy); /* mrad */
      const double phi = atan2(qy, qx);
      L->index[k] = (uint32_t)(iy * nx + ix);
      if (L->rbin) {
        size_t b = (size_t)floor(alpha / p->bin_width_mrad);
        L->rbin[k] = (uint32_t)(b < L->rec.n_bins ? b : L->rec.n_bins - 1);
      }
      if (L->ax) {
        L->ax[k] = 1000.0 * lambda_A * qx;
        L->ay[k] = 1000.0 * lambda_A * qy;
      }
      uint64_t m = 0;
      size_t c = 0;
      for (size_t i = 0; i < p->n_detectors; ++i) {
        const sf_detector *d = &p->detectors[i];
        const size_t ns = segments_of(d);
        if (alpha >= d->inner_mrad && alpha < d->outer_mrad) {
          size_t s = 0;
          if (ns > 1) {
            double a = fmod(phi - d->rotation_rad, SF_TWO_PI);
            if (a < 0.0)
              a += SF_TWO_PI;
            s = (size_t)floor(a / (SF_TWO_PI / (double)ns));
            if (s >= ns)
              s = ns - 1;
          }
          m |= (uint64_t)1 << (c + s);
        }
        c += ns;
      }
      L->mask[k] = m;
      ++k;
    }
  }
  L->n_in = n_in;
  *out = L;
  return SF_OK;
}

void sf_detector_layout_measure(const sf_detector_layout *L, fftwf_complex *psi_q,
                                double scale, double weight, double *record) {
  const sf_record_layout *r = &L->rec;
  double ch[SF_DETECTOR_MAX_CHANNELS];
  for (size_t c = 0; c < r->n_channels; ++c)
    ch[c] = 0.0;
  double total = 0.0, cx = 0.0, cy = 0.0;
  double *bins = record + r->bins;
  const double wscale = weight * scale;
  for (size_t k = 0; k < L->n_in; ++k) {
    const float *z = psi_q[L->index[k]];
    const double I = (double)z[0] * (double)z[0] + (double)z[1] * (double)z[1];
    total += I;
    if (L->rbin)
      bins[L->rbin[k]] += wscale * I;
    if (L->ax) {
      cx += L->ax[k] * I;
      cy += L->ay[k] * I;
    }
    for (uint64_t m = L->mask[k]; m; m &= m - 1)
      ch[__builtin_ctzll(m)] += I;
  }
  for (size_t c = 0; c < r->n_channels; ++c)
    record[r->channels + c] += wscale * ch[c];
  if (r->has_com) {
    record[r->com] += wscale * cx;
    record[r->com + 1] += wscale * cy;
  }
  record[r->total] += wscale * total;
}
