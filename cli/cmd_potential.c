/* cmd_potential.c - `stemfuse potential`: the projected-potential slices
   (V·Å per pixel, calibrated in Å) of one atom in a box, an XYZ structure or
   a crystal from the database, with the infinite or finite projection, as an
   EMD cube (x, y, slice) plus a PNG of the summed projection; optionally the
   transmission functions at a beam energy. */
#include "cli/sf_cli.h"
#include "cli/sf_cli_options.h"
#include "core/sf_alloc.h"
#include "core/sf_imageset.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_emd.h"
#include "io/sf_png.h"
#include "io/sf_xyz.h"
#include "potentials/sf_elements.h"
#include "potentials/sf_projpot.h"
#include "potentials/sf_scattering.h"
#include "potentials/sf_slice_finite.h"
#include "sim/sf_crystal.h"
#include "sim/sf_structure.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Registered in cli/commands.c; declared here too so that this file builds
   with -Wmissing-prototypes before cli/sf_cli.h lists it. */

#define CMD "potential"
/* Largest grid side (pixels) accepted. */
#define MAX_PIXELS 8192
/* b must be a whole number of pixels within this fraction of a pixel. */
#define GRID_MISMATCH 0.01
/* Largest number of slices accepted. */
#define MAX_SLICES 10000

typedef struct options {
  const char *element, *xyz, *crystal, *cells, *zone, *param, *projection, *png, *out;
  double box_A, sampling_A, slice_A, energy_keV, band_limit, cutoff_tol;
  int no_png, force;
} options;

/* "001", "1-10", "[110]": three single-digit indices with optional signs. */
static int parse_zone(const char *text, int uvw[3]) {
  const char *s = text;
  if (*s == '[')
    ++s;
  for (int k = 0; k < 3; ++k) {
    int sign = 1;
    if (*s == '-') {
      sign = -1;
      ++s;
    }
    if (*s < '0' || *s > '9')
      return -1;
    uvw[k] = sign * (*s++ - '0');
  }
  if (*s == ']')
    ++s;
  return *s || (uvw[0] == 0 && uvw[1] == 0 && uvw[2] == 0) ? -1 : 0;
}

/* "4x4x5" or "4" (4x4x4). */
static int parse_cells(const char *text, int n[3]) {
  const char *s = text;
  long v[3];
  int k = 0;
  for (;;) {
    char *end;
    errno = 0;
    v[k] = strtol(s, &end, 10);
    if (end == s || errno || v[k] < 1 || v[k] > 1000)
      return -1;
    s = end;
    ++k;
    if (*s != 'x' || k == 3)
      break;
    ++s;
  }
  if (*s || (k != 1 && k != 3))
    return -1;
  for (int q = 0; q < 3; ++q)
    n[q] = (int)(k == 1 ? v[0] : v[q]);
  return 0;
}

static void default_png_path(const char *out, char *png, size_t size) {
  snprintf(png, size, "%s", out);
  char *dot = strrchr(png, '.');
  char *slash = strrchr(png, '/');
  if (dot && (!slash || dot > slash))
    *dot = '\0';
  const size_t len = strlen(png);
  snprintf(png + len, size - len, ".png");
}

/* Everything the options say, checked before any work. */
typedef struct plan {
  int Z;                       /* --element */
  int uvw[3], cells[3];        /* --crystal */
  sf_projection_mode mode;
  sf_projpot_options popt;
  const char *png;
} plan;

