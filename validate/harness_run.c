/* harness_run.c - the whole validation loop over N realisations, with
   progress, and its summary. */
#include "validate/sf_harness.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_progress.h"
#include "core/sf_status.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Move realisation 0's maps into the result's set (names are distinct). */
static int adopt_maps(sf_imageset *dst, sf_imageset *src) {
  for (size_t i = 0; i < src->count; ++i) {
    if (dst->count == dst->capacity) {
      size_t cap = dst->capacity ? 2 * dst->capacity : 16;
      sf_map **maps = realloc(dst->maps, cap * sizeof *maps);
      if (!maps)
        return sf_error_set(SF_ENOMEM, "cannot grow the image set to %zu maps", cap);
      dst->maps = maps;
      dst->capacity = cap;
    }
    if (sf_imageset_find(dst, src->maps[i]->name))
      return sf_error_set(SF_EINVAL, "map '%s' is already in the result", src->maps[i]->name);
    dst->maps[dst->count++] = src->maps[i];
    src->maps[i] = NULL;
  }
  src->count = 0;
  return SF_OK;
}

static int run(const sf_recipe_params *p, sf_harness_result *r) {
  SF_TRY(sf_harness_truth(p, &r->maps));
  SF_TRY(sf_harness_labels_make(p, r->maps, &r->groups));
  r->n_modalities = 1 + p->n_elements;
  r->real = calloc((size_t)p->realisations, sizeof *r->real);
  if (!r->real)
    return sf_error_set(SF_ENOMEM, "cannot allocate %d metric lists", p->realisations);
  sf_log(SF_LOG_INFO, "%s: %zu x %zu x %zu voxels of %g Å, %zu elements, %d realisations",
         p->name, p->nx, p->ny, p->nz, p->voxel_A, p->n_elements, p->realisations);
  sf_progress *prog = sf_progress_begin("realisations", (uint64_t)p->realisations);
  int st = SF_OK;
  for (int k = 0; k < p->realisations && st == SF_OK; ++k) {
    sf_harness_detail detail;
    st = sf_harness_realise(p, r->maps, &r->groups, (uint32_t)k, &r->real[k],
                            k == 0 ? r->modality : NULL, k == 0 ? &detail : NULL);
    r->n_realisations = (size_t)k + 1;
    if (st == SF_OK && k == 0) {
      st = adopt_maps(r->maps, detail.maps);
      r->trace = detail.trace;
      r->n_trace = detail.n_trace;
      detail.trace = NULL;
      r->stoich = detail.stoich;
      memcpy(r->stoich_fitted, detail.stoich_fitted, sizeof r->stoich_fitted);
      memcpy(r->stoich_note, detail.stoich_note, sizeof r->stoich_note);
      sf_harness_detail_clear(&detail);
    }
    sf_progress_add(prog, 1);
  }
  sf_progress_end(prog);
  SF_TRY(st);
  SF_TRY(sf_harness_summarise(r->real, r->n_realisations, &r->stats, &r->n_stats));
  return SF_OK;
}

int sf_harness_run(const sf_recipe_params *p, sf_harness_result **out) {
  if (!p || !out)
    return sf_error_set(SF_EINVAL, "sf_harness_run: NULL argument");
  *out = NULL;
  sf_harness_result *r = calloc(1, sizeof *r);
  if (!r)
    return sf_error_set(SF_ENOMEM, "cannot allocate the harness result");
  r->p = *p;
  double t0 = now_s();
  int st = run(p, r);
  if (st != SF_OK) {
    sf_harness_result_destroy(r);
    return sf_error_prepend(st, "validating '%s'", p->name);
  }
  r->seconds = now_s() - t0;
  *out = r;
  return SF_OK;
}

void sf_harness_result_destroy(sf_harness_result *r) {
  if (!r)
    return;
  sf_imageset_destroy(r->maps);
  sf_harness_labels_clear(&r->groups);
  free(r->trace);
  for (size_t k = 0; k < r->n_realisations; ++k)
    sf_harness_values_clear(&r->real[k]);
  free(r->real);
  sf_free(r->stats);
  free(r);
}
