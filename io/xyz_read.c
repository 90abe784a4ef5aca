/* xyz_read.c - Kirkland XYZ (with Prismatic's comma variant) and extended
   XYZ readers; the formats and the error conventions are in sf_xyz.h. */
#include "io/sf_xyz.h"

#include "core/sf_log.h"
#include "core/sf_status.h"
#include "potentials/sf_elements.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Extended-XYZ lattice vectors may deviate from the axes by this fraction
   of their length and still count as orthogonal. */
#define LATTICE_ORTHO_TOL 1e-6
#define MAX_TOKENS 64

typedef struct reader {
  FILE *f;
  const char *path;
  char *line;
  size_t cap;
  long lineno;
} reader;

/* Next line without its end-of-line characters; 0 at end of file. */
static int next_line(reader *r) {
  errno = 0;
  ssize_t n = getline(&r->line, &r->cap, r->f);
  if (n < 0)
    return 0;
  ++r->lineno;
  while (n > 0 && (r->line[n - 1] == '\n' || r->line[n - 1] == '\r'))
    r->line[--n] = '\0';
  return 1;
}

static int is_blank(const char *s) {
  for (; *s; ++s)
    if (!isspace((unsigned char)*s))
      return 0;
  return 1;
}

/* Split in place at blanks (and commas when `commas`); returns the number of
   tokens (those beyond max are counted, not stored). */
static int split(char *s, int commas, char **tok, int max) {
  int n = 0;
  for (;;) {
    while (*s && (isspace((unsigned char)*s) || (commas && *s == ',')))
      ++s;
    if (!*s)
      return n;
    if (n < max)
      tok[n] = s;
    ++n;
    while (*s && !isspace((unsigned char)*s) && !(commas && *s == ','))
      ++s;
    if (*s)
      *s++ = '\0';
  }
}

static int parse_number(const reader *r, const char *tok, const char *what, double *v) {
  errno = 0;
  char *end = NULL;
  *v = strtod(tok, &end);
  if (end == tok || *end != '\0' || errno == ERANGE || !isfinite(*v))
    return sf_error_set(SF_EFORMAT, "%s:%ld: %s '%s' is not a finite number", r->path, r->lineno,
                        what, tok);
  return SF_OK;
}

/* An atomic number ("38") or an element symbol ("Sr"). */
static int parse_element(const reader *r, const char *tok, int *Z) {
  if (isdigit((unsigned char)tok[0]) || tok[0] == '-' || tok[0] == '+') {
    errno = 0;
    char *end = NULL;
    long z = strtol(tok, &end, 10);
    if (end == tok || *end != '\0')
      return sf_error_set(SF_EFORMAT, "%s:%ld: atomic number '%s' is not an integer", r->path,
                          r->lineno, tok);
    if (z < SF_ELEMENT_Z_MIN || z > SF_ELEMENT_Z_MAX)
      return sf_error_set(SF_EFORMAT, "%s:%ld: unknown element Z = %s (valid: %d..%d)", r->path,
                          r->lineno, tok, SF_ELEMENT_Z_MIN, SF_ELEMENT_Z_MAX);
    *Z = (int)z;
    return SF_OK;
  }
  if (sf_element_from_symbol(tok, Z) != SF_OK)
    return sf_error_prepend(SF_EFORMAT, "%s:%ld", r->path, r->lineno);
  return SF_OK;
}

static int append_atom(const reader *r, sf_structure *s, int Z, const double p[3], double occ,
                       double u) {
  if (!(occ >= 0.0 && occ <= 1.0))
    return sf_error_set(SF_ERANGE, "%s:%ld: occupancy %g outside [0, 1]", r->path, r->lineno,
                        occ);
  if (u < 0.0)
    return sf_error_set(SF_ERANGE, "%s:%ld: negative rms displacement u_rms = %g Å", r->path,
                        r->lineno, u);
  if (sf_structure_append(s, Z, p[0], p[1], p[2], occ, u) != SF_OK)
    return sf_error_prepend(SF_EFORMAT, "%s:%ld", r->path, r->lineno);
  return SF_OK;
}

static void copy_comment(char *dst, size_t size, const char *src) {
  if (dst && size)
    snprintf(dst, size, "%s", src);
}

/* ---- Kirkland XYZ ---- */

