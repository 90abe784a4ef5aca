/* crystal_data.c - the unit-cell database (conventional cells, room
   temperature unless noted). Lengths in Å, angles in degrees, fractional
   positions. Provenance tags, as in the shared crystals.md:
     [F] read in a public source (named),
     [R] standard literature value NOT re-read in a primary source: check
         before using it as a quantitative reference,
     [C] checked for internal consistency (orbits expanded, nearest-neighbour
         distances compared with the published bond lengths; the tests in
         tests/test_structure_crystal.c repeat these checks).
   Default Debye-Waller factors B (Å^2), u_rms = sqrt(B / 8 pi^2), are from
   the crystals.md table; most are [R] or proxies and are starting points,
   not reference values. */
#include "sim/sf_crystal.h"

#define THIRD (1.0 / 3.0)
#define TWO_THIRDS (2.0 / 3.0)

/* A fixed position: the parameters are ignored (sign 0). */
#define AT(x, y, z) {{0, 0, 0}, {(x), (y), (z)}}

/* Generic starting values for oxides: cations B 0.3-0.5, O 0.4-0.7 [R]
   (crystals.md "Oxides, generic"); the midpoints are used. */
#define B_OXIDE_CATION 0.40
#define B_OXIDE_O 0.55
#define B_OXIDE_SRC "generic oxide value, midpoint of crystals.md range [R]"
/* crystals.md: "u_rms = 0.08 Å (B = 0.5 Å^2) is a reasonable generic default". */
#define B_GENERIC 0.50
#define B_GENERIC_SRC "generic default B = 0.5 (crystals.md) [R]"

static const sf_crystal_op OPS_ORIGIN[] = {AT(0, 0, 0)};
static const sf_crystal_op OPS_BODY[] = {AT(0.5, 0.5, 0.5)};
static const sf_crystal_op OPS_QUARTER[] = {AT(0.25, 0.25, 0.25)};
static const sf_crystal_op OPS_FLUORITE_8C[] = {AT(0.25, 0.25, 0.25), AT(0.75, 0.75, 0.75)};

/* ---- SrTiO3, cubic perovskite Pm-3m (221) ----
   a = 3.9053 [F]: 3.905268, Schmidbauer, Kwasniewski & Schwarzkopf, Acta Cryst. B68, 8 (2012),
   cited in pycroscopy/pyTEMlib crystal_tools.py; MULTEM SrTiO3001_xtl.m uses 3.9050. Sr 1a,
   Ti 1b, O 3c [F]. Cubic above ~105 K. B: typical RT refinements, e.g. ICSD 23076 [R]; O is
   anisotropic (isotropic value used). */
static const sf_crystal_op OPS_STO_O[] = {AT(0.0, 0.5, 0.5), AT(0.5, 0.0, 0.5), AT(0.5, 0.5, 0.0)};
static const sf_crystal_site SITES_SRTIO3[] = {
    {38, "Sr", "1a", {0, 0, 0}, 1, OPS_ORIGIN, 1.0, 0.55, "typical RT refinement (ICSD 23076) [R]"},
    {22, "Ti", "1b", {0, 0, 0}, 1, OPS_BODY, 1.0, 0.40, "typical RT refinement (ICSD 23076) [R]"},
    {8, "O", "3c", {0, 0, 0}, 3, OPS_STO_O, 1.0, 0.60, "typical RT refinement (ICSD 23076) [R]"},
};

/* ---- FePt L1_0, tetragonal P4/mmm (123), fct 4-atom setting ----
   a = 3.852, c = 3.713 [R] (standard L1_0 values, e.g. Pearson's Handbook); Fe (0,0,0),
   (1/2,1/2,0); Pt (1/2,0,1/2), (0,1/2,1/2) [C]. B: elemental bcc Fe 0.35 and fcc Pt 0.32 from
   Peng et al., Acta Cryst. A52, 456 (1996) [R], used as proxies. */
