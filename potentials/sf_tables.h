/* sf_tables.h - the published parameter tables built into the library
   (internal to potentials/; use sf_elements.h and sf_scattering.h instead).

   The arrays are defined in generated files (table_*.c), written by
   tools/gen_scattering_tables.py from the published CSV tables; each file
   carries its citation and DOI. Row Z-1 holds element Z.

   Catalogue: sf_table_element_symbols, sf_table_kirkland_2010,
   sf_table_lobato_2014, sf_table_peng_1996. */
#ifndef SF_TABLES_H
#define SF_TABLES_H
#ifdef __cplusplus
extern "C" {
#endif

#define SF_TABLE_Z_MAX 103       /* elements H (1) .. Lr (103) */
#define SF_TABLE_KIRKLAND_Z_MAX 103
#define SF_TABLE_LOBATO_Z_MAX 103
#define SF_TABLE_PENG_Z_MAX 98

/** Symbols, index Z (index 0 is ""). */
extern const char *const sf_table_element_symbols[SF_TABLE_Z_MAX + 1];
/** Kirkland (2010): a1, b1, a2, b2, a3, b3, c1, d1, c2, d2, c3, d3 (1/A, 1/A^2, A, A^2). */
extern const double sf_table_kirkland_2010[SF_TABLE_KIRKLAND_Z_MAX][12];
/** Lobato & Van Dyck (2014): a1..a5 (A), b1..b5 (A^2). */
extern const double sf_table_lobato_2014[SF_TABLE_LOBATO_Z_MAX][10];
/** Peng et al. (1996), 0 < s < 6 1/A set: a1..a5 (A), b1..b5 (A^2, for s = q/2). */
extern const double sf_table_peng_1996[SF_TABLE_PENG_Z_MAX][10];

#ifdef __cplusplus
}
#endif
#endif
