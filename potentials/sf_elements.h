/* sf_elements.h - the chemical elements H (Z = 1) .. Lr (Z = 103): atomic
   number <-> symbol.

   Symbols follow the chemical convention and are matched case-sensitively
   ("Sr", not "SR" or "sr"; "Co" is cobalt, "CO" is not an element). The table
   is generated from the published scattering-factor tables (see sf_tables.h).

   Catalogue: sf_element_symbol, sf_element_from_symbol, sf_element_check. */
#ifndef SF_ELEMENTS_H
#define SF_ELEMENTS_H
#ifdef __cplusplus
extern "C" {
#endif

#define SF_ELEMENT_Z_MIN 1
#define SF_ELEMENT_Z_MAX 103

/** Symbol of element Z ("H" .. "Lr"; static storage, never freed), or NULL
    when Z is outside 1..103 (SF_ERANGE message recorded naming Z). */
const char *sf_element_symbol(int Z);

/** Atomic number of a symbol, case-sensitive ("Sr" -> 38) into *Z. Leading or
    trailing blanks are not accepted. SF_EINVAL with a message naming the
    symbol when it is not an element symbol (a hint is added when only the
    case is wrong); SF_EINVAL for NULL arguments. */
int sf_element_from_symbol(const char *symbol, int *Z);

/** SF_OK when 1 <= Z <= 103, else SF_ERANGE with a message naming Z. */
int sf_element_check(int Z);

#ifdef __cplusplus
}
#endif
#endif
