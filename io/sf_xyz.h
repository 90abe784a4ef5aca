/* sf_xyz.h - structure files: Kirkland XYZ (and Prismatic's variant) and
   extended XYZ (ASE's default writer), read into and written from an
   sf_structure (sim/sf_structure.h).

   Kirkland XYZ (computem, Prismatic):
       line 1   free comment
       line 2   a b c                   orthorhombic cell (Å)
       line 3+  Z x y z occ u_rms       Å; occ in [0, 1]; u_rms = 1-D rms
                                        thermal displacement (Å), B = 8 pi^2 u_rms^2
       last     -1
   Every atom line needs all six values (Prismatic requires them; computem
   reads them all). Values may be separated by blanks, tabs or commas
   (Prismatic's variant). Z may also be written as an element symbol. Blank
   lines are skipped; anything after the -1 terminator is ignored. A missing
   -1 is accepted: the atom list then ends at the end of the file (an INFO
   log line says so), because hand-written and converted files often omit it
   and nothing is ambiguous about the end of a file.

   Extended XYZ:
       N
       Lattice="ax ay az bx by bz cx cy cz"
         Properties=species:S:1:pos:R:3[:occupancy:R:1][:u_rms:R:1] ...   (one line)
       Sym x y z [occ] [u_rms] ...
   Properties defaults to species:S:1:pos:R:3; other columns (forces, ...)
   are skipped by their declared width; a Z:I:1 column may replace species.
   The lattice must be orthogonal with a along +x, b along +y, c along +z
   (off-diagonal components below 1e-6 of the vector length); other cells
   are SF_EUNSUPPORTED. Only the first frame of a multi-frame file is read.

   Errors name the file and line ("x.xyz:7: ..."): a malformed line
   (SF_EFORMAT), an unknown element symbol or Z (SF_EFORMAT), an occupancy
   outside [0, 1] or a negative rms displacement (SF_ERANGE), an atom count
   that disagrees with the header (SF_EFORMAT). Writers print every number
   with the fewest of 15, 16 or 17 significant digits that read back to the
   same double, so a write-read round trip is exact, and write atomically
   (io/sf_atomic.h): an existing file is replaced only with force.

   Catalogue: sf_io_xyz_read, sf_io_xyz_write. */
#ifndef SF_XYZ_H
#define SF_XYZ_H
#include "sim/sf_structure.h"

#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_xyz_format {
  SF_XYZ_AUTO = 0, /* reading: extended if line 1 is an integer and line 2 has key=value */
  SF_XYZ_KIRKLAND = 1,
  SF_XYZ_EXTENDED = 2
} sf_xyz_format;

/** Read a structure file into *out (owned by the caller). Tags are -1.
    comment (optional, comment_size bytes) receives line 1 of a Kirkland file
    or the comment="..." value of an extended XYZ header ("" if none). */
int sf_io_xyz_read(const char *path, sf_xyz_format format, sf_structure **out, char *comment,
                   size_t comment_size);

/** Write s to path as Kirkland XYZ (SF_XYZ_KIRKLAND) or extended XYZ
    (SF_XYZ_EXTENDED, with occupancy and u_rms columns and pbc="T T T").
    comment (optional; newlines become blanks) goes on line 1 (Kirkland) or
    into comment="..." (extended). SF_EEXIST if path exists and !force. */
int sf_io_xyz_write(const sf_structure *s, const char *path, sf_xyz_format format,
                    const char *comment, int force);

#ifdef __cplusplus
}
#endif
#endif
