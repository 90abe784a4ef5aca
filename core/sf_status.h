/* sf_status.h - status codes and the last error message.

   Library code never aborts or exits: a function that fails returns one of the
   codes below and records a message (naming file, key and value where they
   exist) with sf_error_set(). The message is thread-local, so parallel callers
   do not overwrite each other's text. An optional process-wide handler (as in
   GSL's gsl_set_error_handler) sees every error; the default one does nothing.

   Catalogue: sf_strerror, sf_error_set, sf_error_vset, sf_error_prepend,
   sf_error_message, sf_error_clear, sf_error_set_handler. */
#ifndef SF_STATUS_H
#define SF_STATUS_H
#include <stdarg.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Values are frozen: they are part of the ABI. */
typedef enum sf_status {
  SF_OK = 0,
  SF_EINVAL = 1,      /* invalid argument or configuration value */
  SF_ENOMEM = 2,      /* allocation failed or a memory estimate does not fit */
  SF_EIO = 3,         /* read/write failure */
  SF_ERANGE = 4,      /* value outside its valid range (e.g. detector beyond band limit) */
  SF_EMAXITER = 5,    /* iteration limit reached without convergence */
  SF_EFORMAT = 6,     /* malformed file or text */
  SF_ENOENT = 7,      /* file, dataset or key not found */
  SF_EEXIST = 8,      /* output exists and overwriting was not allowed */
  SF_ENUMERIC = 9,    /* NaN/Inf or a numerical breakdown */
  SF_EUNSUPPORTED = 10 /* valid request this build or version cannot do */
} sf_status;

/** Text for a status code ("invalid argument", ...); never NULL. */
const char *sf_strerror(int status);

/** Record a printf-style message for `status` and return `status`.
    Typical use: `return sf_error_set(SF_EINVAL, "%s: key = %g: must be > 0", f, v);` */
int sf_error_set(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int sf_error_vset(int status, const char *fmt, va_list ap);

/** Prefix the recorded message with context ("reading x.emd: ...") and return `status`. */
int sf_error_prepend(int status, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/** The last message recorded in this thread ("" if none). */
const char *sf_error_message(void);
void sf_error_clear(void);

/** Handler called on every sf_error_set(); returns the previous one. NULL restores the default. */
typedef void sf_error_handler(int status, const char *message);
sf_error_handler *sf_error_set_handler(sf_error_handler *handler);

/* Convenience: propagate a non-zero status. */
#define SF_TRY(expr)                 \
  do {                               \
    int sf_try_status_ = (expr);     \
    if (sf_try_status_ != SF_OK)     \
      return sf_try_status_;         \
  } while (0)

#ifdef __cplusplus
}
#endif
#endif
