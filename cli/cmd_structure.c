/* cmd_structure.c - `stemfuse structure`: build a crystal cell, supercell,
   particle or core-shell particle from the unit-cell database (or read an
   XYZ file), optionally substitute, set thermal factors and pad vacuum, then
   write Kirkland (or extended) XYZ and a PNG of the projection along z. */
#include "cli/sf_cli.h"
#include "cli/sf_cli_options.h"
#include "core/sf_imageset.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_png.h"
#include "io/sf_xyz.h"
#include "potentials/sf_elements.h"
#include "potentials/sf_phonon.h"
#include "sf_version.h"
#include "sim/sf_crystal.h"
#include "sim/sf_structure.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CMD "structure"
/* Radius of the atom discs in the preview (Å). */
#define PREVIEW_DISC_A 0.5
/* Vacuum on each side of a particle when --vacuum-A is not given (Å). */
#define PARTICLE_VACUUM_A 5.0

typedef struct options {
  const char *crystal, *input, *zone, *cells, *cuboid, *octahedron, *core_shell, *substitute;
  const char *vacuum, *format, *png, *out;
  double sphere_A, core_radius_A, shell_A, min_sep_A, angle_tol_deg, pixel_A;
  long seed, max_index;
  int list, center, no_png, force;
  sf_cli_list thermal;
} options;

/* "001", "1-10", "-201", "[110]", "1,1,0" or "1 -1 2" into three integers. */
static int parse_zone(const char *text, int uvw[3]) {
  char buf[64];
  size_t n = 0;
  for (const char *p = text; *p && n + 1 < sizeof buf; ++p)
    if (*p != '[' && *p != ']')
      buf[n++] = *p;
  buf[n] = '\0';
  if (strpbrk(buf, ", ")) {
    char *s = buf, *end;
    for (int k = 0; k < 3; ++k) {
      while (*s == ',' || *s == ' ')
        ++s;
      errno = 0;
      long v = strtol(s, &end, 10);
      if (end == s || errno || labs(v) > 1000)
        return -1;
      uvw[k] = (int)v;
      s = end;
    }
    while (*s == ',' || *s == ' ')
      ++s;
    return *s ? -1 : 0;
  }
  const char *s = buf;
  for (int k = 0; k < 3; ++k) {
    int sign = 1;
    if (*s == '-') {
      sign = -1;
      ++s;
    }
    if (*s < '0' || *s > '9')
      return -1;
    uvw[k] = sign * (*s - '0');
    ++s;
  }
  return *s ? -1 : 0;
}

/* "4x4x5" or "4" (4x4x4). */
static int parse_cells(const char *text, int n[3]) {
  char *end;
  long v[3];
  int k = 0;
  const char *s = text;
  for (; k < 3; ++k) {
    errno = 0;
    v[k] = strtol(s, &end, 10);
    if (end == s || errno || v[k] < 1 || v[k] > 10000)
      return -1;
    s = end;
    if (*s != 'x')
      break;
    ++s;
  }
  if (*s)
    return -1;
  if (k == 0)
    v[1] = v[2] = v[0];
  else if (k != 2)
    return -1;
  for (int q = 0; q < 3; ++q)
    n[q] = (int)v[q];
  return 0;
}

/* "5" (all three) or "X,Y,Z": numbers >= 0. */
static int parse_triple(const char *text, double v[3], int allow_one) {
  char *end;
  const char *s = text;
  int k = 0;
  for (; k < 3; ++k) {
    errno = 0;
    v[k] = strtod(s, &end);
    if (end == s || errno || !isfinite(v[k]) || v[k] < 0)
      return -1;
    s = end;
    if (*s != ',')
      break;
    ++s;
  }
  if (*s)
    return -1;
  if (k == 0 && allow_one) {
    v[1] = v[2] = v[0];
    return 0;
  }
  return k == 2 ? 0 : -1;
}

