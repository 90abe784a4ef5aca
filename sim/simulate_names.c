/* simulate_names.c - names of the maps a STEM simulation writes, chosen so
   that no name is a prefix of another (HyperSpy 1.7.3; file-formats.md). */
#include "sim/sf_simulate_config.h"

#include "core/sf_status.h"

#include <stdio.h>
#include <string.h>

int sf_simulate_map_name(char *buf, size_t size, const char *subject, size_t depth,
                         size_t n_depths, const char *kind) {
  if (!buf || size == 0 || !subject)
    return sf_error_set(SF_EINVAL, "map name: NULL argument");
  char tag[32] = "";
  if (n_depths > 1) {
    int width = 2;
    for (size_t v = (n_depths - 1) / 100; v > 0; v /= 10)
      ++width;
    snprintf(tag, sizeof tag, "_d%0*zu", width, depth);
  }
  const int has_kind = kind && kind[0];
  int n = snprintf(buf, size, "%s%s%s%s", subject, tag, has_kind ? "_" : "",
                   has_kind ? kind : "");
  if (n < 0 || (size_t)n >= size || (size_t)n >= SF_NAME_MAX)
    return sf_error_set(SF_EINVAL, "map name '%s%s%s%s' is longer than %d characters: use a "
                        "shorter detector name or fewer depths", subject, tag,
                        has_kind ? "_" : "", has_kind ? kind : "", SF_NAME_MAX - 1);
  return SF_OK;
}

static int add_placeholder(sf_imageset *plan, const char *subject, size_t d, size_t nd,
                           const char *kind) {
  char name[SF_NAME_MAX];
  SF_TRY(sf_simulate_map_name(name, sizeof name, subject, d, nd, kind));
  return sf_imageset_add_map(plan, name, SF_F32, 1, 1, 1, NULL);
}

int sf_simulate_output_names(const sf_simulate_setup *s, sf_imageset *plan) {
  if (!s || !plan)
    return sf_error_set(SF_EINVAL, "simulate: NULL argument");
  const sf_stem_params *p = &s->params;
  const size_t nd = p->n_depths > 0 ? p->n_depths : 1;
  const size_t nc = sf_detector_channel_count(&p->detectors);
  char name[SF_NAME_MAX];
  for (size_t d = 0; d < nd; ++d) {
    for (size_t c = 0; c < nc; ++c) {
      SF_TRY(sf_detector_channel_name(&p->detectors, c, name, sizeof name));
      SF_TRY(add_placeholder(plan, name, d, nd, "mean"));
      SF_TRY(add_placeholder(plan, name, d, nd, "stderr"));
    }
    if (p->detectors.com) {
      static const char *const com[] = {"COM_x", "COM_y"};
      for (int k = 0; k < 2; ++k) {
        SF_TRY(add_placeholder(plan, com[k], d, nd, "mean"));
        SF_TRY(add_placeholder(plan, com[k], d, nd, "stderr"));
      }
    }
    SF_TRY(add_placeholder(plan, "band_limit_loss", d, nd, "mean"));
    if (p->detectors.bin_width_mrad > 0)
      SF_TRY(add_placeholder(plan, "ADF_radial_bins", d, nd, NULL));
  }
  return SF_OK;
}
