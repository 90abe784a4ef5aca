/* sf_metrics.h - image quality metrics against a ground truth: MSE, RMSE, NRMSE,
   PSNR, SSIM, SNR, per-element scale alignment and fused-versus-raw gain.

   For an estimate x and truth t over the n pixels of a mask (all pixels when
   the mask is NULL):
       MSE   = mean (x - t)^2,  RMSE = sqrt(MSE)
       NRMSE = RMSE / (max t - min t)
       PSNR  = 10 log10(max(t)^2 / MSE) dB, peak = max of the truth (the usual
               definition, e.g. Gonzalez & Woods, Digital Image Processing;
               fusion-method.md section 9 takes the peak from the truth)
       SSIM  = mean over all 11x11 window positions inside the image (valid
               positions, as in the authors' reference code) of
               (2 mu_x mu_t + C1)(2 s_xt + C2) / ((mu_x^2 + mu_t^2 + C1)(s_x^2 + s_t^2 + C2)),
               Gaussian window sigma 1.5 normalised to unit sum, C1 = (0.01 L)^2,
               C2 = (0.03 L)^2, L = max t - min t (Z. Wang, A. C. Bovik,
               H. R. Sheikh, E. P. Simoncelli, IEEE TIP 13, 600 (2004),
               doi:10.1109/TIP.2003.819861); SSIM ignores the mask
       SNR   = mean / standard deviation (n - 1 denominator) of a map over a
               region, meant for a flat region
       scale s = <x, t> / <x, x> over the mask: the least-squares factor that
               brings a normalised estimate to the truth's units; applied to x
               before every metric when alignment is on, and reported.
   The overall metrics of several elements concatenate all elements' pixels
   (peak and range over all truths); the overall SSIM is the mean of the
   per-element SSIMs. Definitions: docs/validation-model.md.

   Catalogue: sf_metrics_mse, sf_metrics_psnr, sf_metrics_nrmse,
   sf_metrics_ssim, sf_metrics_snr, sf_metrics_scale, sf_metrics_compare,
   sf_metrics_compare_maps, sf_metrics_compare_set, sf_metrics_improvement. */
#ifndef SF_METRICS_H
#define SF_METRICS_H
#include "core/sf_imageset.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_SSIM_WINDOW 11     /* window edge, pixels */
#define SF_SSIM_SIGMA 1.5     /* Gaussian window standard deviation, pixels */
#define SF_SSIM_K1 0.01
#define SF_SSIM_K2 0.03

typedef struct sf_metrics {
  size_t n;       /* pixels compared */
  double scale;   /* factor applied to the estimate (1 without alignment; NAN overall) */
  double mse;     /* mean squared error, truth units squared */
  double rmse;    /* root mean squared error, truth units */
  double nrmse;   /* rmse / (max - min of the truth) */
  double psnr_dB; /* 10 log10(max(truth)^2 / mse); +INFINITY when mse = 0 */
  double ssim;    /* mean SSIM; NAN when the image is smaller than the window */
} sf_metrics;

/* Pixel metrics. x and truth are caller-owned arrays of n values; mask (n
   bytes, non-zero = use) may be NULL for all pixels. SF_EINVAL when no pixel
   is selected or a value is not finite (naming the pixel). */

/** Mean squared error into *mse. */
int sf_metrics_mse(const double *x, const double *truth, const uint8_t *mask, size_t n,
                   double *mse);
/** PSNR in dB with peak = max(truth) over the mask; +INFINITY for identical
    inputs. SF_ERANGE when max(truth) <= 0. */
int sf_metrics_psnr(const double *x, const double *truth, const uint8_t *mask, size_t n,
                    double *psnr_dB);
/** RMSE / (max - min of the truth over the mask). SF_ERANGE for a constant truth. */
int sf_metrics_nrmse(const double *x, const double *truth, const uint8_t *mask, size_t n,
                     double *nrmse);
/** Mean SSIM of nx x ny images (data[iy*nx + ix]) over valid window positions.
    dynamic_range L > 0, or <= 0 for max - min of the truth. SF_EINVAL when
    nx or ny < SF_SSIM_WINDOW, SF_ERANGE when L = 0, SF_ENOMEM. */
int sf_metrics_ssim(const double *x, const double *truth, size_t nx, size_t ny,
                    double dynamic_range, double *ssim);
/** mean / sample standard deviation of x over the mask; +INFINITY when the
    deviation is 0. SF_EINVAL for fewer than 2 pixels. */
int sf_metrics_snr(const double *x, const uint8_t *mask, size_t n, double *snr);
/** s = <x, t> / <x, x> over the mask. SF_ENUMERIC when x is zero there. */
int sf_metrics_scale(const double *x, const double *truth, const uint8_t *mask, size_t n,
                     double *scale);

/* Whole comparisons */

/** All metrics of an nx x ny estimate against the truth; with align != 0 the
    estimate is first multiplied by s (sf_metrics_scale). Inputs unchanged. */
int sf_metrics_compare(const double *x, const double *truth, size_t nx, size_t ny,
                       const uint8_t *mask, int align, sf_metrics *out);
/** As sf_metrics_compare for two maps on the same grid (float or double,
    images only); SF_EINVAL naming both maps otherwise. */
int sf_metrics_compare_maps(const sf_map *estimate, const sf_map *truth, const uint8_t *mask,
                            int align, sf_metrics *out);
/** Per-element metrics (per[k], caller-owned array of n) of the estimate maps
    est[k] against truth[k] in `set`, and the overall metrics (*overall,
    optional) over all elements together. SF_ENOENT for a missing map. */
int sf_metrics_compare_set(const sf_imageset *set, size_t n, const char *const *est,
                           const char *const *truth, const uint8_t *mask, int align,
                           sf_metrics *per, sf_metrics *overall);

typedef struct sf_metrics_gain {
  double psnr_raw_dB, psnr_fused_dB;
  double psnr_gain_dB;     /* psnr_fused - psnr_raw */
  double scale_raw, scale_fused;
  double snr_raw, snr_fused; /* mean / std over the flat region */
  double snr_ratio_pct;    /* 100 SNR_fused / SNR_raw (fusion-method.md section 9 "SNR gain") */
  double snr_increase_pct; /* 100 (SNR_fused / SNR_raw - 1) */
} sf_metrics_gain;

/** Fused-versus-raw improvement of one element: PSNR of each against the
    truth over `mask` (each scale-aligned when align != 0, as raw counts and
    normalised fused maps are in different units) and SNR of each over the
    flat `region` (NULL: all pixels). Arrays of n values. */
int sf_metrics_improvement(const double *raw, const double *fused, const double *truth,
                           const uint8_t *mask, const uint8_t *region, size_t n, int align,
                           sf_metrics_gain *gain);

#ifdef __cplusplus
}
#endif
#endif
