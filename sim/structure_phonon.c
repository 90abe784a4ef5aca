/* structure_phonon.c - one frozen-phonon configuration of an atom list
   (the model and the random streams are in potentials/sf_phonon.h). */
#include "sim/sf_structure.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "potentials/sf_phonon.h"

int sf_structure_phonon(const sf_structure *s, const struct sf_phonon_rms *rms, uint64_t seed,
                        uint64_t config, sf_structure **out) {
  if (!s || !out)
    return sf_error_set(SF_EINVAL, "sf_structure_phonon: NULL argument");
  *out = NULL;
  size_t n = s->count;
  double *d = sf_alloc(n ? 3 * n : 1, sizeof *d, "frozen phonons: displacements");
  unsigned char *present = sf_alloc(n ? n : 1, 1, "frozen phonons: occupation");
  sf_structure *t = NULL;
  int status = d && present ? SF_OK : SF_ENOMEM;
  if (status == SF_OK)
    status = sf_phonon_displacements(n, s->Z, s->u_rms_A, s->occupancy, rms, seed, config, d,
                                     present);
  if (status == SF_OK)
    status = sf_structure_create(s->cell_A[0], s->cell_A[1], s->cell_A[2], &t);
  size_t kept = 0;
  for (size_t i = 0; i < n; ++i)
    kept += status == SF_OK && present[i];
  if (status == SF_OK)
    status = sf_structure_reserve(t, kept);
  for (size_t i = 0; i < n && status == SF_OK; ++i) {
    if (!present[i])
      continue;
    status = sf_structure_append(t, s->Z[i], s->x_A[i] + d[3 * i], s->y_A[i] + d[3 * i + 1],
                                 s->z_A[i] + d[3 * i + 2], 1.0, s->u_rms_A[i]);
    if (status == SF_OK)
      t->tag[t->count - 1] = s->tag[i];
  }
  sf_free(d);
  sf_free(present);
  if (status != SF_OK) {
    sf_structure_destroy(t);
    return status;
  }
  *out = t;
  return SF_OK;
}
