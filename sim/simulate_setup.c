/* simulate_setup.c - a validated `stemfuse simulate` configuration turned into
   the engine's parameters: structure, grid, slices, probe, detectors, depths,
   scan and frozen-phonon settings (sf_simulate_config.h). */
#include "sim/sf_simulate_config.h"

#include "core/sf_alloc.h"
#include "core/sf_constants.h"
#include "core/sf_status.h"
#include "io/sf_xyz.h"
#include "potentials/sf_elements.h"
#include "potentials/sf_slice_finite.h"
#include "sim/sf_crystal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Prefix the recorded error with where the key came from:
   "file:line: table.key = value: ...". */
static int fail_at(const sf_config *cfg, const char *table, const char *key, const char *value,
                   int status) {
  char origin[512];
  if (sf_config_origin(cfg, table, key, origin, sizeof origin) != SF_OK)
    snprintf(origin, sizeof origin, "default");
  return sf_error_prepend(status, "%s: %s.%s = %s", origin, table, key, value);
}

/* As fail_at with a fresh message. */
static int fail_msg(const sf_config *cfg, const char *table, const char *key, const char *value,
                    int status, const char *reason) {
  sf_error_set(status, "%s", reason);
  return fail_at(cfg, table, key, value, status);
}

static void numbers_text(const double *v, size_t n, char *buf, size_t size) {
  size_t used = (size_t)snprintf(buf, size, "[");
  for (size_t i = 0; i < n && used < size; ++i)
    used += (size_t)snprintf(buf + used, size - used, "%s%g", i ? ", " : "", v[i]);
  if (used < size)
    snprintf(buf + used, size - used, "]");
}

static double get_num(const sf_config *cfg, const char *table, const char *key) {
  double v = 0.0;
  sf_config_get_number(cfg, table, key, &v); /* validated: cannot fail */
  return v;
}

static int64_t get_int(const sf_config *cfg, const char *table, const char *key) {
  int64_t v = 0;
  sf_config_get_int(cfg, table, key, &v);
  return v;
}

/* A NUMBERS key that must hold `want` integers (want 0: any even count). */
static int get_ints3(const sf_config *cfg, const char *table, const char *key, int out[3]) {
  double *v = NULL;
  size_t n = 0;
  SF_TRY(sf_config_get_numbers(cfg, table, key, &v, &n));
  char text[256];
  numbers_text(v, n, text, sizeof text);
  int status = SF_OK;
  if (n != 3)
    status = fail_msg(cfg, table, key, text, SF_EINVAL, "expected three integers");
  for (size_t i = 0; status == SF_OK && i < 3; ++i) {
    if (v[i] != floor(v[i]))
      status = fail_msg(cfg, table, key, text, SF_EINVAL, "expected integers");
    else
      out[i] = (int)v[i];
  }
  sf_free(v);
  return status;
}

static int join_path(const char *dir, const char *file, char *buf, size_t size) {
  int n = (file[0] == '/' || !dir || !dir[0]) ? snprintf(buf, size, "%s", file)
                                             : snprintf(buf, size, "%s/%s", dir, file);
  if (n < 0 || (size_t)n >= size)
    return sf_error_set(SF_EINVAL, "path too long");
  return SF_OK;
}

static int build_particle(const sf_config *cfg, const sf_crystal *c, const int uvw[3],
                          const char *shape_name, sf_structure **out) {
  sf_shape shape;
  memset(&shape, 0, sizeof shape);
  if (strcmp(shape_name, "sphere") == 0) {
    shape.kind = SF_SHAPE_SPHERE;
    shape.radius_A = get_num(cfg, "structure", "radius_A");
  } else if (strcmp(shape_name, "cuboid") == 0) {
    shape.kind = SF_SHAPE_CUBOID;
    double *h = NULL;
    size_t n = 0;
    SF_TRY(sf_config_get_numbers(cfg, "structure", "half_A", &h, &n));
    char text[256];
    numbers_text(h, n, text, sizeof text);
    if (n != 3) {
      sf_free(h);
      return fail_msg(cfg, "structure", "half_A", text, SF_EINVAL,
                      "a cuboid needs three half-lengths");
    }
    for (int k = 0; k < 3; ++k)
      shape.half_A[k] = h[k];
    sf_free(h);
  } else {
    shape.kind = SF_SHAPE_TRUNC_OCT;
    shape.d100_A = get_num(cfg, "structure", "d100_A");
    shape.d111_A = get_num(cfg, "structure", "d111_A");
  }
  double radius = 0.0;
  int status = sf_shape_bounding_radius(&shape, &radius);
  if (status != SF_OK)
    return fail_at(cfg, "structure", "shape", shape_name, status);
  return sf_crystal_particle(c, uvw, &shape, get_num(cfg, "structure", "vacuum_A"), out);
}

