/* noise.c - expected counts at a dose, Poisson and read-out noise, dose for an SNR. */
#include "validate/sf_noise.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

uint64_t sf_noise_stream(uint32_t realisation, uint32_t modality) {
  return SF_RNG_STREAM(SF_RNG_PURPOSE_NOISE,
                       (uint64_t)realisation * SF_NOISE_MAX_MODALITIES + modality);
}

const char *sf_noise_kind_name(sf_noise_kind kind) {
  switch (kind) {
  case SF_NOISE_HAADF:
    return "HAADF";
  case SF_NOISE_CHEMICAL:
    return "chemical";
  }
  return "unknown";
}

int sf_noise_dose_for_snr(double target_snr, double counts_per_dose, double read_noise_counts,
                          double *dose_e_per_A2) {
  if (!isfinite(target_snr) || target_snr <= 0.0)
    return sf_error_set(SF_EINVAL, "dose for SNR: target_snr = %g: must be finite and > 0",
                        target_snr);
  if (!isfinite(counts_per_dose) || counts_per_dose <= 0.0)
    return sf_error_set(SF_EINVAL, "dose for SNR: counts per unit dose = %g: must be finite and "
                        "> 0 (is the signal zero on the mask?)", counts_per_dose);
  if (!isfinite(read_noise_counts) || read_noise_counts < 0.0)
    return sf_error_set(SF_EINVAL, "dose for SNR: read_noise_counts = %g: must be finite and "
                        ">= 0", read_noise_counts);
  /* SNR^2 (mu + s^2) = mu^2, the positive root. */
  double s2 = target_snr * target_snr;
  double r2 = read_noise_counts * read_noise_counts;
  double mu = 0.5 * (s2 + sqrt(s2 * s2 + 4.0 * s2 * r2));
  *dose_e_per_A2 = mu / counts_per_dose;
  return SF_OK;
}

static int check_modality(const sf_noise_modality *m, const char *name, double pixel_area_A2) {
  if (m->kind != SF_NOISE_HAADF && m->kind != SF_NOISE_CHEMICAL)
    return sf_error_set(SF_EINVAL, "noise, modality '%s': kind = %d: must be HAADF or chemical",
                        name, (int)m->kind);
  if (!isfinite(m->target_snr) || m->target_snr < 0.0)
    return sf_error_set(SF_EINVAL, "noise, modality '%s': target_snr = %g: must be finite and "
                        ">= 0", name, m->target_snr);
  if (m->target_snr == 0.0 && (!isfinite(m->dose_e_per_A2) || m->dose_e_per_A2 < 0.0))
    return sf_error_set(SF_EINVAL, "noise, modality '%s': dose_e_per_A2 = %g: must be finite "
                        "and >= 0", name, m->dose_e_per_A2);
  if (m->kind == SF_NOISE_HAADF &&
      (!isfinite(m->detector_fraction) || m->detector_fraction <= 0.0 ||
       m->detector_fraction > 1.0))
    return sf_error_set(SF_EINVAL, "noise, modality '%s': detector_fraction = %g: must be in "
                        "(0, 1]", name, m->detector_fraction);
  if (m->kind == SF_NOISE_CHEMICAL && (!isfinite(m->yield_A2) || m->yield_A2 <= 0.0))
    return sf_error_set(SF_EINVAL, "noise, modality '%s': yield_A2 = %g: must be finite and > 0",
                        name, m->yield_A2);
  if (!isfinite(m->read_noise_counts) || m->read_noise_counts < 0.0)
    return sf_error_set(SF_EINVAL, "noise, modality '%s': read_noise_counts = %g: must be "
                        "finite and >= 0", name, m->read_noise_counts);
  if (!isfinite(m->mask_fraction) || m->mask_fraction < 0.0 || m->mask_fraction >= 1.0)
    return sf_error_set(SF_EINVAL, "noise, modality '%s': mask_fraction = %g: must be in [0, 1)",
                        name, m->mask_fraction);
  if (!isfinite(pixel_area_A2) || pixel_area_A2 <= 0.0)
    return sf_error_set(SF_EINVAL, "noise, modality '%s': pixel_area_A2 = %g: must be finite "
                        "and > 0", name, pixel_area_A2);
  return SF_OK;
}

