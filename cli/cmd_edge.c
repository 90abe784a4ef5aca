/* cmd_edge.c - `stemfuse edge El EDGE`: the inelastic cross-section of a
   core-loss edge from LDA transition potentials (per energy node and over the
   window), the hydrogenic reference for K edges, and optionally the
   real-space transition potentials as images in an EMD file. */
#include "cli/sf_cli.h"
#include "cli/sf_cli_options.h"
#include "core/sf_constants.h"
#include "core/sf_imageset.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_emd.h"
#include "potentials/sf_elements.h"
#include "potentials/sf_transition.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* Real and imaginary cubes (ny, nx, nf) of all final states, weighted by
   sqrt(w), and their summed |T|^2 (ionisation probability per pixel for a
   unit-norm plane wave times the number of pixels). */
static int write_images(const sf_transition_set *ts, const char *out, long n, double dx_A,
                        int force) {
  const size_t nx = (size_t)n, ny = (size_t)n, nf = sf_transition_set_count(ts);
  sf_imageset *set = sf_imageset_create();
  if (!set)
    return SF_ENOMEM;
  sf_map *re = NULL, *im = NULL, *sum = NULL;
  int st = sf_imageset_add_map(set, "tp_real", SF_F32, nx, ny, nf, &re);
  if (st == SF_OK)
    st = sf_imageset_add_map(set, "tp_imag", SF_F32, nx, ny, nf, &im);
  if (st == SF_OK)
    st = sf_imageset_add_map(set, "tp_intensity", SF_F64, nx, ny, 1, &sum);
  float *buf = malloc(2 * nx * ny * sizeof *buf);
  if (st == SF_OK && !buf)
    st = sf_error_set(SF_ENOMEM, "edge images: out of memory");
  const sf_tp_grid grid = {nx, ny, dx_A, dx_A, 0.0};
  const double x0 = 0.5 * (double)nx * dx_A, y0 = 0.5 * (double)ny * dx_A;
  for (size_t f = 0; f < nf && st == SF_OK; ++f) {
    st = sf_transition_potential_grid(ts, f, &grid, x0, y0, 1, buf);
    for (size_t k = 0; k < nx * ny && st == SF_OK; ++k) {
      ((float *)re->data)[k * nf + f] = buf[2 * k];
      ((float *)im->data)[k * nf + f] = buf[2 * k + 1];
      ((double *)sum->data)[k] +=
          (double)buf[2 * k] * buf[2 * k] + (double)buf[2 * k + 1] * buf[2 * k + 1];
    }
  }
  free(buf);
  for (int k = 0; k < 3 && st == SF_OK; ++k) {
    sf_map *m = k == 0 ? re : k == 1 ? im : sum;
    st = sf_map_set_axis(m, 0, "x", "Å", -x0, dx_A);
    if (st == SF_OK)
      st = sf_map_set_axis(m, 1, "y", "Å", -y0, dx_A);
    if (st == SF_OK && k < 2)
      st = sf_map_set_axis(m, 2, "Final state", "", 0.0, 1.0);
    snprintf(m->quantity, sizeof m->quantity, "%s",
             k == 0   ? "Transition potential, real part (x sqrt(weight))"
             : k == 1 ? "Transition potential, imaginary part (x sqrt(weight))"
                      : "Sum over final states of |T|^2");
  }
  char key[1024];
  if (st == SF_OK)
    st = sf_attrs_set_string(&set->attrs, "simulation", "transition_parameters",
                             sf_transition_params_key(sf_transition_set_params(ts), key,
                                                      sizeof key));
  if (st == SF_OK)
    st = sf_attrs_set_double(&set->attrs, "microscope", "beam_energy_keV",
                             sf_transition_set_params(ts)->energy_keV);
  if (st == SF_OK)
    st = sf_imageset_set_provenance(set, sf_cli_argc, sf_cli_argv, 0, 0, NULL);
  if (st == SF_OK)
    st = sf_io_emd_write(set, out, force);
  sf_imageset_destroy(set);
  return st;
}