static int build_structure(const sf_config *cfg, const char *dir, sf_simulate_setup *s) {
  const char *file = "", *crystal = "", *shape = "cell";
  sf_config_get_string(cfg, "structure", "file", &file);
  sf_config_get_string(cfg, "structure", "crystal", &crystal);
  sf_config_get_string(cfg, "structure", "shape", &shape);
  if (file[0] && crystal[0])
    return fail_msg(cfg, "structure", "crystal", crystal, SF_EINVAL,
                    "give either structure.file or structure.crystal, not both");
  if (!file[0] && !crystal[0])
    return fail_msg(cfg, "structure", "file", "\"\"", SF_EINVAL,
                    "no structure: give structure.file (XYZ) or structure.crystal (builder)");
  int cells[3];
  SF_TRY(get_ints3(cfg, "structure", "cells", cells));
  sf_structure *base = NULL;
  int status;
  if (file[0]) {
    char path[4096];
    SF_TRY(join_path(dir, file, path, sizeof path));
    status = sf_io_xyz_read(path, SF_XYZ_AUTO, &base, NULL, 0);
    if (status != SF_OK)
      return fail_at(cfg, "structure", "file", file, status);
    snprintf(s->structure_source, sizeof s->structure_source, "file %s, %d x %d x %d cells",
             file, cells[0], cells[1], cells[2]);
  } else {
    const sf_crystal *c = NULL;
    status = sf_crystal_find(crystal, &c);
    if (status != SF_OK)
      return fail_at(cfg, "structure", "crystal", crystal, status);
    int uvw[3];
    SF_TRY(get_ints3(cfg, "structure", "zone", uvw));
    if (strcmp(shape, "cell") == 0) {
      status = sf_crystal_cell(c, uvw, get_num(cfg, "structure", "angle_tol_deg"), 0, &base,
                               NULL);
      snprintf(s->structure_source, sizeof s->structure_source,
               "crystal %s [%d %d %d], %d x %d x %d cells", crystal, uvw[0], uvw[1], uvw[2],
               cells[0], cells[1], cells[2]);
    } else {
      status = build_particle(cfg, c, uvw, shape, &base);
      cells[0] = cells[1] = cells[2] = 1;
      snprintf(s->structure_source, sizeof s->structure_source, "crystal %s [%d %d %d], %s",
               crystal, uvw[0], uvw[1], uvw[2], shape);
    }
    if (status != SF_OK)
      return fail_at(cfg, "structure", "crystal", crystal, status);
  }
  if (cells[0] == 1 && cells[1] == 1 && cells[2] == 1) {
    s->structure = base;
    return SF_OK;
  }
  status = sf_structure_supercell(base, cells[0], cells[1], cells[2], &s->structure);
  sf_structure_destroy(base);
  return status;
}

static int is_smooth(size_t n) {
  static const size_t primes[] = {2, 3, 5, 7};
  for (int k = 0; k < 4; ++k)
    while (n % primes[k] == 0)
      n /= primes[k];
  return n == 1;
}

