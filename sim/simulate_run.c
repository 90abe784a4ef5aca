/* simulate_run.c - run a `stemfuse simulate` setup over its frozen-phonon
   configurations and export the result with every parameter. */
#include "sim/sf_simulate_config.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "potentials/sf_elements.h"

#include <stdio.h>
#include <string.h>

typedef struct config_ctx {
  const sf_simulate_setup *s;
  sf_slice_atom *atoms; /* capacity: the structure's atom count */
} config_ctx;

/* Atoms of configuration c: displaced (frozen phonons) or as they are
   (static lattice), with z kept inside the slices. */
static int config_atoms(void *user, size_t c, const sf_slice_atom **atoms, size_t *n_atoms) {
  config_ctx *ctx = user;
  const sf_simulate_setup *s = ctx->s;
  const sf_structure *src = s->structure;
  sf_structure *disp = NULL;
  if (s->configurations > 0) {
    SF_TRY(sf_structure_phonon(src, s->rms_set ? &s->rms : NULL, s->seed, (uint64_t)c, &disp));
    src = disp;
  }
  const double dz = s->params.slice_thickness_A;
  const double z_lo = s->z0_A, z_hi = s->z0_A + dz * (double)s->params.n_slices;
  for (size_t i = 0; i < src->count; ++i) {
    double z = src->z_A[i];
    if (z < z_lo)
      z = z_lo + 0.5 * dz; /* above the entrance: first slice */
    else if (z >= z_hi)
      z = z_hi - 0.5 * dz; /* below the exit: last slice */
    ctx->atoms[i] = (sf_slice_atom){src->Z[i], src->x_A[i], src->y_A[i], z};
  }
  *atoms = ctx->atoms;
  *n_atoms = src->count;
  sf_structure_destroy(disp);
  return SF_OK;
}

int sf_simulate_run(const sf_simulate_setup *s, sf_stem_result **out) {
  if (!s || !out)
    return sf_error_set(SF_EINVAL, "simulate: NULL argument");
  config_ctx ctx = {s, NULL};
  const size_t n = s->structure->count ? s->structure->count : 1;
  ctx.atoms = sf_alloc(n, sizeof *ctx.atoms, "simulate: slice atoms");
  if (!ctx.atoms)
    return sf_error_set(SF_ENOMEM, "simulate: %zu atoms", n);
  const size_t n_configs = s->configurations > 0 ? s->configurations : 1;
  int status = sf_stem_simulate(&s->params, &s->potential, s->z0_A, config_atoms, &ctx,
                                n_configs, s->scan, out);
  sf_free(ctx.atoms);
  return status;
}

/* Per-element u_rms actually used (the [phonons] thermal value or the
   structure's first atom of that element), as "Sr:0.0835 O:0.0872". */
static void thermal_text(const sf_simulate_setup *s, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  int seen[SF_ELEMENT_Z_MAX + 1] = {0};
  for (size_t i = 0; i < s->structure->count && used < size; ++i) {
    const int Z = s->structure->Z[i];
    if (seen[Z])
      continue;
    seen[Z] = 1;
    const double u = s->rms_set && s->rms.u_rms_A[Z] >= 0 ? s->rms.u_rms_A[Z]
                                                          : s->structure->u_rms_A[i];
    used += (size_t)snprintf(buf + used, size - used, "%s%s:%.6g", used ? " " : "",
                             sf_element_symbol(Z), u);
  }
}

static int simulation_attrs(const sf_simulate_setup *s, double wall_s, sf_attrs *a) {
  const char *g = "simulation";
  SF_TRY(sf_attrs_set_string(a, g, "structure", s->structure_source));
  SF_TRY(sf_attrs_set_int(a, g, "atoms", (int64_t)s->structure->count));
  SF_TRY(sf_attrs_set_doubles(a, g, "cell_A", s->structure->cell_A, 3));
  SF_TRY(sf_attrs_set_int(a, g, "configurations", (int64_t)s->configurations));
  SF_TRY(sf_attrs_set_string(a, g, "lattice",
                             s->configurations > 0 ? "frozen phonons (Einstein model)"
                                                   : "static"));
  SF_TRY(sf_attrs_set_int(a, g, "seed", (int64_t)s->seed));
  SF_TRY(sf_attrs_set_string(a, g, "phonon_streams",
                             "atom i of configuration c: Philox (seed, "
                             "SF_RNG_STREAM(SF_RNG_PURPOSE_PHONON, c), substream i)"));
  char text[2048];
  thermal_text(s, text, sizeof text);
  SF_TRY(sf_attrs_set_string(a, g, "u_rms_A", text));
  SF_TRY(sf_attrs_set_double(a, g, "entrance_plane_z_A", s->z0_A));
  SF_TRY(sf_attrs_set_double(a, g, "grid_strain_y", s->strain_y));
  const sf_scan *sc = s->scan;
  SF_TRY(sf_attrs_set_int(a, g, "scan_nx", (int64_t)sc->nx));
  SF_TRY(sf_attrs_set_int(a, g, "scan_ny", (int64_t)sc->ny));
  if (sc->is_grid) {
    SF_TRY(sf_attrs_set_double(a, g, "scan_step_A", sc->step_x_A));
    SF_TRY(sf_attrs_set_double(a, g, "scan_origin_x_A", sc->origin_x_A));
    SF_TRY(sf_attrs_set_double(a, g, "scan_origin_y_A", sc->origin_y_A));
  }
  SF_TRY(sf_attrs_set_string(a, g, "names",
                             "<subject>[_dNN]_mean / _stderr: mean and standard error of the "
                             "mean over configurations; _dNN: depth index"));
  SF_TRY(sf_attrs_set_double(a, g, "wall_s", wall_s));
  return SF_OK;
}

int sf_simulate_to_imageset(const sf_simulate_setup *s, const sf_stem_result *res,
                            double wall_s, sf_imageset *set) {
  if (!s || !res || !set)
    return sf_error_set(SF_EINVAL, "simulate: NULL argument");
  const size_t first = set->count;
  int status = sf_stem_result_to_imageset(res, set);
  if (status == SF_OK)
    status = sf_stem_attrs(&s->params, &set->attrs, "microscope");
  if (status == SF_OK) {
    sf_projpot *pp = NULL;
    status = sf_projpot_create(s->params.nx, s->params.ny, s->params.sampling_A, &s->potential,
                               &pp);
    if (status == SF_OK)
      status = sf_projpot_attrs(pp, &set->attrs, "potential");
    sf_projpot_destroy(pp);
  }
  if (status == SF_OK)
    status = simulation_attrs(s, wall_s, &set->attrs);
  if (status != SF_OK)
    sf_imageset_truncate(set, first);
  return status;
}