static const sf_crystal_op OPS_FEPT_FE[] = {AT(0, 0, 0), AT(0.5, 0.5, 0)};
static const sf_crystal_op OPS_FEPT_PT[] = {AT(0.5, 0, 0.5), AT(0, 0.5, 0.5)};
static const sf_crystal_site SITES_FEPT[] = {
    {26, "Fe", "1a (primitive cell)", {0, 0, 0}, 2, OPS_FEPT_FE, 1.0, 0.35,
     "bcc Fe, Peng et al. 1996 (proxy) [R]"},
    {78, "Pt", "1d (primitive cell)", {0, 0, 0}, 2, OPS_FEPT_PT, 1.0, 0.32,
     "fcc Pt, Peng et al. 1996 (proxy) [R]"},
};

/* ---- rocksalt Fm-3m (225): CoO a = 4.2615 [R] (JCPDS 48-1719 type), NiO a = 4.1771 [R]
   (JCPDS 47-1049); M 4a, O 4b. Both are slightly distorted below T_N (CoO 291 K, NiO 523 K);
   the cubic cell is used. ---- */
static const sf_crystal_site SITES_COO[] = {
    {27, "Co", "4a", {0, 0, 0}, 1, OPS_ORIGIN, 1.0, B_OXIDE_CATION, B_OXIDE_SRC},
    {8, "O", "4b", {0, 0, 0}, 1, OPS_BODY, 1.0, B_OXIDE_O, B_OXIDE_SRC},
};
static const sf_crystal_site SITES_NIO[] = {
    {28, "Ni", "4a", {0, 0, 0}, 1, OPS_ORIGIN, 1.0, B_OXIDE_CATION, B_OXIDE_SRC},
    {8, "O", "4b", {0, 0, 0}, 1, OPS_BODY, 1.0, B_OXIDE_O, B_OXIDE_SRC},
};

/* ---- CoS (Co1-xS, jaipurite), NiAs type, hexagonal P6_3/mmc (194) ----
   a = 3.367, c = 5.160 [R] (JCPDS 65-3418); Co 2a (0,0,0), (0,0,1/2); S 2c (1/3,2/3,1/4),
   (2/3,1/3,3/4); Co-S = 2.333 x 6 [C]. No B data: generic default. */
static const sf_crystal_op OPS_NIAS_CO[] = {AT(0, 0, 0), AT(0, 0, 0.5)};
static const sf_crystal_op OPS_NIAS_S[] = {AT(THIRD, TWO_THIRDS, 0.25),
                                           AT(TWO_THIRDS, THIRD, 0.75)};
static const sf_crystal_site SITES_COS[] = {
    {27, "Co", "2a", {0, 0, 0}, 2, OPS_NIAS_CO, 1.0, B_GENERIC, B_GENERIC_SRC},
    {16, "S", "2c", {0, 0, 0}, 2, OPS_NIAS_S, 1.0, B_GENERIC, B_GENERIC_SRC},
};

/* ---- Co3O4, normal spinel Fd-3m (227), origin choice 2 ----
   a = 8.084 [R], O 32e x = 0.2631 [R]: Liu & Prewitt, Phys. Chem. Miner. 17, 168 (1990)
   (normal spinel at RT: abstract read [F]; x not re-read). Co2+ tetrahedral 8a, Co3+
   octahedral 16d; Co_t-O 1.934, Co_o-O 1.921 [C]. Mn substitutes mainly on 16d as Mn3+
   (crystals.md notes; lattice expansion with Mn content is not modelled). */
#define SPINEL_X 0.2631
static const sf_crystal_op OPS_SPINEL_8A[] = {AT(0.125, 0.125, 0.125), AT(0.875, 0.375, 0.375)};
static const sf_crystal_op OPS_SPINEL_16D[] = {AT(0.5, 0.5, 0.5), AT(0.25, 0.75, 0.0),
                                               AT(0.75, 0.0, 0.25), AT(0.0, 0.25, 0.75)};
