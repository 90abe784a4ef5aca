/* The finite projection through the whole engine: with one slice holding
   every atom, the finite and infinite projections are the same potential
   (an atom's slab weights sum to one and the outermost slabs reach to
   infinity), so the images agree to single-precision rounding; with several
   slices the finite projection moves potential across slice faces, which
   changes channelling images only slightly for atoms at slice centres.
   sf_stem_params.projection selects the mode. */
#include "core/sf_status.h"
#include "sim/sf_multislice.h"

#include <criterion/criterion.h>
#include <math.h>

#define STO_A 3.905
#define NPX 128
/* same potential, single-precision waves: relative */
#define TOL_SAME_POTENTIAL 1e-4
/* measured 1.2e-4 relative between the projections for atoms at slice centres
   (SrTiO3, two half-cell slices, HAADF 40-80 mrad): the potential that crosses a
   face is small; the bound says "small", two orders below the column contrast */
#define TOL_PROJECTION_CHANGE 1e-2

typedef struct {
  sf_slice_atom atoms[32];
  size_t n;
} crystal;

/* 2 x 2 cells of SrTiO3, one cell thick, atoms at the centres of two slices. */
static void sto(crystal *c) {
  c->n = 0;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      const double x = i * STO_A, y = j * STO_A, h = 0.5 * STO_A;
      c->atoms[c->n++] = (sf_slice_atom){38, x, y, 0.25 * STO_A};
      c->atoms[c->n++] = (sf_slice_atom){8, x + h, y + h, 0.25 * STO_A};
      c->atoms[c->n++] = (sf_slice_atom){22, x + h, y + h, 0.75 * STO_A};
      c->atoms[c->n++] = (sf_slice_atom){8, x + h, y, 0.75 * STO_A};
      c->atoms[c->n++] = (sf_slice_atom){8, x, y + h, 0.75 * STO_A};
    }
}

static int give(void *user, size_t index, const sf_slice_atom **atoms, size_t *n) {
  (void)index;
  crystal *c = user;
  *atoms = c->atoms;
  *n = c->n;
  return SF_OK;
}

static sf_detector DET;

static void run(size_t n_slices, sf_projection_mode mode, double *haadf) {
  sf_stem_params p;
  sf_stem_params_default(&p);
  p.nx = p.ny = NPX;
  p.sampling_A = 2 * STO_A / NPX;
  p.slice_thickness_A = STO_A / (double)n_slices;
  p.n_slices = n_slices;
  p.threads = 1;
  p.progress = 0;
  p.projection = mode;
  sf_detector_init(&DET, "HAADF", 40.0, 80.0, 0, 0.0);
  p.detectors.detectors = &DET;
  p.detectors.n_detectors = 1;
  sf_scan *scan = NULL;
  cr_assert_eq(sf_scan_grid_create(0.0, 0.0, STO_A / 4, STO_A / 4, 4, 4, &scan), SF_OK);
  crystal c;
  sto(&c);
  sf_stem_result *r = NULL;
  cr_assert_eq(sf_stem_simulate(&p, NULL, 0.0, give, &c, 1, scan, &r), SF_OK, "%s",
               sf_error_message());
  cr_assert_eq(sf_stem_result_get(r, 0, "HAADF", haadf, NULL), SF_OK);
  sf_stem_result_destroy(r);
  sf_scan_destroy(scan);
}

Test(multislice_finite, one_slice_finite_equals_infinite) {
  double inf[16], fin[16];
  run(1, SF_PROJECTION_INFINITE, inf);
  run(1, SF_PROJECTION_FINITE, fin);
  for (int k = 0; k < 16; ++k)
    cr_assert(fabs(fin[k] - inf[k]) <= TOL_SAME_POTENTIAL * inf[k], "probe %d: %g vs %g", k,
              fin[k], inf[k]);
}

Test(multislice_finite, two_slices_change_images_slightly) {
  double inf[16], fin[16];
  run(2, SF_PROJECTION_INFINITE, inf);
  run(2, SF_PROJECTION_FINITE, fin);
  double max_rel = 0.0;
  for (int k = 0; k < 16; ++k)
    max_rel = fmax(max_rel, fabs(fin[k] - inf[k]) / inf[k]);
  cr_assert_gt(max_rel, 1e-6, "the finite projection must move some potential");
  cr_assert_lt(max_rel, TOL_PROJECTION_CHANGE, "max relative change %g", max_rel);
}
