/* structure.c - the atom list: lifecycle, appending, copying, removal. */
#include "sim/sf_structure.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "potentials/sf_elements.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int check_cell(double a_A, double b_A, double c_A) {
  const double v[3] = {a_A, b_A, c_A};
  static const char *names[3] = {"a", "b", "c"};
  for (int k = 0; k < 3; ++k)
    if (!(v[k] > 0.0) || !isfinite(v[k]))
      return sf_error_set(SF_EINVAL, "structure cell: %s = %g Å: must be finite and > 0",
                          names[k], v[k]);
  return SF_OK;
}

int sf_structure_create(double a_A, double b_A, double c_A, sf_structure **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "sf_structure_create: out is NULL");
  *out = NULL;
  SF_TRY(check_cell(a_A, b_A, c_A));
  sf_structure *s = calloc(1, sizeof *s);
  if (!s)
    return sf_error_set(SF_ENOMEM, "structure: out of memory");
  s->cell_A[0] = a_A;
  s->cell_A[1] = b_A;
  s->cell_A[2] = c_A;
  *out = s;
  return SF_OK;
}

static void free_arrays(sf_structure *s) {
  sf_free(s->Z);
  sf_free(s->x_A);
  sf_free(s->y_A);
  sf_free(s->z_A);
  sf_free(s->occupancy);
  sf_free(s->u_rms_A);
  sf_free(s->tag);
}

void sf_structure_destroy(sf_structure *s) {
  if (!s)
    return;
  free_arrays(s);
  free(s);
}

int sf_structure_reserve(sf_structure *s, size_t n) {
  if (!s)
    return sf_error_set(SF_EINVAL, "sf_structure_reserve: structure is NULL");
  if (n <= s->capacity)
    return SF_OK;
  size_t cap = s->capacity ? s->capacity : 64;
  while (cap < n)
    cap = cap > ((size_t)-1) / 2 ? n : cap * 2;
  sf_structure t = *s;
  t.Z = sf_alloc(cap, sizeof *t.Z, "structure: atomic numbers");
  t.x_A = sf_alloc(cap, sizeof *t.x_A, "structure: x");
  t.y_A = sf_alloc(cap, sizeof *t.y_A, "structure: y");
  t.z_A = sf_alloc(cap, sizeof *t.z_A, "structure: z");
  t.occupancy = sf_alloc(cap, sizeof *t.occupancy, "structure: occupancy");
  t.u_rms_A = sf_alloc(cap, sizeof *t.u_rms_A, "structure: u_rms");
  t.tag = sf_alloc(cap, sizeof *t.tag, "structure: tags");
  if (!t.Z || !t.x_A || !t.y_A || !t.z_A || !t.occupancy || !t.u_rms_A || !t.tag) {
    free_arrays(&t);
    return SF_ENOMEM; /* message recorded by sf_alloc */
  }
  if (s->count) {
    memcpy(t.Z, s->Z, s->count * sizeof *t.Z);
    memcpy(t.x_A, s->x_A, s->count * sizeof *t.x_A);
    memcpy(t.y_A, s->y_A, s->count * sizeof *t.y_A);
    memcpy(t.z_A, s->z_A, s->count * sizeof *t.z_A);
    memcpy(t.occupancy, s->occupancy, s->count * sizeof *t.occupancy);
    memcpy(t.u_rms_A, s->u_rms_A, s->count * sizeof *t.u_rms_A);
    memcpy(t.tag, s->tag, s->count * sizeof *t.tag);
  }
  free_arrays(s);
  t.capacity = cap;
  *s = t;
  return SF_OK;
}

int sf_structure_append(sf_structure *s, int Z, double x_A, double y_A, double z_A,
                        double occupancy, double u_rms_A) {
  if (!s)
    return sf_error_set(SF_EINVAL, "sf_structure_append: structure is NULL");
  if (Z < SF_ELEMENT_Z_MIN || Z > SF_ELEMENT_Z_MAX)
    return sf_error_set(SF_ERANGE, "atom %zu: unknown element Z = %d (valid: %d..%d)", s->count,
                        Z, SF_ELEMENT_Z_MIN, SF_ELEMENT_Z_MAX);
  if (!isfinite(x_A) || !isfinite(y_A) || !isfinite(z_A))
    return sf_error_set(SF_EINVAL, "atom %zu (Z = %d): position (%g, %g, %g) Å is not finite",
                        s->count, Z, x_A, y_A, z_A);
  if (!(occupancy >= 0.0 && occupancy <= 1.0))
    return sf_error_set(SF_ERANGE, "atom %zu (Z = %d): occupancy %g outside [0, 1]", s->count,
                        Z, occupancy);
  if (!(u_rms_A >= 0.0) || !isfinite(u_rms_A))
    return sf_error_set(SF_ERANGE,
                        "atom %zu (Z = %d): rms displacement u_rms = %g Å: must be finite and "
                        ">= 0",
                        s->count, Z, u_rms_A);
  if (s->count == s->capacity)
    SF_TRY(sf_structure_reserve(s, s->count + 1));
  size_t i = s->count++;
  s->Z[i] = Z;
  s->x_A[i] = x_A;
  s->y_A[i] = y_A;
  s->z_A[i] = z_A;
  s->occupancy[i] = occupancy;
  s->u_rms_A[i] = u_rms_A;
  s->tag[i] = -1;
  return SF_OK;
}