/* Square pixels of side <= h_max tiling the cell a x b. */
static int choose_grid(const sf_config *cfg, sf_simulate_setup *s) {
  const double a = s->structure->cell_A[0], b = s->structure->cell_A[1];
  const double h_max = get_num(cfg, "potential", "sampling_A");
  char text[64];
  snprintf(text, sizeof text, "%g", h_max);
  const double nx_min = ceil(a / h_max - 1e-9);
  if (nx_min > 65536.0 || b / h_max > 65536.0)
    return fail_msg(cfg, "potential", "sampling_A", text, SF_ERANGE,
                    "the grid would exceed 65536 pixels on a side: coarsen the sampling or "
                    "use a smaller cell");
  for (size_t nx = nx_min < 2 ? 2 : (size_t)nx_min; nx <= 2 * (size_t)nx_min + 16; ++nx) {
    if (!is_smooth(nx))
      continue;
    const double h = a / (double)nx;
    const double ny = round(b / h);
    if (ny < 2 || fabs(ny * h - b) > 0.01 * h)
      continue;
    s->params.nx = nx;
    s->params.ny = (size_t)ny;
    s->params.sampling_A = h;
    s->strain_y = b / (ny * h) - 1.0;
    return SF_OK;
  }
  sf_error_set(SF_EINVAL,
               "the cell %g x %g Å cannot be divided into square pixels of at most %g Å "
               "(b must be a whole number of pixels within 1 %% of a pixel): choose cells "
               "whose b / a is a simple ratio, or another sampling",
               a, b, h_max);
  return fail_at(cfg, "potential", "sampling_A", text, SF_EINVAL);
}

static int set_aberrations(const sf_config *cfg, sf_probe_params *pr) {
  static const char *const names[] = {"12", "21", "23", "32", "34", "41",
                                      "43", "45", "52", "54", "56"};
  sf_aberrations_clear(&pr->aberrations);
  sf_aberrations_set_defocus(&pr->aberrations, get_num(cfg, "probe", "defocus_A"));
  SF_TRY(sf_aberrations_set(&pr->aberrations, "C30", get_num(cfg, "probe", "C30_mm") * 1e7,
                            0.0));
  SF_TRY(sf_aberrations_set(&pr->aberrations, "C50", get_num(cfg, "probe", "C50_mm") * 1e7,
                            0.0));
  for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i) {
    char ck[16], pk[16], cn[8];
    snprintf(ck, sizeof ck, "C%s_A", names[i]);
    snprintf(pk, sizeof pk, "phi%s_deg", names[i]);
    snprintf(cn, sizeof cn, "C%s", names[i]);
    SF_TRY(sf_aberrations_set(&pr->aberrations, cn, get_num(cfg, "probe", ck),
                              get_num(cfg, "probe", pk) * SF_PI / 180.0));
  }
  return SF_OK;
}

static int set_detectors(const sf_config *cfg, sf_simulate_setup *s) {
  const size_t n = sf_config_count(cfg, "detector");
  if (n > 0) {
    s->detectors = sf_alloc(n, sizeof *s->detectors, "simulate: detectors");
    if (!s->detectors)
      return sf_error_set(SF_ENOMEM, "simulate: %zu detectors", n);
  }
  for (size_t i = 0; i < n; ++i) {
    char table[32];
    snprintf(table, sizeof table, "detector.%zu", i + 1);
    const char *name = "";
    sf_config_get_string(cfg, table, "name", &name);
    if (!sf_name_is_valid(name))
      return fail_msg(cfg, table, "name", name, SF_EINVAL,
                      "detector names use [A-Za-z0-9_] and are shorter than 96 characters");
    const double in = get_num(cfg, table, "inner_mrad"), out = get_num(cfg, table, "outer_mrad");
    if (!(out > in)) {
      char text[64];
      snprintf(text, sizeof text, "%g", out);
      return fail_msg(cfg, table, "outer_mrad", text, SF_EINVAL,
                      "the outer angle must exceed inner_mrad");
    }
    sf_detector_init(&s->detectors[i], name, in, out, (int)get_int(cfg, table, "segments"),
                     get_num(cfg, table, "rotation_deg") * SF_PI / 180.0);
  }
  s->params.detectors.detectors = s->detectors;
  s->params.detectors.n_detectors = n;
  s->params.detectors.bin_width_mrad = get_num(cfg, "output", "radial_bin_mrad");
  bool com = false;
  sf_config_get_bool(cfg, "output", "com", &com);
  s->params.detectors.com = com ? 1 : 0;
  return SF_OK;
}

