/* sf_threads.h - thread setup shared by OpenMP loops and FFTW.

   Catalogue: sf_threads_init, sf_threads_count. */
#ifndef SF_THREADS_H
#define SF_THREADS_H
#ifdef __cplusplus
extern "C" {
#endif

/** Use `n` threads (n <= 0: OpenMP's default, i.e. OMP_NUM_THREADS or the
    core count) for OpenMP loops and FFTW's threaded planner. Call once before
    any planning. Returns SF_OK or SF_EINVAL. */
int sf_threads_init(int n);
/** Threads in use. */
int sf_threads_count(void);

#ifdef __cplusplus
}
#endif
#endif
