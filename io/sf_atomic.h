/* sf_atomic.h - write an output under a temporary name, rename when complete.

   A failed run leaves no partial file, and an existing output is never
   replaced unless the caller passes force. The temporary lives in the same
   directory (".NAME.tmp-PID-N"), so the final rename is atomic. Directories
   (report folders) work the same way.

   Catalogue: sf_atomic_check, sf_atomic_begin, sf_atomic_begin_dir, sf_atomic_commit,
   sf_atomic_abort. */
#ifndef SF_ATOMIC_H
#define SF_ATOMIC_H
#ifdef __cplusplus
extern "C" {
#endif

typedef struct sf_atomic_file {
  char *final_path; /* where the result goes */
  char *tmp_path;   /* where to write now */
  int is_dir;
} sf_atomic_file;

/** Check, before any work, that `path` may be written: SF_EEXIST if it exists
    and !force, SF_ENOENT if its directory does not exist. Commands that write
    several files check them all first, so a refusal leaves nothing new behind. */
int sf_atomic_check(const char *path, int force);
/** Prepare to write `path`: SF_EEXIST if it exists and !force, SF_ENOENT if
    its directory does not exist. On success write to af->tmp_path. */
int sf_atomic_begin(const char *path, int force, sf_atomic_file *af);
/** As sf_atomic_begin, and create af->tmp_path as an empty directory. */
int sf_atomic_begin_dir(const char *path, int force, sf_atomic_file *af);
/** Rename the temporary onto the final path (replacing it only when forced
    at begin). Frees af's strings. */
int sf_atomic_commit(sf_atomic_file *af);
/** Remove the temporary (file or directory tree) and free af's strings. Safe
    to call after a failed begin or after commit. */
void sf_atomic_abort(sf_atomic_file *af);

#ifdef __cplusplus
}
#endif
#endif
