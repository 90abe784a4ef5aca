/* xyz_write.c - Kirkland and extended XYZ writers with exact round trips. */
#include "io/sf_xyz.h"

#include "core/sf_status.h"
#include "io/sf_atomic.h"
#include "potentials/sf_elements.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fewest of 15, 16 or 17 significant digits that read back exactly. */
static const char *exact(char buf[32], double v) {
  for (int digits = 15; digits <= 17; ++digits) {
    snprintf(buf, 32, "%.*g", digits, v);
    if (strtod(buf, NULL) == v)
      break;
  }
  return buf;
}

/* One line of text: newlines and carriage returns become blanks. */
static void one_line(char *dst, size_t size, const char *src, int drop_quotes) {
  size_t k = 0;
  for (; src && *src && k + 1 < size; ++src) {
    char ch = *src;
    if (ch == '\n' || ch == '\r')
      ch = ' ';
    if (drop_quotes && ch == '"')
      ch = '\'';
    dst[k++] = ch;
  }
  dst[k] = '\0';
}

static int write_kirkland(FILE *f, const sf_structure *s, const char *comment) {
  char text[1024], b[6][32];
  one_line(text, sizeof text, comment ? comment : "stemfuse structure", 0);
  fprintf(f, "%s\n", text);
  fprintf(f, "%s %s %s\n", exact(b[0], s->cell_A[0]), exact(b[1], s->cell_A[1]),
          exact(b[2], s->cell_A[2]));
  for (size_t i = 0; i < s->count; ++i)
    fprintf(f, "%d  %s  %s  %s  %s  %s\n", s->Z[i], exact(b[0], s->x_A[i]),
            exact(b[1], s->y_A[i]), exact(b[2], s->z_A[i]), exact(b[3], s->occupancy[i]),
            exact(b[4], s->u_rms_A[i]));
  fprintf(f, "-1\n");
  return SF_OK;
}

static int write_extended(FILE *f, const sf_structure *s, const char *comment) {
  char text[1024], b[6][32];
  one_line(text, sizeof text, comment ? comment : "stemfuse structure", 1);
  fprintf(f, "%zu\n", s->count);
  fprintf(f,
          "Lattice=\"%s 0 0 0 %s 0 0 0 %s\" "
          "Properties=species:S:1:pos:R:3:occupancy:R:1:u_rms:R:1 pbc=\"T T T\" comment=\"%s\"\n",
          exact(b[0], s->cell_A[0]), exact(b[1], s->cell_A[1]), exact(b[2], s->cell_A[2]), text);
  for (size_t i = 0; i < s->count; ++i) {
    const char *sym = sf_element_symbol(s->Z[i]);
    if (!sym)
      return sf_error_prepend(SF_EINVAL, "atom %zu", i);
    fprintf(f, "%-2s  %s  %s  %s  %s  %s\n", sym, exact(b[0], s->x_A[i]), exact(b[1], s->y_A[i]),
            exact(b[2], s->z_A[i]), exact(b[3], s->occupancy[i]), exact(b[4], s->u_rms_A[i]));
  }
  return SF_OK;
}

int sf_io_xyz_write(const sf_structure *s, const char *path, sf_xyz_format format,
                    const char *comment, int force) {
  if (!s || !path)
    return sf_error_set(SF_EINVAL, "sf_io_xyz_write: NULL argument");
  if (format != SF_XYZ_KIRKLAND && format != SF_XYZ_EXTENDED)
    return sf_error_set(SF_EINVAL, "%s: write format must be Kirkland or extended XYZ", path);
  sf_atomic_file af;
  SF_TRY(sf_atomic_begin(path, force, &af));
  FILE *f = fopen(af.tmp_path, "w");
  if (!f) {
    int status = sf_error_set(SF_EIO, "%s: cannot write %s: %s", path, af.tmp_path,
                              strerror(errno));
    sf_atomic_abort(&af);
    return status;
  }
  int status = format == SF_XYZ_KIRKLAND ? write_kirkland(f, s, comment)
                                         : write_extended(f, s, comment);
  if (status == SF_OK && ferror(f))
    status = sf_error_set(SF_EIO, "%s: write failed: %s", path, strerror(errno));
  if (fclose(f) != 0 && status == SF_OK)
    status = sf_error_set(SF_EIO, "%s: write failed: %s", path, strerror(errno));
  if (status == SF_OK)
    status = sf_atomic_commit(&af);
  else
    sf_atomic_abort(&af);
  return status;
}
