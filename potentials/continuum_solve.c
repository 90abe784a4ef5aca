/* continuum_solve.c - continuum radial states normalised per unit energy by
   least-squares matching to Coulomb functions (sf_continuum.h). */
#include "potentials/sf_continuum.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_coulomb.h>
#include <math.h>
#include <string.h>

#define NUMEROV_MAX_KDR 0.6
#define REFINED_KDR 0.04
#define REFINE_MAX 32

int sf_continuum_kind_parse(const char *text, sf_continuum_kind *kind) {
  if (text && strcmp(text, "ground") == 0)
    *kind = SF_CONTINUUM_GROUND;
  else if (text && strcmp(text, "core-hole") == 0)
    *kind = SF_CONTINUUM_CORE_HOLE;
  else
    return sf_error_set(SF_EINVAL, "continuum potential '%s': expected ground or core-hole",
                        text ? text : "(null)");
  return SF_OK;
}

const char *sf_continuum_kind_name(sf_continuum_kind kind) {
  return kind == SF_CONTINUUM_CORE_HOLE ? "core-hole" : "ground";
}

double sf_continuum_overlap(const sf_atom_grid *g, const double *a, const double *b) {
  /* Compensated sum of the end-corrected trapezoid (sf_atom_grid_integrate
     weights) without a scratch array. */
  static const double end_w[3] = {3.0 / 8.0, 7.0 / 6.0, 23.0 / 24.0};
  const size_t n = g->n;
  double s = 0.0;
  for (size_t i = 0; i < n; ++i) {
    double w = 1.0;
    if (i < 3)
      w = end_w[i];
    else if (i + 3 >= n)
      w = end_w[n - 1 - i];
    s += w * a[i] * b[i] * g->r[i];
  }
  return s * g->h;
}

double sf_continuum_orthogonalize(const sf_atom_grid *g, const double *b, double *u) {
  const double ov = sf_continuum_overlap(g, b, u);
  for (size_t i = 0; i < g->n; ++i)
    u[i] -= ov * b[i];
  return ov;
}

/* Coulomb F_l, G_l at rho (exponents must be zero). */
static int coulomb_fg(double eta, double rho, int l, double *F, double *G) {
  gsl_sf_result f, fp, gg, gp;
  double ef = 0.0, eg = 0.0;
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int st = gsl_sf_coulomb_wave_FG_e(eta, rho, (double)l, 0, &f, &fp, &gg, &gp, &ef, &eg);
  gsl_set_error_handler(old);
  if (st != GSL_SUCCESS || ef != 0.0 || eg != 0.0 || !isfinite(f.val) || !isfinite(gg.val))
    return sf_error_set(SF_ENUMERIC,
                        "Coulomb functions F_%d, G_%d at eta = %g, rho = %g failed (GSL: %s)", l,
                        l, eta, rho, gsl_strerror(st));
  *F = f.val;
  *G = gg.val;
  return SF_OK;
}

