/* structure_substitute.c - seeded random substitution of one element by
   another on chosen sites (e.g. Mn on the octahedral Co sites of Co3O4). */
#include "sim/sf_structure.h"

#include "core/sf_alloc.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "potentials/sf_elements.h"

#include <math.h>
#include <stdlib.h>

typedef struct keyed {
  double key;
  size_t index;
} keyed;

static int compare_keyed(const void *pa, const void *pb) {
  const keyed *a = pa, *b = pb;
  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  return a->index < b->index ? -1 : (a->index > b->index);
}

int sf_structure_substitute(sf_structure *s, int from_Z, int tag, int to_Z, double fraction,
                            uint64_t seed, size_t *n_replaced) {
  if (!s)
    return sf_error_set(SF_EINVAL, "sf_structure_substitute: structure is NULL");
  if (n_replaced)
    *n_replaced = 0;
  SF_TRY(sf_element_check(from_Z));
  SF_TRY(sf_element_check(to_Z));
  if (!(fraction >= 0.0 && fraction <= 1.0))
    return sf_error_set(SF_ERANGE, "substitution fraction %g outside [0, 1]", fraction);
  if (s->count > UINT32_MAX)
    return sf_error_set(SF_ERANGE, "substitution: %zu atoms exceed the 2^32 random substreams",
                        s->count);
  size_t n = 0;
  for (size_t i = 0; i < s->count; ++i)
    n += s->Z[i] == from_Z && (tag < 0 || s->tag[i] == tag);
  size_t k = (size_t)llround(fraction * (double)n);
  if (k == 0) {
    return SF_OK;
  }
  keyed *cand = sf_alloc(n, sizeof *cand, "substitution: candidates");
  if (!cand)
    return SF_ENOMEM;
  size_t m = 0;
  for (size_t i = 0; i < s->count; ++i)
    if (s->Z[i] == from_Z && (tag < 0 || s->tag[i] == tag)) {
      sf_rng rng;
      sf_rng_init(&rng, seed, SF_RNG_STREAM(SF_STRUCTURE_RNG_PURPOSE, 0), (uint32_t)i);
      cand[m].key = sf_rng_uniform(&rng);
      cand[m].index = i;
      ++m;
    }
  qsort(cand, n, sizeof *cand, compare_keyed);
  for (size_t j = 0; j < k; ++j)
    s->Z[cand[j].index] = to_Z;
  sf_free(cand);
  if (n_replaced)
    *n_replaced = k;
  return SF_OK;
}