static void list_crystals(void) {
  sf_out("%-16s %-8s %-42s %s\n", "name", "formula", "structure", "cell (Å, deg), atoms, source");
  for (size_t i = 0; i < sf_crystal_count(); ++i) {
    const sf_crystal *c = sf_crystal_get(i);
    sf_out("%-16s %-8s %-42s a %.6g b %.6g c %.6g, %g %g %g, %d atoms; %s\n", c->name, c->formula,
           c->description, c->a_A, c->b_A, c->c_A, c->alpha_deg, c->beta_deg, c->gamma_deg,
           c->atoms_per_cell, c->source);
    for (int s = 0; s < c->n_sites; ++s)
      sf_out("    site %-7s %-20s Z %-3d occupancy %.3g, B %.3g Å^2 (%s)\n", c->sites[s].label,
             c->sites[s].wyckoff, c->sites[s].Z, c->sites[s].occupancy, c->sites[s].B_A2,
             c->sites[s].B_source);
  }
}

static int find_crystal(const char *name, const sf_crystal **c) {
  if (sf_crystal_find(name, c) != SF_OK)
    return sf_cli_fail(CMD, SF_ENOENT);
  return 0;
}

/* The particle shape requested, if any (1), in the crystal frame at the origin. */
static int particle_shape(const options *o, sf_shape *shape) {
  memset(shape, 0, sizeof *shape);
  int n = (o->sphere_A > 0) + (o->cuboid != NULL) + (o->octahedron != NULL);
  if (n > 1)
    return sf_cli_usage_error(CMD, "give only one of --sphere-A, --cuboid-A, --octahedron-A");
  if (o->sphere_A > 0) {
    shape->kind = SF_SHAPE_SPHERE;
    shape->radius_A = o->sphere_A;
    return 1;
  }
  double v[3];
  if (o->cuboid) {
    if (parse_triple(o->cuboid, v, 1) || !(v[0] > 0 && v[1] > 0 && v[2] > 0))
      return sf_cli_usage_error(CMD, "--cuboid-A %s: expected X,Y,Z edge lengths > 0 (Å)",
                                o->cuboid);
    shape->kind = SF_SHAPE_CUBOID;
    for (int k = 0; k < 3; ++k)
      shape->half_A[k] = 0.5 * v[k];
    return 1;
  }
  if (o->octahedron) {
    char *end;
    errno = 0;
    double d100 = strtod(o->octahedron, &end), d111 = 0;
    if (*end == ',')
      d111 = strtod(end + 1, &end);
    if (*end || errno || !(d100 > 0) || !(d111 > 0))
      return sf_cli_usage_error(CMD,
                                "--octahedron-A %s: expected D100,D111 (facet distances, Å, > 0)",
                                o->octahedron);
    shape->kind = SF_SHAPE_TRUNC_OCT;
    shape->d100_A = d100;
    shape->d111_A = d111;
    return 1;
  }
  return 0;
}

/* FROM:TO:FRACTION[:SITE] */
static int substitute(const options *o, sf_structure *s, const sf_crystal *c, int tag_offset,
                      const sf_crystal *c2) {
  char buf[128];
  snprintf(buf, sizeof buf, "%s", o->substitute);
  char *save = NULL;
  char *from = strtok_r(buf, ":", &save), *to = strtok_r(NULL, ":", &save);
  char *frac = strtok_r(NULL, ":", &save), *site = strtok_r(NULL, ":", &save);
  int zf = 0, zt = 0, tag = -1;
  char *end = NULL;
  double f = frac ? strtod(frac, &end) : NAN;
  if (!from || !to || !frac || *end || strtok_r(NULL, ":", &save) ||
      sf_element_from_symbol(from, &zf) != SF_OK || sf_element_from_symbol(to, &zt) != SF_OK)
    return sf_cli_usage_error(CMD, "--substitute %s: expected FROM:TO:FRACTION[:SITE], e.g. "
                                   "Co:Mn:0.1:Co_oct",
                              o->substitute);
  if (site) {
    if (!c)
      return sf_cli_usage_error(CMD, "--substitute %s: sites are known only for --crystal",
                                o->substitute);
    if (sf_crystal_site_find(c, site, &tag) != SF_OK) {
      if (!c2 || sf_crystal_site_find(c2, site, &tag) != SF_OK)
        return sf_cli_fail(CMD, SF_ENOENT);
      tag += tag_offset;
    }
  }
  size_t n = 0;
  if (sf_structure_substitute(s, zf, tag, zt, f, (uint64_t)o->seed, &n) != SF_OK)
    return sf_cli_fail(CMD, SF_EINVAL);
  sf_log(SF_LOG_NOTE, "substituted %zu %s by %s (seed %ld)", n, from, to, o->seed);
  return 0;
}

