/* sf_recon_loops.h - internal to recon/: helpers for the inner loops.

   SF_RECON_PAR_MIN: below this many values per pass the OpenMP fork and join
   cost more than the work (and a machine shared with other processes makes
   waiting threads expensive), so small problems run on one thread. The
   split never changes results: every row is computed the same way and
   per-row sums are combined in row order.

   SF_RECON_CHUNK and sf_recon_sqrt_inplace: square roots of a short buffer.
   The libm sqrt carries an errno branch (default -fmath-errno) that keeps
   the compiler from vectorising loops that call it, so loops compute the
   radicands into a chunk buffer, take the roots here (with SSE2 the packed
   square root, correctly rounded, so the results equal the scalar ones) and
   continue vectorised.

   Catalogue: SF_RECON_PAR_MIN, SF_RECON_CHUNK, sf_recon_sqrt_inplace. */
#ifndef SF_RECON_LOOPS_H
#define SF_RECON_LOOPS_H
#include <math.h>
#include <stddef.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define SF_RECON_PAR_MIN ((size_t)32768)
#define SF_RECON_CHUNK 128

/* a[k] = sqrt(a[k]) for k < m, a[k] >= 0. */
static inline void sf_recon_sqrt_inplace(double *a, size_t m) {
  size_t k = 0;
#if defined(__SSE2__)
  for (; k + 2 <= m; k += 2)
    _mm_storeu_pd(a + k, _mm_sqrt_pd(_mm_loadu_pd(a + k)));
#endif
  for (; k < m; k++)
    a[k] = sqrt(a[k]);
}

#endif
