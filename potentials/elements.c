/* elements.c - atomic number <-> chemical symbol. */
#include "potentials/sf_elements.h"

#include "core/sf_status.h"
#include "potentials/sf_tables.h"

#include <string.h>
#include <strings.h>

int sf_element_check(int Z) {
  if (Z < SF_ELEMENT_Z_MIN || Z > SF_ELEMENT_Z_MAX)
    return sf_error_set(SF_ERANGE, "atomic number Z = %d is outside the element table (1..%d)",
                        Z, SF_ELEMENT_Z_MAX);
  return SF_OK;
}

const char *sf_element_symbol(int Z) {
  if (sf_element_check(Z) != SF_OK)
    return NULL;
  return sf_table_element_symbols[Z];
}

int sf_element_from_symbol(const char *symbol, int *Z) {
  if (!symbol || !Z)
    return sf_error_set(SF_EINVAL, "sf_element_from_symbol: NULL %s",
                        symbol ? "output pointer" : "symbol");
  for (int z = SF_ELEMENT_Z_MIN; z <= SF_ELEMENT_Z_MAX; ++z) {
    if (strcmp(symbol, sf_table_element_symbols[z]) == 0) {
      *Z = z;
      return SF_OK;
    }
  }
  for (int z = SF_ELEMENT_Z_MIN; z <= SF_ELEMENT_Z_MAX; ++z) {
    if (strcasecmp(symbol, sf_table_element_symbols[z]) == 0)
      return sf_error_set(SF_EINVAL,
                          "unknown element symbol '%s' (symbols are case-sensitive: did you "
                          "mean '%s'?)",
                          symbol, sf_table_element_symbols[z]);
  }
  return sf_error_set(SF_EINVAL, "unknown element symbol '%s' (expected H .. Lr, Z = 1..%d)",
                      symbol, SF_ELEMENT_Z_MAX);
}