static const sf_crystal_op OPS_SPINEL_32E[] = {
    {{1, 1, 1}, {0, 0, 0}},          {{-1, -1, 1}, {0.75, 0.25, 0.5}},
    {{-1, 1, -1}, {0.25, 0.5, 0.75}}, {{1, -1, -1}, {0.5, 0.75, 0.25}},
    {{-1, -1, -1}, {0, 0, 0}},       {{1, 1, -1}, {0.25, 0.75, 0.5}},
    {{1, -1, 1}, {0.75, 0.5, 0.25}},  {{-1, 1, 1}, {0.5, 0.25, 0.75}},
};
static const sf_crystal_site SITES_CO3O4[] = {
    {27, "Co_tet", "8a", {0, 0, 0}, 2, OPS_SPINEL_8A, 1.0, B_OXIDE_CATION, B_OXIDE_SRC},
    {27, "Co_oct", "16d", {0, 0, 0}, 4, OPS_SPINEL_16D, 1.0, B_OXIDE_CATION, B_OXIDE_SRC},
    {8, "O", "32e", {SPINEL_X, SPINEL_X, SPINEL_X}, 8, OPS_SPINEL_32E, 1.0, B_OXIDE_O,
     B_OXIDE_SRC},
};

/* ---- ZnS zincblende (sphalerite), F-43m (216) ----
   a = 5.4145 [F] (COD 1100043, via Stianpr20/MaXrd CrystalData.m; another common value is
   5.4093, JCPDS 05-0566 [R]); Zn 4a, S 4c. B: Ga / As in GaAs 0.631 / 0.679 (MaXrd [F]), the
   proxy crystals.md suggests for Zn / S. */
static const sf_crystal_site SITES_ZNS_ZB[] = {
    {30, "Zn", "4a", {0, 0, 0}, 1, OPS_ORIGIN, 1.0, 0.631, "Ga in GaAs (MaXrd) as proxy [F]"},
    {16, "S", "4c", {0, 0, 0}, 1, OPS_QUARTER, 1.0, 0.679, "As in GaAs (MaXrd) as proxy [F]"},
};

/* ---- ZnS wurtzite, P6_3mc (186) ----
   a = 3.8227, c = 6.2607 [R] (JCPDS 36-1450); Zn 2b (1/3,2/3,0), (2/3,1/3,1/2); S 2b
   (1/3,2/3,u), (2/3,1/3,1/2+u), u = 0.3747 [F] (MP value S z - Zn z = 0.37486 - 0.00014, moyo
   test files citing mp-560588). With these values Zn-S = 2.342 x 3 and 2.346 x 1 (crystals.md's
   [C] 2.348 corresponds to the ideal u = 3/8). */
#define WURTZITE_U 0.3747
static const sf_crystal_op OPS_WZ_ZN[] = {AT(THIRD, TWO_THIRDS, 0.0), AT(TWO_THIRDS, THIRD, 0.5)};
static const sf_crystal_op OPS_WZ_S[] = {{{0, 0, 1}, {THIRD, TWO_THIRDS, 0.0}},
                                         {{0, 0, 1}, {TWO_THIRDS, THIRD, 0.5}}};
static const sf_crystal_site SITES_ZNS_WZ[] = {
    {30, "Zn", "2b", {0, 0, 0}, 2, OPS_WZ_ZN, 1.0, 0.631, "Ga in GaAs (MaXrd) as proxy [F]"},
    {16, "S", "2b", {0, 0, WURTZITE_U}, 2, OPS_WZ_S, 1.0, 0.679, "As in GaAs (MaXrd) as proxy [F]"},
};

/* ---- c-ZrO2, fluorite Fm-3m (225) ----
   a = 5.09 [R] (pure ZrO2 extrapolated; 5.14 for 8 mol% Y2O3 YSZ [R]); Zr 4a, O 8c. */
