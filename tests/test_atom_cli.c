/* `stemfuse atom` and `stemfuse edge`: printed results, outputs and errors
   (exit status 1 for a failed run, 2 for bad usage, with the message). */
#include "core/sf_imageset.h"
#include "core/sf_status.h"
#include "io/sf_emd.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run(const char *args, char **out) { return sf_test_run_cli(args, out); }

Test(atom_cli, atom_prints_nist_eigenvalues_and_energy) {
  char *out;
  cr_assert_eq(run("atom O", &out), 0, "%s", out);
  cr_assert(strstr(out, "configuration 1s2 2s2 2p4"), "%s", out);
  cr_assert(strstr(out, "-18.75824"), "%s", out);  /* NIST 1s -18.758245 */
  cr_assert(strstr(out, "-0.33838"), "%s", out);   /* NIST 2p -0.338381 */
  cr_assert(strstr(out, "total_energy_Ha     -74.473076"), "%s", out);
  free(out);
  cr_assert_eq(run("atom O --core-hole 1s --xc builtin", &out), 0, "%s", out);
  cr_assert(strstr(out, "charge +1  configuration 1s1 2s2 2p4"), "%s", out);
  free(out);
  cr_assert_eq(run("atom Mg --scalar-relativistic", &out), 0, "%s", out);
  cr_assert(strstr(out, "total_energy_Ha     -199.38283"), "%s", out); /* NIST ScRLDA */
  free(out);
}

Test(atom_cli, atom_errors) {
  char *out;
  cr_assert_eq(run("atom Xx", &out), 2);
  cr_assert(strstr(out, "unknown element symbol 'Xx'"), "%s", out);
  free(out);
  cr_assert_eq(run("atom Np", &out), 2);
  cr_assert(strstr(out, "Z = 1..92"), "%s", out);
  free(out);
  cr_assert_eq(run("atom O --core-hole 3d", &out), 2);
  cr_assert(strstr(out, "O has no electron in 3d"), "%s", out);
  free(out);
  cr_assert_eq(run("atom Fe --config '[Ar] 3d6 4q2'", &out), 2);
  cr_assert(strstr(out, "'4q2'"), "%s", out);
  free(out);
  cr_assert_eq(run("atom Fe --max-iterations 3", &out), 1);
  cr_assert(strstr(out, "did not converge in 3 iterations"), "%s", out);
  cr_assert(strstr(out, "iteration history: 1: E = "), "%s", out);
  cr_assert(strstr(out, "; 3: E = "), "%s", out);
  free(out);
}

Test(atom_cli, edge_cross_section_cache_and_images) {
  char *out, args[1024];
  const char *dir = sf_test_tmpdir();
  snprintf(args, sizeof args,
           "edge O K --energy-keV 300 --collection-mrad 30 --window-eV 50 --cache-dir '%s'", dir);
  cr_assert_eq(run(args, &out), 0, "%s", out);
  cr_assert(strstr(out, "onset K 532.0 eV (tabulated)"), "%s", out);
  cr_assert(strstr(out, "5 energy nodes, 15 final states (3 per node)"), "%s", out);
  const char *s = strstr(out, "sigma_barn ");
  cr_assert_not_null(s, "%s", out);
  const double sigma = atof(s + 11);
  cr_assert(sigma > 1000.0 && sigma < 1060.0, "sigma = %g", sigma); /* doc: 1019..1050 */
  cr_assert(strstr(out, "hydrogenic_sigma_barn 1015.9"), "%s", out);
  free(out);
  cr_assert_eq(run(args, &out), 0, "%s", out); /* second run: from the cache */
  cr_assert(strstr(out, "from the cache"), "%s", out);
  free(out);
  const char *emd = sf_test_path("ok.emd");
  snprintf(args, sizeof args, "-q edge O K --nodes 2 --grid 32 --pixel-size-A 0.1 -o '%s'", emd);
  cr_assert_eq(run(args, &out), 0, "%s", out);
  free(out);
  sf_imageset *set = NULL;
  cr_assert_eq(sf_io_emd_read(emd, &set), SF_OK, "%s", sf_error_message());
  const sf_map *re = sf_imageset_find(set, "tp_real");
  cr_assert_not_null(re);
  cr_assert(re->nx == 32 && re->ny == 32 && re->nz == 6);
  cr_assert_not_null(sf_imageset_find(set, "tp_intensity"));
  sf_imageset_destroy(set);
  cr_assert_eq(run(args, &out), 1); /* exists, no --force */
  cr_assert(strstr(out, "already exists"), "%s", out);
  free(out);
}

Test(atom_cli, edge_errors) {
  char *out;
  cr_assert_eq(run("edge Xy K", &out), 2);
  cr_assert(strstr(out, "unknown element symbol 'Xy'"), "%s", out);
  free(out);
  cr_assert_eq(run("edge O M45", &out), 1);
  cr_assert(strstr(out, "edge M45 of O (Z = 8): the atom has no 3d electron"), "%s", out);
  free(out);
  cr_assert_eq(run("edge O Q9", &out), 1);
  cr_assert(strstr(out, "edge 'Q9': unknown"), "%s", out);
  free(out);
  cr_assert_eq(run("edge O K --window-start-eV 400 --window-eV 50", &out), 1);
  cr_assert(strstr(out, "window 400 .. 450 eV lies below the onset of O K at 532 eV"), "%s", out);
  free(out);
  cr_assert_eq(run("edge O K --window-eV -5", &out), 2);
  free(out);
  cr_assert_eq(run("edge O K --continuum Z+1", &out), 2);
  cr_assert(strstr(out, "'Z+1'"), "%s", out);
  free(out);
  cr_assert_eq(run("edge O", &out), 2);
  free(out);
}