static int set_depths(const sf_config *cfg, sf_simulate_setup *s) {
  double *d = NULL;
  size_t n = 0;
  SF_TRY(sf_config_get_numbers(cfg, "output", "depths_A", &d, &n));
  if (n == 0)
    return SF_OK;
  char text[1024];
  numbers_text(d, n, text, sizeof text);
  s->depth_slices = sf_alloc(n, sizeof *s->depth_slices, "simulate: depths");
  if (!s->depth_slices) {
    sf_free(d);
    return sf_error_set(SF_ENOMEM, "simulate: %zu depths", n);
  }
  const double dz = s->params.slice_thickness_A;
  int status = SF_OK;
  for (size_t i = 0; i < n && status == SF_OK; ++i) {
    const double k = round(d[i] / dz);
    char reason[256];
    if (k < 1 || k > (double)s->params.n_slices) {
      snprintf(reason, sizeof reason,
               "depth %g Å is %g slices of %.6g Å: depths must lie within 1..%zu slices "
               "(the specimen is %.6g Å thick)",
               d[i], k, dz, s->params.n_slices, dz * (double)s->params.n_slices);
      status = fail_msg(cfg, "output", "depths_A", text, SF_ERANGE, reason);
    } else if (i > 0 && (size_t)k <= s->depth_slices[i - 1]) {
      snprintf(reason, sizeof reason,
               "depth %g Å rounds to %g slices, not deeper than the depth before it: depths "
               "must increase by at least one slice of %.6g Å",
               d[i], k, dz);
      status = fail_msg(cfg, "output", "depths_A", text, SF_EINVAL, reason);
    } else {
      s->depth_slices[i] = (size_t)k;
    }
  }
  sf_free(d);
  if (status == SF_OK) {
    s->params.depth_slices = s->depth_slices;
    s->params.n_depths = n;
  }
  return status;
}

static int make_scan(const sf_config *cfg, sf_simulate_setup *s) {
  const sf_stem_params *p = &s->params;
  const double cx = (double)p->nx * p->sampling_A, cy = (double)p->ny * p->sampling_A;
  double *pos = NULL, *win = NULL, *frac = NULL;
  size_t npos = 0, nwin = 0, nfrac = 0;
  int status = sf_config_get_numbers(cfg, "scan", "positions_A", &pos, &npos);
  if (status == SF_OK)
    status = sf_config_get_numbers(cfg, "scan", "window_A", &win, &nwin);
  if (status == SF_OK)
    status = sf_config_get_numbers(cfg, "scan", "window_frac", &frac, &nfrac);
  char text[1024];
  if (status == SF_OK && npos > 0) {
    numbers_text(pos, npos, text, sizeof text);
    if (nwin > 0)
      status = fail_msg(cfg, "scan", "positions_A", text, SF_EINVAL,
                        "give scan.positions_A or scan.window_A, not both");
    else if (npos % 2 != 0)
      status = fail_msg(cfg, "scan", "positions_A", text, SF_EINVAL,
                        "expected x, y pairs (an even count)");
    else {
      const size_t n = npos / 2;
      double *x = sf_alloc(2 * n, sizeof *x, "simulate: scan positions");
      if (!x)
        status = sf_error_set(SF_ENOMEM, "simulate: %zu positions", n);
      for (size_t i = 0; status == SF_OK && i < n; ++i) {
        x[i] = pos[2 * i];
        x[n + i] = pos[2 * i + 1];
      }
      if (status == SF_OK)
        status = sf_scan_list_create(x, x + n, n, &s->scan);
      sf_free(x);
      if (status == SF_OK && sf_scan_check_cell(s->scan, cx, cy) != SF_OK)
        status = fail_at(cfg, "scan", "positions_A", text, SF_ERANGE);
    }
  } else if (status == SF_OK) {
    const char *key = nwin > 0 ? "window_A" : "window_frac";
    double w[4] = {0};
    const double *src = nwin > 0 ? win : frac;
    const size_t nsrc = nwin > 0 ? nwin : nfrac;
    numbers_text(src, nsrc, text, sizeof text);
    if (nsrc != 4)
      status = fail_msg(cfg, "scan", key, text, SF_EINVAL, "expected [x0, y0, x1, y1]");
    for (int k = 0; status == SF_OK && k < 4; ++k)
      w[k] = nwin > 0 ? src[k] : src[k] * (k % 2 ? cy : cx);
    double step = get_num(cfg, "scan", "step_A");
    if (status == SF_OK && step == 0.0) {
      sf_wavegrid g;
      status = sf_stem_params_grid(p, &g);
      if (status == SF_OK)
        step = sf_scan_nyquist_step_A(g.lambda_A, p->probe.semiangle_mrad);
    }
    if (status == SF_OK && (w[0] < -1e-9 || w[1] < -1e-9 || w[2] > cx + 1e-9 ||
                            w[3] > cy + 1e-9)) {
      char reason[256];
      snprintf(reason, sizeof reason,
               "scan window [%g, %g) x [%g, %g) Å lies outside the cell [0, %g] x [0, %g] Å",
               w[0], w[2], w[1], w[3], cx, cy);
      status = fail_msg(cfg, "scan", key, text, SF_ERANGE, reason);
    }
    if (status == SF_OK) {
      status = sf_scan_window_create(w[0], w[1], w[2], w[3], step, &s->scan);
      if (status != SF_OK)
        status = fail_at(cfg, "scan", key, text, status);
    }
  }
  sf_free(pos);
  sf_free(win);
  sf_free(frac);
  return status;
}

