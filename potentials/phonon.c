/* phonon.c - Einstein-model frozen-phonon displacements and thermal-factor
   conversions (B = 8 pi^2 u_rms^2; see sf_phonon.h). */
#include "potentials/sf_phonon.h"

#include "core/sf_constants.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EIGHT_PI2 (8.0 * SF_PI * SF_PI)

void sf_phonon_rms_init(sf_phonon_rms *table) {
  if (!table)
    return;
  for (int Z = 0; Z <= SF_ELEMENT_Z_MAX; ++Z)
    table->u_rms_A[Z] = -1.0;
}

int sf_phonon_rms_set(sf_phonon_rms *table, int Z, double u_rms_A) {
  if (!table)
    return sf_error_set(SF_EINVAL, "sf_phonon_rms_set: table is NULL");
  SF_TRY(sf_element_check(Z));
  if (!(u_rms_A >= 0.0) || !isfinite(u_rms_A))
    return sf_error_set(SF_ERANGE, "u_rms of %s = %g Å: must be finite and >= 0",
                        sf_element_symbol(Z), u_rms_A);
  table->u_rms_A[Z] = u_rms_A;
  return SF_OK;
}

double sf_phonon_u_rms_from_B(double B_A2) {
  if (!(B_A2 >= 0.0))
    return NAN;
  return sqrt(B_A2 / EIGHT_PI2);
}

double sf_phonon_B_from_u_rms(double u_rms_A) { return EIGHT_PI2 * u_rms_A * u_rms_A; }

int sf_phonon_thermal_parse(const char *text, int *Z, double *u_rms_A) {
  if (!text || !Z || !u_rms_A)
    return sf_error_set(SF_EINVAL, "sf_phonon_thermal_parse: NULL argument");
  *Z = 0;
  const char *body = text;
  const char *colon = strchr(text, ':');
  if (colon) {
    char symbol[8];
    size_t len = (size_t)(colon - text);
    if (len == 0 || len >= sizeof symbol)
      return sf_error_set(SF_EINVAL, "thermal setting '%s': expected El:KIND=VALUE", text);
    memcpy(symbol, text, len);
    symbol[len] = '\0';
    if (sf_element_from_symbol(symbol, Z) != SF_OK)
      return sf_error_prepend(SF_EINVAL, "thermal setting '%s'", text);
    body = colon + 1;
  }
  const char *eq = strchr(body, '=');
  if (!eq)
    return sf_error_set(SF_EINVAL,
                        "thermal setting '%s': expected [El:]B=VALUE, [El:]u2=VALUE or "
                        "[El:]u=VALUE",
                        text);
  size_t klen = (size_t)(eq - body);
  errno = 0;
  char *end = NULL;
  double v = strtod(eq + 1, &end);
  if (eq[1] == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v))
    return sf_error_set(SF_EINVAL, "thermal setting '%s': '%s' is not a number", text, eq + 1);
  if (v < 0.0)
    return sf_error_set(SF_EINVAL, "thermal setting '%s': value %g must be >= 0", text, v);
  if (klen == 1 && body[0] == 'B')
    *u_rms_A = sf_phonon_u_rms_from_B(v);
  else if (klen == 2 && strncmp(body, "u2", 2) == 0)
    *u_rms_A = sqrt(v);
  else if ((klen == 1 && body[0] == 'u') || (klen == 5 && strncmp(body, "u_rms", 5) == 0))
    *u_rms_A = v;
  else
    return sf_error_set(SF_EINVAL,
                        "thermal setting '%s': unknown kind '%.*s' (use B [Å^2], u2 [Å^2] or "
                        "u [Å])",
                        text, (int)klen, body);
  return SF_OK;
}

int sf_phonon_displacements(size_t n, const int *Z, const double *u_rms_A,
                            const double *occupancy, const sf_phonon_rms *rms, uint64_t seed,
                            uint64_t config, double *d_A, unsigned char *present) {
  if (n == 0)
    return SF_OK;
  if (!Z || !u_rms_A || !d_A || (present && !occupancy))
    return sf_error_set(SF_EINVAL, "sf_phonon_displacements: NULL argument");
  if (n > (size_t)UINT32_MAX + 1u)
    return sf_error_set(SF_ERANGE, "frozen phonons: %zu atoms exceed the 2^32 random substreams",
                        n);
  if (config >= ((uint64_t)1 << 48))
    return sf_error_set(SF_ERANGE, "frozen phonons: configuration %llu >= 2^48",
                        (unsigned long long)config);
  /* Check everything first so that a failure leaves no partial output. */
  for (size_t i = 0; i < n; ++i) {
    if (Z[i] < SF_ELEMENT_Z_MIN || Z[i] > SF_ELEMENT_Z_MAX)
      return sf_error_set(SF_ERANGE, "frozen phonons: atom %zu: unknown element Z = %d", i, Z[i]);
    double u = rms && rms->u_rms_A[Z[i]] >= 0.0 ? rms->u_rms_A[Z[i]] : u_rms_A[i];
    if (!(u >= 0.0) || !isfinite(u))
      return sf_error_set(SF_ERANGE, "frozen phonons: atom %zu (Z = %d): u_rms = %g Å < 0", i,
                          Z[i], u);
    if (present && !(occupancy[i] >= 0.0 && occupancy[i] <= 1.0))
      return sf_error_set(SF_ERANGE, "frozen phonons: atom %zu (Z = %d): occupancy %g outside "
                                     "[0, 1]",
                          i, Z[i], occupancy[i]);
  }
  const uint64_t stream = SF_RNG_STREAM(SF_RNG_PURPOSE_PHONON, config);
  const long long nn = (long long)n;
#pragma omp parallel for schedule(static)
  for (long long ii = 0; ii < nn; ++ii) {
    size_t i = (size_t)ii;
    double u = rms && rms->u_rms_A[Z[i]] >= 0.0 ? rms->u_rms_A[Z[i]] : u_rms_A[i];
    sf_rng rng;
    sf_rng_init(&rng, seed, stream, (uint32_t)i);
    d_A[3 * i + 0] = u * sf_rng_normal(&rng);
    d_A[3 * i + 1] = u * sf_rng_normal(&rng);
    d_A[3 * i + 2] = u * sf_rng_normal(&rng);
    if (present)
      present[i] = (unsigned char)(sf_rng_uniform(&rng) < occupancy[i]);
  }
  return SF_OK;
}