static int read_kirkland(reader *r, sf_structure **out, char *comment, size_t comment_size) {
  if (!next_line(r))
    return sf_error_set(SF_EFORMAT, "%s:1: empty file (expected a comment line, then 'a b c')",
                        r->path);
  copy_comment(comment, comment_size, r->line);
  int line1_is_count = 0;
  {
    char *end = NULL;
    long v = strtol(r->line, &end, 10);
    line1_is_count = end != r->line && is_blank(end) && v >= 0;
  }
  if (!next_line(r))
    return sf_error_set(SF_EFORMAT, "%s:2: missing cell line 'a b c' (Å)", r->path);
  char *tok[MAX_TOKENS];
  int nt = split(r->line, 1, tok, MAX_TOKENS);
  if (nt != 3)
    return sf_error_set(SF_EFORMAT,
                        "%s:2: malformed cell line: expected 3 values 'a b c' (Å), found %d%s",
                        r->path, nt,
                        line1_is_count ? " (line 1 holds an atom count: a plain XYZ file needs a "
                                         "Lattice=\"...\" header as extended XYZ)"
                                       : "");
  double cell[3];
  static const char *cell_names[3] = {"cell length a", "cell length b", "cell length c"};
  for (int k = 0; k < 3; ++k) {
    SF_TRY(parse_number(r, tok[k], cell_names[k], &cell[k]));
    if (!(cell[k] > 0.0))
      return sf_error_set(SF_EFORMAT, "%s:2: %s = %g Å: must be > 0", r->path, cell_names[k],
                          cell[k]);
  }
  sf_structure *s = NULL;
  SF_TRY(sf_structure_create(cell[0], cell[1], cell[2], &s));
  int status = SF_OK, terminated = 0;
  static const char *columns[6] = {"Z", "x", "y", "z", "occupancy", "u_rms"};
  while (status == SF_OK && next_line(r)) {
    if (is_blank(r->line))
      continue;
    nt = split(r->line, 1, tok, MAX_TOKENS);
    if (nt == 1 && strcmp(tok[0], "-1") == 0) {
      terminated = 1;
      break;
    }
    if (nt != 6) {
      status = sf_error_set(SF_EFORMAT,
                            "%s:%ld: malformed atom line: expected 6 values 'Z x y z occupancy "
                            "u_rms', found %d",
                            r->path, r->lineno, nt);
      break;
    }
    int Z = 0;
    double v[6];
    status = parse_element(r, tok[0], &Z);
    for (int k = 1; k < 6 && status == SF_OK; ++k)
      status = parse_number(r, tok[k], columns[k], &v[k]);
    if (status == SF_OK)
      status = append_atom(r, s, Z, v + 1, v[4], v[5]);
  }
  if (status == SF_OK && ferror(r->f))
    status = sf_error_set(SF_EIO, "%s:%ld: read error: %s", r->path, r->lineno, strerror(errno));
  if (status == SF_OK && s->count == 0)
    status = sf_error_set(SF_EFORMAT, "%s:%ld: no atoms", r->path, r->lineno);
  if (status == SF_OK && !terminated)
    sf_log(SF_LOG_INFO, "%s: no -1 terminator; read %zu atoms to the end of the file", r->path,
           s->count);
  if (status != SF_OK) {
    sf_structure_destroy(s);
    return status;
  }
  *out = s;
  return SF_OK;
}

/* ---- extended XYZ ---- */

typedef struct header_value {
  char key[64];
  char value[1024];
} header_value;

/* Next key[=value] pair of an extended-XYZ comment line; 0 at the end. */
static int next_pair(const char **cursor, header_value *hv, int *ok) {
  const char *s = *cursor;
  *ok = 1;
  while (*s && isspace((unsigned char)*s))
    ++s;
  if (!*s)
    return 0;
  size_t k = 0;
  while (*s && *s != '=' && !isspace((unsigned char)*s)) {
    if (k + 1 < sizeof hv->key)
      hv->key[k++] = *s;
    ++s;
  }
  hv->key[k] = '\0';
  hv->value[0] = '\0';
  if (*s == '=') {
    ++s;
    size_t v = 0;
    if (*s == '"' || *s == '\'') {
      char quote = *s++;
      while (*s && *s != quote) {
        if (v + 1 < sizeof hv->value)
          hv->value[v++] = *s;
        ++s;
      }
      if (*s != quote)
        *ok = 0;
      else
        ++s;
    } else {
      while (*s && !isspace((unsigned char)*s)) {
        if (v + 1 < sizeof hv->value)
          hv->value[v++] = *s;
        ++s;
      }
    }
    hv->value[v] = '\0';
  }
  *cursor = s;
  return 1;
}

typedef struct columns {
  int total;
  int species, Z, pos, occupancy, u_rms; /* first column of each, or -1 */
} columns;

