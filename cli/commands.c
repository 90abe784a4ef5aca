/* commands.c - the table of subcommands, in the order of the pipeline. */
#include "cli/sf_cli.h"

#include <stddef.h>

const sf_cli_entry sf_cli_commands[] = {
    {"simulate", "elastic STEM (multislice/PRISM, frozen phonons, thickness series) from a config "
                 "file -> .emd + PNG previews",
     sf_cmd_simulate},
    {"noise", "seeded Poisson noise at a stated dose or SNR on the maps of an EMD file",
     sf_cmd_noise},
    {"fuse", "fused multi-modal recovery of element maps from HAADF + EELS/EDX maps", sf_cmd_fuse},
    {"validate", "ground truth -> noise -> fused recovery -> metrics over N seeds; report folder",
     sf_cmd_validate},
    {"sweep", "dose grid, gamma and lambda (L-curve) sweeps of a recipe: CSV, heat maps, curves",
     sf_cmd_sweep},
    {"structure", "build crystals, particles and core-shell structures; write XYZ + PNG preview",
     sf_cmd_structure},
    {"potential", "projected-potential slices (V·Å) of an atom, XYZ or crystal -> .emd + PNG",
     sf_cmd_potential},
    {"atom", "self-consistent LDA atom: orbital eigenvalues and total energy (NIST SRD 141 functional)",
     sf_cmd_atom},
    {"edge", "core-loss edge cross-section in barn and transition potentials (K, L23, M45, ...)",
     sf_cmd_edge},
    {"info", "list the signals, shapes, calibrations and attributes of an EMD/HDF5/NPY file",
     sf_cmd_info},
    {"pattern", "write a calibrated orientation test set (.emd + PNG previews)", sf_cmd_pattern},
    {"config", "parse a config file and print what it contains (TOML subset)", sf_cmd_config},
    {NULL, NULL, NULL},
};