int sf_noise_expected(sf_noise_modality *m, const char *name, const double *signal, size_t npix,
                      double pixel_area_A2, double *expected) {
  if (!name)
    name = m->map ? m->map : "";
  SF_TRY(check_modality(m, name, pixel_area_A2));
  if (npix == 0)
    return sf_error_set(SF_EINVAL, "noise, modality '%s': empty signal", name);
  double smax = 0.0;
  for (size_t p = 0; p < npix; ++p) {
    if (!isfinite(signal[p]) || signal[p] < 0.0)
      return sf_error_set(SF_EINVAL, "noise, modality '%s': signal at pixel %zu = %g: must be "
                          "finite and >= 0", name, p, signal[p]);
    if (signal[p] > smax)
      smax = signal[p];
  }
  if (smax == 0.0 && (m->kind == SF_NOISE_HAADF || m->target_snr > 0.0))
    return sf_error_set(SF_EINVAL, "noise, modality '%s': the signal is zero everywhere", name);
  /* Counts per pixel per unit dose per unit signal. */
  double per_dose = m->kind == SF_NOISE_HAADF ? pixel_area_A2 * m->detector_fraction / smax
                                              : pixel_area_A2 * m->yield_A2;
  double threshold = m->mask_fraction * smax, sum = 0.0;
  size_t n_mask = 0;
  for (size_t p = 0; p < npix; ++p)
    if (signal[p] >= threshold) {
      sum += signal[p];
      ++n_mask;
    }
  double mean_signal = sum / (double)n_mask; /* n_mask >= 1: the maximum is in the mask */
  double dose = m->dose_e_per_A2;
  if (m->target_snr > 0.0) {
    int status = sf_noise_dose_for_snr(m->target_snr, per_dose * mean_signal, m->read_noise_counts,
                                       &dose);
    if (status != SF_OK)
      return sf_error_prepend(status, "noise, modality '%s'", name);
  }
  const double scale = dose * per_dose;
#pragma omp parallel for schedule(static)
  for (size_t p = 0; p < npix; ++p)
    expected[p] = scale * signal[p];
  m->dose_used_e_per_A2 = dose;
  m->mean_counts = scale * mean_signal;
  m->mask_pixels = n_mask;
  double var = m->mean_counts + m->read_noise_counts * m->read_noise_counts;
  m->snr_expected = var > 0.0 ? m->mean_counts / sqrt(var) : 0.0;
  return SF_OK;
}

int sf_noise_draw(const double *expected, size_t npix, double read_noise_counts, uint64_t seed,
                  uint64_t stream, double *out) {
  if (npix > (size_t)UINT32_MAX + 1)
    return sf_error_set(SF_ERANGE, "noise: %zu pixels: at most 2^32 (one substream each)", npix);
  if (!isfinite(read_noise_counts) || read_noise_counts < 0.0)
    return sf_error_set(SF_EINVAL, "noise: read_noise_counts = %g: must be finite and >= 0",
                        read_noise_counts);
  for (size_t p = 0; p < npix; ++p)
    if (!isfinite(expected[p]) || expected[p] < 0.0)
      return sf_error_set(SF_EINVAL, "noise: expected counts at pixel %zu = %g: must be finite "
                          "and >= 0", p, expected[p]);
#pragma omp parallel for schedule(static)
  for (size_t p = 0; p < npix; ++p) {
    sf_rng rng;
    sf_rng_init(&rng, seed, stream, (uint32_t)p);
    double v = sf_rng_poisson(&rng, expected[p]);
    if (read_noise_counts > 0.0)
      v += read_noise_counts * sf_rng_normal(&rng);
    out[p] = v;
  }
  return SF_OK;
}

/* Pixel area in Å^2 from the map's x and y axes (Å, nm or pm). */
static int map_pixel_area_A2(const sf_map *map, double *area) {
  double sx, sy;
  int status = sf_map_axis_step_A(map, 0, &sx);
  if (status == SF_OK)
    status = sf_map_axis_step_A(map, 1, &sy);
  if (status != SF_OK)
    return sf_error_prepend(status, "noise: give pixel_area_A2 or calibrate the axes");
  *area = sx * sy;
  return SF_OK;
}

static int set_output_attrs(sf_map *o, const sf_noise_modality *m, uint64_t seed,
                            uint32_t realisation, uint64_t stream) {
  sf_attrs *a = &o->attrs;
  SF_TRY(sf_attrs_set_string(a, "", "noise_kind", sf_noise_kind_name(m->kind)));
  SF_TRY(sf_attrs_set_string(a, "", "noise_signal_map", m->map));
  SF_TRY(sf_attrs_set_double(a, "", "dose_e_per_A2", m->dose_used_e_per_A2));
  if (m->kind == SF_NOISE_HAADF)
    SF_TRY(sf_attrs_set_double(a, "", "detector_fraction", m->detector_fraction));
  else
    SF_TRY(sf_attrs_set_double(a, "", "yield_A2", m->yield_A2));
  SF_TRY(sf_attrs_set_double(a, "", "read_noise_counts", m->read_noise_counts));
  SF_TRY(sf_attrs_set_double(a, "", "target_snr", m->target_snr));
  SF_TRY(sf_attrs_set_double(a, "", "snr_expected", m->snr_expected));
  SF_TRY(sf_attrs_set_double(a, "", "mean_counts", m->mean_counts));
  SF_TRY(sf_attrs_set_double(a, "", "mask_fraction", m->mask_fraction));
  SF_TRY(sf_attrs_set_int(a, "", "seed", (int64_t)seed));
  SF_TRY(sf_attrs_set_int(a, "", "realisation", realisation));
  SF_TRY(sf_attrs_set_int(a, "", "stream", (int64_t)stream));
  return SF_OK;
}

