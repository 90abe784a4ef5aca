/* probe_coherence.c - partial coherence: Gauss-Hermite nodes over defocus
   (focal spread) and the Gaussian source-size blur of finished images. */
#include "sim/sf_probe.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "sim/sf_incoherent.h"

#include <math.h>
#include <string.h>

#define FWHM_PER_SIGMA 2.3548200450309493 /* 2 sqrt(2 ln 2) */
#define JACOBI_MAX_SWEEPS 100

/* Eigen-decomposition of the symmetric n x n matrix a (row-major, destroyed)
   by cyclic Jacobi rotations: eigenvalues on the diagonal of a, eigenvectors
   in the columns of v. */
static void jacobi_eigen(double *a, double *v, int n) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      v[i * n + j] = i == j ? 1.0 : 0.0;
  for (int sweep = 0; sweep < JACOBI_MAX_SWEEPS; ++sweep) {
    double off = 0.0, diag = 0.0;
    for (int i = 0; i < n; ++i) {
      diag += a[i * n + i] * a[i * n + i];
      for (int j = i + 1; j < n; ++j)
        off += a[i * n + j] * a[i * n + j];
    }
    if (off <= 1e-32 * (diag + 1.0))
      return;
    for (int p = 0; p < n; ++p) {
      for (int q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        if (apq == 0.0)
          continue;
        /* Rotation angle that zeroes a[p][q]: tan(2 theta) = 2 apq / (aqq - app). */
        const double theta = 0.5 * (a[q * n + q] - a[p * n + p]) / apq;
        const double t = (theta >= 0.0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
        const double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < n; ++k) { /* columns p, q: A R */
          const double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; ++k) { /* rows p, q: R^T A */
          const double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; ++k) {
          const double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
}

int sf_probe_focal_nodes(double sigma_A, int n, double *defocus_A, double *weight) {
  if (!defocus_A || !weight)
    return sf_error_set(SF_EINVAL, "focal spread: NULL argument");
  if (n < 1 || n > 64)
    return sf_error_set(SF_EINVAL, "focal spread: focal_nodes = %d: must be in 1..64", n);
  if (!isfinite(sigma_A) || sigma_A <= 0.0)
    return sf_error_set(SF_EINVAL, "focal spread: focal_spread_A = %g: must be finite and > 0",
                        sigma_A);
  /* Golub-Welsch: the nodes of the probabilists' Hermite polynomials (weight
     exp(-x^2/2)) are the eigenvalues of the Jacobi matrix with zero diagonal
     and off-diagonal sqrt(k); the weight of node i is the squared first
     component of its unit eigenvector. */
  double *a = sf_alloc((size_t)n * (size_t)n, sizeof *a, "Jacobi matrix");
  double *v = sf_alloc((size_t)n * (size_t)n, sizeof *v, "eigenvectors");
  if (!a || !v) {
    sf_free(a);
    sf_free(v);
    return SF_ENOMEM;
  }
  for (int k = 1; k < n; ++k) {
    a[(k - 1) * n + k] = sqrt((double)k);
    a[k * n + (k - 1)] = sqrt((double)k);
  }
  jacobi_eigen(a, v, n);
  /* Sort by node (insertion sort on indices; n <= 64). */
  int order[64];
  for (int i = 0; i < n; ++i) {
    int j = i;
    while (j > 0 && a[order[j - 1] * n + order[j - 1]] > a[i * n + i]) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = i;
  }
  double wsum = 0.0;
  for (int i = 0; i < n; ++i)
    wsum += v[order[i]] * v[order[i]];
  for (int i = 0; i < n; ++i) {
    const int k = order[i];
    defocus_A[i] = sigma_A * a[k * n + k];
    weight[i] = v[k] * v[k] / wsum;
  }
  if (n % 2 == 1)
    defocus_A[n / 2] = 0.0; /* exactly symmetric: the middle node is 0 */
  sf_free(a);
  sf_free(v);
  return SF_OK;
}

int sf_probe_source_blur(double *img, size_t nx, size_t ny, double step_x_A, double step_y_A,
                         double sigma_A, int periodic) {
  if (!img)
    return sf_error_set(SF_EINVAL, "source size: NULL image");
  if (!isfinite(sigma_A) || sigma_A < 0.0)
    return sf_error_set(SF_EINVAL, "source size: source_sigma_A = %g: must be finite and >= 0",
                        sigma_A);
  if (sigma_A == 0.0)
    return SF_OK;
  return sf_incoherent_blur(img, nx, ny, step_x_A, step_y_A, FWHM_PER_SIGMA * sigma_A,
                            periodic ? SF_BLUR_PERIODIC : SF_BLUR_REFLECT);
}