int sf_structure_append_all(sf_structure *dst, const sf_structure *src) {
  if (!dst || !src)
    return sf_error_set(SF_EINVAL, "sf_structure_append_all: NULL structure");
  SF_TRY(sf_structure_reserve(dst, dst->count + src->count));
  size_t n = src->count, o = dst->count;
  if (n) {
    memcpy(dst->Z + o, src->Z, n * sizeof *dst->Z);
    memcpy(dst->x_A + o, src->x_A, n * sizeof *dst->x_A);
    memcpy(dst->y_A + o, src->y_A, n * sizeof *dst->y_A);
    memcpy(dst->z_A + o, src->z_A, n * sizeof *dst->z_A);
    memcpy(dst->occupancy + o, src->occupancy, n * sizeof *dst->occupancy);
    memcpy(dst->u_rms_A + o, src->u_rms_A, n * sizeof *dst->u_rms_A);
    memcpy(dst->tag + o, src->tag, n * sizeof *dst->tag);
  }
  dst->count += n;
  return SF_OK;
}

int sf_structure_copy(const sf_structure *s, sf_structure **out) {
  if (!s || !out)
    return sf_error_set(SF_EINVAL, "sf_structure_copy: NULL argument");
  *out = NULL;
  sf_structure *c = NULL;
  SF_TRY(sf_structure_create(s->cell_A[0], s->cell_A[1], s->cell_A[2], &c));
  int status = sf_structure_append_all(c, s);
  if (status != SF_OK) {
    sf_structure_destroy(c);
    return status;
  }
  *out = c;
  return SF_OK;
}

int sf_structure_remove(sf_structure *s, const unsigned char *remove) {
  if (!s || (!remove && s->count))
    return sf_error_set(SF_EINVAL, "sf_structure_remove: NULL argument");
  size_t j = 0;
  for (size_t i = 0; i < s->count; ++i) {
    if (remove[i])
      continue;
    s->Z[j] = s->Z[i];
    s->x_A[j] = s->x_A[i];
    s->y_A[j] = s->y_A[i];
    s->z_A[j] = s->z_A[i];
    s->occupancy[j] = s->occupancy[i];
    s->u_rms_A[j] = s->u_rms_A[i];
    s->tag[j] = s->tag[i];
    ++j;
  }
  s->count = j;
  return SF_OK;
}

int sf_structure_set_cell(sf_structure *s, double a_A, double b_A, double c_A) {
  if (!s)
    return sf_error_set(SF_EINVAL, "sf_structure_set_cell: structure is NULL");
  SF_TRY(check_cell(a_A, b_A, c_A));
  s->cell_A[0] = a_A;
  s->cell_A[1] = b_A;
  s->cell_A[2] = c_A;
  return SF_OK;
}

size_t sf_structure_count_Z(const sf_structure *s, int Z) {
  size_t n = 0;
  if (s)
    for (size_t i = 0; i < s->count; ++i)
      n += s->Z[i] == Z;
  return n;
}

int sf_structure_set_u_rms_Z(sf_structure *s, int Z, double u_rms_A, size_t *n_set) {
  if (!s)
    return sf_error_set(SF_EINVAL, "sf_structure_set_u_rms_Z: structure is NULL");
  SF_TRY(sf_element_check(Z));
  if (!(u_rms_A >= 0.0) || !isfinite(u_rms_A))
    return sf_error_set(SF_ERANGE, "u_rms for Z = %d: %g Å: must be finite and >= 0", Z, u_rms_A);
  size_t n = 0;
  for (size_t i = 0; i < s->count; ++i)
    if (s->Z[i] == Z) {
      s->u_rms_A[i] = u_rms_A;
      ++n;
    }
  if (n_set)
    *n_set = n;
  return SF_OK;
}
