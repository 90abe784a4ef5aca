/* projpot.c - projected potential of a slice on a periodic grid (real and
   reciprocal space) and its band-limited transmission function. */
#include "potentials/sf_projpot.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "potentials/sf_elements.h"
#include "potentials/sf_interaction.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sf_projpot {
  size_t nx, ny;
  double h;
  sf_projpot_options opt;
  sf_vz_table *tables[SF_ELEMENT_Z_MAX + 1];
  fftwf_complex *work;
  fftwf_plan forward, backward;
  double *kx2, *ky2; /* squared spatial frequencies of the FFT bins, 1/A^2 */
};

void sf_projpot_options_default(sf_projpot_options *opt) {
  if (!opt)
    return;
  opt->param = SF_SCATFAC_DEFAULT;
  opt->r_cut_A = 0.0;
  opt->cutoff_tol = SF_PROJPOT_CUTOFF_TOL_DEFAULT;
  opt->band_limit = SF_PROJPOT_BAND_LIMIT_DEFAULT;
}

/* Spatial frequency of FFT bin i of n at pixel size h (1/A). */
static double bin_frequency(size_t i, size_t n, double h) {
  const long k = i < (n + 1) / 2 ? (long)i : (long)i - (long)n;
  return (double)k / ((double)n * h);
}

void sf_projpot_destroy(sf_projpot *pp) {
  if (!pp)
    return;
  for (int z = 0; z <= SF_ELEMENT_Z_MAX; ++z)
    sf_vz_table_destroy(pp->tables[z]);
  if (pp->forward)
    fftwf_destroy_plan(pp->forward);
  if (pp->backward)
    fftwf_destroy_plan(pp->backward);
  if (pp->work)
    fftwf_free(pp->work);
  sf_free(pp->kx2);
  sf_free(pp->ky2);
  free(pp);
}

int sf_projpot_create(size_t nx, size_t ny, double sampling_A, const sf_projpot_options *opt,
                      sf_projpot **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "projected potential: NULL output pointer");
  *out = NULL;
  if (nx < 2 || ny < 2 || nx > (1u << 20) || ny > (1u << 20))
    return sf_error_set(SF_EINVAL, "projected potential: grid nx = %zu, ny = %zu: each must be "
                        "in 2..1048576", nx, ny);
  if (!isfinite(sampling_A) || sampling_A <= 0.0)
    return sf_error_set(SF_EINVAL,
                        "projected potential: sampling_A = %g: must be a finite value > 0",
                        sampling_A);
  sf_projpot_options o;
  sf_projpot_options_default(&o);
  if (opt)
    o = *opt;
  if (!sf_scatfac_info_get(o.param))
    return sf_error_set(SF_EINVAL, "projected potential: parameterization %d is not valid",
                        (int)o.param);
  if (o.r_cut_A == 0.0) {
    if (!(o.cutoff_tol > 0.0 && o.cutoff_tol < 1.0))
      return sf_error_set(SF_EINVAL,
                          "projected potential: cutoff_tol = %g: must lie in (0, 1) when "
                          "r_cut_A = 0 (automatic cutoff)",
                          o.cutoff_tol);
  } else if (!isfinite(o.r_cut_A) || o.r_cut_A < 3.0 * sampling_A ||
             o.r_cut_A > SF_VZ_CUTOFF_MAX_A) {
    return sf_error_set(SF_ERANGE,
                        "projected potential: r_cut_A = %g: must be 0 (automatic) or lie in "
                        "[3 * sampling_A, %g] = [%g, %g] A",
                        o.r_cut_A, SF_VZ_CUTOFF_MAX_A, 3.0 * sampling_A, SF_VZ_CUTOFF_MAX_A);
  }
  if (!isfinite(o.band_limit) || o.band_limit < 0.0 || o.band_limit > 1.0)
    return sf_error_set(SF_EINVAL,
                        "projected potential: band_limit = %g: must be a fraction of Nyquist "
                        "in (0, 1], or 0 for no limit",
                        o.band_limit);

  sf_projpot *pp = calloc(1, sizeof *pp);
  if (!pp)
    return sf_error_set(SF_ENOMEM, "projected potential: out of memory");
  pp->nx = nx;
  pp->ny = ny;
  pp->h = sampling_A;
  pp->opt = o;
  pp->kx2 = sf_alloc(nx, sizeof(double), "FFT frequencies");
  pp->ky2 = sf_alloc(ny, sizeof(double), "FFT frequencies");
  pp->work = fftwf_alloc_complex(nx * ny);
  if (!pp->kx2 || !pp->ky2 || !pp->work) {
    sf_projpot_destroy(pp);
    return sf_error_set(SF_ENOMEM, "projected potential: out of memory for a %zu x %zu grid",
                        nx, ny);
  }
  for (size_t i = 0; i < nx; ++i) {
    const double k = bin_frequency(i, nx, sampling_A);
    pp->kx2[i] = k * k;
  }
  for (size_t i = 0; i < ny; ++i) {
    const double k = bin_frequency(i, ny, sampling_A);
    pp->ky2[i] = k * k;
  }
  if (o.band_limit > 0.0) {
    pp->forward = fftwf_plan_dft_2d((int)ny, (int)nx, pp->work, pp->work, FFTW_FORWARD,
                                    FFTW_ESTIMATE);
    pp->backward = fftwf_plan_dft_2d((int)ny, (int)nx, pp->work, pp->work, FFTW_BACKWARD,
                                     FFTW_ESTIMATE);
    if (!pp->forward || !pp->backward) {
      sf_projpot_destroy(pp);
      return sf_error_set(SF_ENOMEM, "projected potential: FFTW could not plan a %zu x %zu "
                          "transform", nx, ny);
    }
  }
  *out = pp;
  return SF_OK;
}