static const sf_crystal_site SITES_ZRO2_C[] = {
    {40, "Zr", "4a", {0, 0, 0}, 1, OPS_ORIGIN, 1.0, B_OXIDE_CATION, B_OXIDE_SRC},
    {8, "O", "8c", {0, 0, 0}, 2, OPS_FLUORITE_8C, 1.0, B_OXIDE_O, B_OXIDE_SRC},
};

/* ---- m-ZrO2 (baddeleyite), P2_1/c (14) ----
   a = 5.1462, b = 5.2082, c = 5.3155, beta = 99.249; Zr 4e (0.2754, 0.0395, 0.2083), O1 4e
   (0.0700, 0.3317, 0.3447), O2 4e (0.4496, 0.7569, 0.4792) [F]: mctools/ncrystal
   data/ZrO2_sg14_Zirconia.ncmat (COD 1528984, "compatible with mp-2858"). 7 Zr-O bonds,
   2.05-2.27 [C]. Orbits: (x,y,z), (-x,y+1/2,-z+1/2), (-x,-y,-z), (x,-y+1/2,z+1/2). */
static const sf_crystal_op OPS_P21C[] = {{{1, 1, 1}, {0, 0, 0}},
                                         {{-1, 1, -1}, {0, 0.5, 0.5}},
                                         {{-1, -1, -1}, {0, 0, 0}},
                                         {{1, -1, 1}, {0, 0.5, 0.5}}};
static const sf_crystal_site SITES_ZRO2_M[] = {
    {40, "Zr", "4e", {0.2754, 0.0395, 0.2083}, 4, OPS_P21C, 1.0, B_OXIDE_CATION, B_OXIDE_SRC},
    {8, "O1", "4e", {0.0700, 0.3317, 0.3447}, 4, OPS_P21C, 1.0, B_OXIDE_O, B_OXIDE_SRC},
    {8, "O2", "4e", {0.4496, 0.7569, 0.4792}, 4, OPS_P21C, 1.0, B_OXIDE_O, B_OXIDE_SRC},
};

/* ---- beta-Ga2O3, monoclinic C2/m (12) ----
   a = 12.214, b = 3.0371, c = 5.7981, beta = 103.83 [F] (NIMS/JJAP summary page). Positions,
   all 4i (x,0,z) [R]: Ahman, Svensson & Albertsson, Acta Cryst. C52, 1336 (1996), ICSD 83645
   (cited by the AFLOW prototype A2B3_mC20_12_2i_3i-001). They reproduce Geller's mean Ga-O
   (J. Chem. Phys. 33, 676 (1960) [F]): 1.83 (tetrahedral) / 2.00 (octahedral) [C]. Orbits:
   (x,0,z), (-x,0,-z), + C centring (1/2,1/2,0). */
static const sf_crystal_op OPS_C2M_4I[] = {{{1, 1, 1}, {0, 0, 0}}, {{-1, -1, -1}, {0, 0, 0}}};
static const sf_crystal_site SITES_GA2O3[] = {
    {31, "Ga_tet", "4i", {0.0905, 0, 0.7946}, 2, OPS_C2M_4I, 1.0, B_OXIDE_CATION, B_OXIDE_SRC},
    {31, "Ga_oct", "4i", {0.3414, 0, 0.6857}, 2, OPS_C2M_4I, 1.0, B_OXIDE_CATION, B_OXIDE_SRC},
    {8, "O1", "4i", {0.1674, 0, 0.1011}, 2, OPS_C2M_4I, 1.0, B_OXIDE_O, B_OXIDE_SRC},
    {8, "O2", "4i", {0.4957, 0, 0.2553}, 2, OPS_C2M_4I, 1.0, B_OXIDE_O, B_OXIDE_SRC},
    {8, "O3", "4i", {0.8279, 0, 0.4365}, 2, OPS_C2M_4I, 1.0, B_OXIDE_O, B_OXIDE_SRC},
};

