/* Atoms sorted into slices by depth: SrTiO3 [001] in slices of a/2, atoms on
   slice entrances, order, and errors. */
#include "core/sf_status.h"
#include "potentials/sf_slicing.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#define A_STO 3.905

/* SrTiO3, nc x nc x nz cells: Sr (0,0,0), Ti (1/2,1/2,1/2), O (1/2,1/2,0), (1/2,0,1/2), (0,1/2,1/2). */
static size_t build(sf_slice_atom *atoms, int nc, int nz) {
  const double frac[5][3] = {{0, 0, 0}, {.5, .5, .5}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5}};
  const int Z[5] = {38, 22, 8, 8, 8};
  size_t n = 0;
  for (int cz = 0; cz < nz; ++cz)
    for (int cy = 0; cy < nc; ++cy)
      for (int cx = 0; cx < nc; ++cx)
        for (int k = 0; k < 5; ++k)
          atoms[n++] = (sf_slice_atom){Z[k], (cx + frac[k][0]) * A_STO,
                                       (cy + frac[k][1]) * A_STO, (cz + frac[k][2]) * A_STO};
  return n;
}

Test(slicing, srtio3_in_half_cell_slices) {
  sf_slice_atom atoms[5 * 4 * 4 * 5];
  const size_t n = build(atoms, 4, 5);
  sf_slicing *s = NULL;
  cr_assert_eq(sf_slicing_create(atoms, n, 0.0, A_STO / 2, 0, &s), SF_OK, "%s",
               sf_error_message());
  cr_assert_eq(sf_slicing_count(s), 10);
  cr_assert_eq(sf_slicing_thickness(s), A_STO / 2);
  size_t total = 0;
  for (size_t k = 0; k < 10; ++k) {
    size_t m = 0;
    const sf_slice_atom *sl = sf_slicing_atoms(s, k, &m);
    total += m;
    /* even slices: SrO layer (16 Sr + 16 O); odd: TiO2 (16 Ti + 32 O) */
    cr_assert_eq(m, k % 2 == 0 ? 32u : 48u, "slice %zu holds %zu atoms", k, m);
    int sr = 0, ti = 0, o = 0;
    for (size_t i = 0; i < m; ++i) {
      sr += sl[i].Z == 38;
      ti += sl[i].Z == 22;
      o += sl[i].Z == 8;
      cr_assert(sl[i].z_A >= k * A_STO / 2 - 1e-9 && sl[i].z_A < (k + 1) * A_STO / 2);
    }
    cr_assert_eq(sr, k % 2 == 0 ? 16 : 0);
    cr_assert_eq(ti, k % 2 == 0 ? 0 : 16);
    cr_assert_eq(o, k % 2 == 0 ? 16 : 32);
  }
  cr_assert_eq(total, n);
  size_t m = 7;
  cr_assert_null(sf_slicing_atoms(s, 10, &m));
  cr_assert_eq(m, 0);
  sf_slicing_destroy(s);
  sf_slicing_destroy(NULL);
}

Test(slicing, input_order_is_kept_and_empty_slices_exist) {
  const sf_slice_atom atoms[4] = {{8, 1, 0, 5.0}, {14, 2, 0, 0.5}, {22, 3, 0, 5.5}, {38, 4, 0, 0.1}};
  sf_slicing *s = NULL;
  cr_assert_eq(sf_slicing_create(atoms, 4, 0.0, 2.0, 0, &s), SF_OK);
  cr_assert_eq(sf_slicing_count(s), 3);
  size_t m = 0;
  const sf_slice_atom *a = sf_slicing_atoms(s, 0, &m);
  cr_assert_eq(m, 2);
  cr_assert_eq(a[0].Z, 14);
  cr_assert_eq(a[1].Z, 38);
  cr_assert_null(sf_slicing_atoms(s, 1, &m));
  cr_assert_eq(m, 0);
  a = sf_slicing_atoms(s, 2, &m);
  cr_assert_eq(m, 2);
  cr_assert_eq(a[0].Z, 8);
  cr_assert_eq(a[1].Z, 22);
  sf_slicing_destroy(s);
}

Test(slicing, errors_name_the_atom) {
  const sf_slice_atom atoms[2] = {{8, 0, 0, 1.0}, {38, 0, 0, -0.5}};
  sf_slicing *s = NULL;
  cr_assert_eq(sf_slicing_create(atoms, 2, 0.0, 2.0, 0, &s), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "atom 1") && strstr(sf_error_message(), "z_A = -0.5"),
            "%s", sf_error_message());
  cr_assert_null(s);
  const sf_slice_atom deep = {8, 0, 0, 9.0};
  cr_assert_eq(sf_slicing_create(&deep, 1, 0.0, 2.0, 3, &s), SF_ERANGE);
  cr_assert(strstr(sf_error_message(), "z_A = 9"), "%s", sf_error_message());
  cr_assert_eq(sf_slicing_create(atoms, 1, 0.0, 0.0, 0, &s), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "thickness_A = 0"));
  cr_assert_eq(sf_slicing_create(atoms, 1, NAN, 1.0, 0, &s), SF_EINVAL);
  /* no atoms: one empty slice */
  cr_assert_eq(sf_slicing_create(NULL, 0, 0.0, 1.0, 0, &s), SF_OK);
  cr_assert_eq(sf_slicing_count(s), 1);
  sf_slicing_destroy(s);
}