static int parse_properties(const reader *r, const char *text, columns *c) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", text);
  c->total = 0;
  c->species = c->Z = c->pos = c->occupancy = c->u_rms = -1;
  char *save = NULL;
  char *name = strtok_r(buf, ":", &save);
  while (name) {
    char *type = strtok_r(NULL, ":", &save);
    char *count = strtok_r(NULL, ":", &save);
    if (!type || !count)
      return sf_error_set(SF_EFORMAT,
                          "%s:2: malformed Properties '%s': expected name:type:count triples",
                          r->path, text);
    char *end = NULL;
    long n = strtol(count, &end, 10);
    if (*end || n < 1 || n > 100 || strlen(type) != 1 || !strchr("SRIL", type[0]))
      return sf_error_set(SF_EFORMAT, "%s:2: malformed Properties entry '%s:%s:%s'", r->path,
                          name, type, count);
    if (strcmp(name, "species") == 0 && type[0] == 'S' && n == 1)
      c->species = c->total;
    else if (strcmp(name, "Z") == 0 && type[0] == 'I' && n == 1)
      c->Z = c->total;
    else if (strcmp(name, "pos") == 0 && type[0] == 'R' && n == 3)
      c->pos = c->total;
    else if (strcmp(name, "occupancy") == 0 && type[0] == 'R' && n == 1)
      c->occupancy = c->total;
    else if (strcmp(name, "u_rms") == 0 && type[0] == 'R' && n == 1)
      c->u_rms = c->total;
    c->total += (int)n;
    name = strtok_r(NULL, ":", &save);
  }
  if (c->pos < 0 || (c->species < 0 && c->Z < 0))
    return sf_error_set(SF_EFORMAT,
                        "%s:2: Properties '%s' lacks species:S:1 (or Z:I:1) and pos:R:3", r->path,
                        text);
  if (c->total > MAX_TOKENS)
    return sf_error_set(SF_EFORMAT, "%s:2: Properties '%s' declare %d columns (at most %d)",
                        r->path, text, c->total, MAX_TOKENS);
  return SF_OK;
}

static int parse_lattice(const reader *r, const char *text, double cell[3]) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", text);
  char *tok[MAX_TOKENS];
  int nt = split(buf, 0, tok, MAX_TOKENS);
  if (nt != 9)
    return sf_error_set(SF_EFORMAT, "%s:2: Lattice=\"%s\": expected 9 numbers, found %d", r->path,
                        text, nt);
  double v[9];
  for (int k = 0; k < 9; ++k)
    SF_TRY(parse_number(r, tok[k], "Lattice component", &v[k]));
  for (int i = 0; i < 3; ++i) {
    double len = sqrt(v[3 * i] * v[3 * i] + v[3 * i + 1] * v[3 * i + 1] +
                      v[3 * i + 2] * v[3 * i + 2]);
    for (int k = 0; k < 3; ++k)
      if (k != i && fabs(v[3 * i + k]) > LATTICE_ORTHO_TOL * len)
        return sf_error_set(SF_EUNSUPPORTED,
                            "%s:2: non-orthogonal cell Lattice=\"%s\": stemfuse needs an "
                            "orthorhombic cell with a, b, c along +x, +y, +z (make an orthogonal "
                            "supercell first, e.g. with ASE)",
                            r->path, text);
    if (!(v[3 * i + i] > 0.0))
      return sf_error_set(SF_EFORMAT, "%s:2: Lattice=\"%s\": vector %d must point along +%c",
                          r->path, text, i + 1, "xyz"[i]);
    cell[i] = v[3 * i + i];
  }
  return SF_OK;
}

