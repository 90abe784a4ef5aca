/* sf_emd.h - Berkeley EMD 0.2 (.emd, HDF5) output and input of image sets.

   The writer produces the layout of docs/file-formats.md section 1: root
   attributes version_major = 0, version_minor = 2; one group per map under
   /signals with emd_group_type = 1, its `data` (float32 or float64) stored
   with the axes REVERSED (an image as HDF5 shape (nx, ny), a cube as
   (nx, ny, nz)), full-length float64 calibration vectors dim1 (x), dim2 (y),
   dim3 (third axis) with bracketed units ("[Å]"), and the map's quantity,
   units and own attributes as attributes of the signal group. The image
   set's grouped attributes go to root groups named after the attribute
   group (/comments, /microscope, /sample, /simulation, /user, ...); group ""
   goes to the root itself. Cubes are chunked, shuffled and deflated. The
   reader restores all of this exactly, and also reads EMD 0.2 files written
   by HyperSpy or Prismatic (2-element calibration vectors, units with or
   without brackets, integer data, signal groups outside /signals).

   Catalogue: sf_io_emd_write, sf_io_emd_read, sf_io_emd_read_signal,
   sf_io_emd_list, sf_io_emd_list_free. */
#ifndef SF_EMD_H
#define SF_EMD_H
#include "core/sf_imageset.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Writing. */

/** Write every map and attribute of `set` to the EMD file `path` (use the
    extension .emd: HyperSpy picks its reader by extension). The file is
    written under a temporary name and renamed when complete, so a failure
    leaves nothing behind. SF_EEXIST when `path` exists and !force (the old
    file is untouched); SF_EINVAL for a map or attribute-group name outside
    [A-Za-z0-9_], an attribute group named "signals", a signal attribute
    outside group "" or named emd_group_type, quantity or units, or a root
    attribute named version_major or version_minor. Axis units "A" and
    "1/A" are written as "[Å]" and "[1/Å]". The set is not modified. */
int sf_io_emd_write(const sf_imageset *set, const char *path, int force);

/* Reading. */

/** Read every signal and attribute of the EMD 0.2 file `path` into a new
    image set (*out, owned by the caller; NULL on failure). Data keep float32
    or float64; integer data become float32 (8- and 16-bit) or float64.
    Signal groups are taken from /signals or, when there is none, from any
    group with emd_group_type = 1 (Prismatic); signal names are made valid
    by replacing other characters with '_'. Calibration: full-length or
    2-element (origin, origin + step) vectors, brackets stripped from units;
    an axis without a vector is in pixels. Our own files read back exactly
    (values, dtypes, names, quantity, units, attributes); a calibration step
    is exact when the origin is 0 or the step has at most 15 significant
    decimal digits, and otherwise a step that regenerates the stored vector
    exactly (within an ulp or two of the written one).
    Errors: SF_ENOENT (missing file),
    SF_EFORMAT ("not an HDF5 file"; a corrupt or truncated file; HDF5 but
    not EMD; a signal without `data`; an empty signal), SF_EUNSUPPORTED (a
    signal of rank other than 2 or 3, non-numeric data, EMD 1.0). Messages
    name the file and the signal. */
int sf_io_emd_read(const char *path, sf_imageset **out);

/** Read the one signal named `signal` (as listed by sf_io_emd_list) of the
    EMD file `path` into a new map of `set` named `map_name` (NULL: the
    signal name), converting the values to `dtype`. SF_ENOENT when there
    is no such signal (the message lists the signals), SF_EINVAL for an
    invalid or duplicate map name, and the errors of sf_io_emd_read. *out
    (optional) points to the map, owned by the set. */
int sf_io_emd_read_signal(const char *path, const char *signal, sf_imageset *set,
                          const char *map_name, sf_dtype dtype, sf_map **out);

/** The names of the signals of the EMD file `path`, in file order, as
    sf_io_emd_read would name the maps. *names (free with
    sf_io_emd_list_free) holds *n strings. Errors as sf_io_emd_read. */
int sf_io_emd_list(const char *path, char ***names, size_t *n);
/** Free a list from sf_io_emd_list. NULL is a no-op. */
void sf_io_emd_list_free(char **names, size_t n);

#ifdef __cplusplus
}
#endif
#endif