static int apply_thermal(const options *o, sf_structure *s) {
  for (int i = 0; i < o->thermal.count; ++i) {
    int Z = 0;
    double u = 0;
    if (sf_phonon_thermal_parse(o->thermal.items[i], &Z, &u) != SF_OK)
      return sf_cli_usage_error(CMD, "--thermal: %s", sf_error_message());
    if (Z == 0)
      for (size_t k = 0; k < s->count; ++k)
        s->u_rms_A[k] = u;
    else if (sf_structure_set_u_rms_Z(s, Z, u, NULL) != SF_OK)
      return sf_cli_fail(CMD, SF_EINVAL);
  }
  return 0;
}

/* Build the structure from the database. */
static int build_crystal(const options *o, sf_structure **out) {
  const sf_crystal *c = NULL, *c2 = NULL;
  int uvw[3] = {0, 0, 1}, cells[3] = {1, 1, 1};
  if (o->zone && parse_zone(o->zone, uvw))
    return sf_cli_usage_error(CMD, "--zone %s: expected three indices, e.g. 001, 1-10, 1,1,2",
                              o->zone);
  if (o->cells && parse_cells(o->cells, cells))
    return sf_cli_usage_error(CMD, "--cells %s: expected N1xN2xN3 (each 1..10000)", o->cells);
  sf_shape shape;
  int particle = particle_shape(o, &shape);
  if (particle > 1)
    return particle;
  int rc = 0;
  if (o->core_shell) {
    char names[128];
    snprintf(names, sizeof names, "%s", o->core_shell);
    char *colon = strchr(names, ':');
    if (!colon || particle)
      return sf_cli_usage_error(CMD, "--core-shell %s: expected CORE:SHELL (two database names) "
                                     "with --core-radius-A and --shell-A, and no other shape",
                                o->core_shell);
    *colon = '\0';
    if (!(o->core_radius_A > 0) || !(o->shell_A > 0))
      return sf_cli_usage_error(CMD, "--core-shell needs --core-radius-A R > 0 and --shell-A T "
                                     "> 0 (Å)");
    if ((rc = find_crystal(names, &c)) || (rc = find_crystal(colon + 1, &c2)))
      return rc;
    sf_shape core = {SF_SHAPE_SPHERE, {0, 0, 0}, o->core_radius_A, {0, 0, 0}, 0, 0, 0, 0};
    sf_shape outer = core;
    outer.radius_A = o->core_radius_A + o->shell_A;
    size_t removed = 0;
    if (sf_crystal_core_shell(c, c2, uvw, &core, &outer, o->min_sep_A, PARTICLE_VACUUM_A, out,
                              &removed) != SF_OK)
      return sf_cli_fail(CMD, SF_EINVAL);
    sf_log(SF_LOG_NOTE, "core-shell %s/%s [%d %d %d]: %zu shell atoms within %g Å of the core "
                        "removed",
           c->name, c2->name, uvw[0], uvw[1], uvw[2], removed, o->min_sep_A);
  } else {
    if ((rc = find_crystal(o->crystal, &c)))
      return rc;
    if (particle) {
      if (sf_crystal_particle(c, uvw, &shape, PARTICLE_VACUUM_A, out) != SF_OK)
        return sf_cli_fail(CMD, SF_EINVAL);
    } else {
      sf_structure *cell = NULL;
      sf_crystal_cell_info info;
      if (sf_crystal_cell(c, uvw, o->angle_tol_deg, (int)o->max_index, &cell, &info) != SF_OK)
        return sf_cli_fail(CMD, SF_EUNSUPPORTED);
      int status = sf_structure_supercell(cell, cells[0], cells[1], cells[2], out);
      sf_structure_destroy(cell);
      if (status != SF_OK)
        return sf_cli_fail(CMD, status);
      sf_log(SF_LOG_NOTE,
             "%s [%d %d %d]: repeat vectors t1 = [%d %d %d], t2 = [%d %d %d], t3 = [%d %d %d] "
             "(%.6g x %.6g x %.6g Å, %zu atoms, largest angle deviation %.3g deg)",
             c->name, uvw[0], uvw[1], uvw[2], info.repeat[0][0], info.repeat[0][1],
             info.repeat[0][2], info.repeat[1][0], info.repeat[1][1], info.repeat[1][2],
             info.repeat[2][0], info.repeat[2][1], info.repeat[2][2], info.length_A[0],
             info.length_A[1], info.length_A[2], info.atoms, info.max_angle_dev_deg);
    }
  }
  if (o->substitute && (rc = substitute(o, *out, c, c ? c->n_sites : 0, c2)))
    return rc;
  return 0;
}