/* ---- Si, diamond Fd-3m (227), origin choice 1 ----
   a = 5.431020511 (CODATA 2018, 22.5 C) [F]; AMCSD 0011243 via NCrystal gives 5.4307 [F],
   MaXrd 5.43088 [F]. Si 8a: (0,0,0), (1/4,1/4,1/4) + F. B = 0.461 [F] (MaXrd CrystalData.m,
   "Hom & Post"; Peng et al. 1996 give ~0.46). */
static const sf_crystal_op OPS_DIAMOND[] = {AT(0, 0, 0), AT(0.25, 0.25, 0.25)};
static const sf_crystal_site SITES_SI[] = {
    {14, "Si", "8a", {0, 0, 0}, 2, OPS_DIAMOND, 1.0, 0.461, "MaXrd CrystalData.m (Hom & Post) [F]"},
};

/* ---- fcc metals, Fm-3m (225), 4a ----
   Au a = 4.07825 [F] (AMCSD 0011140 via NCrystal; pyTEMlib 4.0782), B ~ 0.60 [R] (Peng et al.
   1996). Pt a = 3.9231 [F] (AMCSD 0011157 via NCrystal), B ~ 0.32 [R] (Peng et al. 1996). */
static const sf_crystal_site SITES_AU[] = {
    {79, "Au", "4a", {0, 0, 0}, 1, OPS_ORIGIN, 1.0, 0.60, "Peng et al. 1996 [R]"},
};
static const sf_crystal_site SITES_PT[] = {
    {78, "Pt", "4a", {0, 0, 0}, 1, OPS_ORIGIN, 1.0, 0.32, "Peng et al. 1996 [R]"},
};

/* ---- Cu1.8S, high digenite (simple representative), anti-fluorite-derived Fm-3m ----
   a ~ 5.57 [R]; S 4a; Cu statistically on 8c with occupancy 0.90 [R]. Only an approximation of
   room-temperature digenite (R-3m); see crystals.md. */
static const sf_crystal_site SITES_CU18S[] = {
    {16, "S", "4a", {0, 0, 0}, 1, OPS_ORIGIN, 1.0, B_GENERIC, B_GENERIC_SRC},
    {29, "Cu", "8c", {0, 0, 0}, 2, OPS_FLUORITE_8C, 0.90, B_GENERIC, B_GENERIC_SRC},
};