int sf_continuum_solve(const sf_atom_grid *g, const double *V, double Z_nuc, double Z_ion, int l,
                       double energy_Ha, const sf_continuum_match *match, double *u,
                       size_t *n_valid, double *phase_shift) {
  if (!g || !V || !u)
    return sf_error_set(SF_EINVAL, "sf_continuum_solve: NULL argument");
  if (!(energy_Ha > 0.0) || !isfinite(energy_Ha))
    return sf_error_set(SF_EINVAL, "continuum energy %g Ha: must be > 0", energy_Ha);
  if (l < 0 || l > 30)
    return sf_error_set(SF_EINVAL, "continuum l = %d: must be 0..30", l);
  double r1 = 30.0, r2 = 35.0;
  if (match && (match->r1_bohr != 0.0 || match->r2_bohr != 0.0)) {
    r1 = match->r1_bohr;
    r2 = match->r2_bohr;
  }
  const double k = sqrt(2.0 * energy_Ha);
  if (!(r1 > 0.0 && r2 > r1))
    return sf_error_set(SF_EINVAL, "continuum matching radii %g, %g Bohr: need 0 < r1 < r2", r1,
                        r2);
  if (r2 - r1 < 0.5 * SF_PI / k)
    r2 = r1 + 0.5 * SF_PI / k; /* at least a quarter wavelength */
  const size_t n = g->n;
  if (r2 > g->r[n - 1])
    return sf_error_set(SF_ERANGE,
                        "continuum at %g eV: matching interval %g .. %g Bohr extends beyond the "
                        "grid (r_max = %g Bohr)",
                        energy_Ha * SF_HARTREE_eV, r1, r2, g->r[n - 1]);
  /* Integrate on a grid refined m times so that the phase step per point,
     omega = r k_loc(r) dx with k_loc = sqrt(2 (eps - V)), stays below
     REFINED_KDR up to r2 (Numerov's phase error falls as m^-4); V is
     interpolated as r V with 4-point Lagrange cubics in x. */
  double omega = 0.0;
  for (size_t i = 0; i < n && g->r[i] <= r2; ++i) {
    const double t = 2.0 * (energy_Ha - V[i]);
    if (t > 0.0)
      omega = fmax(omega, g->r[i] * sqrt(t));
  }
  omega = fmax(omega, k * r2);
  int m = (int)ceil(omega * g->h / REFINED_KDR);
  if (m < 1)
    m = 1;
  if (m > REFINE_MAX)
    m = REFINE_MAX;
  const double hf = g->h / m;
  /* Last refined point Numerov resolves: k r hf <= NUMEROV_MAX_KDR. */
  const size_t nf = (n - 1) * (size_t)m + 1;
  size_t jf_end = nf - 1;
  const double r_lim = NUMEROV_MAX_KDR / (k * hf);
  if (r_lim < g->r[n - 1])
    jf_end = (size_t)floor((log(r_lim) - g->x0) / hf);
  if (jf_end < 2 || exp(g->x0 + (double)jf_end * hf) < r2 || omega * hf > NUMEROV_MAX_KDR)
    return sf_error_set(SF_ERANGE,
                        "continuum at %g eV (k = %g / Bohr): the grid step k dr = %.2f up to "
                        "r = %g Bohr exceeds %.1f even refined %d times; use more grid points "
                        "or a lower energy",
                        energy_Ha * SF_HARTREE_eV, k, omega * hf, r2, NUMEROV_MAX_KDR, m);
  double *uf = sf_alloc(jf_end + 1, sizeof(double), "continuum state");
  if (!uf)
    return SF_ENOMEM;
  const double h2 = hf * hf / 12.0, lh = l + 0.5, lh2 = lh * lh;
  double fm[3];
  for (size_t j = 0; j <= jf_end; ++j) {
    const double r = exp(g->x0 + (double)j * hf);
    /* r V at x_j by cubic interpolation between coarse points. */
    size_t i0 = j / (size_t)m;
    const double t = (double)(j % (size_t)m) / m;
    double rv;
    if (t == 0.0) {
      rv = g->r[i0] * V[i0];
    } else {
      size_t b0 = i0 >= 1 ? i0 - 1 : 0;
      if (b0 + 3 > n - 1)
        b0 = n - 4;
      const double s = (double)i0 + t - (double)b0; /* position in units of h from b0 */
      rv = 0.0;
      for (int q = 0; q < 4; ++q) {
        double w = 1.0;
        for (int qq = 0; qq < 4; ++qq)
          if (qq != q)
            w *= (s - qq) / (q - qq);
        rv += w * g->r[b0 + (size_t)q] * V[b0 + (size_t)q];
      }
    }
    const double f = 1.0 - h2 * (lh2 + 2.0 * r * (rv - r * energy_Ha));
    if (j < 2) {
      uf[j] = pow(r, lh) * (1.0 - Z_nuc * r / (l + 1.0));
      fm[j] = f;
      continue;
    }
    uf[j] = ((12.0 - 10.0 * fm[1]) * uf[j - 1] - fm[0] * uf[j - 2]) / f;
    if (fabs(uf[j]) > 1e100)
      for (size_t q = 0; q <= j; ++q)
        uf[q] *= 1e-100;
    fm[0] = fm[1];
    fm[1] = f;
  }
  for (size_t j = 0; j <= jf_end; ++j)
    uf[j] *= sqrt(exp(g->x0 + (double)j * hf));
  /* Least squares u ~ a F + b G over the refined points in [r1, r2]. */
  const double eta = -Z_ion / k;
  double sFF = 0, sFG = 0, sGG = 0, suF = 0, suG = 0;
  size_t used = 0;
  int status = SF_OK;
  for (size_t j = 0; j <= jf_end && status == SF_OK; ++j) {
    const double r = exp(g->x0 + (double)j * hf);
    if (r < r1 || r > r2)
      continue;
    double F = 0.0, G = 0.0;
    status = coulomb_fg(eta, k * r, l, &F, &G);
    sFF += F * F;
    sFG += F * G;
    sGG += G * G;
    suF += uf[j] * F;
    suG += uf[j] * G;
    ++used;
  }
  const size_t i_end = jf_end / (size_t)m;
  memset(u, 0, n * sizeof *u);
  for (size_t i = 0; i <= i_end; ++i)
    u[i] = uf[i * (size_t)m];
  sf_free(uf);
  if (status != SF_OK)
    return status;
  const double det = sFF * sGG - sFG * sFG;
  if (used < 3 || !(det > 1e-12 * sFF * sGG))
    return sf_error_set(SF_ENUMERIC,
                        "continuum at %g eV, l = %d: matching on %zu points in %g .. %g Bohr is "
                        "singular",
                        energy_Ha * SF_HARTREE_eV, l, used, r1, r2);
  const double a = (suF * sGG - suG * sFG) / det, b = (suG * sFF - suF * sFG) / det;
  const double amp = sqrt(a * a + b * b);
  if (!(amp > 0.0) || !isfinite(amp))
    return sf_error_set(SF_ENUMERIC, "continuum at %g eV, l = %d: zero or non-finite amplitude",
                        energy_Ha * SF_HARTREE_eV, l);
  const double scale = sqrt(2.0 / (SF_PI * k)) / amp;
  for (size_t i = 0; i <= i_end; ++i)
    u[i] *= scale;
  if (n_valid)
    *n_valid = i_end + 1;
  if (phase_shift)
    *phase_shift = atan2(b, a);
  return SF_OK;
}
