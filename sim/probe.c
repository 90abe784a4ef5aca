/* probe.c - aberration function, aperture, probe beams and the real-space probe. */
#include "sim/sf_probe.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* One aberration: order n (power alpha^(n+1)), multiplicity m, where its
   coefficient and azimuth live in sf_aberrations (phi < 0: round). */
typedef struct aberration_entry {
  const char *name;
  int n, m;
  size_t c_off;
  long phi_off;
} aberration_entry;

#define ENTRY(name, n, m, c, phi)                                                              \
  { name, n, m, offsetof(sf_aberrations, c), phi }
#define PHI(field) ((long)offsetof(sf_aberrations, field))

static const aberration_entry table[] = {
    ENTRY("C10", 1, 0, C10_A, -1),          ENTRY("C12", 1, 2, C12_A, PHI(phi12_rad)),
    ENTRY("C21", 2, 1, C21_A, PHI(phi21_rad)), ENTRY("C23", 2, 3, C23_A, PHI(phi23_rad)),
    ENTRY("C30", 3, 0, C30_A, -1),          ENTRY("C32", 3, 2, C32_A, PHI(phi32_rad)),
    ENTRY("C34", 3, 4, C34_A, PHI(phi34_rad)), ENTRY("C41", 4, 1, C41_A, PHI(phi41_rad)),
    ENTRY("C43", 4, 3, C43_A, PHI(phi43_rad)), ENTRY("C45", 4, 5, C45_A, PHI(phi45_rad)),
    ENTRY("C50", 5, 0, C50_A, -1),          ENTRY("C52", 5, 2, C52_A, PHI(phi52_rad)),
    ENTRY("C54", 5, 4, C54_A, PHI(phi54_rad)), ENTRY("C56", 5, 6, C56_A, PHI(phi56_rad)),
};
#define N_ENTRIES (sizeof table / sizeof table[0])

static const aberration_entry *find_entry(const char *name) {
  if (!name)
    return NULL;
  if (strcmp(name, "Cs") == 0)
    name = "C30";
  else if (strcmp(name, "C5") == 0)
    name = "C50";
  for (size_t i = 0; i < N_ENTRIES; ++i)
    if (strcmp(table[i].name, name) == 0)
      return &table[i];
  return NULL;
}

static double *field(sf_aberrations *ab, size_t off) { return (double *)((char *)ab + off); }
static double cfield(const sf_aberrations *ab, size_t off) {
  return *(const double *)((const char *)ab + off);
}

void sf_aberrations_clear(sf_aberrations *ab) {
  if (ab)
    memset(ab, 0, sizeof *ab);
}

int sf_aberrations_set(sf_aberrations *ab, const char *name, double C_A, double phi_rad) {
  if (!ab)
    return sf_error_set(SF_EINVAL, "aberrations: NULL argument");
  const aberration_entry *e = find_entry(name);
  if (!e)
    return sf_error_set(SF_EINVAL,
                        "aberrations: unknown coefficient '%s' (valid: C10 C12 C21 C23 C30 C32 "
                        "C34 C41 C43 C45 C50 C52 C54 C56, Cs = C30, C5 = C50)",
                        name ? name : "(null)");
  if (!isfinite(C_A) || !isfinite(phi_rad))
    return sf_error_set(SF_EINVAL, "aberrations: %s = %g A, angle %g rad: must be finite",
                        e->name, C_A, phi_rad);
  *field(ab, e->c_off) = C_A;
  if (e->phi_off >= 0)
    *field(ab, (size_t)e->phi_off) = phi_rad;
  return SF_OK;
}

int sf_aberrations_get(const sf_aberrations *ab, const char *name, double *C_A,
                       double *phi_rad) {
  const aberration_entry *e = find_entry(name);
  if (!ab || !e)
    return sf_error_set(SF_EINVAL, "aberrations: unknown coefficient '%s'",
                        name ? name : "(null)");
  if (C_A)
    *C_A = cfield(ab, e->c_off);
  if (phi_rad)
    *phi_rad = e->phi_off >= 0 ? cfield(ab, (size_t)e->phi_off) : 0.0;
  return SF_OK;
}

void sf_aberrations_set_defocus(sf_aberrations *ab, double defocus_A) {
  if (ab)
    ab->C10_A = -defocus_A;
}

