/* Status codes, error messages and the handler. */
#include "core/sf_status.h"

#include <criterion/criterion.h>
#include <string.h>

Test(status, every_code_has_its_own_text) {
  for (int a = SF_OK; a <= SF_EUNSUPPORTED; ++a) {
    cr_assert_neq(strcmp(sf_strerror(a), "unknown status"), 0, "code %d", a);
    for (int b = a + 1; b <= SF_EUNSUPPORTED; ++b)
      cr_assert_neq(strcmp(sf_strerror(a), sf_strerror(b)), 0, "codes %d and %d", a, b);
  }
  cr_assert_str_eq(sf_strerror(999), "unknown status");
}

Test(status, set_returns_code_and_formats_message) {
  int s = sf_error_set(SF_ERANGE, "beam.energy_keV = %g: must be > 0", -300.0);
  cr_assert_eq(s, SF_ERANGE);
  cr_assert_str_eq(sf_error_message(), "beam.energy_keV = -300: must be > 0");
  sf_error_clear();
  cr_assert_str_eq(sf_error_message(), "");
}

Test(status, prepend_adds_context_and_falls_back_to_code_text) {
  sf_error_set(SF_ENOENT, "dataset /HAADF not found");
  sf_error_prepend(SF_ENOENT, "reading %s", "x.h5");
  cr_assert_str_eq(sf_error_message(), "reading x.h5: dataset /HAADF not found");
  sf_error_clear();
  sf_error_prepend(SF_EIO, "writing y.emd");
  cr_assert_str_eq(sf_error_message(), "writing y.emd: input/output error");
}

Test(status, long_messages_are_truncated_not_overflowed) {
  char big[5000];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  sf_error_set(SF_EINVAL, "%s", big);
  cr_assert_lt(strlen(sf_error_message()), sizeof big);
  sf_error_prepend(SF_EINVAL, "%s", big);
  cr_assert_lt(strlen(sf_error_message()), sizeof big);
}

static int seen_status = -1;
static void record(int status, const char *msg) {
  seen_status = status;
  (void)msg;
}

Test(status, handler_sees_every_error_and_can_be_restored) {
  sf_error_handler *old = sf_error_set_handler(record);
  cr_assert_null(old);
  sf_error_set(SF_EFORMAT, "bad");
  cr_assert_eq(seen_status, SF_EFORMAT);
  cr_assert_eq(sf_error_set_handler(NULL), record);
}

static int try_twice(int first) {
  SF_TRY(first);
  return 42;
}

Test(status, try_macro_propagates) {
  cr_assert_eq(try_twice(SF_OK), 42);
  cr_assert_eq(try_twice(SF_EIO), SF_EIO);
}
