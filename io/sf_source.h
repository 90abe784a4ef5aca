/* sf_source.h - load one map from a source specification.

   A source spec names a file and, for HDF5 containers, what inside it:
       file.emd:SIGNAL          a signal of an EMD file (ours or any EMD 0.2)
       file.h5:/path/to/data    a 2-D/3-D dataset of any HDF5 file, numpy
       file.hdf5:/data          order (ny, nx[, nz]), calibrated in pixels
       file.npy                 a NumPy array (ny, nx[, nz])
   The extension decides the reader (case does not matter). The map is
   always converted to float64, as recovery works in double precision.

   Catalogue: sf_io_load_map. */
#ifndef SF_SOURCE_H
#define SF_SOURCE_H
#include "core/sf_imageset.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Load the map named by `spec` into `set` as a new float64 map called
    `map_name` (NULL: the signal name, the dataset's last path component or
    the .npy file's stem, with characters outside [A-Za-z0-9_] replaced by
    '_'). *out (optional) points to the map, owned by the set; on failure
    the set is unchanged. Errors: SF_EINVAL for an .emd/.h5/.hdf5 spec
    without ':' (the message lists the signals or datasets of the file,
    when it can be read) or with nothing after ':', and for an invalid or
    duplicate map name; SF_EUNSUPPORTED for an unknown extension; and the
    errors of sf_io_emd_read_signal, sf_io_h5_read_map and
    sf_io_npy_read_map, each prefixed with the spec. */
int sf_io_load_map(const char *spec, sf_imageset *set, const char *map_name, sf_map **out);

#ifdef __cplusplus
}
#endif
#endif
