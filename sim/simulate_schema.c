/* simulate_schema.c - the keys of a `stemfuse simulate` configuration
   (docs/simulate.md). Units are in the key names. */
#include "sim/sf_simulate_config.h"

#include <math.h>
#include <stddef.h>

#define INF HUGE_VAL

static const char *const params[] = {"kirkland", "lobato", "peng", NULL};
static const char *const projections[] = {"infinite", "finite", NULL};
static const char *const shapes[] = {"cell", "sphere", "cuboid", "truncated_octahedron", NULL};
static const char *const algorithms[] = {"multislice", "prism", NULL};
static const char *const arrays[] = {"detector", NULL};

/* Aberration keys besides defocus, C30 and C50: coefficient in Å and azimuth in degrees. */
#define ABERRATION(nm, what)                                                                   \
  {"probe", "C" nm "_A", SF_CFG_NUMBER, "0", -1e12, 1e12, NULL, what ", Å (Krivanek C" nm ")"}, \
  {"probe", "phi" nm "_deg", SF_CFG_NUMBER, "0", -360, 360, NULL,                              \
   "Azimuth of C" nm ", degrees counter-clockwise from +x"}

static const sf_config_key keys[] = {
    {"structure", "file", SF_CFG_STRING, "\"\"", 0, 0, NULL,
     "Kirkland or extended XYZ file, relative to this file's folder (\"\": use the builder)"},
    {"structure", "crystal", SF_CFG_STRING, "\"\"", 0, 0, NULL,
     "Builder: crystal database name, e.g. \"SrTiO3\" (stemfuse structure --list)"},
    {"structure", "zone", SF_CFG_NUMBERS, "[0, 0, 1]", -100, 100, NULL,
     "Zone axis [u, v, w] along the beam (integers)"},
    {"structure", "cells", SF_CFG_NUMBERS, "[1, 1, 1]", 1, 4096, NULL,
     "Repeats of the zone-axis cell (or of the file's cell) along x, y, z (integers)"},
    {"structure", "angle_tol_deg", SF_CFG_NUMBER, "0.5", 0, 10, NULL,
     "Largest deviation from 90 degrees accepted for the zone-axis cell"},
    {"structure", "shape", SF_CFG_STRING, "\"cell\"", 0, 0, shapes,
     "Builder: periodic cell, or a particle: sphere, cuboid, truncated_octahedron"},
    {"structure", "radius_A", SF_CFG_NUMBER, "0", 0, 1e4, NULL, "Sphere radius, Å"},
    {"structure", "half_A", SF_CFG_NUMBERS, "[]", 0, 1e4, NULL,
     "Cuboid half-lengths along the crystal axes a, b, c, Å"},
    {"structure", "d100_A", SF_CFG_NUMBER, "0", 0, 1e4, NULL,
     "Truncated octahedron: centre to {100} facets, Å"},
    {"structure", "d111_A", SF_CFG_NUMBER, "0", 0, 1e4, NULL,
     "Truncated octahedron: centre to {111} facets, Å"},
    {"structure", "vacuum_A", SF_CFG_NUMBER, "10", 0, 1e4, NULL,
     "Particles: vacuum on every side, Å"},

    {"potential", "parameterization", SF_CFG_STRING, "\"kirkland\"", 0, 0, params,
     "Electron scattering factors: kirkland, lobato or peng"},
    {"potential", "projection", SF_CFG_STRING, "\"infinite\"", 0, 0, projections,
     "infinite: whole atoms by depth; finite: each atom split between the slices it reaches"},
    {"potential", "sampling_A", SF_CFG_NUMBER, "0.05", 1e-3, 10, NULL,
     "Largest pixel side, Å: the pixel count per axis is the smallest 2,3,5,7-smooth one "
     "reaching it; "
     "alpha_max = 1000 lambda band_limit / (2 h) mrad"},
    {"potential", "slice_A", SF_CFG_NUMBER, "2", 1e-2, 1e3, NULL,
     "Largest slice thickness, Å; slices are c / ceil(c / slice_A)"},
    {"potential", "band_limit", SF_CFG_NUMBER, "0.6666666666666666", 0.05, 1, NULL,
     "Fraction of Nyquist kept in transmission functions and propagators (2/3: no aliasing)"},
    {"potential", "cutoff_tol", SF_CFG_NUMBER, "1e-3", 1e-8, 0.1, NULL,
     "Relative part of each atom's plane integral the real-space cutoff may lose"},

    {"beam", "energy_keV", SF_CFG_NUMBER, "300", 1, 10000, NULL, "Beam energy, keV"},
    {"beam", "tilt_x_mrad", SF_CFG_NUMBER, "0", -200, 200, NULL,
     "Beam tilt along x in the propagator, mrad"},
    {"beam", "tilt_y_mrad", SF_CFG_NUMBER, "0", -200, 200, NULL,
     "Beam tilt along y in the propagator, mrad"},

    {"probe", "semiangle_mrad", SF_CFG_NUMBER, "20", 0.01, 500, NULL,
     "Convergence semi-angle, mrad"},
    {"probe", "edge_mrad", SF_CFG_NUMBER, "0", 0, 50, NULL,
     "Width of a linear aperture edge, mrad (0: hard edge)"},
    {"probe", "defocus_A", SF_CFG_NUMBER, "0", -1e6, 1e6, NULL,
     "Defocus, Å; positive = underfocus = focus below the entrance surface (C10 = -defocus)"},
    {"probe", "C30_mm", SF_CFG_NUMBER, "0", -1e4, 1e4, NULL, "Spherical aberration Cs, mm"},
    {"probe", "C50_mm", SF_CFG_NUMBER, "0", -1e6, 1e6, NULL,
     "Fifth-order spherical aberration C5, mm"},
    ABERRATION("12", "Two-fold astigmatism"),
    ABERRATION("21", "Axial coma"),
    ABERRATION("23", "Three-fold astigmatism"),
    ABERRATION("32", "Star aberration"),
    ABERRATION("34", "Four-fold astigmatism"),
    ABERRATION("41", "Fourth-order axial coma"),
    ABERRATION("43", "Three-lobe aberration"),
    ABERRATION("45", "Five-fold astigmatism"),
    ABERRATION("52", "Fifth-order two-fold"),
    ABERRATION("54", "Fifth-order four-fold"),
    ABERRATION("56", "Six-fold astigmatism"),
    {"probe", "source_size_A", SF_CFG_NUMBER, "0", 0, 100, NULL,
     "Standard deviation of the Gaussian source (FWHM = 2.3548 x this), Å"},
    {"probe", "focal_spread_A", SF_CFG_NUMBER, "0", 0, 1e4, NULL,
     "Standard deviation of the defocus spread, Å (0: none)"},
    {"probe", "focal_nodes", SF_CFG_INT, "7", 1, 64, NULL,
     "Gauss-Hermite nodes over the focal spread"},

    {"scan", "window_A", SF_CFG_NUMBERS, "[]", -INF, INF, NULL,
     "Scan window [x0, y0, x1, y1], Å, covering [x0, x1) x [y0, y1)"},
    {"scan", "window_frac", SF_CFG_NUMBERS, "[0, 0, 1, 1]", -INF, INF, NULL,
     "Scan window in fractions of the simulation cell (used when window_A is empty)"},
    {"scan", "step_A", SF_CFG_NUMBER, "0", 0, 100, NULL,
     "Probe step, Å (0: the Nyquist step lambda / (4 alpha) of the probe intensity)"},
    {"scan", "positions_A", SF_CFG_NUMBERS, "[]", -INF, INF, NULL,
     "Probe positions [x0, y0, x1, y1, ...], Å, instead of a window"},

    {"detector", "name", SF_CFG_STRING, NULL, 0, 0, NULL, "Detector name ([A-Za-z0-9_])"},
    {"detector", "inner_mrad", SF_CFG_NUMBER, NULL, 0, 1e4, NULL, "Inner angle, mrad"},
    {"detector", "outer_mrad", SF_CFG_NUMBER, NULL, 0, 1e4, NULL,
     "Outer angle, mrad (at most alpha_max)"},
    {"detector", "segments", SF_CFG_INT, "0", 0, 32, NULL,
     "Azimuthal segments (0: annular; 2..32: maps NAME_s0 ...)"},
    {"detector", "rotation_deg", SF_CFG_NUMBER, "0", -360, 360, NULL,
     "Azimuth where segment 0 starts, degrees counter-clockwise from +x"},

    {"phonons", "configurations", SF_CFG_INT, "0", 0, 100000, NULL,
     "Frozen-phonon configurations (0: static lattice)"},
    {"phonons", "seed", SF_CFG_INT, "1", 0, 9007199254740991.0, NULL,
     "Seed of the displacements (configuration c uses stream (seed, c))"},
    {"phonons", "thermal", SF_CFG_STRINGS, "[]", 0, 0, NULL,
     "Per-element vibration, e.g. [\"Sr:B=0.62\", \"O:u_rms=0.09\"] (B in Å^2, u_rms in Å); "
     "others use the structure's u_rms"},

    {"output", "depths_A", SF_CFG_NUMBERS, "[]", 0, INF, NULL,
     "Thickness series: record at these depths, Å, rounded to whole slices ([]: exit only)"},
    {"output", "radial_bin_mrad", SF_CFG_NUMBER, "1", 0, 100, NULL,
     "Width of the radial-bin cube ADF_radial_bins, mrad (0: no cube)"},
    {"output", "com", SF_CFG_BOOL, "false", 0, 0, NULL, "Centre-of-mass (DPC) maps COM_x, COM_y"},
    {"output", "png", SF_CFG_BOOL, "true", 0, 0, NULL,
     "PNG previews of the mean maps next to the .emd"},

    {"sim", "algorithm", SF_CFG_STRING, "\"multislice\"", 0, 0, algorithms,
     "multislice or prism"},
    {"sim", "prism_f", SF_CFG_INT, "4", 1, 64, NULL, "PRISM interpolation factor"},
    {"sim", "threads", SF_CFG_INT, "0", 0, 4096, NULL, "Threads (0: all, or --threads)"},
    {"sim", "batch", SF_CFG_INT, "1", 1, 64, NULL, "Probes per FFT batch of a thread"},
    {"sim", "memory_limit_MiB", SF_CFG_NUMBER, "0", 0, INF, NULL,
     "Refuse runs whose memory estimate exceeds this, MiB (0: the physical memory)"},
};

static const sf_config_schema schema = {"simulate", keys, sizeof keys / sizeof keys[0], arrays};

const sf_config_schema *sf_simulate_config_schema(void) { return &schema; }
