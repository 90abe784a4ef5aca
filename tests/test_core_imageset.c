/* The calibrated image set and its attributes. */
#include "core/sf_alloc.h"
#include "core/sf_imageset.h"
#include "core/sf_status.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

Test(imageset, names_follow_the_emd_rule) {
  cr_assert(sf_name_is_valid("HAADF_70_200mrad"));
  cr_assert(sf_name_is_valid("fused_Co"));
  cr_assert_not(sf_name_is_valid(""));
  cr_assert_not(sf_name_is_valid("EELS Fe"));
  cr_assert_not(sf_name_is_valid("a/b"));
  cr_assert_not(sf_name_is_valid("Å"));
  char long_name[SF_NAME_MAX + 1];
  memset(long_name, 'a', SF_NAME_MAX);
  long_name[SF_NAME_MAX] = '\0';
  cr_assert_not(sf_name_is_valid(long_name));
}

Test(imageset, layout_is_natural_c_order) {
  sf_imageset *set = sf_imageset_create();
  sf_map *img, *cube;
  cr_assert_eq(sf_imageset_add_map(set, "img", SF_F32, 7, 5, 1, &img), SF_OK);
  cr_assert_eq(sf_imageset_add_map(set, "cube", SF_F64, 7, 5, 4, &cube), SF_OK);
  for (size_t iy = 0; iy < 5; ++iy)
    for (size_t ix = 0; ix < 7; ++ix) {
      sf_map_set(img, ix, iy, 0, 1000.0 * iy + ix);
      for (size_t iz = 0; iz < 4; ++iz)
        sf_map_set(cube, ix, iy, iz, 1e6 * iz + 1000.0 * iy + ix);
    }
  cr_assert_eq(((float *)img->data)[3 * 7 + 5], 3005.0f);
  cr_assert_eq(((double *)cube->data)[(3 * 7 + 5) * 4 + 2], 2003005.0);
  cr_assert_eq(sf_map_get(cube, 5, 3, 2), 2003005.0);
  cr_assert_eq((uintptr_t)img->data % SF_ALIGNMENT, 0);
  cr_assert_eq(sf_imageset_find(set, "cube"), cube);
  cr_assert_null(sf_imageset_find(set, "none"));
  sf_imageset_destroy(set);
}

Test(imageset, add_map_rejects_bad_requests) {
  sf_imageset *set = sf_imageset_create();
  cr_assert_eq(sf_imageset_add_map(set, "a", SF_F32, 4, 4, 1, NULL), SF_OK);
  cr_assert_eq(sf_imageset_add_map(set, "a", SF_F32, 4, 4, 1, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "already"));
  cr_assert_eq(sf_imageset_add_map(set, "bad name", SF_F32, 4, 4, 1, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "bad name"));
  cr_assert_eq(sf_imageset_add_map(set, "z", SF_F32, 0, 4, 1, NULL), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "zero dimension"));
  cr_assert_eq(sf_imageset_add_map(set, "huge", SF_F64, SIZE_MAX / 4, 8, 1, NULL), SF_ENOMEM);
  cr_assert_eq(set->count, 1);
  sf_imageset_destroy(set);
  sf_imageset_destroy(NULL);
}

Test(imageset, many_maps_keep_their_pointers) {
  sf_imageset *set = sf_imageset_create();
  sf_map *first;
  sf_imageset_add_map(set, "m0", SF_F32, 2, 2, 1, &first);
  char name[16];
  for (int i = 1; i < 100; ++i) {
    snprintf(name, sizeof name, "m%d", i);
    cr_assert_eq(sf_imageset_add_map(set, name, SF_F32, 2, 2, 1, NULL), SF_OK);
  }
  cr_assert_eq(sf_imageset_find(set, "m0"), first);
  cr_assert_eq(set->count, 100);
  sf_imageset_destroy(set);
}

Test(imageset, check_finite_names_map_and_pixel) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m;
  sf_imageset_add_map(set, "Co", SF_F64, 6, 4, 1, &m);
  cr_assert_eq(sf_map_check_finite(m), SF_OK);
  sf_map_set(m, 2, 3, 0, NAN);
  cr_assert_eq(sf_map_check_finite(m), SF_ENUMERIC);
  cr_assert(strstr(sf_error_message(), "'Co'"));
  cr_assert(strstr(sf_error_message(), "x=2, y=3"));
  sf_imageset_destroy(set);
}

Test(imageset, axis_calibration_is_validated) {
  sf_imageset *set = sf_imageset_create();
  sf_map *m;
  sf_imageset_add_map(set, "m", SF_F32, 3, 3, 1, &m);
  cr_assert_str_eq(m->axis[0].units, "px");
  cr_assert_eq(sf_map_set_axis(m, 0, "x", "Å", -1.5, 0.25), SF_OK);
  cr_assert_str_eq(m->axis[0].units, "Å");
  cr_assert_eq(m->axis[0].step, 0.25);
  cr_assert_eq(sf_map_set_axis(m, 1, "y", "Å", 0, 0), SF_EINVAL);
  cr_assert_eq(sf_map_set_axis(m, 3, "w", "Å", 0, 1), SF_EINVAL);
  cr_assert_eq(sf_map_set_axis(m, 1, "y", "Å", NAN, 1), SF_EINVAL);
  sf_imageset_destroy(set);
}

