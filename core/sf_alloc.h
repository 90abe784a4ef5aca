/* sf_alloc.h - aligned, overflow-checked, zeroed allocation.

   Arrays that FFTW or SIMD loops touch are 64-byte aligned. sf_alloc() checks
   count*size for overflow and records an SF_ENOMEM message naming what was
   being allocated and how many bytes.

   Catalogue: sf_alloc, sf_free, sf_format_bytes. */
#ifndef SF_ALLOC_H
#define SF_ALLOC_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

#define SF_ALIGNMENT 64

/** 64-byte aligned, zero-filled array of count*size bytes, or NULL with an
    SF_ENOMEM message mentioning `what`. Free with sf_free(). */
void *sf_alloc(size_t count, size_t size, const char *what);
/** Free memory from sf_alloc(); NULL is a no-op. */
void sf_free(void *ptr);
/** "1.50 GiB" style text for a byte count. Returns buf. */
char *sf_format_bytes(char *buf, size_t size, double bytes);

#ifdef __cplusplus
}
#endif
#endif
