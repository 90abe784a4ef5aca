/* sf_h5.h - generic HDF5 input: list the datasets of any HDF5 file and read one
   numeric dataset (any integer or float type) into a float64 map.

   Generic datasets are taken in numpy (natural C) order: HDF5 shape (ny, nx)
   for an image, (ny, nx, nz) for a cube, with pixel calibration, as in
   plain experimental files with one root dataset per signal ("/HAADF",
   "/Co", ...). EMD files, whose axes are stored reversed, are read by
   sf_emd.h instead. The second half of this header holds helpers shared by
   the io/ HDF5 readers and writers: opening a file with classified errors
   and keeping the HDF5 library's own error printing quiet. Debian's HDF5 is
   built thread-safe: it serialises calls, and the error printer silenced
   here belongs to the calling thread.

   Catalogue: sf_io_h5_list, sf_io_h5_entries_free, sf_io_h5_read_map,
   sf_io_h5_quiet_begin, sf_io_h5_quiet_end, sf_io_h5_open, sf_io_h5_error_detail,
   sf_io_h5_dtype_text, sf_io_h5_numeric_dtype, sf_io_map_adopt. */
#ifndef SF_H5_H
#define SF_H5_H
#include "core/sf_imageset.h"

#include <hdf5.h>
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_H5_MAX_RANK 32 /* H5S_MAX_RANK */

/* One dataset of a file, as listed by sf_io_h5_list. */
typedef struct sf_h5_entry {
  char *path;                    /* absolute path, "/group/name" (owned) */
  int rank;                      /* 0 for a scalar */
  uint64_t dims[SF_H5_MAX_RANK]; /* HDF5 (numpy) order, dims[0] slowest */
  char dtype[16];                /* "float32", "int16", "uint8", "string", "compound", ... */
} sf_h5_entry;

/* Listing and reading any HDF5 file. */

/** Every dataset in the HDF5 file `path`, recursively, sorted by path.
    On success *entries (caller frees with sf_io_h5_entries_free) holds *n
    entries. SF_ENOENT for a missing file, SF_EFORMAT for a file that is
    not HDF5 or cannot be opened (corrupt, truncated). */
int sf_io_h5_list(const char *path, sf_h5_entry **entries, size_t *n);
/** Free a listing from sf_io_h5_list. NULL is a no-op. */
void sf_io_h5_entries_free(sf_h5_entry *entries, size_t n);

/** Read the numeric dataset `dataset` ("/HAADF"; a missing leading '/' is
    added) of the HDF5 file `path` into a new float64 map of `set` named
    `map_name` (NULL: the dataset's last path component). Rank 2 is an image
    (HDF5 shape (ny, nx)), rank 3 a cube (ny, nx, nz); any integer or float
    type is converted. Axes are in pixels (origin 0, step 1, units "px");
    the map's attributes source_file and source_dataset record the origin.
    *out (optional) points to the map, owned by the set. Errors:
    SF_ENOENT for a missing dataset (naming the file and the dataset, and
    listing the datasets when there are at most 10), SF_EUNSUPPORTED for a
    rank other than 2 or 3 or a non-numeric type, SF_EFORMAT for an empty
    dataset, SF_EINVAL for an invalid or duplicate map name. */
int sf_io_h5_read_map(const char *path, const char *dataset, sf_imageset *set,
                      const char *map_name, sf_map **out);

/* Helpers shared by the io/ HDF5 code. */

/* The HDF5 automatic error printer saved by sf_io_h5_quiet_begin. */
typedef struct sf_h5_quiet {
  H5E_auto2_t func;
  void *client_data;
} sf_h5_quiet;

/** Silence the HDF5 library's own error-stack printing (saved in *q, owned
    by the caller) until sf_io_h5_quiet_end(q). Pairs nest. */
void sf_io_h5_quiet_begin(sf_h5_quiet *q);
/** Restore the HDF5 error printer saved by sf_io_h5_quiet_begin(q). */
void sf_io_h5_quiet_end(const sf_h5_quiet *q);

/** Open `path` read-only (objects close with the file: H5F_CLOSE_STRONG).
    Call inside a quiet scope. SF_ENOENT naming the path when it does not
    exist, SF_EFORMAT "not an HDF5 file" for a file of another kind, and
    SF_EFORMAT naming the path when HDF5 cannot open it (corrupt or
    truncated). On success *file is owned by the caller (H5Fclose). */
int sf_io_h5_open(const char *path, hid_t *file);

/** The most specific message on the HDF5 error stack of the last failed
    HDF5 call ("truncated file: eof = ...") into buf, "" when there is
    none. Returns buf. */
char *sf_io_h5_error_detail(char *buf, size_t size);

/** numpy-style name of an HDF5 datatype ("float32", "int16", "uint8",
    "string", "compound", "enum", ...) into buf (size bytes). Returns buf. */
char *sf_io_h5_dtype_text(hid_t type, char *buf, size_t size);

/** 1 when `type` is an integer or float type, 0 otherwise. When numeric,
    *dtype is the image-set type that holds every value exactly where
    possible: SF_F32 for float32 and smaller, and for integers of at most
    16 bits; SF_F64 otherwise. */
int sf_io_h5_numeric_dtype(hid_t type, sf_dtype *dtype);

/** Move map `src` (owned by another set) into `set` under `name`, converting
    the values to `dtype`; axes, quantity, units and attributes are copied.
    SF_EINVAL for an invalid or duplicate name. *out (optional) points to
    the new map, owned by `set`; `src` is left with its values moved out
    (its owner still destroys it). */
int sf_io_map_adopt(sf_imageset *set, sf_map *src, const char *name, sf_dtype dtype,
                    sf_map **out);

#ifdef __cplusplus
}
#endif
#endif
