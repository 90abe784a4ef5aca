/* sf_report.h - the report folder of a validation run.

   sf_report_write turns a harness result (validate/sf_harness.h) into a
   folder written under a temporary name and renamed when complete (a failed
   run leaves no folder; an existing one is replaced only with force):
     index.html          the figures and tables below, with the parameters
     metrics.json        every metric as mean, std, min, max over the
                         realisations and per realisation; modalities (dose,
                         SNR); stoichiometry; program version, git revision,
                         command line, seed and the resolved configuration
     metrics.csv         the same metrics, one row per name
     stoichiometry.csv   per phase group and element: fitted mean +- sigma,
                         truth, error (realisation 0) and mean +- std over the
                         realisations
     profile.csv         the line profile of truth, noisy and fused maps (Å)
     convergence.csv     the recovery's cost terms per iteration
     config.toml         the fully resolved recipe
     maps.emd            truth, noisy, fused, concentration and SE maps of
                         realisation 0 with provenance (unless
                         report.write_emd = false)
     *.png               truth, noisy and fused maps per element, HAADF, RGB
                         overlays (truth, noisy, fused), relative
                         concentrations, phase groups, line profiles,
                         convergence and concentration histograms with the
                         fitted Gaussians.
   Definitions: docs/validation.md.

   Catalogue: sf_report_write, sf_report_headline. */
#ifndef SF_REPORT_H
#define SF_REPORT_H
#include "validate/sf_harness.h"
#include "validate/sf_recipe.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/** Write the report folder `dir` (its parent must exist) for `res`, the run
    of `recipe`. argc/argv: the command line recorded as provenance (argc 0
    for none). SF_EEXIST when dir exists and !force; SF_EIO, SF_ENOMEM and
    the errors of the PNG, plot and EMD writers; nothing is left behind on
    failure. */
int sf_report_write(const sf_recipe *recipe, const sf_harness_result *res, const char *dir,
                    int force, int argc, char *const argv[]);

/** A few lines of headline metrics (per element fused versus raw PSNR,
    concentration RMSE, stoichiometry per phase group, mean +- std) as
    malloc'ed text in *text (caller frees). */
int sf_report_headline(const sf_harness_result *res, char **text);

#ifdef __cplusplus
}
#endif
#endif
