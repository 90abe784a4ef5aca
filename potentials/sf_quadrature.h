/* sf_quadrature.h - Gauss-Legendre rules, the small numerical-integration
   helper used by the potential code (slab integrals, cell averages).

   Catalogue: sf_quad_gauss_legendre. */
#ifndef SF_QUADRATURE_H
#define SF_QUADRATURE_H
#ifdef __cplusplus
extern "C" {
#endif

#define SF_QUAD_GL_MAX 64

/** Nodes x[0..n-1] (ascending, in (-1, 1)) and weights w[0..n-1] of the
    n-point Gauss-Legendre rule on [-1, 1] (exact for polynomials of degree
    2n-1), computed by Newton iteration on the Legendre recurrence to full
    double precision. Caller owns x and w (n doubles each). SF_EINVAL for n
    outside 1..SF_QUAD_GL_MAX or NULL arrays. */
int sf_quad_gauss_legendre(int n, double *x, double *w);

#ifdef __cplusplus
}
#endif
#endif