static int check_options(const options *o, plan *p) {
  if (!o->out)
    return sf_cli_usage_error(CMD, "missing -o OUT.emd");
  if ((o->element != NULL) + (o->xyz != NULL) + (o->crystal != NULL) != 1)
    return sf_cli_usage_error(CMD, "give exactly one of --element, --xyz, --crystal");
  if (o->element && sf_element_from_symbol(o->element, &p->Z) != SF_OK)
    return sf_cli_usage_error(CMD, "--element %s: not an element symbol (H .. Lr)", o->element);
  if (!o->element && o->box_A != 0.0)
    return sf_cli_usage_error(CMD, "--box-A is for --element; a structure brings its cell");
  if (o->element && !(o->box_A > 0.0 && isfinite(o->box_A)))
    return sf_cli_usage_error(CMD, "--box-A %g: must be > 0 (Å)", o->box_A);
  if (!o->crystal && (o->cells || o->zone))
    return sf_cli_usage_error(CMD, "--cells and --zone are for --crystal");
  p->uvw[0] = p->uvw[1] = 0;
  p->uvw[2] = 1;
  p->cells[0] = p->cells[1] = p->cells[2] = 1;
  if (o->zone && parse_zone(o->zone, p->uvw))
    return sf_cli_usage_error(CMD, "--zone %s: expected three indices, e.g. 001, 110, 1-10",
                              o->zone);
  if (o->cells && parse_cells(o->cells, p->cells))
    return sf_cli_usage_error(CMD, "--cells %s: expected N1xN2xN3 (each 1..1000)", o->cells);
  sf_projpot_options_default(&p->popt);
  if (o->param && sf_scatfac_param_from_name(o->param, &p->popt.param) != SF_OK)
    return sf_cli_usage_error(CMD, "--parameterization %s: expected kirkland, lobato or peng",
                              o->param);
  p->mode = SF_PROJECTION_INFINITE;
  if (o->projection && sf_projection_mode_from_name(o->projection, &p->mode) != SF_OK)
    return sf_cli_usage_error(CMD, "--projection %s: expected infinite or finite", o->projection);
  if (!(o->sampling_A > 0.0 && isfinite(o->sampling_A)))
    return sf_cli_usage_error(CMD, "--sampling-A %g: must be > 0 (Å)", o->sampling_A);
  if (!isnan(o->slice_A) && !(o->slice_A > 0.0 && isfinite(o->slice_A)))
    return sf_cli_usage_error(CMD, "--slice-A %g: must be > 0 (Å)", o->slice_A);
  if (o->element && o->slice_A > o->box_A)
    return sf_cli_usage_error(CMD, "--slice-A %g is thicker than the box (--box-A %g)",
                              o->slice_A, o->box_A);
  if (!(o->band_limit >= 0.0 && o->band_limit <= 1.0))
    return sf_cli_usage_error(CMD, "--band-limit %g: a fraction of Nyquist in (0, 1], or 0",
                              o->band_limit);
  if (!(o->cutoff_tol > 0.0 && o->cutoff_tol < 1.0))
    return sf_cli_usage_error(CMD, "--cutoff-tol %g: must lie in (0, 1)", o->cutoff_tol);
  if (o->energy_keV != 0.0 && !(o->energy_keV > 0.0 && isfinite(o->energy_keV)))
    return sf_cli_usage_error(CMD, "--energy-keV %g: must be > 0 (keV)", o->energy_keV);
  p->popt.band_limit = o->band_limit;
  p->popt.cutoff_tol = o->cutoff_tol;
  p->png = NULL;
  return 0;
}

/* The atoms (as a structure) of the requested source. */
static int build_structure(const options *o, const plan *p, sf_structure **out) {
  *out = NULL;
  if (o->element) {
    SF_TRY(sf_structure_create(o->box_A, o->box_A, o->box_A, out));
    return sf_structure_append(*out, p->Z, 0.5 * o->box_A, 0.5 * o->box_A, 0.5 * o->box_A, 1.0,
                               0.0);
  }
  if (o->xyz)
    return sf_io_xyz_read(o->xyz, SF_XYZ_AUTO, out, NULL, 0);
  const sf_crystal *c = NULL;
  SF_TRY(sf_crystal_find(o->crystal, &c));
  sf_structure *cell = NULL;
  sf_crystal_cell_info info;
  SF_TRY(sf_crystal_cell(c, p->uvw, 0.0, 0, &cell, &info));
  const int status = sf_structure_supercell(cell, p->cells[0], p->cells[1], p->cells[2], out);
  sf_structure_destroy(cell);
  return status;
}

/* Square pixels of side <= h_max with a whole number of pixels on a and b
   (b within GRID_MISMATCH of a pixel). */
static int choose_grid(double a, double b, double h_max, size_t *nx, size_t *ny, double *h) {
  const double nx_min = ceil(a / h_max - 1e-9);
  if (nx_min > MAX_PIXELS || b / h_max > MAX_PIXELS)
    return sf_error_set(SF_ERANGE, "--sampling-A %g: the %g x %g Å cell would need more than %d "
                        "pixels on a side", h_max, a, b, MAX_PIXELS);
  for (size_t n = nx_min < 2 ? 2 : (size_t)nx_min; n <= 2 * (size_t)nx_min + 16; ++n) {
    const double step = a / (double)n, m = round(b / step);
    if (m >= 2 && fabs(m * step - b) <= GRID_MISMATCH * step) {
      *nx = n;
      *ny = (size_t)m;
      *h = step;
      return SF_OK;
    }
  }
  return sf_error_set(SF_EINVAL, "the cell %g x %g Å cannot be divided into square pixels of at "
                      "most %g Å (--sampling-A)", a, b, h_max);
}

