/* sf_recon_loops.h - internal to recon/: helpers for the inner loops.

   SF_RECON_PAR_MIN: below this many values per pass the OpenMP fork and join
   cost more than the work (and a machine shared with other processes makes
   waiting threads expensive), so small problems run on one thread. The
   split never changes results: every row is computed the same way and
   per-row sums are combined in row order.

   sf_recon_rsqrt: 1/sqrt(a) by arithmetic only, so that loops using it
   vectorise (the libm sqrt carries an errno branch under the default
   -fmath-errno, which blocks vectorisation). A bit-level first guess (the
   "magic constant" 0x5FE6EB50C7B537A9, relative error < 3.5 %) refined by
   five Newton steps y <- y (3/2 - a y^2 / 2) (the error squares each step:
   3.5e-2, 1.8e-3, 5e-6, 4e-11, rounding). For a = 0 it returns a large
   finite number (about 1e155), so a * rsqrt(a) = 0 and min(1, rsqrt(a)) = 1.
   Valid for 0 <= a < 1e300.

   Catalogue: SF_RECON_PAR_MIN, sf_recon_rsqrt. */
#ifndef SF_RECON_LOOPS_H
#define SF_RECON_LOOPS_H
#include <stdint.h>
#include <string.h>

#define SF_RECON_PAR_MIN ((size_t)32768)

static inline double sf_recon_rsqrt(double a) {
  uint64_t bits;
  memcpy(&bits, &a, sizeof bits);
  bits = 0x5FE6EB50C7B537A9ULL - (bits >> 1);
  double y;
  memcpy(&y, &bits, sizeof y);
  const double h = 0.5 * a;
  y = y * (1.5 - h * y * y);
  y = y * (1.5 - h * y * y);
  y = y * (1.5 - h * y * y);
  y = y * (1.5 - h * y * y);
  y = y * (1.5 - h * y * y);
  return y;
}

#endif
