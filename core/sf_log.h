/* sf_log.h - levelled logging to stderr, and the one door to stdout.

   Nothing below cli/ prints to stdout except through sf_out(). Messages at or
   below the current level go to stderr, prefixed with the level name. The
   command line maps -q to SF_LOG_ERROR and -v/-vv to SF_LOG_INFO/SF_LOG_DEBUG;
   the default, SF_LOG_NOTE, shows errors, warnings and the short
   summaries a person expects to see.

   Catalogue: sf_log_set_level, sf_log_get_level, sf_log, sf_out. */
#ifndef SF_LOG_H
#define SF_LOG_H
#ifdef __cplusplus
extern "C" {
#endif

typedef enum sf_log_level {
  SF_LOG_ERROR = 0,
  SF_LOG_WARN = 1,
  SF_LOG_NOTE = 2,  /* default: short summaries (grid, memory, output path) */
  SF_LOG_INFO = 3,  /* -v */
  SF_LOG_DEBUG = 4  /* -vv */
} sf_log_level;

void sf_log_set_level(sf_log_level level);
sf_log_level sf_log_get_level(void);

/** Print a message to stderr if `level` is enabled. Thread-safe (one line at a time). */
void sf_log(sf_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Print to stdout (results a command reports). */
void sf_out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef __cplusplus
}
#endif
#endif