double sf_aberrations_chi(const sf_aberrations *ab, double lambda_A, double alpha_rad,
                          double phi_rad) {
  double sum = 0.0;
  double power = alpha_rad; /* alpha^(n+1) built up order by order */
  int order = 0;
  for (size_t i = 0; i < N_ENTRIES; ++i) {
    const aberration_entry *e = &table[i];
    while (order < e->n) {
      power *= alpha_rad;
      ++order;
    }
    const double C = cfield(ab, e->c_off);
    if (C == 0.0)
      continue;
    const double phi0 = e->phi_off >= 0 ? cfield(ab, (size_t)e->phi_off) : 0.0;
    const double angular = e->m == 0 ? 1.0 : cos((double)e->m * (phi_rad - phi0));
    sum += C * power / (double)(e->n + 1) * angular;
  }
  return SF_TWO_PI / lambda_A * sum;
}

void sf_probe_params_default(sf_probe_params *p) {
  if (!p)
    return;
  memset(p, 0, sizeof *p);
  p->semiangle_mrad = 20.0;
  p->focal_nodes = 7;
}

int sf_probe_check(const sf_probe_params *p, const sf_wavegrid *g) {
  if (!p || !g)
    return sf_error_set(SF_EINVAL, "probe: NULL argument");
  if (!isfinite(p->semiangle_mrad) || p->semiangle_mrad <= 0.0)
    return sf_error_set(SF_EINVAL, "probe: semiangle_mrad = %g: must be a finite value > 0",
                        p->semiangle_mrad);
  if (!isfinite(p->edge_mrad) || p->edge_mrad < 0.0 || p->edge_mrad >= 2.0 * p->semiangle_mrad)
    return sf_error_set(SF_EINVAL,
                        "probe: edge_mrad = %g: must be finite, >= 0 and below twice the "
                        "semi-angle (%g mrad)",
                        p->edge_mrad, p->semiangle_mrad);
  for (size_t i = 0; i < N_ENTRIES; ++i) {
    double C = 0.0, phi = 0.0;
    sf_aberrations_get(&p->aberrations, table[i].name, &C, &phi);
    if (!isfinite(C) || !isfinite(phi))
      return sf_error_set(SF_EINVAL, "probe: aberration %s = %g A at %g rad: must be finite",
                          table[i].name, C, phi);
  }
  if (!isfinite(p->focal_spread_A) || p->focal_spread_A < 0.0)
    return sf_error_set(SF_EINVAL, "probe: focal_spread_A = %g: must be finite and >= 0",
                        p->focal_spread_A);
  if (p->focal_spread_A > 0.0 && (p->focal_nodes < 1 || p->focal_nodes > 64))
    return sf_error_set(SF_EINVAL, "probe: focal_nodes = %d: must be in 1..64",
                        p->focal_nodes);
  if (!isfinite(p->source_sigma_A) || p->source_sigma_A < 0.0)
    return sf_error_set(SF_EINVAL, "probe: source_sigma_A = %g: must be finite and >= 0",
                        p->source_sigma_A);
  const double outer = p->semiangle_mrad + 0.5 * p->edge_mrad;
  if (outer > g->alpha_max_mrad) {
    /* alpha_max = 1000 lambda band_limit / (2 h): the largest h that holds the aperture. */
    const double h_max = 1000.0 * g->lambda_A * g->band_limit / (2.0 * outer);
    return sf_error_set(SF_ERANGE,
                        "probe: sampling too coarse for the aperture: semi-angle %g mrad "
                        "(outer edge %g mrad) exceeds alpha_max = %g mrad at sampling_A = %g "
                        "(band limit %g of Nyquist, %g keV); use sampling_A <= %g",
                        p->semiangle_mrad, outer, g->alpha_max_mrad, g->sampling_A,
                        g->band_limit, g->energy_keV, h_max);
  }
  return SF_OK;
}

/* Aperture transmission at alpha (mrad). */
static double aperture(const sf_probe_params *p, double alpha_mrad) {
  if (p->edge_mrad <= 0.0)
    return alpha_mrad <= p->semiangle_mrad ? 1.0 : 0.0;
  const double a = (p->semiangle_mrad + 0.5 * p->edge_mrad - alpha_mrad) / p->edge_mrad;
  return a >= 1.0 ? 1.0 : (a <= 0.0 ? 0.0 : a);
}

static long signed_index(size_t i, size_t n) {
  return i < (n + 1) / 2 ? (long)i : (long)i - (long)n;
}

