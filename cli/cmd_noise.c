/* cmd_noise.c - `stemfuse noise IN.emd -o OUT.emd --dose-haadf D --dose-chem D`:
   seeded Poisson (+ read-out) noise at a stated dose or target SNR on the
   HAADF and chemical maps of an EMD file (validate/sf_noise.h). */
#include "cli/sf_cli.h"
#include "cli/sf_cli_options.h"
#include "core/sf_imageset.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_emd.h"
#include "validate/sf_noise.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define CMD "noise"

int sf_cmd_noise(int argc, char **argv) {
  const char *out = NULL, *haadf = NULL, *prefix = "noisy_";
  sf_cli_list chem = {{0}, 0};
  double dose_haadf = 0.0, dose_chem = 0.0, snr_haadf = 0.0, snr_chem = 0.0;
  double det = 0.5, yield_A2 = 1e-3, read_haadf = 0.0, read_chem = 0.0, mask = 0.1;
  long seed = 1, realisation = 0;
  int force = 0;
  const sf_cli_option options[] = {
      {"output", 'o', SF_OPT_STRING, &out, "OUT.emd", "output file (required)"},
      {"haadf", 0, SF_OPT_STRING, &haadf, "MAP", "HAADF map (default: HAADF when present)"},
      {"chem", 0, SF_OPT_LIST, &chem, "MAP",
       "chemical map (repeatable; default: every map named EDX_* or EELS_*)"},
      {"dose-haadf", 0, SF_OPT_DOUBLE, &dose_haadf, "E_PER_A2", "HAADF dose, electrons per Å²"},
      {"dose-chem", 0, SF_OPT_DOUBLE, &dose_chem, "E_PER_A2",
       "chemical dose, electrons per Å²"},
      {"snr-haadf", 0, SF_OPT_DOUBLE, &snr_haadf, "S", "choose the HAADF dose for this SNR"},
      {"snr-chem", 0, SF_OPT_DOUBLE, &snr_chem, "S",
       "choose each chemical map's dose for this SNR"},
      {"detector-fraction", 0, SF_OPT_DOUBLE, &det, "F",
       "HAADF: fraction of electrons on the detector at the brightest pixel (default 0.5)"},
      {"yield-A2", 0, SF_OPT_DOUBLE, &yield_A2, "Y",
       "chemical: counts per electron per atom/Å² of signal, Å² (default 1e-3)"},
      {"read-noise-haadf", 0, SF_OPT_DOUBLE, &read_haadf, "COUNTS", "Gaussian read-out noise"},
      {"read-noise-chem", 0, SF_OPT_DOUBLE, &read_chem, "COUNTS", "Gaussian read-out noise"},
      {"mask-fraction", 0, SF_OPT_DOUBLE, &mask, "F",
       "specimen mask for the SNR: signal >= F x maximum (default 0.1)"},
      {"seed", 0, SF_OPT_INT, &seed, "N", "seed of the noise streams (default 1)"},
      {"realisation", 0, SF_OPT_INT, &realisation, "K", "realisation index (default 0)"},
      {"prefix", 0, SF_OPT_STRING, &prefix, "TEXT", "name prefix of the noisy maps (noisy_)"},
      {"force", 0, SF_OPT_FLAG, &force, NULL, "overwrite an existing output"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const sf_cli_spec spec = {
      CMD, "IN.emd -o OUT.emd (--dose-haadf D | --snr-haadf S) (--dose-chem D | --snr-chem S)",
      "Add seeded Poisson noise (and optional Gaussian read-out noise) to the HAADF and\n"
      "chemical maps of IN.emd at a dose in electrons per Å² or at the dose that reaches a\n"
      "target SNR (docs/validation-model.md §3): HAADF counts = dose x pixel area x detector\n"
      "fraction x signal / max, chemical counts = dose x pixel area x yield x signal. Writes\n"
      "IN's maps plus PREFIX<map> in counts; the seed and doses go into the attributes.",
      options, 1, 1};
  const char *pos[1];
  int npos = 0;
  int rc = sf_cli_parse(&spec, argc, argv, pos, &npos);
  if (rc >= 0)
    return rc;
  if (!out)
    return sf_cli_usage_error(CMD, "missing -o OUT.emd");
  if (seed < 0 || realisation < 0 || realisation > 0xffffffffL)
    return sf_cli_usage_error(CMD, "--seed %ld --realisation %ld: must be >= 0", seed,
                              realisation);
  sf_imageset *set = NULL;
  int st = sf_io_emd_read(pos[0], &set);
  if (st != SF_OK)
    return sf_cli_fail(CMD, st);
  const char *names[SF_NOISE_MAX_MODALITIES];
  char outs[SF_NOISE_MAX_MODALITIES][SF_NAME_MAX];
  sf_noise_modality m[SF_NOISE_MAX_MODALITIES];
  memset(m, 0, sizeof m);
  size_t n = 0;
  if (!haadf && sf_imageset_find(set, "HAADF"))
    haadf = "HAADF";
  if (haadf)
    names[n++] = haadf;
  size_t first_chem = n;
  for (int k = 0; k < chem.count && n < SF_NOISE_MAX_MODALITIES; ++k)
    names[n++] = chem.items[k];
  if (!chem.count)
    for (size_t i = 0; i < set->count && n < SF_NOISE_MAX_MODALITIES; ++i)
      if (strncmp(set->maps[i]->name, "EDX_", 4) == 0 ||
          strncmp(set->maps[i]->name, "EELS_", 5) == 0)
        names[n++] = set->maps[i]->name;
  if (n == 0) {
    sf_imageset_destroy(set);
    return sf_cli_usage_error(CMD, "%s: no HAADF or EDX_*/EELS_* map; name them with --haadf "
                              "and --chem", pos[0]);
  }
  if ((haadf && !(dose_haadf > 0.0) && !(snr_haadf > 0.0)) ||
      (n > first_chem && !(dose_chem > 0.0) && !(snr_chem > 0.0))) {
    sf_imageset_destroy(set);
    return sf_cli_usage_error(CMD, "give a dose (--dose-haadf/--dose-chem, e/Å²) or a target SNR "
                              "(--snr-haadf/--snr-chem) for each kind of map");
  }
  for (size_t k = 0; k < n; ++k) {
    int is_haadf = k < first_chem;
    snprintf(outs[k], sizeof outs[k], "%s%s", prefix, names[k]);
    m[k].map = names[k];
    m[k].out_map = outs[k];
    m[k].kind = is_haadf ? SF_NOISE_HAADF : SF_NOISE_CHEMICAL;
    m[k].dose_e_per_A2 = is_haadf ? dose_haadf : dose_chem;
    m[k].target_snr = is_haadf ? snr_haadf : snr_chem;
    m[k].detector_fraction = det;
    m[k].yield_A2 = yield_A2;
    m[k].read_noise_counts = is_haadf ? read_haadf : read_chem;
    m[k].mask_fraction = mask;
  }
  st = sf_noise_apply(set, set, n, m, (uint64_t)seed, (uint32_t)realisation);
  if (st == SF_OK)
    st = sf_imageset_set_provenance(set, sf_cli_argc, sf_cli_argv, 1, (uint64_t)seed, NULL);
  if (st == SF_OK)
    st = sf_io_emd_write(set, out, force);
  if (st == SF_OK) {
    for (size_t k = 0; k < n; ++k)
      sf_out("%-24s dose %.4g e/Å², expected SNR %.3g, mean counts %.4g\n", outs[k],
             m[k].dose_used_e_per_A2, m[k].snr_expected, m[k].mean_counts);
    sf_out("%s\n", out);
  }
  sf_imageset_destroy(set);
  return st == SF_OK ? 0 : sf_cli_fail(CMD, st);
}