/* Read an XYZ file and apply supercell and carving in its own frame. */
static int build_from_file(const options *o, sf_structure **out) {
  if (o->zone || o->core_shell || o->max_index || o->angle_tol_deg > 0)
    return sf_cli_usage_error(CMD, "--zone, --core-shell, --max-index and --angle-tol-deg need "
                                   "--crystal");
  int cells[3] = {1, 1, 1};
  if (o->cells && parse_cells(o->cells, cells))
    return sf_cli_usage_error(CMD, "--cells %s: expected N1xN2xN3 (each 1..10000)", o->cells);
  sf_shape shape;
  int particle = particle_shape(o, &shape);
  if (particle > 1)
    return particle;
  sf_structure *s = NULL, *t = NULL;
  if (sf_io_xyz_read(o->input, SF_XYZ_AUTO, &s, NULL, 0) != SF_OK)
    return sf_cli_fail(CMD, SF_EFORMAT);
  int status = sf_structure_supercell(s, cells[0], cells[1], cells[2], &t);
  sf_structure_destroy(s);
  if (status == SF_OK && particle) {
    for (int k = 0; k < 3; ++k)
      shape.centre_A[k] = 0.5 * t->cell_A[k];
    status = sf_structure_carve(t, &shape, 1);
    if (status == SF_OK && t->count == 0)
      status = sf_error_set(SF_EINVAL, "%s: no atom lies inside the shape", o->input);
    const double vac[3] = {PARTICLE_VACUUM_A, PARTICLE_VACUUM_A, PARTICLE_VACUUM_A};
    if (status == SF_OK)
      status = sf_structure_pad_vacuum(t, vac);
  }
  if (status != SF_OK) {
    sf_structure_destroy(t);
    return sf_cli_fail(CMD, status);
  }
  *out = t;
  int rc = o->substitute ? substitute(o, t, NULL, 0, NULL) : 0;
  return rc;
}

static int finish(const options *o, sf_structure *s) {
  int rc = apply_thermal(o, s);
  if (rc)
    return rc;
  if (o->vacuum) {
    double v[3];
    if (parse_triple(o->vacuum, v, 1))
      return sf_cli_usage_error(CMD, "--vacuum-A %s: expected V or X,Y,Z (Å, >= 0)", o->vacuum);
    if (sf_structure_pad_vacuum(s, v) != SF_OK)
      return sf_cli_fail(CMD, SF_EINVAL);
  }
  if (o->center) {
    const int axes[3] = {1, 1, 1};
    if (sf_structure_center(s, axes) != SF_OK)
      return sf_cli_fail(CMD, SF_EINVAL);
  }
  return 0;
}

static void default_png_path(const char *out, char *png, size_t size) {
  snprintf(png, size, "%s", out);
  char *dot = strrchr(png, '.');
  char *slash = strrchr(png, '/');
  if (dot && (!slash || dot > slash))
    *dot = '\0';
  size_t len = strlen(png);
  snprintf(png + len, size - len, ".png");
}