const sf_vz_table *sf_projpot_table(sf_projpot *pp, int Z) {
  if (!pp) {
    sf_error_set(SF_EINVAL, "projected potential: NULL object");
    return NULL;
  }
  if (sf_element_check(Z) != SF_OK)
    return NULL;
  if (!pp->tables[Z]) {
    double rc = pp->opt.r_cut_A;
    if (rc == 0.0) {
      sf_scatfac sf;
      if (sf_scatfac_init(&sf, pp->opt.param, Z) != SF_OK ||
          sf_vz_cutoff_radius(&sf, pp->opt.cutoff_tol, &rc) != SF_OK)
        return NULL;
      rc = fmax(rc, 3.0 * pp->h);
    }
    if (sf_vz_table_create(pp->opt.param, Z, pp->h, rc, &pp->tables[Z]) != SF_OK)
      return NULL;
  }
  return pp->tables[Z];
}

double sf_projpot_band_limit_invA(const sf_projpot *pp) {
  if (pp->opt.band_limit <= 0.0)
    return INFINITY;
  return pp->opt.band_limit / (2.0 * pp->h);
}

static long floor_div(long a, long b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
static long ceil_div(long a, long b) { return -floor_div(-a, b); }
static size_t wrap(long i, size_t n) {
  long m = i % (long)n;
  return (size_t)(m < 0 ? m + (long)n : m);
}

/* Per-atom data for the superposition. */
typedef struct atom_work {
  const sf_vz_table *table;
  double x, y, reach;
  long ia, ja;           /* nearest pixel (unwrapped) */
  long jy_lo, jy_hi;     /* unwrapped rows touched */
  double block[SF_VZ_NEAR_SIZE * SF_VZ_NEAR_SIZE];
} atom_work;

static int check_atoms(sf_projpot *pp, const sf_slice_atom *atoms, size_t n) {
  for (size_t a = 0; a < n; ++a) {
    if (!isfinite(atoms[a].x_A) || !isfinite(atoms[a].y_A))
      return sf_error_set(SF_EINVAL, "projected potential: atom %zu (Z = %d): position (%g, %g) "
                          "A is not finite", a, atoms[a].Z, atoms[a].x_A, atoms[a].y_A);
    if (!sf_projpot_table(pp, atoms[a].Z))
      return sf_error_prepend(SF_ERANGE, "projected potential: atom %zu", a);
  }
  return SF_OK;
}

int sf_projpot_vz(sf_projpot *pp, const sf_slice_atom *atoms, size_t n, double *vz) {
  if (!pp || !vz || (n > 0 && !atoms))
    return sf_error_set(SF_EINVAL, "projected potential: NULL argument");
  SF_TRY(check_atoms(pp, atoms, n));
  const size_t nx = pp->nx, ny = pp->ny;
  const double h = pp->h;
  memset(vz, 0, nx * ny * sizeof *vz);
  if (n == 0)
    return SF_OK;
  atom_work *work = sf_alloc(n, sizeof *work, "per-atom work");
  if (!work)
    return SF_ENOMEM;

#pragma omp parallel for schedule(dynamic, 4)
  for (size_t a = 0; a < n; ++a) {
    atom_work *w = &work[a];
    w->table = pp->tables[atoms[a].Z];
    w->x = atoms[a].x_A;
    w->y = atoms[a].y_A;
    w->reach = sf_vz_table_reach(w->table);
    w->ia = (long)floor(w->x / h + 0.5);
    w->ja = (long)floor(w->y / h + 0.5);
    w->jy_lo = (long)ceil((w->y - w->reach) / h);
    w->jy_hi = (long)floor((w->y + w->reach) / h);
    if (w->jy_lo > w->ja - SF_VZ_NEAR_HALF)
      w->jy_lo = w->ja - SF_VZ_NEAR_HALF;
    if (w->jy_hi < w->ja + SF_VZ_NEAR_HALF)
      w->jy_hi = w->ja + SF_VZ_NEAR_HALF;
    sf_vz_table_near_block(w->table, w->x - (double)w->ia * h, w->y - (double)w->ja * h,
                           w->block);
  }

  /* Rows in parallel; each pixel adds its atoms in input order. */
#pragma omp parallel for schedule(dynamic, 2)
  for (size_t iy = 0; iy < ny; ++iy) {
    double *row = vz + iy * nx;
    for (size_t a = 0; a < n; ++a) {
      const atom_work *w = &work[a];
      const long k_lo = ceil_div(w->jy_lo - (long)iy, (long)ny);
      const long k_hi = floor_div(w->jy_hi - (long)iy, (long)ny);
      for (long k = k_lo; k <= k_hi; ++k) {
        const long jy = (long)iy + k * (long)ny;
        const double dy = (double)jy * h - w->y;
        const long by = jy - w->ja;
        const int near_row = by >= -SF_VZ_NEAR_HALF && by <= SF_VZ_NEAR_HALF;
        const double rem = w->reach * w->reach - dy * dy;
        const double hx = rem > 0.0 ? sqrt(rem) : 0.0;
        long jx_lo = (long)ceil((w->x - hx) / h), jx_hi = (long)floor((w->x + hx) / h);
        if (near_row) {
          if (jx_lo > w->ia - SF_VZ_NEAR_HALF)
            jx_lo = w->ia - SF_VZ_NEAR_HALF;
          if (jx_hi < w->ia + SF_VZ_NEAR_HALF)
            jx_hi = w->ia + SF_VZ_NEAR_HALF;
        } else if (rem <= 0.0) {
          continue;
        }
        if (near_row) {
          sf_vz_table_add_row(w->table, w->x, dy, jx_lo, jx_hi, w->ia - SF_VZ_NEAR_HALF,
                              w->ia + SF_VZ_NEAR_HALF, row, nx);
          const double *b = w->block + (by + SF_VZ_NEAR_HALF) * SF_VZ_NEAR_SIZE;
          size_t ix = wrap(w->ia - SF_VZ_NEAR_HALF, nx);
          for (int bx = 0; bx < SF_VZ_NEAR_SIZE; ++bx) {
            row[ix] += b[bx];
            if (++ix == nx)
              ix = 0;
          }
        } else {
          sf_vz_table_add_row(w->table, w->x, dy, jx_lo, jx_hi, 1, 0, row, nx);
        }
      }
    }
  }
  sf_free(work);
  return SF_OK;
}

int sf_projpot_transmission(sf_projpot *pp, const double *vz, double energy_keV,
                            fftwf_complex *t) {
  if (!pp || !vz || !t)
    return sf_error_set(SF_EINVAL, "transmission function: NULL argument");
  double sigma = 0.0;
  SF_TRY(sf_interaction_sigma(energy_keV, &sigma));
  const size_t nx = pp->nx, ny = pp->ny, npix = nx * ny;
  if (pp->opt.band_limit <= 0.0) {
    for (size_t i = 0; i < npix; ++i) {
      const double phase = sigma * vz[i];
      t[i][0] = (float)cos(phase);
      t[i][1] = (float)sin(phase);
    }
    return SF_OK;
  }
  fftwf_complex *w = pp->work;
  for (size_t i = 0; i < npix; ++i) {
    const double phase = sigma * vz[i];
    w[i][0] = (float)cos(phase);
    w[i][1] = (float)sin(phase);
  }
  fftwf_execute(pp->forward);
  const double kmax = sf_projpot_band_limit_invA(pp);
  const double kmax2 = kmax * kmax;
  const float scale = (float)(1.0 / (double)npix);
  for (size_t iy = 0; iy < ny; ++iy) {
    for (size_t ix = 0; ix < nx; ++ix) {
      fftwf_complex *c = &w[iy * nx + ix];
      if (pp->kx2[ix] + pp->ky2[iy] > kmax2) {
        (*c)[0] = 0.0f;
        (*c)[1] = 0.0f;
      } else {
        (*c)[0] *= scale;
        (*c)[1] *= scale;
      }
    }
  }
  fftwf_execute(pp->backward);
  memcpy(t, w, npix * sizeof *t);
  return SF_OK;
}

int sf_projpot_slice(sf_projpot *pp, const sf_slice_atom *atoms, size_t n, double energy_keV,
                     double *vz_out, fftwf_complex *t) {
  if (!pp || !t)
    return sf_error_set(SF_EINVAL, "slice: NULL argument");
  double sigma = 0.0;
  SF_TRY(sf_interaction_sigma(energy_keV, &sigma));
  double *vz = vz_out;
  if (!vz) {
    vz = sf_alloc(pp->nx * pp->ny, sizeof *vz, "projected potential");
    if (!vz)
      return SF_ENOMEM;
  }
  int status = sf_projpot_vz(pp, atoms, n, vz);
  if (status == SF_OK)
    status = sf_projpot_transmission(pp, vz, energy_keV, t);
  if (!vz_out)
    sf_free(vz);
  return status;
}

static double sinc_pi(double x) {
  if (fabs(x) < 1e-8)
    return 1.0;
  return sin(SF_PI * x) / (SF_PI * x);
}

int sf_projpot_vz_fourier(const sf_projpot *pp, const sf_slice_atom *atoms, size_t n,
                          unsigned flags, double *vz) {
  if (!pp || !vz || (n > 0 && !atoms))
    return sf_error_set(SF_EINVAL, "reciprocal-space potential: NULL argument");
  const size_t nx = pp->nx, ny = pp->ny, npix = nx * ny;
  const double h = pp->h;
  const sf_scatfac_info *info = sf_scatfac_info_get(pp->opt.param);
  int present[SF_ELEMENT_Z_MAX + 1] = {0};
  for (size_t a = 0; a < n; ++a) {
    if (!isfinite(atoms[a].x_A) || !isfinite(atoms[a].y_A))
      return sf_error_set(SF_EINVAL,
                          "reciprocal-space potential: atom %zu (Z = %d): position is not finite",
                          a, atoms[a].Z);
    if (atoms[a].Z < 1 || atoms[a].Z > info->z_max)
      return sf_error_set(SF_ERANGE,
                          "reciprocal-space potential: atom %zu: Z = %d is outside the %s "
                          "table (1..%d)",
                          a, atoms[a].Z, info->name, info->z_max);
    present[atoms[a].Z] = 1;
  }
  sf_scatfac sfs[SF_ELEMENT_Z_MAX + 1];
  for (int Z = 1; Z <= info->z_max; ++Z)
    if (present[Z])
      SF_TRY(sf_scatfac_init(&sfs[Z], pp->opt.param, Z));

  int status = SF_OK;
  fftw_plan plan = NULL;
  fftw_complex *c = fftw_alloc_complex(npix);
  /* exp(-2 pi i qx x_a) per atom and column, exp(-2 pi i qy y_a) per atom and row */
  double *phx = sf_alloc(2 * (n ? n : 1) * nx, sizeof(double), "phase factors");
  double *phy = sf_alloc(2 * (n ? n : 1) * ny, sizeof(double), "phase factors");
  if (!c || !phx || !phy) {
    status = sf_error_set(SF_ENOMEM, "reciprocal-space potential: out of memory for %zu atoms "
                          "on a %zu x %zu grid", n, nx, ny);
    goto done;
  }
  plan = fftw_plan_dft_2d((int)ny, (int)nx, c, c, FFTW_BACKWARD, FFTW_ESTIMATE);
  if (!plan) {
    status = sf_error_set(SF_ENOMEM, "reciprocal-space potential: FFTW could not plan");
    goto done;
  }
  for (size_t a = 0; a < n; ++a) {
    for (size_t ix = 0; ix < nx; ++ix) {
      const double p = -SF_TWO_PI * bin_frequency(ix, nx, h) * atoms[a].x_A;
      phx[2 * (a * nx + ix)] = cos(p);
      phx[2 * (a * nx + ix) + 1] = sin(p);
    }
    for (size_t iy = 0; iy < ny; ++iy) {
      const double p = -SF_TWO_PI * bin_frequency(iy, ny, h) * atoms[a].y_A;
      phy[2 * (a * ny + iy)] = cos(p);
      phy[2 * (a * ny + iy) + 1] = sin(p);
    }
  }

  /* c(q) = (2 pi a0e / A) sum_Z f_Z(|q|) sum_{a of Z} exp(-2 pi i q.r_a) [x sinc x sinc]. */
  const double prefactor = SF_TWO_PI_A0E_VA2 / ((double)nx * h * (double)ny * h);
  const int limit = (flags & SF_PROJPOT_BAND_LIMIT) && pp->opt.band_limit > 0.0;
  const double kmax = sf_projpot_band_limit_invA(pp);
#pragma omp parallel for schedule(static)
  for (size_t iy = 0; iy < ny; ++iy) {
    const double qy = bin_frequency(iy, ny, h);
    for (size_t ix = 0; ix < nx; ++ix) {
      const double qx = bin_frequency(ix, nx, h);
      const double q = sqrt(qx * qx + qy * qy);
      double re = 0.0, im = 0.0;
      if (!(limit && q > kmax)) {
        for (int Z = 1; Z <= info->z_max; ++Z) {
          if (!present[Z])
            continue;
          double sre = 0.0, sim = 0.0;
          for (size_t a = 0; a < n; ++a) {
            if (atoms[a].Z != Z)
              continue;
            const double *px = phx + 2 * (a * nx + ix), *py = phy + 2 * (a * ny + iy);
            sre += px[0] * py[0] - px[1] * py[1];
            sim += px[0] * py[1] + px[1] * py[0];
          }
          const double f = sf_scatfac_fe(&sfs[Z], q);
          re += f * sre;
          im += f * sim;
        }
        double weight = prefactor;
        if (flags & SF_PROJPOT_PIXEL_AVERAGE)
          weight *= sinc_pi(qx * h) * sinc_pi(qy * h);
        re *= weight;
        im *= weight;
      }
      c[iy * nx + ix][0] = re;
      c[iy * nx + ix][1] = im;
    }
  }
  fftw_execute(plan);
  /* The imaginary part is zero up to rounding, except for the unpaired
     Nyquist bins of even grids (kept at half weight by taking the real part). */
  for (size_t i = 0; i < npix; ++i)
    vz[i] = c[i][0];
done:
  if (plan)
    fftw_destroy_plan(plan);
  if (c)
    fftw_free(c);
  sf_free(phx);
  sf_free(phy);
  return status;
}

int sf_projpot_band_limit_map(const sf_projpot *pp, double *map) {
  if (!pp || !map)
    return sf_error_set(SF_EINVAL, "band limit: NULL argument");
  if (pp->opt.band_limit <= 0.0)
    return SF_OK;
  const size_t nx = pp->nx, ny = pp->ny, npix = nx * ny;
  fftw_complex *c = fftw_alloc_complex(npix);
  if (!c)
    return sf_error_set(SF_ENOMEM, "band limit: out of memory for a %zu x %zu grid", nx, ny);
  fftw_plan fwd = fftw_plan_dft_2d((int)ny, (int)nx, c, c, FFTW_FORWARD, FFTW_ESTIMATE);
  fftw_plan bwd = fftw_plan_dft_2d((int)ny, (int)nx, c, c, FFTW_BACKWARD, FFTW_ESTIMATE);
  if (!fwd || !bwd) {
    if (fwd)
      fftw_destroy_plan(fwd);
    if (bwd)
      fftw_destroy_plan(bwd);
    fftw_free(c);
    return sf_error_set(SF_ENOMEM, "band limit: FFTW could not plan");
  }
  for (size_t i = 0; i < npix; ++i) {
    c[i][0] = map[i];
    c[i][1] = 0.0;
  }
  fftw_execute(fwd);
  const double kmax = sf_projpot_band_limit_invA(pp), kmax2 = kmax * kmax;
  for (size_t iy = 0; iy < ny; ++iy)
    for (size_t ix = 0; ix < nx; ++ix)
      if (pp->kx2[ix] + pp->ky2[iy] > kmax2)
        c[iy * nx + ix][0] = c[iy * nx + ix][1] = 0.0;
  fftw_execute(bwd);
  for (size_t i = 0; i < npix; ++i)
    map[i] = c[i][0] / (double)npix;
  fftw_destroy_plan(fwd);
  fftw_destroy_plan(bwd);
  fftw_free(c);
  return SF_OK;
}

int sf_projpot_add_map(const sf_projpot *pp, const double *vz, sf_imageset *set,
                       const char *name, sf_map **out) {
  if (!pp || !vz || !set || !name)
    return sf_error_set(SF_EINVAL, "projected-potential map: NULL argument");
  sf_map *m = NULL;
  SF_TRY(sf_imageset_add_map(set, name, SF_F64, pp->nx, pp->ny, 1, &m));
  memcpy(m->data, vz, pp->nx * pp->ny * sizeof *vz);
  snprintf(m->quantity, sizeof m->quantity, "Projected potential");
  snprintf(m->units, sizeof m->units, "V·Å");
  SF_TRY(sf_map_set_axis(m, 0, "x", "Å", 0.0, pp->h));
  SF_TRY(sf_map_set_axis(m, 1, "y", "Å", 0.0, pp->h));
  SF_TRY(sf_projpot_attrs(pp, &m->attrs, ""));
  if (out)
    *out = m;
  return SF_OK;
}

int sf_projpot_attrs(const sf_projpot *pp, sf_attrs *attrs, const char *group) {
  if (!pp || !attrs || !group)
    return sf_error_set(SF_EINVAL, "projected potential attributes: NULL argument");
  const sf_scatfac_info *info = sf_scatfac_info_get(pp->opt.param);
  SF_TRY(sf_attrs_set_string(attrs, group, "potential_parameterization", info->name));
  SF_TRY(sf_attrs_set_string(attrs, group, "potential_citation", info->citation));
  SF_TRY(sf_attrs_set_string(attrs, group, "potential_doi", info->doi));
  SF_TRY(sf_attrs_set_string(attrs, group, "potential_projection", "infinite"));
  SF_TRY(sf_attrs_set_string(attrs, group, "potential_pixel_value",
                             "cell average of the cut-off profile"));
  if (pp->opt.r_cut_A > 0.0) {
    SF_TRY(sf_attrs_set_double(attrs, group, "potential_r_cut_A", pp->opt.r_cut_A));
  } else {
    SF_TRY(sf_attrs_set_string(attrs, group, "potential_r_cut_A", "automatic per element"));
    SF_TRY(sf_attrs_set_double(attrs, group, "potential_cutoff_tol", pp->opt.cutoff_tol));
  }
  SF_TRY(sf_attrs_set_double(attrs, group, "sampling_A", pp->h));
  SF_TRY(sf_attrs_set_double(attrs, group, "band_limit_fraction", pp->opt.band_limit));
  if (pp->opt.band_limit > 0.0)
    SF_TRY(sf_attrs_set_double(attrs, group, "band_limit_invA", sf_projpot_band_limit_invA(pp)));
  return SF_OK;
}

void sf_projpot_grid(const sf_projpot *pp, size_t *nx, size_t *ny, double *sampling_A) {
  if (nx)
    *nx = pp->nx;
  if (ny)
    *ny = pp->ny;
  if (sampling_A)
    *sampling_A = pp->h;
}