#define N_OF(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const sf_crystal crystal_table[] = {
    {"SrTiO3", "SrTiO3", "cubic perovskite, Pm-3m (221)", 3.9053, 3.9053, 3.9053, 90, 90, 90,
     SF_CENTRING_P, N_OF(SITES_SRTIO3), SITES_SRTIO3, 5,
     "a = 3.9053 [F] (Schmidbauer et al., Acta Cryst. B68, 8 (2012)); positions [F]"},
    {"FePt-L10", "FePt", "L1_0, P4/mmm (123), fct 4-atom cell", 3.852, 3.852, 3.713, 90, 90, 90,
     SF_CENTRING_P, N_OF(SITES_FEPT), SITES_FEPT, 4,
     "a = 3.852, c = 3.713 [R] (standard L1_0 values, e.g. Pearson's Handbook)"},
    {"CoO", "CoO", "rocksalt, Fm-3m (225)", 4.2615, 4.2615, 4.2615, 90, 90, 90, SF_CENTRING_F,
     N_OF(SITES_COO), SITES_COO, 8, "a = 4.2615 [R] (JCPDS 48-1719 type)"},
    {"CoS", "CoS", "NiAs type, P6_3/mmc (194)", 3.367, 3.367, 5.160, 90, 90, 120, SF_CENTRING_P,
     N_OF(SITES_COS), SITES_COS, 4, "a = 3.367, c = 5.160 [R] (JCPDS 65-3418)"},
    {"Co3O4", "Co3O4", "normal spinel, Fd-3m (227), origin choice 2", 8.084, 8.084, 8.084, 90, 90,
     90, SF_CENTRING_F, N_OF(SITES_CO3O4), SITES_CO3O4, 56,
     "a = 8.084, x(O) = 0.2631 [R] (Liu & Prewitt, Phys. Chem. Miner. 17, 168 (1990))"},
    {"ZnS-zincblende", "ZnS", "sphalerite, F-43m (216)", 5.4145, 5.4145, 5.4145, 90, 90, 90,
     SF_CENTRING_F, N_OF(SITES_ZNS_ZB), SITES_ZNS_ZB, 8,
     "a = 5.4145 [F] (COD 1100043 via MaXrd CrystalData.m)"},
    {"ZnS-wurtzite", "ZnS", "wurtzite, P6_3mc (186)", 3.8227, 3.8227, 6.2607, 90, 90, 120,
     SF_CENTRING_P, N_OF(SITES_ZNS_WZ), SITES_ZNS_WZ, 4,
     "a = 3.8227, c = 6.2607 [R] (JCPDS 36-1450); u = 0.3747 [F] (mp-560588)"},
    {"NiO", "NiO", "rocksalt, Fm-3m (225)", 4.1771, 4.1771, 4.1771, 90, 90, 90, SF_CENTRING_F,
     N_OF(SITES_NIO), SITES_NIO, 8, "a = 4.1771 [R] (JCPDS 47-1049)"},
    {"ZrO2-cubic", "ZrO2", "fluorite, Fm-3m (225)", 5.09, 5.09, 5.09, 90, 90, 90, SF_CENTRING_F,
     N_OF(SITES_ZRO2_C), SITES_ZRO2_C, 12,
     "a = 5.09 [R] (pure ZrO2, extrapolated; 5.14 for 8 mol% YSZ)"},
    {"ZrO2-monoclinic", "ZrO2", "baddeleyite, P2_1/c (14)", 5.1462, 5.2082, 5.3155, 90, 99.249,
     90, SF_CENTRING_P, N_OF(SITES_ZRO2_M), SITES_ZRO2_M, 12,
     "cell and positions [F] (ncrystal ZrO2_sg14_Zirconia.ncmat, COD 1528984)"},
    {"Ga2O3-beta", "Ga2O3", "beta-Ga2O3, C2/m (12)", 12.214, 3.0371, 5.7981, 90, 103.83, 90,
     SF_CENTRING_C, N_OF(SITES_GA2O3), SITES_GA2O3, 20,
     "cell [F] (NIMS/JJAP); positions [R] (Ahman et al., Acta Cryst. C52, 1336 (1996))"},
    {"Si", "Si", "diamond, Fd-3m (227)", 5.431020511, 5.431020511, 5.431020511, 90, 90, 90,
     SF_CENTRING_F, N_OF(SITES_SI), SITES_SI, 8, "a = 5.431020511 [F] (CODATA 2018)"},
    {"Au", "Au", "fcc, Fm-3m (225)", 4.07825, 4.07825, 4.07825, 90, 90, 90, SF_CENTRING_F,
     N_OF(SITES_AU), SITES_AU, 4, "a = 4.07825 [F] (AMCSD 0011140 via NCrystal)"},
    {"Pt", "Pt", "fcc, Fm-3m (225)", 3.9231, 3.9231, 3.9231, 90, 90, 90, SF_CENTRING_F,
     N_OF(SITES_PT), SITES_PT, 4, "a = 3.9231 [F] (AMCSD 0011157 via NCrystal)"},
    {"Cu1.8S-digenite", "Cu1.8S", "high digenite (approximation), Fm-3m (225)", 5.57, 5.57, 5.57,
     90, 90, 90, SF_CENTRING_F, N_OF(SITES_CU18S), SITES_CU18S, 12,
     "a = 5.57 [R]; Cu on 8c with occupancy 0.90 [R]"},
};

size_t sf_crystal_count(void) { return sizeof crystal_table / sizeof crystal_table[0]; }

const sf_crystal *sf_crystal_get(size_t i) {
  return i < sf_crystal_count() ? &crystal_table[i] : NULL;
}