static int write_outputs(const options *o, const sf_structure *s, const char *png) {
  char comment[1024];
  size_t used = (size_t)snprintf(comment, sizeof comment, "stemfuse %s:", SF_VERSION_STRING);
  for (int i = 0; i < sf_cli_argc && used < sizeof comment; ++i)
    used += (size_t)snprintf(comment + used, sizeof comment - used, " %s", sf_cli_argv[i]);
  sf_xyz_format fmt = SF_XYZ_KIRKLAND;
  if (o->format && strcmp(o->format, "extxyz") == 0)
    fmt = SF_XYZ_EXTENDED;
  SF_TRY(sf_io_xyz_write(s, o->out, fmt, comment, o->force));
  if (!png)
    return SF_OK;
  sf_imageset *set = sf_imageset_create();
  if (!set)
    return SF_ENOMEM;
  sf_map *m = NULL;
  int status = sf_structure_project(s, o->pixel_A, PREVIEW_DISC_A, set, "projection", &m);
  if (status == SF_OK)
    status = sf_io_png_write_map(m, 0, png, 0.0, 100.0, o->force);
  sf_imageset_destroy(set);
  return status;
}

static void print_summary(const options *o, const sf_structure *s, const char *png) {
  sf_out("%s: %zu atoms in %.6g x %.6g x %.6g Å\n", o->out, s->count, s->cell_A[0], s->cell_A[1],
         s->cell_A[2]);
  sf_out("  composition:");
  for (int Z = SF_ELEMENT_Z_MIN; Z <= SF_ELEMENT_Z_MAX; ++Z) {
    size_t n = sf_structure_count_Z(s, Z);
    if (n)
      sf_out(" %s %zu", sf_element_symbol(Z), n);
  }
  sf_out("\n");
  if (png)
    sf_out("%s\n", png);
}

