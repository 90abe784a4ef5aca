/* sf_imageset.h - the calibrated image set: the currency between all stages.

   An image set is a list of named maps plus grouped provenance attributes
   (parameters, seeds, program version; see sf_attrs.h). A map is a 2-D image
   (nz = 1) or a cube whose third axis (energy loss, scattering-angle bin) is
   innermost, in float or double, with a calibration per axis.

   Memory layout is natural C order, numpy shape (ny, nx[, nz]):
       image:  data[iy*nx + ix]
       cube:   data[(iy*nx + ix)*nz + iz]
   Axis 0 is x (columns), axis 1 is y (rows), axis 2 the cube axis. Units are
   stored without brackets ("Å", "eV", "mrad", "px"); the EMD writer adds them.
   Map names use [A-Za-z0-9_] only (they become HDF5 groups and signal titles).

   Catalogue: sf_imageset_create, sf_imageset_destroy, sf_imageset_add_map,
   sf_imageset_find, sf_imageset_truncate, sf_imageset_detach, sf_imageset_attach,
   sf_map_destroy, sf_imageset_set_provenance,
   sf_map_get, sf_map_set, sf_map_set_axis, sf_axis_length_scale_A,
   sf_map_axis_step_A, sf_map_check_finite,
   sf_map_same_grid, sf_imageset_check_names, sf_name_is_valid, sf_dtype_size. */
#ifndef SF_IMAGESET_H
#define SF_IMAGESET_H
#include "core/sf_attrs.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_dtype { SF_F32 = 0, SF_F64 = 1 } sf_dtype;

#define SF_NAME_MAX 96
#define SF_UNITS_MAX 32

typedef struct sf_axis {
  char name[64];           /* "x", "y", "Energy loss", "Scattering angle (bin centre)" */
  char units[SF_UNITS_MAX]; /* without brackets: "Å", "nm", "eV", "mrad", "px" */
  double origin;           /* coordinate of index 0 */
  double step;             /* spacing between indices (non-zero) */
} sf_axis;

typedef struct sf_map {
  char name[SF_NAME_MAX];
  sf_dtype dtype;
  size_t nx, ny, nz;        /* nz == 1 for an image */
  void *data;               /* owned, 64-byte aligned */
  sf_axis axis[3];          /* x, y, third */
  char quantity[64];        /* what the values are, e.g. "Intensity" */
  char units[SF_UNITS_MAX]; /* units of the values; "" if dimensionless */
  sf_attrs attrs;           /* the signal's own attributes (group "") */
} sf_map;

typedef struct sf_imageset {
  sf_map **maps;
  size_t count;
  size_t capacity;
  sf_attrs attrs; /* provenance, grouped: comments, microscope, sample, simulation */
} sf_imageset;

/** Empty image set, or NULL (SF_ENOMEM recorded). */
sf_imageset *sf_imageset_create(void);
/** Free the set and all its maps. NULL is a no-op. */
void sf_imageset_destroy(sf_imageset *set);

/** Add a zero-filled map. Axes default to "x"/"y"/"z" in pixels (origin 0,
    step 1). SF_EINVAL for an invalid or duplicate name or a zero dimension.
    *out (optional) points to the map, owned by the set. */
int sf_imageset_add_map(sf_imageset *set, const char *name, sf_dtype dtype, size_t nx, size_t ny,
                        size_t nz, sf_map **out);
/** Remove and free maps from index `count` on (the maps added since the set
    had `count` maps): the rollback a stage does when it fails half-way, so a
    caller's set is left as it was. */
void sf_imageset_truncate(sf_imageset *set, size_t count);
/** Remove the named map from the set and hand it to the caller (free with
    sf_map_destroy), or NULL when there is none. */
sf_map *sf_imageset_detach(sf_imageset *set, const char *name);
/** Add a detached map (SF_EINVAL for a duplicate name); the set owns it on success. */
int sf_imageset_attach(sf_imageset *set, sf_map *map);
/** Free a detached map. NULL is a no-op. */
void sf_map_destroy(sf_map *map);
/** The map with this name, or NULL. */
sf_map *sf_imageset_find(const sf_imageset *set, const char *name);

/** Record what made this set, in group "comments": generator, version,
    git_sha, command_line (argv joined), seed (if seed_set), config (if non-NULL). */
int sf_imageset_set_provenance(sf_imageset *set, int argc, char *const argv[], int seed_set,
                               uint64_t seed, const char *config_text);

/** Value at (ix, iy, iz) as double, whatever the dtype. */
double sf_map_get(const sf_map *m, size_t ix, size_t iy, size_t iz);
void sf_map_set(sf_map *m, size_t ix, size_t iy, size_t iz, double value);
/** Set calibration of axis 0 (x), 1 (y) or 2. SF_EINVAL for step 0 or non-finite values. */
int sf_map_set_axis(sf_map *m, int axis, const char *name, const char *units, double origin,
                    double step);
/** Length of one unit of the axis in Å: 1 for "Å" (or "A"), 10 for "nm", 0.01 for "pm",
    0 for anything else (pixels, eV, mrad). */
double sf_axis_length_scale_A(const sf_axis *ax);
/** Pixel step of axis 0 or 1 in Å (absolute value). SF_EINVAL, naming the map, the axis and
    its units, when the axis is not a length. */
int sf_map_axis_step_A(const sf_map *m, int axis, double *step_A);
/** SF_ENUMERIC naming the map and first pixel that is NaN or Inf; SF_OK otherwise. */
int sf_map_check_finite(const sf_map *m);
/** 1 when a and b have the same nx, ny (the 2-D grid), 0 otherwise. */
int sf_map_same_grid(const sf_map *a, const sf_map *b);

/** The names of the set obey the HyperSpy 1.7.3 rule (docs/file-formats.md):
    no map name is a prefix of another map's name. SF_EINVAL naming the two
    clashing names (the shorter first) otherwise; SF_OK for an empty set. */
int sf_imageset_check_names(const sf_imageset *set);

/** 1 when the name is non-empty, shorter than SF_NAME_MAX and uses [A-Za-z0-9_] only. */
int sf_name_is_valid(const char *name);
/** Bytes per element. */
size_t sf_dtype_size(sf_dtype dtype);

#ifdef __cplusplus
}
#endif
#endif