Test(attrs, typed_values_replace_and_copy) {
  sf_attrs a = {0}, b = {0};
  double v[3] = {1, 2, 3};
  cr_assert_eq(sf_attrs_set_string(&a, "comments", "generator", "stemfuse"), SF_OK);
  cr_assert_eq(sf_attrs_set_double(&a, "microscope", "beam_energy_keV", 300), SF_OK);
  cr_assert_eq(sf_attrs_set_int(&a, "comments", "seed", 12345), SF_OK);
  cr_assert_eq(sf_attrs_set_doubles(&a, "simulation", "depths_A", v, 3), SF_OK);
  cr_assert_eq(sf_attrs_set_double(&a, "microscope", "beam_energy_keV", 200), SF_OK);
  cr_assert_eq(a.count, 4);
  double e;
  cr_assert_eq(sf_attrs_get_double(&a, "microscope", "beam_energy_keV", &e), SF_OK);
  cr_assert_eq(e, 200);
  cr_assert_eq(sf_attrs_get_double(&a, "comments", "seed", &e), SF_OK);
  cr_assert_eq(e, 12345);
  cr_assert_eq(sf_attrs_get_double(&a, "comments", "generator", &e), SF_ENOENT);
  cr_assert_null(sf_attrs_get_string(&a, "sample", "generator"));
  cr_assert_eq(sf_attrs_copy(&b, &a), SF_OK);
  sf_attrs_clear(&a);
  cr_assert_str_eq(sf_attrs_get_string(&b, "comments", "generator"), "stemfuse");
  const sf_attr *d = sf_attrs_find(&b, "simulation", "depths_A");
  cr_assert_eq(d->n_values, 3);
  cr_assert_eq(d->values[2], 3);
  sf_attrs_clear(&b);
  cr_assert_eq(b.count, 0);
}

Test(imageset, provenance_records_command_seed_and_config) {
  sf_imageset *set = sf_imageset_create();
  char *argv[] = {"stemfuse", "pattern", "-o", "x.emd"};
  cr_assert_eq(sf_imageset_set_provenance(set, 4, argv, 1, 777, "[a]\nb = 1\n"), SF_OK);
  cr_assert_str_eq(sf_attrs_get_string(&set->attrs, "comments", "command_line"),
                   "stemfuse pattern -o x.emd");
  double seed;
  cr_assert_eq(sf_attrs_get_double(&set->attrs, "comments", "seed", &seed), SF_OK);
  cr_assert_eq(seed, 777);
  cr_assert_not_null(sf_attrs_get_string(&set->attrs, "comments", "version"));
  cr_assert_str_eq(sf_attrs_get_string(&set->attrs, "comments", "config"), "[a]\nb = 1\n");
  sf_imageset_destroy(set);
}

Test(alloc, overflow_is_an_error_with_a_message) {
  cr_assert_null(sf_alloc(SIZE_MAX / 2, 4, "probe batch"));
  cr_assert(strstr(sf_error_message(), "probe batch"));
  char buf[32];
  cr_assert_str_eq(sf_format_bytes(buf, sizeof buf, 1536.0 * 1024 * 1024), "1.50 GiB");
  cr_assert_str_eq(sf_format_bytes(buf, sizeof buf, 100), "100 B");
}

Test(imageset, truncate_detach_attach_move_maps_between_sets) {
  sf_imageset *a = sf_imageset_create(), *b = sf_imageset_create();
  sf_map *m;
  sf_imageset_add_map(a, "Co_truth", SF_F64, 3, 2, 1, &m);
  sf_map_set(m, 2, 1, 0, 42.0);
  sf_imageset_add_map(a, "O_truth", SF_F64, 3, 2, 1, NULL);
  sf_imageset_add_map(a, "S_truth", SF_F64, 3, 2, 1, NULL);
  sf_imageset_truncate(a, 2);
  cr_assert_eq(a->count, 2);
  cr_assert_null(sf_imageset_find(a, "S_truth"));
  sf_map *moved = sf_imageset_detach(a, "Co_truth");
  cr_assert_eq(moved, m);
  cr_assert_eq(a->count, 1);
  cr_assert_str_eq(a->maps[0]->name, "O_truth");
  cr_assert_null(sf_imageset_detach(a, "Co_truth"));
  cr_assert_eq(sf_imageset_attach(b, moved), SF_OK);
  cr_assert_eq(sf_map_get(sf_imageset_find(b, "Co_truth"), 2, 1, 0), 42.0);
  sf_map *dup;
  sf_imageset_add_map(a, "Co_truth", SF_F64, 1, 1, 1, NULL);
  dup = sf_imageset_detach(a, "Co_truth");
  cr_assert_eq(sf_imageset_attach(b, dup), SF_EINVAL);
  sf_map_destroy(dup);
  sf_imageset_destroy(a);
  sf_imageset_destroy(b);
}
