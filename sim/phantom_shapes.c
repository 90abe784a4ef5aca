/* phantom_shapes.c - shape coverage of a voxel, and the shape builders. */
#include "core/sf_status.h"
#include "sim/sf_phantom.h"

#include <math.h>

static double overlap_1d(double lo, double hi, double slo, double shi) {
  double a = lo > slo ? lo : slo;
  double b = hi < shi ? hi : shi;
  return b > a ? (b - a) / (hi - lo) : 0.0;
}

static double sphere_coverage(const sf_phantom_shape *s, const double lo[3], const double hi[3],
                              int samples) {
  const double r2 = s->radius_A * s->radius_A;
  double near2 = 0.0, far2 = 0.0;
  for (int a = 0; a < 3; ++a) {
    double c = s->centre_A[a];
    double dn = c < lo[a] ? lo[a] - c : (c > hi[a] ? c - hi[a] : 0.0);
    double dlo = c - lo[a], dhi = hi[a] - c;
    double df = fabs(dlo) > fabs(dhi) ? dlo : dhi;
    near2 += dn * dn;
    far2 += df * df;
  }
  if (far2 <= r2)
    return 1.0;
  if (near2 >= r2)
    return 0.0;
  if (samples < 1)
    samples = 1;
  /* Midpoint rule over samples^3 sub-boxes. */
  double step[3];
  for (int a = 0; a < 3; ++a)
    step[a] = (hi[a] - lo[a]) / samples;
  long inside = 0;
  for (int k = 0; k < samples; ++k) {
    double dz = lo[2] + (k + 0.5) * step[2] - s->centre_A[2];
    for (int j = 0; j < samples; ++j) {
      double dy = lo[1] + (j + 0.5) * step[1] - s->centre_A[1];
      for (int i = 0; i < samples; ++i) {
        double dx = lo[0] + (i + 0.5) * step[0] - s->centre_A[0];
        inside += dx * dx + dy * dy + dz * dz < r2;
      }
    }
  }
  return (double)inside / ((double)samples * samples * samples);
}

double sf_phantom_shape_coverage(const sf_phantom_shape *shape, const double lo_A[3],
                                 const double hi_A[3], int samples_per_axis) {
  if (shape->kind == SF_PHANTOM_CUBOID)
    return overlap_1d(lo_A[0], hi_A[0], shape->lo_A[0], shape->hi_A[0]) *
           overlap_1d(lo_A[1], hi_A[1], shape->lo_A[1], shape->hi_A[1]) *
           overlap_1d(lo_A[2], hi_A[2], shape->lo_A[2], shape->hi_A[2]);
  if (shape->kind == SF_PHANTOM_SPHERE)
    return sphere_coverage(shape, lo_A, hi_A, samples_per_axis);
  return 0.0;
}

int sf_phantom_add_sphere(sf_phantom *ph, int index, const double centre_A[3], double radius_A) {
  sf_phantom_shape s = {.kind = SF_PHANTOM_SPHERE, .radius_A = radius_A};
  for (int a = 0; a < 3; ++a)
    s.centre_A[a] = centre_A[a];
  return sf_phantom_add_shape(ph, index, &s);
}

int sf_phantom_add_core_shell(sf_phantom *ph, int core_index, int shell_index,
                              const double centre_A[3], double core_radius_A,
                              double outer_radius_A) {
  if (!isfinite(core_radius_A) || !isfinite(outer_radius_A) || core_radius_A <= 0.0 ||
      !(outer_radius_A > core_radius_A))
    return sf_error_set(SF_EINVAL, "phantom core-shell: core_radius_A = %g, outer_radius_A = "
                        "%g: need 0 < core < outer", core_radius_A, outer_radius_A);
  SF_TRY(sf_phantom_add_sphere(ph, shell_index, centre_A, outer_radius_A));
  return sf_phantom_add_sphere(ph, core_index, centre_A, core_radius_A);
}

int sf_phantom_add_cuboid(sf_phantom *ph, int index, const double lo_A[3], const double hi_A[3]) {
  sf_phantom_shape s = {.kind = SF_PHANTOM_CUBOID};
  for (int a = 0; a < 3; ++a) {
    s.lo_A[a] = lo_A[a];
    s.hi_A[a] = hi_A[a];
  }
  return sf_phantom_add_shape(ph, index, &s);
}

int sf_phantom_add_film(sf_phantom *ph, int index, sf_phantom_axis axis, double lo_A,
                        double hi_A, double z0_A, double thickness_A) {
  if (axis != SF_PHANTOM_AXIS_X && axis != SF_PHANTOM_AXIS_Y)
    return sf_error_set(SF_EINVAL, "phantom film: axis = %d: must be x (0) or y (1)", (int)axis);
  if (!isfinite(thickness_A) || thickness_A <= 0.0)
    return sf_error_set(SF_EINVAL, "phantom film: thickness_A = %g: must be finite and > 0",
                        thickness_A);
  size_t nx, ny;
  double v;
  sf_phantom_get_dims(ph, &nx, &ny, NULL, &v);
  /* The film spans the whole grid along the other lateral axis. */
  double lo[3] = {0.0, 0.0, z0_A};
  double hi[3] = {nx * v, ny * v, z0_A + thickness_A};
  lo[axis] = lo_A;
  hi[axis] = hi_A;
  return sf_phantom_add_cuboid(ph, index, lo, hi);
}

int sf_phantom_add_films(sf_phantom *ph, sf_phantom_axis axis, double z0_A, size_t n,
                         const sf_phantom_film *films) {
  if (n == 0 || !films)
    return sf_error_set(SF_EINVAL, "phantom films: no films given");
  double z = z0_A;
  for (size_t k = 0; k < n; ++k) {
    int status = sf_phantom_add_film(ph, films[k].phase, axis, films[k].lo_A, films[k].hi_A, z,
                                     films[k].thickness_A);
    if (status != SF_OK)
      return sf_error_prepend(status, "film %zu", k);
    z += films[k].thickness_A;
  }
  return SF_OK;
}
