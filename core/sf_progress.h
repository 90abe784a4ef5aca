/* sf_progress.h - progress of long work with rate and time left, on stderr.

   Modes: on a terminal a redrawn bar with rate and time left; when stderr is
   not a terminal, plain lines at a fixed interval (no carriage returns); with
   --progress=json one JSON object per line for wrappers; or nothing (-q).
   sf_progress_add() is thread-safe and cheap: an atomic add, and at most one
   thread renders at a time, rate-limited.

   Catalogue: sf_progress_set_mode, sf_progress_set_stream, sf_progress_begin,
   sf_progress_add, sf_progress_end, sf_progress_format. */
#ifndef SF_PROGRESS_H
#define SF_PROGRESS_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_progress_mode {
  SF_PROGRESS_AUTO = 0,  /* bar on a terminal, plain lines otherwise */
  SF_PROGRESS_BAR = 1,
  SF_PROGRESS_PLAIN = 2,
  SF_PROGRESS_JSON = 3,
  SF_PROGRESS_NONE = 4
} sf_progress_mode;

/** Process-wide mode and output stream (stderr by default). */
void sf_progress_set_mode(sf_progress_mode mode);
sf_progress_mode sf_progress_get_mode(void);
void sf_progress_set_stream(FILE *stream);

/** Parse "auto", "bar", "plain", "json" or "none". Returns SF_EINVAL otherwise. */
int sf_progress_mode_parse(const char *text, sf_progress_mode *mode);

typedef struct sf_progress sf_progress;

/** Start a task of `total` units (label e.g. "probes"). Never fails: on
    allocation failure returns NULL, which every other call accepts. */
sf_progress *sf_progress_begin(const char *label, uint64_t total);
/** Add `n` completed units; may render. Thread-safe. */
void sf_progress_add(sf_progress *p, uint64_t n);
/** Render the final state and free. NULL is a no-op. */
void sf_progress_end(sf_progress *p);

/** Format one progress report into buf (no newline) for the given mode:
    "label 25/100 25% 3.1/s ETA 00:00:24" (plain) or a JSON object. Pure; used
    by the renderer and by tests. Returns buf. */
char *sf_progress_format(char *buf, size_t size, sf_progress_mode mode, const char *label,
                         uint64_t done, uint64_t total, double elapsed_s);

#ifdef __cplusplus
}
#endif
#endif
