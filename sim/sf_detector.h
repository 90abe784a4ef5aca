/* sf_detector.h - STEM detectors and the accumulated result of a scan.

   Detectors act on the exit wave in Fourier space. A bin of frequency q
   belongs to a detector when its pixel-centre angle alpha = lambda |q|
   satisfies inner <= alpha < outer (mrad) and, for a segmented detector of
   n segments rotated by rot, its azimuth phi = atan2(qy, qx) lies in
   segment s: rot + 2 pi s / n <= phi < rot + 2 pi (s+1) / n (mod 2 pi).
   The intensity of a detector is sum_{q in D} |Psi(q)|^2 / N for an
   unnormalised forward FFT over N pixels, i.e. the fraction of the incident
   (unit) probe intensity. Only bins inside the band limit carry intensity;
   a detector whose outer angle exceeds alpha_max is refused (SF_ERANGE).

   Radial-bin cube: bin k holds [k d, (k+1) d) mrad for d = bin_width_mrad
   (1 mrad by default), k = 0 .. n_bins - 1 with n_bins = ceil(alpha_max / d);
   the last bin is closed at alpha_max ([k d, alpha_max]), so no bin reaches
   beyond the band limit and the bins together hold everything inside it:
   sum_k I_k + loss = 1, loss being what the band limit removed. An annular
   detector with edges on the bin grid equals sum_{k = inner/d}^{outer/d - 1} I_k;
   a partial bin at an edge that is not on the grid is not split (form such
   detectors directly).

   Centre of mass (DPC): COM = sum_q alpha_q |Psi(q)|^2 / sum_q |Psi(q)|^2
   (mrad, x and y), over the band-limit disc.

   Results: a sf_stem_result holds, for each recorded depth and scan
   position, one record of doubles: the channels (one per annular detector,
   n per segmented one), the radial bins, COM x and y, and the total
   intensity inside the band limit. Each configuration (frozen phonon) is
   written into a fresh record buffer, blurred by the source size, then added
   to sums; the mean over configurations and, for channels, COM and loss, the
   standard error of the mean sqrt(s^2 / N) (s^2 the sample variance; 0 for
   N = 1) are formed on request. Configurations are added in a fixed order,
   so results do not depend on the thread count.

   Catalogue: sf_detector_init, sf_detector_params_default, sf_detector_check,
   sf_detector_channel_count, sf_detector_channel_name, sf_detector_bin_count,
   sf_detector_record_layout, sf_detector_layout_create, sf_detector_layout_destroy,
   sf_detector_layout_record, sf_detector_layout_measure,
   sf_stem_result_create, sf_stem_result_destroy, sf_stem_result_bytes,
   sf_stem_result_records, sf_stem_result_record_layout, sf_stem_result_commit,
   sf_stem_result_configurations, sf_stem_result_depths, sf_stem_result_depth_A, sf_stem_result_get,
   sf_stem_result_bins, sf_stem_result_to_imageset. */
#ifndef SF_DETECTOR_H
#define SF_DETECTOR_H
#include "core/sf_imageset.h"
#include "sim/sf_propagator.h"
#include "sim/sf_scan.h"

#include <fftw3.h>
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_DETECTOR_MAX_CHANNELS 64
#define SF_DETECTOR_BIN_WIDTH_DEFAULT_mrad 1.0

/* One detector (annular or segmented). */
typedef struct sf_detector {
  char name[SF_NAME_MAX]; /* map name, [A-Za-z0-9_], e.g. "HAADF" */
  double inner_mrad;      /* inner angle (>= 0) */
  double outer_mrad;      /* outer angle (> inner, <= alpha_max) */
  int segments;           /* 0 or 1: annular; 2..32: equal azimuthal segments */
  double rotation_rad;    /* azimuth where segment 0 starts, counter-clockwise from +x */
} sf_detector;

/* What to record. */
typedef struct sf_detector_params {
  const sf_detector *detectors; /* caller-owned array (may be NULL when n_detectors = 0) */
  size_t n_detectors;
  double bin_width_mrad; /* radial-bin cube bin width (> 0); 0: no cube */
  int com;               /* 1: record the centre of mass (COM_x, COM_y in mrad) */
} sf_detector_params;

/* Where the parts of a record start (doubles). */
typedef struct sf_record_layout {
  size_t n_channels, n_bins;
  size_t channels;   /* offset of the channels (0) */
  size_t bins;       /* offset of the radial bins */
  size_t com;        /* offset of COM x, y (when enabled) */
  size_t total;      /* offset of the total intensity inside the band limit */
  size_t size;       /* doubles per record */
  int has_com;
} sf_record_layout;

typedef struct sf_detector_layout sf_detector_layout; /* opaque */
typedef struct sf_stem_result sf_stem_result;         /* opaque */

/** Fill an annular (segments = 0) detector: name (copied), angles in mrad. */
void sf_detector_init(sf_detector *d, const char *name, double inner_mrad, double outer_mrad,
                      int segments, double rotation_rad);

/** Defaults: no detectors, 1 mrad radial bins, no centre of mass. */
void sf_detector_params_default(sf_detector_params *p);

/** Check the detectors against alpha_max_mrad before any work: names valid
    and distinct, 0 <= inner < outer, segments in 0..32, at most
    SF_DETECTOR_MAX_CHANNELS channels, bin width >= 0 and finite (SF_EINVAL
    naming the detector and value); SF_ERANGE when a detector's outer angle
    exceeds alpha_max ("detector 'HAADF' reaches 250 mrad beyond the band
    limit alpha_max = 201.7 mrad ..."). */
int sf_detector_check(const sf_detector_params *p, double alpha_max_mrad);

