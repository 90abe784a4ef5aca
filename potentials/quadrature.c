/* quadrature.c - Gauss-Legendre nodes and weights by Newton iteration. */
#include "potentials/sf_quadrature.h"

#include "core/sf_constants.h"
#include "core/sf_status.h"

#include <math.h>

/* P_n(x) and P_n'(x) by the three-term recurrence. */
static void legendre(int n, double x, double *p, double *dp) {
  double p0 = 1.0, p1 = x;
  if (n == 0) {
    *p = 1.0;
    *dp = 0.0;
    return;
  }
  for (int k = 2; k <= n; ++k) {
    double pk = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
    p0 = p1;
    p1 = pk;
  }
  *p = p1;
  *dp = n * (x * p1 - p0) / (x * x - 1.0);
}

int sf_quad_gauss_legendre(int n, double *x, double *w) {
  if (n < 1 || n > SF_QUAD_GL_MAX)
    return sf_error_set(SF_EINVAL, "Gauss-Legendre rule: n = %d: must be in 1..%d", n,
                        SF_QUAD_GL_MAX);
  if (!x || !w)
    return sf_error_set(SF_EINVAL, "Gauss-Legendre rule: NULL node or weight array");
  for (int i = 0; i < (n + 1) / 2; ++i) {
    /* Tricomi's initial guess for the i-th largest root, then Newton. */
    double t = cos(SF_PI * (i + 0.75) / (n + 0.5));
    double p = 0.0, dp = 1.0;
    for (int it = 0; it < 100; ++it) {
      legendre(n, t, &p, &dp);
      double step = p / dp;
      t -= step;
      if (fabs(step) < 1e-16)
        break;
    }
    legendre(n, t, &p, &dp);
    double wi = 2.0 / ((1.0 - t * t) * dp * dp);
    x[n - 1 - i] = t;
    x[i] = -t;
    w[i] = w[n - 1 - i] = wi;
  }
  if (n % 2 == 1)
    x[n / 2] = 0.0;
  return SF_OK;
}