static int set_phonons(const sf_config *cfg, sf_simulate_setup *s) {
  s->configurations = (size_t)get_int(cfg, "phonons", "configurations");
  s->seed = (uint64_t)get_int(cfg, "phonons", "seed");
  sf_phonon_rms_init(&s->rms);
  const char *const *th = NULL;
  size_t n = 0;
  SF_TRY(sf_config_get_strings(cfg, "phonons", "thermal", &th, &n));
  for (size_t i = 0; i < n; ++i) {
    int Z = 0;
    double u = 0.0;
    int status = sf_phonon_thermal_parse(th[i], &Z, &u);
    if (status == SF_OK && Z == 0)
      status = sf_error_set(SF_EINVAL, "'%s' names no element: write \"El:B=...\"", th[i]);
    if (status == SF_OK)
      status = sf_phonon_rms_set(&s->rms, Z, u);
    if (status != SF_OK)
      return fail_at(cfg, "phonons", "thermal", th[i], status);
    s->rms_set = 1;
  }
  if (s->configurations == 0)
    for (size_t i = 0; i < s->structure->count; ++i)
      if (s->structure->occupancy[i] < 1.0) {
        char reason[256];
        snprintf(reason, sizeof reason,
                 "atom %zu (Z = %d) has occupancy %g: a static lattice needs full sites; "
                 "use frozen phonons (configurations >= 1), which draw the occupancy",
                 i, s->structure->Z[i], s->structure->occupancy[i]);
        return fail_msg(cfg, "phonons", "configurations", "0", SF_EINVAL, reason);
      }
  return SF_OK;
}

static double physical_memory_bytes(void) {
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? (double)pages * (double)page : 0.0;
}

