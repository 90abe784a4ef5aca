/* sf_npy.h - NumPy .npy arrays as maps.

   Reads NPY format versions 1.0, 2.0 and 3.0 and writes version 1.0 (the
   format is described in numpy's "numpy.lib.format" documentation). The
   header is a Python dict literal with the keys 'descr', 'fortran_order' and
   'shape'; it is read by a strict little parser (strings, True/False, tuples
   of integers), never by a general evaluator, and any other key is an error.

   Supported element types: '<f4', '<f8', '<i1' '<i2' '<i4' '<i8', '<u1'
   '<u2' '<u4' '<u8', '|i1', '|u1' and '|b1' (bool). Big-endian files ('>f8'
   and so on) are byte-swapped on reading. '<f4' (and '>f4') becomes a float32
   map, every other type a float64 map (int64/uint64 magnitudes above 2^53
   round to the nearest double).
   Arrays of rank 2, numpy shape (ny, nx), become images; rank 3, shape
   (ny, nx, nz), becomes a cube with the third axis innermost, exactly the
   sf_map layout. fortran_order True arrays give the same map as their C-order
   equivalent. Files are written as '<f4'/'<f8' in C order with numpy shape
   (ny, nx) for an image (nz == 1) and (ny, nx, nz) for a cube, so
   numpy.load() returns an array a with a[iy, ix] = sf_map_get(m, ix, iy, 0).

   Catalogue: sf_io_npy_info, sf_io_npy_read_map, sf_io_npy_write_map. */
#ifndef SF_NPY_H
#define SF_NPY_H
#include "core/sf_imageset.h"

#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_NPY_MAX_RANK 32

/* What an NPY header says. */
typedef struct sf_npy_info {
  int version_major;          /* 1, 2 or 3 */
  int version_minor;          /* 0 */
  char descr[16];             /* dtype string as written, e.g. "<f8" */
  char byte_order;            /* '<', '>' or '|' */
  char kind;                  /* 'f' float, 'i' signed, 'u' unsigned, 'b' bool */
  size_t item_size;           /* bytes per element */
  int fortran_order;          /* 1: first index varies fastest in the file */
  int rank;                   /* number of entries in 'shape' */
  size_t shape[SF_NPY_MAX_RANK];
  size_t data_offset;         /* byte offset of the first element */
  size_t data_bytes;          /* bytes of element data: product(shape) * item_size */
} sf_npy_info;

/** Read and check the header of the NPY file `path` into *info: magic,
    version, header dict, a supported dtype, and that the file holds exactly
    product(shape) * item_size bytes of data. Any rank is accepted here.
    SF_ENOENT (file missing), SF_EIO (unreadable), SF_EFORMAT (bad magic,
    header or size), SF_EUNSUPPORTED (unknown version or dtype); the message
    names the file and the reason. */
int sf_io_npy_info(const char *path, sf_npy_info *info);

/** Read the 2-D (ny, nx) or 3-D (ny, nx, nz) array in `path` into a new map
    `map_name` of `set` (float32 for '<f4', float64 otherwise; axes in pixels,
    origin 0, step 1). On success *out (optional) points to the map, owned by
    the set. On any failure the set is unchanged. Errors as sf_io_npy_info,
    plus SF_EUNSUPPORTED for a rank other than 2 or 3 and SF_EINVAL for an
    invalid or duplicate map name or a zero-length axis. */
int sf_io_npy_read_map(const char *path, sf_imageset *set, const char *map_name, sf_map **out);

/** Write map `m` to `path` as NPY 1.0, '<f4' (float32 map) or '<f8' (float64
    map), C order, numpy shape (ny, nx) when nz == 1 and (ny, nx, nz)
    otherwise. Written to a temporary name and renamed (io/sf_atomic.h); an
    existing file is replaced only with force != 0 (else SF_EEXIST). */
int sf_io_npy_write_map(const sf_map *m, const char *path, int force);

#ifdef __cplusplus
}
#endif
#endif
