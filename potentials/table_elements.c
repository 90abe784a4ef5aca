/* table_elements.c - chemical symbols of the elements Z = 1..103 (H .. Lr).

   Taken from the symbol column of the Kirkland (2010) parameter table and
   checked against the Lobato & Van Dyck (2014) and Peng et al. (1996)
   tables (see table_kirkland_2010.c for the citation).

   GENERATED FILE - do not edit. Written by tools/gen_scattering_tables.py from
   the published table kirkland_2010.csv (one row per element, values copied digit for digit).
   Re-run the script to change it. */
#include "potentials/sf_tables.h"

const char *const sf_table_element_symbols[SF_TABLE_Z_MAX + 1] = {
    "", /* index 0 is not an element */
    "H", "He", "Li", "Be", "B", "C", "N", "O", "F", "Ne", /* 1-10 */
    "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar", "K", "Ca", /* 11-20 */
    "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn", /* 21-30 */
    "Ga", "Ge", "As", "Se", "Br", "Kr", "Rb", "Sr", "Y", "Zr", /* 31-40 */
    "Nb", "Mo", "Tc", "Ru", "Rh", "Pd", "Ag", "Cd", "In", "Sn", /* 41-50 */
    "Sb", "Te", "I", "Xe", "Cs", "Ba", "La", "Ce", "Pr", "Nd", /* 51-60 */
    "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", /* 61-70 */
    "Lu", "Hf", "Ta", "W", "Re", "Os", "Ir", "Pt", "Au", "Hg", /* 71-80 */
    "Tl", "Pb", "Bi", "Po", "At", "Rn", "Fr", "Ra", "Ac", "Th", /* 81-90 */
    "Pa", "U", "Np", "Pu", "Am", "Cm", "Bk", "Cf", "Es", "Fm", /* 91-100 */
    "Md", "No", "Lr", /* 101-103 */
};
