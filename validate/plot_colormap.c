/* plot_colormap.c - the viridis colour map.

   viridis is the perceptually uniform colour map designed by Stéfan van der
   Walt and Nathaniel Smith for matplotlib 1.5 (2015), released under CC0.
   The anchors below are entries 0, 17, 34, ..., 255 of matplotlib's 256-entry
   viridis table (_cm_listed.py), i.e. the colour at t = k/15; between them
   the colour is interpolated linearly in RGB (within 7/255 of the full
   table). */
#include "validate/sf_plot.h"

#include <math.h>

#define VIRIDIS_ANCHORS 16
#define BAD_VALUE_GRAY 0xC0C0C0u

static const double viridis_anchor[VIRIDIS_ANCHORS][3] = {
    {0.267004, 0.004874, 0.329415}, /* t = 0/15, table entry 0 */
    {0.282656, 0.100196, 0.422160}, /* 17 */
    {0.277134, 0.185228, 0.489898}, /* 34 */
    {0.253935, 0.265254, 0.529983}, /* 51 */
    {0.221989, 0.339161, 0.548752}, /* 68 */
    {0.190631, 0.407061, 0.556089}, /* 85 */
    {0.163625, 0.471133, 0.558148}, /* 102 */
    {0.139147, 0.533812, 0.555298}, /* 119 */
    {0.120565, 0.596422, 0.543611}, /* 136 */
    {0.134692, 0.658636, 0.517649}, /* 153 */
    {0.208030, 0.718701, 0.472873}, /* 170 */
    {0.327796, 0.773980, 0.406640}, /* 187 */
    {0.477504, 0.821444, 0.318195}, /* 204 */
    {0.647257, 0.858400, 0.209861}, /* 221 */
    {0.824940, 0.884720, 0.106217}, /* 238 */
    {0.993248, 0.906157, 0.143936}, /* t = 15/15, table entry 255 */
};

uint32_t sf_plot_viridis(double t) {
  if (isnan(t))
    return BAD_VALUE_GRAY;
  t = t < 0.0 ? 0.0 : (t > 1.0 ? 1.0 : t);
  double pos = t * (VIRIDIS_ANCHORS - 1);
  int k = (int)floor(pos);
  if (k >= VIRIDIS_ANCHORS - 1)
    k = VIRIDIS_ANCHORS - 2;
  double f = pos - k;
  uint32_t rgb = 0;
  for (int ch = 0; ch < 3; ++ch) {
    double v = viridis_anchor[k][ch] + f * (viridis_anchor[k + 1][ch] - viridis_anchor[k][ch]);
    rgb = rgb << 8 | (uint32_t)lround(255.0 * v);
  }
  return rgb;
}