/** Number of channels (annular: 1, segmented: its segments). */
size_t sf_detector_channel_count(const sf_detector_params *p);

/** Name of channel c into buf ("HAADF", or "DF4_s2" for segment 2 of
    "DF4"). SF_EINVAL for c out of range. */
int sf_detector_channel_name(const sf_detector_params *p, size_t c, char *buf, size_t size);

/** Number of radial bins for alpha_max_mrad (ceil(alpha_max / width); 0 when
    the cube is off). */
size_t sf_detector_bin_count(const sf_detector_params *p, double alpha_max_mrad);

/** Record layout for the detectors p at alpha_max_mrad into *r. */
void sf_detector_record_layout(const sf_detector_params *p, double alpha_max_mrad,
                               sf_record_layout *r);

/** Precompute, for an FFT grid of nx x ny bins with frequency steps
    dkx_invA = 1/Lx, dky_invA = 1/Ly, which bins lie inside the band limit
    k_max_invA and which channel and radial bin each belongs to (lambda_A
    turns frequencies into angles; alpha_max = 1000 lambda k_max). Runs
    sf_detector_check. *out owned by the caller. */
int sf_detector_layout_create(const sf_detector_params *p, size_t nx, size_t ny,
                              double dkx_invA, double dky_invA, double lambda_A,
                              double k_max_invA, sf_detector_layout **out);
/** Free. NULL is a no-op. */
void sf_detector_layout_destroy(sf_detector_layout *L);

/** Record layout (sizes and offsets) of L. */
const sf_record_layout *sf_detector_layout_record(const sf_detector_layout *L);

/** Measure the Fourier-space wave psi_q (nx*ny bins, FFT order; read only) into record
    (record size doubles, caller-owned): record += weight * (channels, bins,
    |Psi|^2-weighted angles, total), each |Psi(q)|^2 multiplied by scale
    (1/N for an unnormalised forward FFT). The COM entries hold the sums of
    alpha |Psi|^2 until sf_stem_result_commit divides them by the total.
    Sums run in a fixed bin order. Thread-safe on distinct records. */
void sf_detector_layout_measure(const sf_detector_layout *L, fftwf_complex *psi_q,
                                double scale, double weight, double *record);

/** A result for the scan, recording depths depth_A[0..n_depths-1] (A,
    increasing; copied) with the detectors p (copied) on grid g. Memory:
    3 records per (depth, position) for all but the bins, 2 for the bins.
    *out owned by the caller. SF_EINVAL, SF_ENOMEM naming the bytes. */
int sf_stem_result_create(const sf_detector_params *p, const sf_wavegrid *g, const sf_scan *scan,
                          const double *depth_A, size_t n_depths, sf_stem_result **out);
/** Free. NULL is a no-op. */
void sf_stem_result_destroy(sf_stem_result *r);

/** Bytes sf_stem_result_create would allocate. */
size_t sf_stem_result_bytes(const sf_detector_params *p, double alpha_max_mrad, size_t n_scan,
                            size_t n_depths);

/** The record buffer of the configuration in progress (zeroed by create and
    by commit): records[(depth * n_scan + position) * record_size]. */
double *sf_stem_result_records(sf_stem_result *r);

/** Layout of one record. */
const sf_record_layout *sf_stem_result_record_layout(const sf_stem_result *r);

/** Finish the configuration in progress: turn COM sums into angles, blur
    every image (channels, bins, COM, total) with the source size
    source_sigma_A (A; 0: none; periodic when `periodic`), add it to the sums,
    zero the buffer. */
int sf_stem_result_commit(sf_stem_result *r, double source_sigma_A, int periodic);

/** Configurations committed so far. */
size_t sf_stem_result_configurations(const sf_stem_result *r);

/** Number of recorded depths, and depth d in A. */
size_t sf_stem_result_depths(const sf_stem_result *r);
double sf_stem_result_depth_A(const sf_stem_result *r, size_t d);

/** Mean and standard error of the mean over configurations of the image
    `name` at depth d: a channel name, "COM_x", "COM_y" (mrad) or
    "band_limit_loss" (1 - total). mean and se (n_scan doubles each,
    caller-owned; se may be NULL). SF_ENOENT naming an unknown name,
    SF_EINVAL when nothing was committed. */
int sf_stem_result_get(const sf_stem_result *r, size_t d, const char *name, double *mean,
                       double *se);

/** Mean radial-bin cube at depth d into cube[position * n_bins + k]
    (n_scan * n_bins doubles, caller-owned). SF_EINVAL when the cube is off. */
int sf_stem_result_bins(const sf_stem_result *r, size_t d, double *cube);

/** Add every map to `set`: for each channel `<name>_mean` and `<name>_stderr`
    (double), COM_x/COM_y (_mean, _stderr) when recorded, band_limit_loss_mean,
    and the cube ADF_radial_bins (float, nz = n_bins, third axis "Scattering
    angle (bin centre)" in mrad at (k + 1/2) d). With several depths every
    subject gets a depth tag `_dNN` (zero-padded, at least 2 digits) before its
    kind (`HAADF_d03_mean`), so no name is a prefix of another (HyperSpy rule,
    docs/file-formats.md); each map records its thickness_A.
    Axes: the scan grid in A (a list scan: "position" in px). Map attributes:
    alpha_max_mrad, bin_width_mrad, last_bin_outer_mrad, configurations,
    detector angles. SF_EINVAL (nothing committed, duplicate names), SF_ENOMEM. */
int sf_stem_result_to_imageset(const sf_stem_result *r, sf_imageset *set);

#ifdef __cplusplus
}
#endif
#endif
