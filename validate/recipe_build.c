/* recipe_build.c - from a resolved recipe to the objects of a run: the voxel
   phantom and the recovery's parameters. */
#include "validate/sf_recipe.h"

#include "core/sf_status.h"

#include <math.h>
#include <string.h>

int sf_recipe_element_index(const sf_recipe_params *p, int Z) {
  for (size_t i = 0; i < p->n_elements; ++i)
    if (p->Z[i] == Z)
      return (int)i;
  return -1;
}

int sf_recipe_phase_index(const sf_recipe_params *p, const char *name) {
  for (size_t i = 0; i < p->n_phases; ++i)
    if (strcmp(p->phases[i].phase.name, name) == 0)
      return (int)i;
  return -1;
}

const char *sf_recipe_shape_name(sf_recipe_shape shape) {
  switch (shape) {
  case SF_RECIPE_SPHERE:
    return "sphere";
  case SF_RECIPE_CORE_SHELL:
    return "core_shell";
  case SF_RECIPE_CUBOID:
    return "cuboid";
  case SF_RECIPE_FILMS:
    return "films";
  }
  return "unknown";
}

int sf_recipe_build_phantom(const sf_recipe_params *p, sf_phantom **out) {
  if (!p || !out)
    return sf_error_set(SF_EINVAL, "sf_recipe_build_phantom: NULL argument");
  *out = NULL;
  sf_phantom *ph = NULL;
  SF_TRY(sf_phantom_create(p->nx, p->ny, p->nz, p->voxel_A, &ph));
  int st = sf_phantom_set_supersampling(ph, p->supersampling);
  for (size_t i = 0; i < p->n_phases && st == SF_OK; ++i)
    st = sf_phantom_add_phase(ph, &p->phases[i].phase, NULL);
  if (st == SF_OK) {
    switch (p->shape) {
    case SF_RECIPE_SPHERE:
      st = sf_phantom_add_sphere(ph, p->shape_phase + 1, p->centre_A, p->radius_A);
      break;
    case SF_RECIPE_CORE_SHELL:
      st = sf_phantom_add_core_shell(ph, p->core_phase + 1, p->shell_phase + 1, p->centre_A,
                                     p->core_radius_A, p->radius_A);
      break;
    case SF_RECIPE_CUBOID:
      st = sf_phantom_add_cuboid(ph, p->shape_phase + 1, p->lo_A, p->hi_A);
      break;
    case SF_RECIPE_FILMS: {
      sf_phantom_film films[SF_RECIPE_MAX_FILMS];
      for (size_t f = 0; f < p->n_films; ++f) {
        films[f].phase = p->films[f].phase + 1;
        films[f].lo_A = p->films[f].lo_A;
        films[f].hi_A = p->films[f].hi_A;
        films[f].thickness_A = p->films[f].thickness_A;
      }
      st = sf_phantom_add_films(ph, p->film_axis, p->films_z0_A, p->n_films, films);
      break;
    }
    default:
      st = sf_error_set(SF_EINVAL, "unknown phantom shape %d", (int)p->shape);
    }
  }
  if (st != SF_OK) {
    sf_phantom_destroy(ph);
    return st;
  }
  *out = ph;
  return SF_OK;
}

void sf_recipe_fuse_params(const sf_recipe_params *p, sf_fuse_params *par) {
  sf_fuse_params_default(par);
  if (p->weight_auto) {
    /* paper: h = sum (Z x)^gamma; linear: h = sum Z^gamma x, i.e. gamma 1
       with weights Z^gamma (sf_recipe_fuse_weights) */
    par->gamma = p->fuse_form == SF_HAADF_LINEAR ? 1.0 : p->fuse_gamma;
    par->weight_mode =
        p->fuse_form == SF_HAADF_LINEAR ? SF_FUSE_WEIGHT_CUSTOM : SF_FUSE_WEIGHT_PAPER;
  } else {
    par->gamma = p->fuse_gamma;
    par->weight_mode = p->weight_mode;
  }
  par->lambda_chem = p->lambda_chem;
  par->lambda_tv = p->lambda_tv;
  par->chem_model = p->chem_model;
  par->eps = p->eps;
  par->estimate_yield = !p->known_yields;
  par->fit_offset = p->fit_offset;
  par->accelerate = p->accelerate;
  par->max_iter = p->max_iter;
  par->tv_max_iter = p->tv_max_iter;
  par->tol_x = p->tol_x;
  par->tol_cost = p->tol_cost;
}

void sf_recipe_fuse_weights(const sf_recipe_params *p, double *w) {
  for (size_t i = 0; i < p->n_elements; ++i)
    w[i] = p->weight_auto ? pow((double)p->Z[i], p->fuse_gamma) : p->custom_weights[i];
}
