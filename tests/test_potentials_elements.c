/* Element table: Z <-> symbol, case-sensitive lookup, range errors. */
#include "core/sf_status.h"
#include "potentials/sf_elements.h"

#include <criterion/criterion.h>
#include <string.h>

Test(elements, symbols_of_known_elements) {
  cr_assert_str_eq(sf_element_symbol(1), "H");
  cr_assert_str_eq(sf_element_symbol(8), "O");
  cr_assert_str_eq(sf_element_symbol(22), "Ti");
  cr_assert_str_eq(sf_element_symbol(38), "Sr");
  cr_assert_str_eq(sf_element_symbol(79), "Au");
  cr_assert_str_eq(sf_element_symbol(92), "U");
  cr_assert_str_eq(sf_element_symbol(103), "Lr");
}

Test(elements, every_symbol_round_trips) {
  for (int z = SF_ELEMENT_Z_MIN; z <= SF_ELEMENT_Z_MAX; ++z) {
    const char *s = sf_element_symbol(z);
    cr_assert_not_null(s);
    int back = 0;
    cr_assert_eq(sf_element_from_symbol(s, &back), SF_OK, "symbol %s", s);
    cr_assert_eq(back, z, "%s -> %d, expected %d", s, back, z);
  }
}

Test(elements, lookup_is_case_sensitive) {
  int z = 0;
  cr_assert_eq(sf_element_from_symbol("Sr", &z), SF_OK);
  cr_assert_eq(z, 38);
  cr_assert_eq(sf_element_from_symbol("Co", &z), SF_OK);
  cr_assert_eq(z, 27);
  /* "CO" is carbon monoxide, not cobalt; "sr" is not a symbol. */
  z = -1;
  cr_assert_eq(sf_element_from_symbol("CO", &z), SF_EINVAL);
  cr_assert_eq(z, -1, "output must be untouched on error");
  cr_assert(strstr(sf_error_message(), "'CO'"), "message: %s", sf_error_message());
  cr_assert(strstr(sf_error_message(), "'Co'"), "hint expected: %s", sf_error_message());
  cr_assert_eq(sf_element_from_symbol("sr", &z), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "'sr'"));
  cr_assert(strstr(sf_error_message(), "case-sensitive"));
}

Test(elements, unknown_symbols_are_named) {
  int z = 0;
  cr_assert_eq(sf_element_from_symbol("Xx", &z), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "unknown element symbol 'Xx'"), "%s", sf_error_message());
  cr_assert_eq(sf_element_from_symbol("", &z), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "''"));
  cr_assert_eq(sf_element_from_symbol(" Sr", &z), SF_EINVAL);
  cr_assert_eq(sf_element_from_symbol("Uue", &z), SF_EINVAL); /* Z = 119: beyond the table */
  cr_assert_eq(sf_element_from_symbol(NULL, &z), SF_EINVAL);
  cr_assert_eq(sf_element_from_symbol("Sr", NULL), SF_EINVAL);
}

Test(elements, atomic_numbers_outside_the_table) {
  sf_error_clear();
  cr_assert_null(sf_element_symbol(0));
  cr_assert(strstr(sf_error_message(), "Z = 0"), "%s", sf_error_message());
  cr_assert_null(sf_element_symbol(104));
  cr_assert(strstr(sf_error_message(), "Z = 104"));
  cr_assert_null(sf_element_symbol(-3));
  cr_assert_eq(sf_element_check(104), SF_ERANGE);
  cr_assert_eq(sf_element_check(1), SF_OK);
  cr_assert_eq(sf_element_check(103), SF_OK);
}