int sf_probe_beams(const sf_probe_params *p, const sf_wavegrid *g, size_t stride,
                   sf_probe_beam **beams, size_t *n_beams) {
  if (!beams || !n_beams)
    return sf_error_set(SF_EINVAL, "probe beams: NULL argument");
  *beams = NULL;
  *n_beams = 0;
  SF_TRY(sf_probe_check(p, g));
  if (stride < 1)
    return sf_error_set(SF_EINVAL, "probe beams: stride = %zu: must be >= 1", stride);
  const double outer = p->semiangle_mrad + 0.5 * p->edge_mrad;
  /* Bins with alpha <= outer lie within |m| <= outer L / (1000 lambda). */
  const long mx_max = (long)floor(1e-3 * outer * g->cell_x_A / g->lambda_A) + 1;
  const long my_max = (long)floor(1e-3 * outer * g->cell_y_A / g->lambda_A) + 1;
  const size_t cap = (size_t)(2 * mx_max + 1) * (size_t)(2 * my_max + 1);
  sf_probe_beam *b = sf_alloc(cap, sizeof *b, "probe beams");
  if (!b)
    return SF_ENOMEM;
  size_t n = 0;
  for (size_t iy = 0; iy < g->ny; ++iy) {
    const long my = signed_index(iy, g->ny);
    if (labs(my) > my_max || my % (long)stride != 0)
      continue;
    const double qy = (double)my / g->cell_y_A;
    for (size_t ix = 0; ix < g->nx; ++ix) {
      const long mx = signed_index(ix, g->nx);
      if (labs(mx) > mx_max || mx % (long)stride != 0)
        continue;
      const double qx = (double)mx / g->cell_x_A;
      const double q = sqrt(qx * qx + qy * qy);
      const double alpha = g->lambda_A * q;
      const double A = aperture(p, 1000.0 * alpha);
      if (A <= 0.0 || !sf_wavegrid_in_band(g, ix, iy))
        continue;
      sf_probe_beam *e = &b[n++];
      e->ix = ix;
      e->iy = iy;
      e->qx_invA = qx;
      e->qy_invA = qy;
      e->amplitude = A;
      e->chi_rad = sf_aberrations_chi(&p->aberrations, g->lambda_A, alpha, atan2(qy, qx));
    }
  }
  *beams = b;
  *n_beams = n;
  return SF_OK;
}

void sf_probe_coefficients(const sf_probe_beam *beams, size_t n, double scale, double lambda_A,
                           double x_A, double y_A, double defocus_offset_A, fftwf_complex *c) {
  for (size_t j = 0; j < n; ++j) {
    const sf_probe_beam *b = &beams[j];
    const double q2 = b->qx_invA * b->qx_invA + b->qy_invA * b->qy_invA;
    const double phase = -(b->chi_rad - SF_PI * lambda_A * q2 * defocus_offset_A) -
                         SF_TWO_PI * (b->qx_invA * x_A + b->qy_invA * y_A);
    c[j][0] = (float)(scale * b->amplitude * cos(phase));
    c[j][1] = (float)(scale * b->amplitude * sin(phase));
  }
}

int sf_probe_wave(const sf_probe_params *p, const sf_wavegrid *g, double x_A, double y_A,
                  fftwf_complex *psi) {
  if (!psi)
    return sf_error_set(SF_EINVAL, "probe wave: NULL output");
  sf_probe_beam *beams = NULL;
  size_t n = 0;
  SF_TRY(sf_probe_beams(p, g, 1, &beams, &n));
  const size_t npix = g->nx * g->ny;
  fftwf_complex *c = sf_alloc(n ? n : 1, sizeof *c, "probe coefficients");
  fftwf_plan plan = fftwf_plan_dft_2d((int)g->ny, (int)g->nx, psi, psi, FFTW_BACKWARD,
                                      FFTW_ESTIMATE);
  if (!c || !plan) {
    sf_free(beams);
    sf_free(c);
    if (plan)
      fftwf_destroy_plan(plan);
    return sf_error_set(SF_ENOMEM, "probe wave: out of memory for a %zu x %zu grid", g->nx,
                        g->ny);
  }
  double norm2 = 0.0;
  for (size_t j = 0; j < n; ++j)
    norm2 += beams[j].amplitude * beams[j].amplitude;
  sf_probe_coefficients(beams, n, 1.0 / sqrt((double)npix * norm2), g->lambda_A, x_A, y_A, 0.0,
                        c);
  memset(psi, 0, npix * sizeof *psi);
  for (size_t j = 0; j < n; ++j) {
    fftwf_complex *d = &psi[beams[j].iy * g->nx + beams[j].ix];
    (*d)[0] = c[j][0];
    (*d)[1] = c[j][1];
  }
  fftwf_execute(plan);
  fftwf_destroy_plan(plan);
  sf_free(c);
  sf_free(beams);
  return SF_OK;
}