int sf_cmd_edge(int argc, char **argv) {
  double keV = 300.0, beta = 30.0, window = 50.0, window_start = 0.0, edge_eV = 0.0;
  double pixel_A = 0.05;
  long nodes = 5, lpmax = -1, grid_points = 4001, grid_n = 256;
  const char *continuum = "ground", *cache_dir = NULL, *out = NULL;
  int single_onset = 0, scalar_rel = 0, force = 0;
  const sf_cli_option options[] = {
      {"energy-keV", 0, SF_OPT_DOUBLE, &keV, "E", "beam energy in keV (default 300)"},
      {"collection-mrad", 0, SF_OPT_DOUBLE, &beta, "B",
       "collection semi-angle in mrad (default 30)"},
      {"window-eV", 0, SF_OPT_DOUBLE, &window, "W", "energy-loss window width in eV (default 50)"},
      {"window-start-eV", 0, SF_OPT_DOUBLE, &window_start, "S",
       "energy loss where the window starts (default: the onset)"},
      {"nodes", 0, SF_OPT_INT, &nodes, "N", "Gauss-Legendre energy nodes (default 5)"},
      {"lprime-max", 0, SF_OPT_INT, &lpmax, "L",
       "include all final l' <= L (default: dipole l' = l +- 1)"},
      {"continuum", 0, SF_OPT_STRING, &continuum, "KIND",
       "ground (default) or core-hole potential for the ejected electron"},
      {"edge-eV", 0, SF_OPT_DOUBLE, &edge_eV, "E",
       "onset in eV (default: table, else -eps of the LDA atom)"},
      {"single-onset", 0, SF_OPT_FLAG, &single_onset, NULL,
       "all electrons of L2,3 / M4,5 at the first onset (no spin-orbit splitting)"},
      {"scalar-relativistic", 0, SF_OPT_FLAG, &scalar_rel, NULL,
       "bound state from the scalar-relativistic atom"},
      {"grid-points", 0, SF_OPT_INT, &grid_points, "N", "radial grid points (default 4001)"},
      {"cache-dir", 0, SF_OPT_STRING, &cache_dir, "DIR",
       "reuse / store transition potentials in DIR"},
      {"output", 'o', SF_OPT_STRING, &out, "OUT.emd",
       "write the real-space transition potentials (cubes tp_real, tp_imag; image "
       "tp_intensity)"},
      {"grid", 0, SF_OPT_INT, &grid_n, "N", "image size N x N (default 256)"},
      {"pixel-size-A", 0, SF_OPT_DOUBLE, &pixel_A, "A", "image pixel size in Å (default 0.05)"},
      {"force", 0, SF_OPT_FLAG, &force, NULL, "overwrite an existing output"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const sf_cli_spec spec = {
      "edge", "[options] ELEMENT EDGE",
      "Cross-section of a core-loss edge (K, L1, L23, M45, ...) from LDA transition\n"
      "potentials: per energy node dsigma/deps and the total over the window, in barn,\n"
      "for the given beam energy and collection semi-angle. K edges also print the\n"
      "hydrogenic (SIGMAK3-type) model. With -o the transition potentials are written\n"
      "as images (atom in the centre).",
      options, 2, 2};
  const char *pos[2];
  int npos;
  int rc = sf_cli_parse(&spec, argc, argv, pos, &npos);
  if (rc >= 0)
    return rc;
  int Z;
  if (sf_element_from_symbol(pos[0], &Z) != SF_OK)
    return sf_cli_usage_error("edge", "%s", sf_error_message());
  if (Z > SF_ATOM_Z_MAX)
    return sf_cli_usage_error("edge", "element %s (Z = %d): the atom solver covers Z = 1..%d",
                              pos[0], Z, SF_ATOM_Z_MAX);
  if (!(keV > 0.0) || !(beta > 0.0) || !(window > 0.0) || window_start < 0.0 || edge_eV < 0.0)
    return sf_cli_usage_error("edge",
                              "--energy-keV %g, --collection-mrad %g, --window-eV %g must be > 0 "
                              "(--window-start-eV, --edge-eV >= 0)",
                              keV, beta, window);
  if (nodes < 1 || nodes > 64)
    return sf_cli_usage_error("edge", "--nodes %ld: must be 1..64", nodes);
  if (lpmax < -1 || lpmax > 8)
    return sf_cli_usage_error("edge", "--lprime-max %ld: must be 0..8", lpmax);
  if (out && (grid_n < 8 || grid_n > 4096 || !(pixel_A > 0.0)))
    return sf_cli_usage_error("edge", "--grid %ld --pixel-size-A %g: need 8..4096 and > 0",
                              grid_n, pixel_A);
  if (out && !force) {
    FILE *exists = fopen(out, "rb");
    if (exists) {
      fclose(exists);
      return sf_cli_fail("edge", sf_error_set(SF_EEXIST, "%s: output already exists (use --force "
                                                         "to overwrite)",
                                              out));
    }
  }
  sf_transition_params p;
  sf_transition_params_default(&p);
  p.Z = Z;
  if (strlen(pos[1]) >= sizeof p.edge)
    return sf_cli_usage_error("edge", "edge '%s': unknown", pos[1]);
  snprintf(p.edge, sizeof p.edge, "%s", pos[1]);
  p.energy_keV = keV;
  p.window_eV = window;
  p.window_start_eV = window_start;
  p.energy_nodes = (int)nodes;
  p.lprime_max = (int)lpmax;
  p.edge_eV = edge_eV;
  p.single_onset = single_onset;
  p.scalar_relativistic = scalar_rel;
  p.grid_points = (size_t)grid_points;
  if (sf_continuum_kind_parse(continuum, &p.continuum) != SF_OK)
    return sf_cli_usage_error("edge", "--continuum: %s", sf_error_message());
  /* Tabulate as far as the collection angle and the image band limit need. */
  const double k0 = sf_transition_wavenumber_invA(keV * 1e3);
  double qmax = 1.01 * k0 * beta * 1e-3;
  if (out)
    qmax = fmax(qmax, 1.01 * (2.0 / 3.0) * 0.5 / pixel_A);
  p.q_max_invA = fmax(1.0, ceil(qmax * 100.0) / 100.0);
  sf_transition_set *ts = NULL;
  int hit = 0;
  int status = sf_transition_set_create_cached(&p, cache_dir, &ts, &hit);
  if (status != SF_OK)
    return sf_cli_fail("edge", status);
  const sf_edge *e = sf_transition_set_edge(ts);
  const size_t nn = sf_transition_set_nodes(ts), nf = sf_transition_set_count(ts);
  sf_out("# %s %s edge: subshell %d%c, %g electrons; onset%s", pos[0], e->name, e->n,
         "spdf"[e->l], e->electrons[0] + (e->components > 1 ? e->electrons[1] : 0.0),
         e->components > 1 ? "s" : "");
  for (int c = 0; c < e->components; ++c)
    sf_out(" %s %.1f eV", e->component_name[c], e->threshold_eV[c]);
  sf_out(" (%s)\n", e->tabulated && edge_eV == 0.0 ? "tabulated"
                    : edge_eV > 0.0               ? "given"
                                                  : "LDA eigenvalue");
  sf_out("# beam %g keV, collection %g mrad, window %g eV from %.1f eV, continuum %s, %s\n", keV,
         beta, window, window_start > 0.0 ? window_start : e->threshold_eV[0],
         sf_continuum_kind_name(p.continuum),
         lpmax < 0 ? "dipole final states" : "all l' up to --lprime-max");
  sf_out("# %zu energy nodes, %zu final states (%zu per node)%s\n", nn, nf, nn ? nf / nn : 0,
         hit ? "; from the cache" : "");
  sf_out("%-5s %-9s %12s %12s %16s %22s\n", "node", "component", "epsilon_eV", "weight_eV",
         "energy_loss_eV", "dsigma_deps_barn_per_eV");
  double total = 0.0;
  for (size_t j = 0; j < nn && status == SF_OK; ++j) {
    sf_transition_node nd;
    double d = 0.0;
    sf_transition_set_node(ts, j, &nd);
    status = sf_transition_dsigma_deps(ts, j, beta, &d);
    total += nd.weight_eV * d;
    sf_out("%-5zu %-9s %12.4f %12.4f %16.4f %22.6g\n", j, e->component_name[nd.component],
           nd.epsilon_eV, nd.weight_eV, nd.energy_loss_eV, d);
  }
  if (status == SF_OK) {
    sf_out("sigma_barn %.6g\n", total);
    if (e->l == 0 && e->n == 1) {
      double h;
      const double start = window_start > 0.0 ? fmax(window_start, e->threshold_eV[0])
                                              : e->threshold_eV[0];
      const double width = (window_start > 0.0 ? window_start : e->threshold_eV[0]) + window -
                           start;
      if (sf_hydrogenic_k_cross_section(Z, start, keV, beta, width, &h) == SF_OK)
        sf_out("hydrogenic_sigma_barn %.6g\n", h);
    }
  }
  if (status == SF_OK && out) {
    status = write_images(ts, out, grid_n, pixel_A, force);
    if (status == SF_OK)
      sf_log(SF_LOG_NOTE, "transition potentials: %s", out);
  }
  sf_transition_set_destroy(ts);
  if (status != SF_OK)
    return sf_cli_fail("edge", status);
  return 0;
}
