/* sf_scan.h - probe positions of a STEM scan: a regular grid (window and
   step) or any list of positions.

   A scan holds n positions (x_A[i], y_A[i]) in A in the specimen's periodic
   cell. A grid scan has nx x ny positions x = x0 + ix step_x,
   y = y0 + iy step_y at index i = iy * nx + ix (the layout of the images it
   produces); a list scan is one row (ny = 1, nx = n). The default step is the
   Nyquist interval of the probe intensity, lambda / (4 alpha_p): the probe's
   intensity holds no frequency above 2 alpha_p / lambda.

   Catalogue: sf_scan_grid_create, sf_scan_window_create,
   sf_scan_window_nyquist_create, sf_scan_list_create,
   sf_scan_destroy, sf_scan_nyquist_step_A, sf_scan_check_cell,
   sf_scan_covers_period. */
#ifndef SF_SCAN_H
#define SF_SCAN_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Probe positions (read-only after creation). */
typedef struct sf_scan {
  size_t nx, ny;       /* image shape: a list has ny = 1 */
  size_t n;            /* nx * ny positions */
  double *x_A, *y_A;   /* positions (A), index iy * nx + ix; owned */
  int is_grid;         /* 1: regular grid with the calibration below */
  double origin_x_A, origin_y_A; /* first position of a grid */
  double step_x_A, step_y_A;     /* grid steps (A; 1 for a list) */
} sf_scan;

/** Grid of nx x ny (>= 1 each) positions starting at (x0_A, y0_A) with
    steps step_x_A, step_y_A (finite, > 0). *out owned by the caller.
    SF_EINVAL naming the bad value, SF_ENOMEM. */
int sf_scan_grid_create(double x0_A, double y0_A, double step_x_A, double step_y_A, size_t nx,
                        size_t ny, sf_scan **out);

/** Grid over the window [x0_A, x1_A) x [y0_A, y1_A) with step step_A (> 0)
    in both directions: nx = ceil((x1 - x0) / step) positions (a position
    within 1e-9 step of x1 is left out), likewise ny. SF_EINVAL for an empty
    window or a bad step. */
int sf_scan_window_create(double x0_A, double y0_A, double x1_A, double y1_A, double step_A,
                          sf_scan **out);

/** The default scan of a window: sf_scan_window_create with the Nyquist step
    sf_scan_nyquist_step_A(lambda_A, semiangle_mrad) (both > 0). */
int sf_scan_window_nyquist_create(double x0_A, double y0_A, double x1_A, double y1_A,
                                  double lambda_A, double semiangle_mrad, sf_scan **out);

/** List of n (>= 1) positions copied from x_A, y_A (finite). */
int sf_scan_list_create(const double *x_A, const double *y_A, size_t n, sf_scan **out);

/** Free. NULL is a no-op. */
void sf_scan_destroy(sf_scan *s);

/** Nyquist step (A) for a probe of semi-angle semiangle_mrad at wavelength
    lambda_A: lambda / (4 alpha). */
double sf_scan_nyquist_step_A(double lambda_A, double semiangle_mrad);

/** SF_ERANGE naming the first position (index, x, y) outside the cell
    [0, cell_x_A] x [0, cell_y_A] (a tolerance of 1e-9 A), SF_OK otherwise. */
int sf_scan_check_cell(const sf_scan *s, double cell_x_A, double cell_y_A);

/** 1 when s is a grid whose extent nx step_x and ny step_y equal whole
    multiples of the cell (relative 1e-9), so that a periodic blur of its
    images is exact; 0 otherwise. */
int sf_scan_covers_period(const sf_scan *s, double cell_x_A, double cell_y_A);

#ifdef __cplusplus
}
#endif
#endif