int sf_cmd_structure(int argc, char **argv) {
  options o;
  memset(&o, 0, sizeof o);
  o.min_sep_A = 1.5;
  o.pixel_A = 0.1;
  o.seed = 1;
  const sf_cli_option opts[] = {
      {"output", 'o', SF_OPT_STRING, &o.out, "OUT.xyz", "output structure file (required)"},
      {"crystal", 0, SF_OPT_STRING, &o.crystal, "NAME", "build from the database (see --list)"},
      {"input", 'i', SF_OPT_STRING, &o.input, "FILE.xyz", "or read Kirkland / extended XYZ"},
      {"list", 0, SF_OPT_FLAG, &o.list, NULL, "list the crystal database and exit"},
      {"zone", 0, SF_OPT_STRING, &o.zone, "UVW",
       "zone axis along z: 001 (default), 110, 1-10, 1,1,2"},
      {"cells", 0, SF_OPT_STRING, &o.cells, "N1xN2xN3", "repeats of the zone-axis cell (1x1x1)"},
      {"angle-tol-deg", 0, SF_OPT_DOUBLE, &o.angle_tol_deg, "DEG",
       "accept near-orthogonal cells (monoclinic; default 0 = exact)"},
      {"max-index", 0, SF_OPT_INT, &o.max_index, "N", "largest repeat-vector index (default 8)"},
      {"sphere-A", 0, SF_OPT_DOUBLE, &o.sphere_A, "R", "carve a sphere of radius R (Å)"},
      {"cuboid-A", 0, SF_OPT_STRING, &o.cuboid, "X,Y,Z", "carve a cuboid with these edges (Å)"},
      {"octahedron-A", 0, SF_OPT_STRING, &o.octahedron, "D100,D111",
       "carve a truncated octahedron ({100}, {111} facet distances, Å)"},
      {"core-shell", 0, SF_OPT_STRING, &o.core_shell, "CORE:SHELL",
       "two-phase particle, e.g. CoS:CoO"},
      {"core-radius-A", 0, SF_OPT_DOUBLE, &o.core_radius_A, "R", "core radius (Å)"},
      {"shell-A", 0, SF_OPT_DOUBLE, &o.shell_A, "T", "shell thickness (Å)"},
      {"min-separation-A", 0, SF_OPT_DOUBLE, &o.min_sep_A, "D",
       "drop shell atoms closer than D to the core (default 1.5 Å)"},
      {"substitute", 0, SF_OPT_STRING, &o.substitute, "FROM:TO:FRAC[:SITE]",
       "seeded random substitution, e.g. Co:Mn:0.1:Co_oct"},
      {"seed", 0, SF_OPT_INT, &o.seed, "N", "seed for --substitute (default 1)"},
      {"thermal", 0, SF_OPT_LIST, &o.thermal, "[El:]B=V|u2=V|u=V",
       "set u_rms (B in Å^2, u2 = <u^2> in Å^2, u in Å); repeatable"},
      {"vacuum-A", 0, SF_OPT_STRING, &o.vacuum, "V|X,Y,Z",
       "vacuum on each side (0 keeps an axis periodic); particles get 5 Å"},
      {"center", 0, SF_OPT_FLAG, &o.center, NULL, "centre the atoms in the cell"},
      {"format", 0, SF_OPT_STRING, &o.format, "FMT", "kirkland (default) or extxyz"},
      {"png", 0, SF_OPT_STRING, &o.png, "FILE.png", "projection preview (default OUT.png)"},
      {"pixel-A", 0, SF_OPT_DOUBLE, &o.pixel_A, "P", "preview pixel size (default 0.1 Å)"},
      {"no-png", 0, SF_OPT_FLAG, &o.no_png, NULL, "do not write the preview"},
      {"force", 0, SF_OPT_FLAG, &o.force, NULL, "overwrite existing outputs"},
      {NULL, 0, 0, NULL, NULL, NULL},
  };
  const sf_cli_spec spec = {
      CMD, "(--crystal NAME | --core-shell CORE:SHELL | --input FILE.xyz) [options] "
           "-o OUT.xyz",
      "Build a structure and write it as Kirkland XYZ (Z x y z occupancy u_rms, Å) with a PNG of\n"
      "its projection along z (discs, brightness ~ occupancy * Z^1.7). From the database, the\n"
      "zone axis [uvw] goes along z in the smallest orthorhombic periodic cell (tiled by\n"
      "--cells), or a particle is carved (--sphere-A, --cuboid-A, --octahedron-A,\n"
      "--core-shell) and padded with vacuum. Examples:\n"
      "  stemfuse structure --crystal SrTiO3 --cells 4x4x5 --zone 001 -o sto.xyz\n"
      "  stemfuse structure --core-shell CoS:CoO --core-radius-A 15 --shell-A 5 -o cs.xyz",
      opts, 0, 0};
  const char *pos[1];
  int npos;
  int rc = sf_cli_parse(&spec, argc, argv, pos, &npos);
  if (rc >= 0)
    return rc;
  if (o.list) {
    list_crystals();
    return 0;
  }
  if (!o.out)
    return sf_cli_usage_error(CMD, "missing -o OUT.xyz");
  if ((o.crystal != NULL) + (o.input != NULL) + (o.core_shell != NULL) != 1)
    return sf_cli_usage_error(CMD, "give exactly one of --crystal, --input, --core-shell");
  if (o.format && strcmp(o.format, "kirkland") != 0 && strcmp(o.format, "extxyz") != 0)
    return sf_cli_usage_error(CMD, "--format %s: expected kirkland or extxyz", o.format);
  if (!(o.pixel_A > 0) || !(o.min_sep_A > 0) || o.sphere_A < 0 || o.seed < 0 ||
      o.max_index < 0)
    return sf_cli_usage_error(CMD, "--pixel-A, --min-separation-A must be > 0; --sphere-A, "
                                   "--seed, --max-index >= 0");
  char png_buf[4096];
  const char *png = NULL;
  if (!o.no_png) {
    if (o.png)
      snprintf(png_buf, sizeof png_buf, "%s", o.png);
    else
      default_png_path(o.out, png_buf, sizeof png_buf);
    png = png_buf;
  }
  /* Refuse before any work when an output exists, so nothing is half written. */
  struct stat st;
  if (!o.force && (stat(o.out, &st) == 0 || (png && stat(png, &st) == 0))) {
    sf_error_set(SF_EEXIST, "%s: output already exists (use --force to overwrite)",
                 stat(o.out, &st) == 0 ? o.out : png);
    return sf_cli_fail(CMD, SF_EEXIST);
  }

  sf_structure *s = NULL;
  rc = o.input ? build_from_file(&o, &s) : build_crystal(&o, &s);
  if (!rc)
    rc = finish(&o, s);
  if (!rc) {
    int status = write_outputs(&o, s, png);
    if (status != SF_OK)
      rc = sf_cli_fail(CMD, status);
    else
      print_summary(&o, s, png);
  }
  sf_structure_destroy(s);
  return rc;
}