/* Copy the slices (slice k at vz + k*npix) into a cube map and a summed map. */
static int add_maps(const sf_projpot *pp, const double *vz, size_t n_slices, double dz,
                    sf_projection_mode mode, sf_imageset *set, sf_map **sum_out) {
  size_t nx = 0, ny = 0;
  double h = 0.0;
  sf_projpot_grid(pp, &nx, &ny, &h);
  const size_t npix = nx * ny;
  sf_map *cube = NULL, *sum = NULL;
  SF_TRY(sf_imageset_add_map(set, "slices_vz", SF_F64, nx, ny, n_slices, &cube));
  SF_TRY(sf_imageset_add_map(set, "projected_vz", SF_F64, nx, ny, 1, &sum));
  double *c = cube->data, *s = sum->data;
  for (size_t i = 0; i < npix; ++i) {
    double total = 0.0;
    for (size_t k = 0; k < n_slices; ++k) {
      c[i * n_slices + k] = vz[k * npix + i];
      total += vz[k * npix + i];
    }
    s[i] = total;
  }
  sf_map *maps[2] = {cube, sum};
  for (int q = 0; q < 2; ++q) {
    sf_map *m = maps[q];
    snprintf(m->quantity, sizeof m->quantity, "Projected potential");
    snprintf(m->units, sizeof m->units, "V·Å");
    SF_TRY(sf_map_set_axis(m, 0, "x", "Å", 0.0, h));
    SF_TRY(sf_map_set_axis(m, 1, "y", "Å", 0.0, h));
    SF_TRY(sf_slice_attrs(pp, mode, dz, &m->attrs, ""));
  }
  SF_TRY(sf_map_set_axis(cube, 2, "z", "Å", 0.0, dz));
  SF_TRY(sf_attrs_set_int(&cube->attrs, "", "n_slices", (int64_t)n_slices));
  SF_TRY(sf_attrs_set_string(&cube->attrs, "", "z_axis", "depth of each slice's entrance"));
  SF_TRY(sf_attrs_set_string(&sum->attrs, "", "summed_over", "all slices"));
  *sum_out = sum;
  return SF_OK;
}

/* Transmission functions t = exp(i sigma v_z), band-limited, as two float cubes. */
static int add_transmission(sf_projpot *pp, const double *vz, size_t n_slices, double dz,
                            sf_projection_mode mode, double energy_keV, sf_imageset *set) {
  size_t nx = 0, ny = 0;
  double h = 0.0;
  sf_projpot_grid(pp, &nx, &ny, &h);
  const size_t npix = nx * ny;
  sf_map *re = NULL, *im = NULL;
  SF_TRY(sf_imageset_add_map(set, "transmission_real", SF_F32, nx, ny, n_slices, &re));
  SF_TRY(sf_imageset_add_map(set, "transmission_imag", SF_F32, nx, ny, n_slices, &im));
  fftwf_complex *t = fftwf_alloc_complex(npix);
  if (!t)
    return sf_error_set(SF_ENOMEM, "transmission functions: out of memory");
  float *r = re->data, *m = im->data;
  int status = SF_OK;
  for (size_t k = 0; k < n_slices && status == SF_OK; ++k) {
    status = sf_projpot_transmission(pp, vz + k * npix, energy_keV, t);
    for (size_t i = 0; status == SF_OK && i < npix; ++i) {
      r[i * n_slices + k] = t[i][0];
      m[i * n_slices + k] = t[i][1];
    }
  }
  fftwf_free(t);
  SF_TRY(status);
  sf_map *maps[2] = {re, im};
  for (int q = 0; q < 2; ++q) {
    snprintf(maps[q]->quantity, sizeof maps[q]->quantity,
             q ? "Transmission function (imaginary part)" : "Transmission function (real part)");
    snprintf(maps[q]->units, sizeof maps[q]->units, "1");
    SF_TRY(sf_map_set_axis(maps[q], 0, "x", "Å", 0.0, h));
    SF_TRY(sf_map_set_axis(maps[q], 1, "y", "Å", 0.0, h));
    SF_TRY(sf_map_set_axis(maps[q], 2, "z", "Å", 0.0, dz));
    SF_TRY(sf_slice_attrs(pp, mode, dz, &maps[q]->attrs, ""));
    SF_TRY(sf_attrs_set_double(&maps[q]->attrs, "", "energy_keV", energy_keV));
  }
  return SF_OK;
}