static int fill_params(const sf_config *cfg, sf_simulate_setup *s) {
  sf_stem_params *p = &s->params;
  p->energy_keV = get_num(cfg, "beam", "energy_keV");
  p->band_limit = get_num(cfg, "potential", "band_limit");
  p->tilt_x_mrad = get_num(cfg, "beam", "tilt_x_mrad");
  p->tilt_y_mrad = get_num(cfg, "beam", "tilt_y_mrad");
  const double c = s->structure->cell_A[2], slice = get_num(cfg, "potential", "slice_A");
  p->n_slices = (size_t)ceil(c / slice - 1e-9);
  if (p->n_slices < 1)
    p->n_slices = 1;
  p->slice_thickness_A = c / (double)p->n_slices;
  /* Entrance plane half a slice above the first atoms: planes spaced by the
     slice thickness sit at slice centres, so neither rounding nor thermal
     displacements move an atom into a neighbouring slice. */
  double z_min = 0.0;
  for (size_t i = 0; i < s->structure->count; ++i)
    if (i == 0 || s->structure->z_A[i] < z_min)
      z_min = s->structure->z_A[i];
  s->z0_A = z_min - 0.5 * p->slice_thickness_A;

  sf_probe_params_default(&p->probe);
  p->probe.semiangle_mrad = get_num(cfg, "probe", "semiangle_mrad");
  p->probe.edge_mrad = get_num(cfg, "probe", "edge_mrad");
  p->probe.focal_spread_A = get_num(cfg, "probe", "focal_spread_A");
  p->probe.focal_nodes = (int)get_int(cfg, "probe", "focal_nodes");
  p->probe.source_sigma_A = get_num(cfg, "probe", "source_size_A");
  SF_TRY(set_aberrations(cfg, &p->probe));

  const char *alg = "multislice";
  sf_config_get_string(cfg, "sim", "algorithm", &alg);
  p->algorithm = strcmp(alg, "prism") == 0 ? SF_STEM_PRISM : SF_STEM_MULTISLICE;
  p->prism_f = (int)get_int(cfg, "sim", "prism_f");
  p->threads = (int)get_int(cfg, "sim", "threads");
  p->batch = (size_t)get_int(cfg, "sim", "batch");
  const double limit_MiB = get_num(cfg, "sim", "memory_limit_MiB");
  p->memory_limit_bytes = limit_MiB > 0 ? limit_MiB * 1048576.0 : physical_memory_bytes();

  sf_projpot_options_default(&s->potential);
  const char *param = "kirkland";
  sf_config_get_string(cfg, "potential", "parameterization", &param);
  int status = sf_scatfac_param_from_name(param, &s->potential.param);
  if (status != SF_OK)
    return fail_at(cfg, "potential", "parameterization", param, status);
  s->potential.cutoff_tol = get_num(cfg, "potential", "cutoff_tol");
  s->potential.band_limit = p->band_limit;
  const char *projection = "infinite";
  sf_config_get_string(cfg, "potential", "projection", &projection);
  status = sf_projection_mode_from_name(projection, &p->projection);
  if (status != SF_OK)
    return fail_at(cfg, "potential", "projection", projection, status);
  return SF_OK;
}

int sf_simulate_setup_create(const sf_config *cfg, const char *config_dir,
                             sf_simulate_setup **out) {
  if (!cfg || !out)
    return sf_error_set(SF_EINVAL, "simulate: NULL argument");
  *out = NULL;
  sf_simulate_setup *s = calloc(1, sizeof *s);
  if (!s)
    return sf_error_set(SF_ENOMEM, "simulate: setup");
  s->cfg = cfg;
  sf_stem_params_default(&s->params);
  int status = build_structure(cfg, config_dir, s);
  if (status == SF_OK)
    status = choose_grid(cfg, s);
  if (status == SF_OK)
    status = fill_params(cfg, s);
  if (status == SF_OK)
    status = set_detectors(cfg, s);
  if (status == SF_OK)
    status = set_depths(cfg, s);
  if (status == SF_OK)
    status = set_phonons(cfg, s);
  if (status == SF_OK)
    status = make_scan(cfg, s);
  if (status == SF_OK) {
    bool png = true;
    sf_config_get_bool(cfg, "output", "png", &png);
    s->png = png ? 1 : 0;
    *out = s;
  } else {
    sf_simulate_setup_destroy(s);
  }
  return status;
}

void sf_simulate_setup_destroy(sf_simulate_setup *s) {
  if (!s)
    return;
  sf_free(s->detectors);
  sf_free(s->depth_slices);
  sf_structure_destroy(s->structure);
  sf_scan_destroy(s->scan);
  free(s);
}