static int read_extended(reader *r, sf_structure **out, char *comment, size_t comment_size) {
  if (!next_line(r))
    return sf_error_set(SF_EFORMAT, "%s:1: empty file (expected the atom count)", r->path);
  char *end = NULL;
  errno = 0;
  long long n_atoms = strtoll(r->line, &end, 10);
  if (end == r->line || !is_blank(end) || n_atoms < 0 || errno == ERANGE)
    return sf_error_set(SF_EFORMAT, "%s:1: '%s' is not an atom count", r->path, r->line);
  if (!next_line(r))
    return sf_error_set(SF_EFORMAT, "%s:2: missing the header line (Lattice=..., Properties=...)",
                        r->path);
  copy_comment(comment, comment_size, "");
  double cell[3] = {0, 0, 0};
  int have_lattice = 0;
  columns col;
  SF_TRY(parse_properties(r, "species:S:1:pos:R:3", &col));
  const char *cursor = r->line;
  header_value hv;
  int ok = 1;
  while (next_pair(&cursor, &hv, &ok)) {
    if (!ok)
      return sf_error_set(SF_EFORMAT, "%s:2: unterminated quote in the value of '%s'", r->path,
                          hv.key);
    if (strcasecmp(hv.key, "Lattice") == 0) {
      SF_TRY(parse_lattice(r, hv.value, cell));
      have_lattice = 1;
    } else if (strcasecmp(hv.key, "Properties") == 0) {
      SF_TRY(parse_properties(r, hv.value, &col));
    } else if (strcasecmp(hv.key, "comment") == 0) {
      copy_comment(comment, comment_size, hv.value);
    }
  }
  if (!have_lattice)
    return sf_error_set(SF_EFORMAT,
                        "%s:2: no Lattice=\"ax ay az bx by bz cx cy cz\" in the header: the cell "
                        "is needed",
                        r->path);
  sf_structure *s = NULL;
  SF_TRY(sf_structure_create(cell[0], cell[1], cell[2], &s));
  int status = sf_structure_reserve(s, (size_t)n_atoms);
  char *tok[MAX_TOKENS];
  while (status == SF_OK && (long long)s->count < n_atoms) {
    if (!next_line(r)) {
      status = sf_error_set(SF_EFORMAT,
                            "%s:%ld: atom count mismatch: the header says %lld atoms, the file "
                            "ends after %zu",
                            r->path, r->lineno, n_atoms, s->count);
      break;
    }
    int nt = split(r->line, 0, tok, MAX_TOKENS);
    if (nt != col.total) {
      status = sf_error_set(SF_EFORMAT,
                            "%s:%ld: malformed atom line: Properties declare %d columns, found %d",
                            r->path, r->lineno, col.total, nt);
      break;
    }
    int Z = 0;
    double p[3], occ = 1.0, u = 0.0;
    status = parse_element(r, tok[col.species >= 0 ? col.species : col.Z], &Z);
    static const char *names[3] = {"x", "y", "z"};
    for (int k = 0; k < 3 && status == SF_OK; ++k)
      status = parse_number(r, tok[col.pos + k], names[k], &p[k]);
    if (status == SF_OK && col.occupancy >= 0)
      status = parse_number(r, tok[col.occupancy], "occupancy", &occ);
    if (status == SF_OK && col.u_rms >= 0)
      status = parse_number(r, tok[col.u_rms], "u_rms", &u);
    if (status == SF_OK)
      status = append_atom(r, s, Z, p, occ, u);
  }
  /* Anything after the frame must be blank or the start of another frame. */
  while (status == SF_OK && next_line(r)) {
    if (is_blank(r->line))
      continue;
    char *e = NULL;
    long long next = strtoll(r->line, &e, 10);
    if (e != r->line && is_blank(e) && next >= 0) {
      sf_log(SF_LOG_INFO, "%s:%ld: another frame begins; only the first is read", r->path,
             r->lineno);
      break;
    }
    status = sf_error_set(SF_EFORMAT,
                          "%s:%ld: atom count mismatch: the header says %lld atoms, but this line "
                          "holds more",
                          r->path, r->lineno, n_atoms);
  }
  if (status == SF_OK && ferror(r->f))
    status = sf_error_set(SF_EIO, "%s:%ld: read error: %s", r->path, r->lineno, strerror(errno));
  if (status != SF_OK) {
    sf_structure_destroy(s);
    return status;
  }
  *out = s;
  return SF_OK;
}

/* Extended XYZ when line 1 is a count and line 2 holds a key=value pair. */
static int sniff_extended(FILE *f) {
  char l1[256], l2[4096];
  int ext = 0;
  if (fgets(l1, sizeof l1, f) && fgets(l2, sizeof l2, f)) {
    char *end = NULL;
    long v = strtol(l1, &end, 10);
    ext = end != l1 && is_blank(end) && v >= 0 && strchr(l2, '=') != NULL;
  }
  rewind(f);
  return ext;
}

int sf_io_xyz_read(const char *path, sf_xyz_format format, sf_structure **out, char *comment,
                   size_t comment_size) {
  if (!path || !out)
    return sf_error_set(SF_EINVAL, "sf_io_xyz_read: NULL argument");
  *out = NULL;
  copy_comment(comment, comment_size, "");
  if (format != SF_XYZ_AUTO && format != SF_XYZ_KIRKLAND && format != SF_XYZ_EXTENDED)
    return sf_error_set(SF_EINVAL, "%s: unknown XYZ format %d", path, (int)format);
  reader r = {NULL, path, NULL, 0, 0};
  r.f = fopen(path, "r");
  if (!r.f)
    return sf_error_set(errno == ENOENT ? SF_ENOENT : SF_EIO, "%s: %s", path, strerror(errno));
  if (format == SF_XYZ_AUTO)
    format = sniff_extended(r.f) ? SF_XYZ_EXTENDED : SF_XYZ_KIRKLAND;
  int status = format == SF_XYZ_EXTENDED ? read_extended(&r, out, comment, comment_size)
                                         : read_kirkland(&r, out, comment, comment_size);
  free(r.line);
  fclose(r.f);
  return status;
}