static int run(const options *o, const plan *p, sf_structure *s) {
  const double a = s->cell_A[0], b = s->cell_A[1], depth = s->cell_A[2];
  const double dz = isnan(o->slice_A) ? depth : o->slice_A;
  if (dz > depth * (1.0 + 1e-12))
    return sf_error_set(SF_EINVAL, "--slice-A %g is thicker than the structure (%g Å deep)", dz,
                        depth);
  const double n_real = ceil(depth / dz - 1e-9);
  if (n_real > MAX_SLICES)
    return sf_error_set(SF_ERANGE, "--slice-A %g: %g Å deep would need more than %d slices", dz,
                        depth, MAX_SLICES);
  const size_t n_slices = n_real < 1.0 ? 1 : (size_t)n_real;
  size_t nx = 0, ny = 0;
  double h = 0.0;
  SF_TRY(choose_grid(a, b, o->sampling_A, &nx, &ny, &h));
  size_t partial = 0;
  for (size_t i = 0; i < s->count; ++i)
    partial += s->occupancy[i] < 1.0;
  if (partial)
    sf_log(SF_LOG_WARN, "%zu atoms with occupancy < 1 are counted as full atoms", partial);

  sf_slice_atom *atoms = sf_alloc(s->count ? s->count : 1, sizeof *atoms, "atoms");
  double *vz = sf_alloc(n_slices * nx * ny, sizeof *vz, "projected-potential slices");
  sf_projpot *pp = NULL;
  sf_imageset *set = sf_imageset_create();
  int status = atoms && vz && set ? SF_OK : SF_ENOMEM;
  for (size_t i = 0; status == SF_OK && i < s->count; ++i)
    atoms[i] = (sf_slice_atom){s->Z[i], s->x_A[i], s->y_A[i], s->z_A[i]};
  if (status == SF_OK)
    status = sf_projpot_create(nx, ny, h, &p->popt, &pp);
  if (status == SF_OK)
    status = sf_slice_stack_vz(pp, NULL, p->mode, atoms, s->count, 0.0, dz, n_slices, vz);
  sf_map *sum = NULL;
  if (status == SF_OK)
    status = add_maps(pp, vz, n_slices, dz, p->mode, set, &sum);
  if (status == SF_OK && o->energy_keV > 0.0)
    status = add_transmission(pp, vz, n_slices, dz, p->mode, o->energy_keV, set);
  if (status == SF_OK)
    status = sf_imageset_set_provenance(set, sf_cli_argc, sf_cli_argv, 0, 0, NULL);
  if (status == SF_OK)
    status = sf_io_emd_write(set, o->out, o->force);
  if (status == SF_OK && p->png)
    status = sf_io_png_write_map(sum, 0, p->png, 0.0, 100.0, o->force);
  if (status == SF_OK) {
    sf_out("%s: %zu atoms, %zu slices of %g Å (%s projection, %s), %zu x %zu pixels of %.6g Å\n",
           o->out, s->count, n_slices, dz, sf_projection_mode_name(p->mode),
           sf_scatfac_param_name(p->popt.param), nx, ny, h);
    if (p->png)
      sf_out("%s\n", p->png);
  }
  sf_imageset_destroy(set);
  sf_projpot_destroy(pp);
  sf_free(vz);
  sf_free(atoms);
  return status;
}