static void output_name(const sf_noise_modality *m, char *buf, size_t size) {
  if (m->out_map)
    snprintf(buf, size, "%s", m->out_map);
  else
    snprintf(buf, size, "%s_noisy", m->map ? m->map : "");
}

/* Check every modality's maps and names before anything is added. */
static int check_apply(const sf_imageset *in, const sf_imageset *out, size_t n,
                       const sf_noise_modality *m, const sf_map **src) {
  if (n > SF_NOISE_MAX_MODALITIES)
    return sf_error_set(SF_ERANGE, "noise: %zu modalities: at most %d per realisation", n,
                        SF_NOISE_MAX_MODALITIES);
  char name[SF_NAME_MAX + 8], other[SF_NAME_MAX + 8];
  for (size_t k = 0; k < n; ++k) {
    const char *mn = m[k].map ? m[k].map : "";
    src[k] = sf_imageset_find(in, mn);
    if (!src[k])
      return sf_error_set(SF_ENOENT, "noise, modality %zu: signal map '%s' not found", k, mn);
    if (src[k]->nz != 1)
      return sf_error_set(SF_EINVAL, "noise, modality '%s': a cube (nz = %zu) is not an image",
                          mn, src[k]->nz);
    double area = m[k].pixel_area_A2;
    if (area == 0.0)
      SF_TRY(map_pixel_area_A2(src[k], &area));
    SF_TRY(check_modality(&m[k], mn, area));
    output_name(&m[k], name, sizeof name);
    if (!sf_name_is_valid(name) || sf_imageset_find(out, name))
      return sf_error_set(SF_EINVAL, "noise, modality '%s': output map '%s': invalid name or "
                          "already in the set", mn, name);
    for (size_t j = 0; j < k; ++j) {
      output_name(&m[j], other, sizeof other);
      if (strcmp(name, other) == 0)
        return sf_error_set(SF_EINVAL, "noise: output map '%s' named twice", name);
    }
  }
  return SF_OK;
}

static int apply_checked(sf_imageset *out, size_t n, sf_noise_modality *m, uint64_t seed,
                         uint32_t realisation, const sf_map *const *src, double **buf) {
  /* Pass 1: expected counts for every modality (validates all signals). */
  for (size_t k = 0; k < n; ++k) {
    const sf_map *s = src[k];
    size_t npix = s->nx * s->ny;
    double area = m[k].pixel_area_A2;
    if (area == 0.0)
      SF_TRY(map_pixel_area_A2(s, &area));
    if (!(buf[k] = sf_alloc(npix, sizeof(double), "noise signal")))
      return SF_ENOMEM;
    for (size_t p = 0; p < npix; ++p)
      buf[k][p] = sf_map_get(s, p % s->nx, p / s->nx, 0);
    SF_TRY(sf_noise_expected(&m[k], s->name, buf[k], npix, area, buf[k]));
  }
  /* Pass 2: draw and add the maps. */
  for (size_t k = 0; k < n; ++k) {
    const sf_map *s = src[k];
    size_t npix = s->nx * s->ny;
    uint64_t stream = sf_noise_stream(realisation, (uint32_t)k);
    SF_TRY(sf_noise_draw(buf[k], npix, m[k].read_noise_counts, seed, stream, buf[k]));
    char name[SF_NAME_MAX + 8];
    output_name(&m[k], name, sizeof name);
    sf_map *o = NULL;
    SF_TRY(sf_imageset_add_map(out, name, SF_F64, s->nx, s->ny, 1, &o));
    memcpy(o->data, buf[k], npix * sizeof(double));
    o->axis[0] = s->axis[0];
    o->axis[1] = s->axis[1];
    snprintf(o->quantity, sizeof o->quantity, "Counts");
    snprintf(o->units, sizeof o->units, "counts");
    SF_TRY(set_output_attrs(o, &m[k], seed, realisation, stream));
    sf_log(SF_LOG_INFO, "noise: %s -> %s: dose %.4g e/A^2, mean %.4g counts, expected SNR %.3g",
           s->name, name, m[k].dose_used_e_per_A2, m[k].mean_counts, m[k].snr_expected);
  }
  return SF_OK;
}

int sf_noise_apply(const sf_imageset *in, sf_imageset *out, size_t n, sf_noise_modality *m,
                   uint64_t seed, uint32_t realisation) {
  if (!in || !out || (n > 0 && !m))
    return sf_error_set(SF_EINVAL, "noise: NULL image set or modality list");
  const sf_map *src[SF_NOISE_MAX_MODALITIES];
  SF_TRY(check_apply(in, out, n, m, src));
  double **buf = sf_alloc(n ? n : 1, sizeof *buf, "noise buffers");
  if (!buf)
    return SF_ENOMEM;
  size_t count_before = out->count;
  int status = apply_checked(out, n, m, seed, realisation, src, buf);
  if (status != SF_OK)
    sf_imageset_truncate(out, count_before); /* leave the caller's set as it was */
  for (size_t k = 0; k < n; ++k)
    sf_free(buf[k]);
  sf_free(buf);
  return status;
}
