/* crystal.c - database look-up, lattice vectors and the expansion of the
   site orbits into the atoms of the conventional cell. */
#include "sim/sf_crystal.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Two fractional coordinates closer than this (modulo 1) are one site. */
#define FRAC_SAME 1e-6

int sf_crystal_find(const char *name, const sf_crystal **out) {
  if (!name || !out)
    return sf_error_set(SF_EINVAL, "sf_crystal_find: NULL argument");
  *out = NULL;
  for (size_t i = 0; i < sf_crystal_count(); ++i)
    if (strcmp(sf_crystal_get(i)->name, name) == 0) {
      *out = sf_crystal_get(i);
      return SF_OK;
    }
  char known[1024];
  size_t used = 0;
  known[0] = '\0';
  for (size_t i = 0; i < sf_crystal_count() && used < sizeof known; ++i) {
    int w = snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                     sf_crystal_get(i)->name);
    if (w < 0)
      break;
    used += (size_t)w;
  }
  return sf_error_set(SF_ENOENT, "crystal '%s' is not in the database (known: %s)", name, known);
}

/* cos of an angle in degrees, exact for the right and hexagonal angles. */
static double cos_deg(double deg) {
  if (deg == 90.0)
    return 0.0;
  if (deg == 120.0)
    return -0.5;
  if (deg == 60.0)
    return 0.5;
  return cos(deg * SF_PI / 180.0);
}

void sf_crystal_lattice(const sf_crystal *c, double L_A[3][3]) {
  double ca = cos_deg(c->alpha_deg), cb = cos_deg(c->beta_deg), cg = cos_deg(c->gamma_deg);
  double sg = sqrt(1.0 - cg * cg);
  double cy = (ca - cb * cg) / sg;
  L_A[0][0] = c->a_A;
  L_A[0][1] = 0.0;
  L_A[0][2] = 0.0;
  L_A[1][0] = c->b_A * cg;
  L_A[1][1] = c->b_A * sg;
  L_A[1][2] = 0.0;
  L_A[2][0] = c->c_A * cb;
  L_A[2][1] = c->c_A * cy;
  L_A[2][2] = c->c_A * sqrt(1.0 - cb * cb - cy * cy);
}

int sf_crystal_site_find(const sf_crystal *c, const char *label, int *site) {
  if (!c || !label || !site)
    return sf_error_set(SF_EINVAL, "sf_crystal_site_find: NULL argument");
  char known[512];
  size_t used = 0;
  known[0] = '\0';
  for (int i = 0; i < c->n_sites; ++i) {
    if (strcmp(c->sites[i].label, label) == 0) {
      *site = i;
      return SF_OK;
    }
    int w = snprintf(known + used, sizeof known - used, "%s%s (%s)", i ? ", " : "",
                     c->sites[i].label, c->sites[i].wyckoff);
    if (w > 0 && (size_t)w < sizeof known - used)
      used += (size_t)w;
  }
  return sf_error_set(SF_ENOENT, "crystal %s has no site '%s' (sites: %s)", c->name, label,
                      known);
}

static double wrap_frac(double f) {
  f -= floor(f);
  if (f > 1.0 - FRAC_SAME * 1e-3 || f < FRAC_SAME * 1e-3)
    f = 0.0;
  return f;
}

static int same_frac(const double a[3], const double b[3]) {
  for (int k = 0; k < 3; ++k) {
    double d = fabs(a[k] - b[k]);
    d = d > 0.5 ? 1.0 - d : d;
    if (d > FRAC_SAME)
      return 0;
  }
  return 1;
}

int sf_crystal_expand(const sf_crystal *c, sf_crystal_atom **atoms, size_t *n) {
  if (!c || !atoms || !n)
    return sf_error_set(SF_EINVAL, "sf_crystal_expand: NULL argument");
  *atoms = NULL;
  *n = 0;
  static const double centring[4][4][3] = {
      {{0, 0, 0}},
      {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}},
      {{0, 0, 0}, {0.5, 0.5, 0.5}},
      {{0, 0, 0}, {0.5, 0.5, 0}},
  };
  static const int n_centring[4] = {1, 4, 2, 2};
  if ((int)c->centring < 0 || (int)c->centring > 3)
    return sf_error_set(SF_EINVAL, "crystal %s: unknown centring %d", c->name, (int)c->centring);
  size_t cap = 0;
  for (int s = 0; s < c->n_sites; ++s)
    cap += (size_t)c->sites[s].n_ops * (size_t)n_centring[c->centring];
  sf_crystal_atom *list = sf_alloc(cap ? cap : 1, sizeof *list, "crystal: cell atoms");
  if (!list)
    return SF_ENOMEM;
  size_t count = 0;
  for (int s = 0; s < c->n_sites; ++s) {
    const sf_crystal_site *site = &c->sites[s];
    double u = sqrt(site->B_A2 / (8.0 * SF_PI * SF_PI));
    for (int o = 0; o < site->n_ops; ++o)
      for (int t = 0; t < n_centring[c->centring]; ++t) {
        double f[3];
        for (int k = 0; k < 3; ++k)
          f[k] = wrap_frac(site->ops[o].sign[k] * site->param[k] + site->ops[o].shift[k] +
                           centring[c->centring][t][k]);
        int dup = 0;
        for (size_t j = 0; j < count && !dup; ++j)
          dup = same_frac(list[j].frac, f);
        if (dup)
          continue;
        list[count].Z = site->Z;
        list[count].site = s;
        memcpy(list[count].frac, f, sizeof f);
        list[count].occupancy = site->occupancy;
        list[count].u_rms_A = u;
        ++count;
      }
  }
  if ((int)count != c->atoms_per_cell) {
    sf_free(list);
    return sf_error_set(SF_ENUMERIC,
                        "crystal %s: the site orbits give %zu atoms per cell, the table says %d",
                        c->name, count, c->atoms_per_cell);
  }
  *atoms = list;
  *n = count;
  return SF_OK;
}