int sf_cmd_potential(int argc, char **argv) {
  options o;
  memset(&o, 0, sizeof o);
  o.sampling_A = 0.05;
  o.slice_A = NAN; /* not given: the whole depth */
  o.band_limit = SF_PROJPOT_BAND_LIMIT_DEFAULT;
  o.cutoff_tol = SF_PROJPOT_CUTOFF_TOL_DEFAULT;
  const sf_cli_option opts[] = {
      {"output", 'o', SF_OPT_STRING, &o.out, "OUT.emd", "output EMD file (required)"},
      {"element", 0, SF_OPT_STRING, &o.element, "SYM", "one atom at the centre of a cubic box"},
      {"box-A", 0, SF_OPT_DOUBLE, &o.box_A, "L", "box edge for --element (Å)"},
      {"xyz", 0, SF_OPT_STRING, &o.xyz, "FILE.xyz", "or a Kirkland / extended XYZ structure"},
      {"crystal", 0, SF_OPT_STRING, &o.crystal, "NAME", "or a crystal from the database"},
      {"cells", 0, SF_OPT_STRING, &o.cells, "N1xN2xN3", "repeats of the zone-axis cell (1x1x1)"},
      {"zone", 0, SF_OPT_STRING, &o.zone, "UVW", "zone axis along z (default 001)"},
      {"sampling-A", 0, SF_OPT_DOUBLE, &o.sampling_A, "H",
       "largest pixel side (Å, default 0.05; square pixels tiling the cell)"},
      {"slice-A", 0, SF_OPT_DOUBLE, &o.slice_A, "DZ",
       "slice thickness (Å; default the whole depth: one slice)"},
      {"parameterization", 0, SF_OPT_STRING, &o.param, "NAME",
       "kirkland (default), lobato or peng"},
      {"projection", 0, SF_OPT_STRING, &o.projection, "MODE",
       "infinite (default: each atom in the slice of its centre) or finite (split by depth)"},
      {"band-limit", 0, SF_OPT_DOUBLE, &o.band_limit, "F",
       "fraction of Nyquist kept in transmission functions (default 2/3; 0 = none)"},
      {"cutoff-tol", 0, SF_OPT_DOUBLE, &o.cutoff_tol, "T",
       "relative plane-integral tolerance of the cutoff radius (default 1e-3)"},
      {"energy-keV", 0, SF_OPT_DOUBLE, &o.energy_keV, "E",
       "also write the transmission functions at this beam energy"},
      {"png", 0, SF_OPT_STRING, &o.png, "FILE.png", "summed projection (default OUT.png)"},
      {"no-png", 0, SF_OPT_FLAG, &o.no_png, NULL, "do not write the PNG"},
      {"force", 0, SF_OPT_FLAG, &o.force, NULL, "overwrite existing outputs"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const sf_cli_spec spec = {
      CMD, "(--element SYM --box-A L | --xyz FILE.xyz | --crystal NAME) [options] -o OUT.emd",
      "Write the projected potential of a structure's slices in V·Å per pixel (x, y in Å) as the\n"
      "EMD cube 'slices_vz' (x, y, slice; z axis = slice entrance depth in Å) and the summed map\n"
      "'projected_vz', with a PNG of the sum. Attributes record the parameterization with its\n"
      "citation and DOI, the projection mode, cutoff, band limit, slice thickness and sampling.\n"
      "With --energy-keV the band-limited transmission functions exp(i sigma v_z) are added as\n"
      "'transmission_real' and 'transmission_imag'. Examples:\n"
      "  stemfuse potential --element Si --box-A 10 --sampling-A 0.05 --slice-A 10 \\\n"
      "      --parameterization kirkland --projection finite -o si.emd\n"
      "  stemfuse potential --crystal SrTiO3 --cells 4x4x5 --zone 001 --slice-A 1.9525 -o sto.emd",
      opts, 0, 0};
  const char *pos[1];
  int npos = 0;
  int rc = sf_cli_parse(&spec, argc, argv, pos, &npos);
  if (rc >= 0)
    return rc;
  plan p;
  memset(&p, 0, sizeof p);
  if ((rc = check_options(&o, &p)))
    return rc;
  char png_buf[4096];
  if (!o.no_png) {
    if (o.png)
      snprintf(png_buf, sizeof png_buf, "%s", o.png);
    else
      default_png_path(o.out, png_buf, sizeof png_buf);
    if (strcmp(png_buf, o.out) == 0)
      return sf_cli_usage_error(CMD, "the PNG path %s is the output path", png_buf);
    p.png = png_buf;
  }
  /* Refuse before any work when an output exists, so nothing is half written. */
  struct stat st;
  const char *exists = stat(o.out, &st) == 0 ? o.out
                       : (p.png && stat(p.png, &st) == 0) ? p.png
                                                          : NULL;
  if (!o.force && exists) {
    sf_error_set(SF_EEXIST, "%s: output already exists (use --force to overwrite)", exists);
    return sf_cli_fail(CMD, SF_EEXIST);
  }
  sf_structure *s = NULL;
  int status = build_structure(&o, &p, &s);
  if (status == SF_OK)
    status = run(&o, &p, s);
  sf_structure_destroy(s);
  return status == SF_OK ? 0 : sf_cli_fail(CMD, status);
}
