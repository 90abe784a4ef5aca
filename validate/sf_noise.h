/* sf_noise.h - dose and noise: Poisson counts at a stated dose, read-out noise,
   and the dose that reaches a requested SNR.

   Each modality has its own dose D (electrons per Å^2). With pixel area a
   (Å^2), the expected counts in pixel p are
       HAADF:     lambda_p = D a f_det S_p / max_q S_q
                  (the HAADF signal is normalised to a maximum of 1, and f_det is
                  the fraction of the incident electrons that reach the detector
                  at the brightest pixel)
       chemical:  lambda_p = D a y S_p
                  (S in atoms per Å^2 times a relative yield, y in Å^2: the
                  counts detected per incident electron per atom per Å^2 of S,
                  i.e. an effective cross-section times the detection efficiency).
   The noisy value is a Poisson draw of mean lambda_p plus, optionally,
   Gaussian read-out noise of standard deviation sigma_r counts (not rounded,
   not clipped). Pixel p draws from its own Philox substream p of stream
   SF_RNG_STREAM(SF_RNG_PURPOSE_NOISE, realisation * 256 + modality), so the
   result depends on (seed, realisation, modality, pixel) only, never on the
   thread count. The SNR of a map over the specimen mask M (pixels with
   S_p >= mask_fraction * max S) is mean_M(lambda) / sqrt(mean_M(lambda) +
   sigma_r^2): mean signal over the RMS noise, which is sqrt(mean counts) for
   pure Poisson noise; the target-SNR mode solves it for the dose.
   Definitions: docs/validation-model.md.

   Catalogue: sf_noise_stream, sf_noise_kind_name, sf_noise_dose_for_snr,
   sf_noise_expected, sf_noise_draw, sf_noise_apply. */
#ifndef SF_NOISE_H
#define SF_NOISE_H
#include "core/sf_imageset.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_NOISE_MAX_MODALITIES 256 /* modalities per realisation (stream layout) */

typedef enum sf_noise_kind {
  SF_NOISE_HAADF = 0,   /* signal normalised to max 1, times detector_fraction */
  SF_NOISE_CHEMICAL = 1 /* signal times yield_A2 */
} sf_noise_kind;

typedef struct sf_noise_modality {
  /* inputs */
  const char *map;           /* noiseless signal map (sf_noise_apply), e.g. "HAADF", "EDX_Co" */
  const char *out_map;       /* noisy output map; NULL: "<map>_noisy" */
  sf_noise_kind kind;
  double dose_e_per_A2;      /* dose D, electrons per Å^2 (finite, >= 0); unused if target_snr > 0 */
  double target_snr;         /* > 0: choose D to reach this SNR over the mask; 0: use dose_e_per_A2 */
  double detector_fraction;  /* HAADF: f_det in (0, 1] */
  double yield_A2;           /* chemical: y in Å^2 per (atom per Å^2), finite, > 0 */
  double read_noise_counts;  /* sigma_r, counts (finite, >= 0) */
  double mask_fraction;      /* specimen mask threshold in [0, 1): S >= mask_fraction * max S */
  double pixel_area_A2;      /* pixel area in Å^2; 0: from the map's calibration (sf_noise_apply) */
  /* outputs, filled by sf_noise_expected / sf_noise_apply */
  double dose_used_e_per_A2; /* the dose applied (solved in target-SNR mode) */
  double mean_counts;        /* mean expected counts over the mask */
  double snr_expected;       /* mean_counts / sqrt(mean_counts + sigma_r^2) */
  size_t mask_pixels;        /* pixels in the mask */
} sf_noise_modality;

/** Stream id of a modality in a realisation: SF_RNG_STREAM(SF_RNG_PURPOSE_NOISE,
    realisation * 256 + modality). */
uint64_t sf_noise_stream(uint32_t realisation, uint32_t modality);
/** "HAADF", "chemical" or "unknown". */
const char *sf_noise_kind_name(sf_noise_kind kind);

/** Dose (electrons per Å^2) at which the mean expected counts over the mask,
    counts_per_dose * D, give SNR = target_snr with read noise sigma_r:
    mu = (S^2 + sqrt(S^4 + 4 S^2 sigma_r^2)) / 2, D = mu / counts_per_dose.
    SF_EINVAL for a non-positive or non-finite target or counts_per_dose, or
    a negative read noise. */
int sf_noise_dose_for_snr(double target_snr, double counts_per_dose, double read_noise_counts,
                          double *dose_e_per_A2);

/** Expected counts lambda_p (written to `expected`, caller-owned, npix values)
    of modality m for the noiseless signal (npix values, finite, >= 0) on
    pixels of area pixel_area_A2 (Å^2, > 0); fills m's output fields. `name`
    labels error messages (the modality's map name when NULL). SF_EINVAL
    naming the modality and the value for a negative or non-finite dose, a
    bad detector fraction, yield, read noise, mask fraction, pixel area or
    signal value, or an all-zero signal (HAADF normalisation, SNR mode). */
int sf_noise_expected(sf_noise_modality *m, const char *name, const double *signal, size_t npix,
                      double pixel_area_A2, double *expected);

/** Noisy counts: out[p] = Poisson(expected[p]) + read_noise_counts * N(0, 1),
    pixel p drawing from substream p of (seed, stream). Thread-count
    independent. expected and out are caller-owned npix arrays (may be the
    same array). SF_EINVAL for a negative or non-finite mean (naming the
    pixel) or read noise; SF_ERANGE for more than 2^32 pixels. */
int sf_noise_draw(const double *expected, size_t npix, double read_noise_counts, uint64_t seed,
                  uint64_t stream, double *out);

/** Add a noisy double map (counts) for each of the n modalities m[k] (k is
    the modality index of the stream) to `out`, from the signal maps of
    `in` (out may be in; outputs must not exist yet). The pixel area is
    |step_x step_y| of the signal map's axes (Å or nm) unless
    m[k].pixel_area_A2 > 0. Output maps carry the input's axes and
    attributes dose_e_per_A2, kind, detector_fraction or yield_A2,
    read_noise_counts, target_snr, snr_expected, mean_counts, seed,
    realisation, stream. All modalities are checked before any map is
    added. SF_ENOENT for a missing signal map, SF_EINVAL as
    sf_noise_expected, SF_ERANGE for more than 256 modalities. */
int sf_noise_apply(const sf_imageset *in, sf_imageset *out, size_t n, sf_noise_modality *m,
                   uint64_t seed, uint32_t realisation);

#ifdef __cplusplus
}
#endif
#endif
