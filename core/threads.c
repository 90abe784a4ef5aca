/* threads.c - one thread count for OpenMP and FFTW. */
#include "core/sf_threads.h"

#include "core/sf_status.h"

#include <fftw3.h>
#include <omp.h>

static int thread_count = 0;

int sf_threads_init(int n) {
  if (n > 0)
    omp_set_num_threads(n);
  thread_count = omp_get_max_threads();
  static int fftw_threads_ready = 0;
  if (!fftw_threads_ready) {
    if (!fftwf_init_threads() || !fftw_init_threads())
      return sf_error_set(SF_EINVAL, "FFTW could not initialise its threads");
    fftw_threads_ready = 1;
  }
  fftwf_plan_with_nthreads(thread_count);
  fftw_plan_with_nthreads(thread_count);
  return SF_OK;
}

int sf_threads_count(void) { return thread_count > 0 ? thread_count : omp_get_max_threads(); }
