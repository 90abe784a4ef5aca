/* fuse_imageset.c - fused recovery on image sets (sf_fuse_imageset.h):
   input checks, the mode dispatch, the output maps and the attributes. */
#include "recon/sf_fuse_imageset.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "potentials/sf_elements.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define GROUP SF_FUSE_ATTR_GROUP

int sf_fuse_mode_parse(const char *text, sf_fuse_mode *mode) {
  if (text && strcmp(text, "default") == 0) {
    *mode = SF_FUSE_MODE_DEFAULT;
    return SF_OK;
  }
  if (text && strcmp(text, "reference") == 0) {
    *mode = SF_FUSE_MODE_REFERENCE;
    return SF_OK;
  }
  return sf_error_set(SF_EINVAL, "fuse: mode \"%s\": expected default or reference",
                      text ? text : "(null)");
}

const char *sf_fuse_mode_name(sf_fuse_mode mode) {
  switch (mode) {
  case SF_FUSE_MODE_DEFAULT: return "default";
  case SF_FUSE_MODE_REFERENCE: return "reference";
  }
  return "unknown";
}

void sf_fuse_imageset_params_default(sf_fuse_imageset_params *p) {
  memset(p, 0, sizeof *p);
  p->mode = SF_FUSE_MODE_DEFAULT;
  sf_fuse_params_default(&p->solver);
  sf_fuse_ref_params_default(&p->reference);
  p->custom_weights = NULL;
  p->yield = NULL;
  p->auto_lambda = 0;
  sf_fuse_autolambda_params_default(&p->autolambda);
  p->use_multires = 0;
  sf_fuse_multires_params_default(&p->multires);
  p->standard_errors = 1;
  sf_fuse_se_params_default(&p->se);
  p->relconc_min = 0.05;
  p->relconc_outside = NAN;
  p->progress = 0;
}

int sf_fuse_imageset_map_name(const char *symbol, const char *kind, char *buf, size_t size) {
  if (!symbol || !kind || !buf || size == 0)
    return sf_error_set(SF_EINVAL, "fuse: NULL output name argument");
  int len = snprintf(buf, size, "%s_%s", symbol, kind);
  if (len < 0 || (size_t)len >= size || !sf_name_is_valid(buf))
    return sf_error_set(SF_EINVAL, "fuse: output map name \"%s_%s\" is too long or not a valid "
                                   "map name",
                        symbol, kind);
  return SF_OK;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- inputs ---- */

typedef struct fuse_inputs {
  size_t nx, ny, n, ne;
  const sf_map *haadf_map;
  const sf_map *chem_map[SF_FUSE_MAX_ELEMENTS];
  double Z[SF_FUSE_MAX_ELEMENTS];
  const char *names[SF_FUSE_MAX_ELEMENTS];
  double *haadf;
  double *chem; /* ne*n */
  const double *chem_ptr[SF_FUSE_MAX_ELEMENTS];
  sf_fuse_problem prob;
} fuse_inputs;

static const sf_map *find_2d(const sf_imageset *in, const char *name, const char *role,
                             int *status) {
  const sf_map *m = sf_imageset_find(in, name);
  if (!m) {
    char list[512] = "";
    size_t len = 0;
    for (size_t k = 0; k < in->count && len + 2 < sizeof list; k++) {
      int w = snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", in->maps[k]->name);
      if (w < 0)
        break;
      len += (size_t)w < sizeof list - len ? (size_t)w : sizeof list - len - 1;
    }
    *status = sf_error_set(SF_ENOENT, "fuse: %s: no map \"%s\" in the input (maps: %s)", role,
                           name, in->count ? list : "none");
    return NULL;
  }
  if (m->nz != 1) {
    *status = sf_error_set(SF_EINVAL, "fuse: %s: map \"%s\" is a cube (%zu x %zu x %zu): a 2-D "
                                      "map is needed",
                           role, name, m->nx, m->ny, m->nz);
    return NULL;
  }
  *status = SF_OK;
  return m;
}

static void map_copy(const sf_map *m, double *out) {
  const size_t n = m->nx * m->ny;
  if (m->dtype == SF_F64)
    memcpy(out, m->data, n * sizeof(double));
  else {
    const float *f = m->data;
    for (size_t p = 0; p < n; p++)
      out[p] = (double)f[p];
  }
}

static void inputs_free(fuse_inputs *fi) {
  sf_free(fi->haadf);
  sf_free(fi->chem);
}

static int inputs_load(const sf_imageset *in, const char *haadf, size_t ne,
                       const sf_fuse_imageset_element *el, fuse_inputs *fi) {
  memset(fi, 0, sizeof *fi);
  int st;
  if (!haadf)
    return sf_error_set(SF_EINVAL, "fuse: no HAADF map name given");
  fi->haadf_map = find_2d(in, haadf, "HAADF", &st);
  if (!fi->haadf_map)
    return st;
  fi->nx = fi->haadf_map->nx;
  fi->ny = fi->haadf_map->ny;
  fi->n = fi->nx * fi->ny;
  fi->ne = ne;
  for (size_t i = 0; i < ne; i++) {
    if (!el[i].symbol || !el[i].map)
      return sf_error_set(SF_EINVAL, "fuse: element %zu: symbol and map name must be given", i);
    int Z;
    st = sf_element_from_symbol(el[i].symbol, &Z);
    if (st != SF_OK)
      return sf_error_prepend(st, "fuse: element %zu: ", i);
    for (size_t k = 0; k < i; k++)
      if (strcmp(el[k].symbol, el[i].symbol) == 0)
        return sf_error_set(SF_EINVAL, "fuse: element %s is given twice (maps \"%s\" and \"%s\")",
                            el[i].symbol, el[k].map, el[i].map);
    char role[64];
    snprintf(role, sizeof role, "element %s", el[i].symbol);
    fi->chem_map[i] = find_2d(in, el[i].map, role, &st);
    if (!fi->chem_map[i])
      return st;
    if (!sf_map_same_grid(fi->chem_map[i], fi->haadf_map))
      return sf_error_set(SF_EINVAL,
                          "fuse: element %s: map \"%s\" is %zu x %zu (nx x ny) but the HAADF "
                          "map \"%s\" is %zu x %zu: the maps must have the same size",
                          el[i].symbol, el[i].map, fi->chem_map[i]->nx, fi->chem_map[i]->ny,
                          haadf, fi->nx, fi->ny);
    fi->Z[i] = (double)Z;
    fi->names[i] = el[i].symbol;
  }
  SF_TRY(sf_map_check_finite(fi->haadf_map));
  for (size_t i = 0; i < ne; i++)
    SF_TRY(sf_map_check_finite(fi->chem_map[i]));
  fi->haadf = sf_alloc(fi->n, sizeof(double), "fuse HAADF");
  fi->chem = sf_alloc(ne * fi->n, sizeof(double), "fuse chemical maps");
  if (!fi->haadf || !fi->chem) {
    inputs_free(fi);
    return SF_ENOMEM;
  }
  map_copy(fi->haadf_map, fi->haadf);
  for (size_t i = 0; i < ne; i++) {
    map_copy(fi->chem_map[i], fi->chem + i * fi->n);
    fi->chem_ptr[i] = fi->chem + i * fi->n;
  }
  fi->prob.nx = fi->nx;
  fi->prob.ny = fi->ny;
  fi->prob.n_elements = ne;
  fi->prob.haadf = fi->haadf;
  fi->prob.chem = fi->chem_ptr;
  fi->prob.Z = fi->Z;
  fi->prob.names = fi->names;
  return SF_OK;
}

/* ---- the run, mode by mode ---- */

typedef struct fuse_output {
  double *x;  /* ne*n */
  double *se; /* ne*n or NULL */
  sf_fuse_se_summary se_sum;
  int have_se;
  double weights[SF_FUSE_MAX_ELEMENTS];
  double lambda_chem, lambda_tv;
  int iterations;
  sf_fuse_stop stop;
  double objective;
  double seconds_solve;
} fuse_output;

static int set_doubles_n(sf_attrs *a, const char *key, const double *v, size_t n) {
  return sf_attrs_set_doubles(a, GROUP, key, v, n);
}

static int standard_errors(sf_fuse_solver *s, const double *x, const sf_fuse_nuisance *nu,
                           const sf_fuse_imageset_params *par, size_t total, fuse_output *o) {
  if (!par->standard_errors)
    return SF_OK;
  o->se = sf_alloc(total, sizeof(double), "fuse standard errors");
  if (!o->se)
    return SF_ENOMEM;
  SF_TRY(sf_fuse_standard_errors(s, x, nu, &par->se, o->se, NULL, &o->se_sum));
  o->have_se = 1;
  return SF_OK;
}

static int run_default(const fuse_inputs *fi, const sf_fuse_imageset_params *par, sf_attrs *at,
                       fuse_output *o) {
  sf_fuse_problem prob = fi->prob;
  prob.yield = par->yield;
  prob.custom_weights = par->custom_weights;
  sf_fuse_params sp = par->solver;
  sp.progress = par->progress;
  SF_TRY(sf_fuse_problem_check(&prob, &sp));
  SF_TRY(sf_attrs_set_int(at, GROUP, "auto_lambda", par->auto_lambda));
  if (par->auto_lambda) {
    sf_fuse_autolambda_result *al = NULL;
    sf_fuse_autolambda_params ap = par->autolambda;
    ap.progress = par->progress;
    SF_TRY(sf_fuse_autolambda_run(&prob, &sp, &ap, &al));
    sp.lambda_tv = al->lambda_tv;
    sp.lambda_chem = al->lambda_chem;
    sf_log(SF_LOG_NOTE, "fuse: automatic lambda: %s", al->rule);
    int st = sf_attrs_set_string(at, GROUP, "autolambda_rule", al->rule);
    char seed[32];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)ap.seed);
    if (st == SF_OK)
      st = sf_attrs_set_string(at, GROUP, "autolambda_seed", seed);
    if (st == SF_OK)
      st = sf_attrs_set_int(at, GROUP, "autolambda_counts", al->counts);
    if (st == SF_OK)
      st = sf_attrs_set_double(at, GROUP, "autolambda_p", ap.p);
    if (st == SF_OK)
      st = sf_attrs_set_int(at, GROUP, "autolambda_folds", ap.folds);
    if (st == SF_OK)
      st = sf_attrs_set_double(at, GROUP, "autolambda_tv_exponent", ap.tv_exponent);
    if (st == SF_OK && al->counts) {
      st = set_doubles_n(at, "autolambda_grid_tv", al->grid_tv, al->n_tv);
      if (st == SF_OK)
        st = set_doubles_n(at, "autolambda_grid_chem", al->grid_chem, al->n_chem);
      if (st == SF_OK)
        st = set_doubles_n(at, "autolambda_score", al->score, al->n_tv * al->n_chem);
      if (st == SF_OK)
        st = sf_attrs_set_double(at, GROUP, "autolambda_lambda_tv_half", al->lambda_tv_half);
      if (st == SF_OK)
        st = sf_attrs_set_double(at, GROUP, "autolambda_lambda_chem_half",
                                 al->lambda_chem_half);
    }
    if (st == SF_OK)
      st = sf_attrs_set_double(at, GROUP, "autolambda_seconds", al->seconds);
    sf_fuse_autolambda_result_destroy(al);
    SF_TRY(st);
  }
  const size_t total = fi->ne * fi->n;
  double *x0 = NULL;
  SF_TRY(sf_attrs_set_int(at, GROUP, "multires", par->use_multires));
  if (par->use_multires) {
    x0 = sf_alloc(total, sizeof(double), "fuse multires start");
    if (!x0)
      return SF_ENOMEM;
    sf_fuse_multires_info info;
    int st = sf_fuse_multires_initial(&prob, &sp, &par->multires, x0, &info);
    if (st == SF_OK)
      st = sf_attrs_set_string(at, GROUP, "multires_method",
                               sf_fuse_multires_method_name(par->multires.method));
    if (st == SF_OK)
      st = sf_attrs_set_double(at, GROUP, "multires_factor", par->multires.factor);
    if (st == SF_OK)
      st = sf_attrs_set_int(at, GROUP, "multires_coarse_nx", (int64_t)info.cnx);
    if (st == SF_OK)
      st = sf_attrs_set_int(at, GROUP, "multires_coarse_ny", (int64_t)info.cny);
    if (st == SF_OK)
      st = sf_attrs_set_int(at, GROUP, "multires_coarse_iterations", info.coarse_iterations);
    if (st == SF_OK)
      st = sf_attrs_set_string(at, GROUP, "multires_coarse_stop",
                               sf_fuse_stop_name(info.coarse_stop));
    if (st == SF_OK)
      st = sf_attrs_set_double(at, GROUP, "multires_seconds", info.seconds);
    if (st != SF_OK) {
      sf_free(x0);
      return st;
    }
  }
  sf_fuse_solver *s = NULL;
  sf_fuse_result *r = NULL;
  int st = sf_fuse_solver_create(&prob, &sp, &s);
  if (st == SF_OK)
    st = sf_fuse_solver_run(s, x0, &r);
  sf_free(x0);
  if (st != SF_OK) {
    sf_fuse_solver_destroy(s);
    return st;
  }
  o->x = r->x;
  r->x = NULL; /* taken over */
  memcpy(o->weights, r->weights, sizeof o->weights);
  o->lambda_chem = sp.lambda_chem;
  o->lambda_tv = sp.lambda_tv;
  o->iterations = r->iterations;
  o->stop = r->stop;
  o->objective = r->trace[r->n_trace - 1].total;
  o->seconds_solve = r->seconds;
  sf_fuse_nuisance nu = {r->scale, r->offset, r->yield};
  st = standard_errors(s, o->x, &nu, par, total, o);
  /* the history and the solver's figures */
  double *buf = sf_alloc(4 * (size_t)r->n_trace, sizeof(double), "fuse cost history");
  if (st == SF_OK && !buf)
    st = SF_ENOMEM;
  if (st == SF_OK) {
    size_t m = (size_t)r->n_trace;
    for (size_t k = 0; k < m; k++) {
      buf[k] = r->trace[k].psi1;
      buf[m + k] = r->trace[k].psi2;
      buf[2 * m + k] = r->trace[k].tv;
      buf[3 * m + k] = r->trace[k].total;
    }
    st = sf_attrs_set_string(at, GROUP, "cost_definition", "default");
    if (st == SF_OK)
      st = set_doubles_n(at, "cost_haadf", buf, m);
    if (st == SF_OK)
      st = set_doubles_n(at, "cost_chem", buf + m, m);
    if (st == SF_OK)
      st = set_doubles_n(at, "cost_tv", buf + 2 * m, m);
    if (st == SF_OK)
      st = set_doubles_n(at, "cost_total", buf + 3 * m, m);
  }
  sf_free(buf);
  struct {
    const char *key;
    double v;
  } dv[] = {{"eps", sp.eps},
            {"haadf_sigma", r->haadf_sigma},
            {"scale", r->scale},
            {"offset", r->offset},
            {"tol_x", sp.tol_x},
            {"tol_cost", sp.tol_cost},
            {"tv_tol", sp.tv_tol},
            {"rel_change_x", r->rel_change_x},
            {"rel_change_cost", r->rel_change_cost},
            {"step", r->step}};
  for (size_t k = 0; st == SF_OK && k < sizeof dv / sizeof *dv; k++)
    st = sf_attrs_set_double(at, GROUP, dv[k].key, dv[k].v);
  if (st == SF_OK)
    st = set_doubles_n(at, "yields", r->yield, fi->ne);
  if (st == SF_OK)
    st = sf_attrs_set_string(at, GROUP, "chem_model", sf_fuse_chem_model_name(sp.chem_model));
  if (st == SF_OK)
    st = sf_attrs_set_string(at, GROUP, "weight_mode", sf_fuse_weight_mode_name(sp.weight_mode));
  if (st == SF_OK)
    st = sf_attrs_set_string(at, GROUP, "scale_mode",
                             sp.scale_mode == SF_FUSE_SCALE_FIT
                                 ? "fit"
                                 : (sp.scale_mode == SF_FUSE_SCALE_INITIAL ? "initial" : "fixed"));
  if (st == SF_OK)
    st = sf_attrs_set_double(at, GROUP, "gamma", sp.gamma);
  if (st == SF_OK)
    st = sf_attrs_set_int(at, GROUP, "fit_offset", sp.fit_offset);
  if (st == SF_OK)
    st = sf_attrs_set_int(at, GROUP, "estimate_yield", sp.estimate_yield);
  if (st == SF_OK)
    st = sf_attrs_set_int(at, GROUP, "max_iter", sp.max_iter);
  if (st == SF_OK)
    st = sf_attrs_set_int(at, GROUP, "tv_max_iter", sp.tv_max_iter);
  if (st == SF_OK)
    st = sf_attrs_set_int(at, GROUP, "accelerate", sp.accelerate);
  if (st == SF_OK)
    st = sf_attrs_set_int(at, GROUP, "evaluations", r->evaluations);
  sf_fuse_result_destroy(r);
  sf_fuse_solver_destroy(s);
  return st;
}

static int run_reference(const fuse_inputs *fi, const sf_fuse_imageset_params *par,
                         sf_attrs *at, fuse_output *o) {
  if (par->auto_lambda)
    return sf_error_set(SF_EINVAL, "fuse: automatic lambda needs the default mode (the "
                                   "reference mode's maps are min-max normalised, not counts)");
  if (par->use_multires)
    return sf_error_set(SF_EINVAL, "fuse: the multi-resolution start needs the default mode");
  sf_fuse_problem prob = fi->prob;
  prob.custom_weights = par->custom_weights;
  sf_fuse_ref_params rp = par->reference;
  rp.progress = par->progress;
  sf_fuse_ref_result *r = NULL;
  sf_fuse_ref_data *d = NULL;
  SF_TRY(sf_fuse_ref_run(&prob, &rp, &r, &d));
  o->x = r->x;
  r->x = NULL;
  memcpy(o->weights, r->weights, sizeof o->weights);
  o->lambda_chem = rp.lambda_chem;
  o->lambda_tv = rp.lambda_tv;
  o->iterations = r->n_iter;
  o->stop = SF_FUSE_STOP_MAX_ITER;
  o->seconds_solve = r->seconds;
  /* the objective a fixed point of the loop minimises, and the standard
     errors of its smooth part */
  sf_fuse_params ip;
  sf_fuse_ref_implied(&rp, fi->ne, &ip);
  sf_fuse_solver *s = NULL;
  int st = sf_fuse_solver_create(&d->problem, &ip, &s);
  double ones[SF_FUSE_MAX_ELEMENTS];
  for (size_t i = 0; i < SF_FUSE_MAX_ELEMENTS; i++)
    ones[i] = 1.0;
  sf_fuse_nuisance nu = {1.0, 0.0, ones};
  sf_fuse_cost c;
  if (st == SF_OK)
    st = sf_fuse_solver_evaluate(s, o->x, &nu, &c, NULL, NULL);
  if (st == SF_OK) {
    o->objective = c.total;
    st = standard_errors(s, o->x, &nu, par, fi->ne * fi->n, o);
  }
  sf_fuse_solver_destroy(s);
  const size_t m = (size_t)r->n_iter;
  double *tot = sf_alloc(m, sizeof(double), "reference totals");
  if (st == SF_OK && !tot)
    st = SF_ENOMEM;
  if (st == SF_OK) {
    /* the reference's own total: lambda_H costHAADF - lambda_chem costChem
       + lambda_tv costTV (its log-likelihood enters with a minus sign) */
    for (size_t k = 0; k < m; k++)
      tot[k] = r->cost_haadf[k] / (double)fi->ne - rp.lambda_chem * r->cost_chem[k] +
               rp.lambda_tv * r->cost_tv[k];
    st = sf_attrs_set_string(at, GROUP, "cost_definition", "reference");
  }
  if (st == SF_OK)
    st = set_doubles_n(at, "cost_haadf", r->cost_haadf, m);
  if (st == SF_OK)
    st = set_doubles_n(at, "cost_chem", r->cost_chem, m);
  if (st == SF_OK)
    st = set_doubles_n(at, "cost_tv", r->cost_tv, m);
  if (st == SF_OK)
    st = set_doubles_n(at, "cost_total", tot, m);
  if (st == SF_OK)
    st = set_doubles_n(at, "cost_initial", r->cost0, 3);
  sf_free(tot);
  if (st == SF_OK)
    st = sf_attrs_set_string(at, GROUP, "tv_variant", sf_fuse_ref_tv_name(rp.tv_variant));
  if (st == SF_OK)
    st = sf_attrs_set_string(at, GROUP, "weight_mode", sf_fuse_weight_mode_name(rp.weight_mode));
  if (st == SF_OK)
    st = sf_attrs_set_double(at, GROUP, "gamma", rp.gamma);
  if (st == SF_OK)
    st = sf_attrs_set_double(at, GROUP, "eps", rp.bkg);
  if (st == SF_OK)
    st = sf_attrs_set_double(at, GROUP, "x0_threshold", rp.x0_threshold);
  if (st == SF_OK)
    st = sf_attrs_set_int(at, GROUP, "max_iter", rp.n_iter);
  if (st == SF_OK)
    st = sf_attrs_set_int(at, GROUP, "tv_max_iter", rp.tv_iter);
  if (st == SF_OK)
    st = sf_attrs_set_int(at, GROUP, "normalise", rp.normalise);
  if (st == SF_OK)
    st = sf_attrs_set_int(at, GROUP, "float16_weights", rp.float16_weights);
  if (st == SF_OK)
    st = sf_attrs_set_double(at, GROUP, "lambda_haadf", 1.0 / (double)fi->ne);
  if (st == SF_OK)
    st = sf_attrs_set_double(at, GROUP, "implied_lambda1", (double)fi->ne * rp.lambda_chem);
  if (st == SF_OK)
    st = sf_attrs_set_double(at, GROUP, "implied_lambda2", (double)fi->ne * rp.lambda_tv);
  if (st == SF_OK)
    st = sf_attrs_set_double(at, GROUP, "haadf_min", d->haadf_min);
  if (st == SF_OK)
    st = sf_attrs_set_double(at, GROUP, "haadf_range", d->haadf_range);
  if (st == SF_OK)
    st = set_doubles_n(at, "chem_min", d->chem_min, fi->ne);
  if (st == SF_OK)
    st = set_doubles_n(at, "chem_range", d->chem_range, fi->ne);
  sf_fuse_ref_data_destroy(d);
  sf_fuse_ref_result_destroy(r);
  return st;
}

/* ---- outputs ---- */

static int add_output_map(sf_imageset *out, const fuse_inputs *fi, const char *symbol,
                          const char *kind, const double *values, const char *quantity,
                          const char *units, int Z) {
  char name[SF_NAME_MAX];
  SF_TRY(sf_fuse_imageset_map_name(symbol, kind, name, sizeof name));
  if (sf_imageset_find(out, name))
    return sf_error_set(SF_EINVAL, "fuse: the output set already has a map \"%s\"", name);
  sf_map *m;
  SF_TRY(sf_imageset_add_map(out, name, SF_F64, fi->nx, fi->ny, 1, &m));
  memcpy(m->data, values, fi->n * sizeof(double));
  m->axis[0] = fi->haadf_map->axis[0];
  m->axis[1] = fi->haadf_map->axis[1];
  snprintf(m->quantity, sizeof m->quantity, "%s", quantity);
  snprintf(m->units, sizeof m->units, "%s", units);
  SF_TRY(sf_attrs_set_string(&m->attrs, "", "element", symbol));
  SF_TRY(sf_attrs_set_int(&m->attrs, "", "Z", Z));
  return SF_OK;
}

static int add_outputs(sf_imageset *out, const fuse_inputs *fi,
                       const sf_fuse_imageset_element *el, const sf_fuse_imageset_params *par,
                       const fuse_output *o) {
  const size_t n = fi->n, ne = fi->ne;
  double *rc = sf_alloc(n * (ne + 1), sizeof(double), "fuse relative concentrations");
  if (!rc)
    return SF_ENOMEM;
  double *sum = rc + ne * n;
  double smax = 0.0;
  for (size_t p = 0; p < n; p++) {
    double s = 0.0;
    for (size_t i = 0; i < ne; i++)
      s += o->x[i * n + p];
    sum[p] = s;
    smax = s > smax ? s : smax;
  }
  const double cut = par->relconc_min * smax;
  for (size_t p = 0; p < n; p++) {
    int in_mask = sum[p] > cut && sum[p] > 0.0;
    for (size_t i = 0; i < ne; i++)
      rc[i * n + p] = in_mask ? o->x[i * n + p] / sum[p] : par->relconc_outside;
  }
  const int ref = par->mode == SF_FUSE_MODE_REFERENCE;
  int st = SF_OK;
  for (size_t i = 0; st == SF_OK && i < ne; i++) {
    char q[64];
    const char *units = ref ? "" : fi->chem_map[i]->units;
    snprintf(q, sizeof q, "%s (fused)", el[i].symbol);
    st = add_output_map(out, fi, el[i].symbol, "fused", o->x + i * n, q, units, (int)fi->Z[i]);
    if (st == SF_OK) {
      snprintf(q, sizeof q, "%s relative concentration", el[i].symbol);
      st = add_output_map(out, fi, el[i].symbol, "relconc", rc + i * n, q, "", (int)fi->Z[i]);
    }
    if (st == SF_OK && par->standard_errors) {
      snprintf(q, sizeof q, "%s standard error", el[i].symbol);
      st = add_output_map(out, fi, el[i].symbol, "stderr", o->se + i * n, q, units,
                          (int)fi->Z[i]);
    }
  }
  sf_free(rc);
  return st;
}

static int common_attrs(sf_attrs *at, const fuse_inputs *fi, const sf_fuse_imageset_element *el,
                        const char *haadf, const sf_fuse_imageset_params *par,
                        const fuse_output *o) {
  char list[SF_FUSE_MAX_ELEMENTS * 8], maps[SF_FUSE_MAX_ELEMENTS * (SF_NAME_MAX + 1)];
  size_t a = 0, b = 0;
  list[0] = maps[0] = '\0';
  for (size_t i = 0; i < fi->ne; i++) {
    int wa = snprintf(list + a, sizeof list - a, "%s%s", i ? "," : "", el[i].symbol);
    int wb = snprintf(maps + b, sizeof maps - b, "%s%s", i ? "," : "", el[i].map);
    if (wa < 0 || wb < 0 || (size_t)wa >= sizeof list - a || (size_t)wb >= sizeof maps - b)
      return sf_error_set(SF_EINVAL, "fuse: element symbols or map names too long");
    a += (size_t)wa;
    b += (size_t)wb;
  }
  SF_TRY(sf_attrs_set_string(at, GROUP, "mode", sf_fuse_mode_name(par->mode)));
  SF_TRY(sf_attrs_set_string(at, GROUP, "elements", list));
  SF_TRY(sf_attrs_set_string(at, GROUP, "element_maps", maps));
  SF_TRY(sf_attrs_set_string(at, GROUP, "haadf_map", haadf));
  SF_TRY(set_doubles_n(at, "Z", fi->Z, fi->ne));
  SF_TRY(set_doubles_n(at, "weights", o->weights, fi->ne));
  if (par->custom_weights)
    SF_TRY(set_doubles_n(at, "custom_weights", par->custom_weights, fi->ne));
  SF_TRY(sf_attrs_set_double(at, GROUP, "lambda_chem", o->lambda_chem));
  SF_TRY(sf_attrs_set_double(at, GROUP, "lambda_tv", o->lambda_tv));
  SF_TRY(sf_attrs_set_int(at, GROUP, "iterations", o->iterations));
  SF_TRY(sf_attrs_set_string(at, GROUP, "stop", sf_fuse_stop_name(o->stop)));
  SF_TRY(sf_attrs_set_double(at, GROUP, "objective", o->objective));
  SF_TRY(sf_attrs_set_double(at, GROUP, "seconds_solve", o->seconds_solve));
  SF_TRY(sf_attrs_set_double(at, GROUP, "relconc_min", par->relconc_min));
  SF_TRY(sf_attrs_set_double(at, GROUP, "relconc_outside", par->relconc_outside));
  SF_TRY(sf_attrs_set_int(at, GROUP, "standard_errors", par->standard_errors));
  if (o->have_se) {
    SF_TRY(sf_attrs_set_double(at, GROUP, "mean_se", o->se_sum.mean_se));
    SF_TRY(set_doubles_n(at, "mean_se_element", o->se_sum.mean_se_element, fi->ne));
    SF_TRY(sf_attrs_set_int(at, GROUP, "se_valid_pixels", (int64_t)o->se_sum.n_valid));
    SF_TRY(sf_attrs_set_int(at, GROUP, "se_masked_pixels", (int64_t)o->se_sum.n_masked));
    SF_TRY(sf_attrs_set_int(at, GROUP, "se_gauss_newton", par->se.gauss_newton));
    SF_TRY(sf_attrs_set_double(at, GROUP, "se_x_min", o->se_sum.x_min));
  }
  return SF_OK;
}

int sf_fuse_imageset_run(const sf_imageset *in, const char *haadf, size_t n_elements,
                         const sf_fuse_imageset_element *elements,
                         const sf_fuse_imageset_params *par, sf_imageset *out,
                         sf_fuse_imageset_summary *summary) {
  const double t0 = now_s();
  if (!in || !elements || !par || !out)
    return sf_error_set(SF_EINVAL, "fuse: NULL input set, elements, parameters or output set");
  if (n_elements == 0 || n_elements > SF_FUSE_MAX_ELEMENTS)
    return sf_error_set(SF_EINVAL, "fuse: %zu elements: need 1 .. %d", n_elements,
                        SF_FUSE_MAX_ELEMENTS);
  if (par->mode != SF_FUSE_MODE_DEFAULT && par->mode != SF_FUSE_MODE_REFERENCE)
    return sf_error_set(SF_EINVAL, "fuse: unknown mode %d", (int)par->mode);
  if (!(par->relconc_min >= 0.0 && par->relconc_min < 1.0))
    return sf_error_set(SF_EINVAL, "fuse: relconc_min = %g: must be in [0, 1)",
                        par->relconc_min);
  fuse_inputs fi;
  SF_TRY(inputs_load(in, haadf, n_elements, elements, &fi));
  /* output names before any work */
  for (size_t i = 0; i < n_elements; i++) {
    static const char *const kinds[] = {"fused", "relconc", "stderr"};
    for (int k = 0; k < 3; k++) {
      char name[SF_NAME_MAX];
      int st = sf_fuse_imageset_map_name(elements[i].symbol, kinds[k], name, sizeof name);
      if (st == SF_OK && sf_imageset_find(out, name))
        st = sf_error_set(SF_EINVAL, "fuse: the output set already has a map \"%s\"", name);
      if (st != SF_OK) {
        inputs_free(&fi);
        return st;
      }
    }
  }
  fuse_output o;
  memset(&o, 0, sizeof o);
  sf_attrs at = {0};
  int st = par->mode == SF_FUSE_MODE_DEFAULT ? run_default(&fi, par, &at, &o)
                                             : run_reference(&fi, par, &at, &o);
  if (st == SF_OK)
    st = common_attrs(&at, &fi, elements, haadf, par, &o);
  const size_t count0 = out->count;
  if (st == SF_OK)
    st = add_outputs(out, &fi, elements, par, &o);
  if (st == SF_OK)
    st = sf_imageset_check_names(out);
  if (st == SF_OK) {
    /* merge the attributes; restore the old ones if that fails */
    sf_attrs backup = {0};
    st = sf_attrs_copy(&backup, &out->attrs);
    if (st == SF_OK) {
      st = sf_attrs_copy(&out->attrs, &at);
      if (st != SF_OK) {
        sf_attrs_clear(&out->attrs);
        out->attrs = backup;
        backup = (sf_attrs){0};
      }
    }
    sf_attrs_clear(&backup);
  }
  if (st != SF_OK)
    sf_imageset_truncate(out, count0);
  if (st == SF_OK && summary) {
    summary->mode = par->mode;
    summary->n_elements = n_elements;
    summary->lambda_chem = o.lambda_chem;
    summary->lambda_tv = o.lambda_tv;
    summary->iterations = o.iterations;
    summary->stop = o.stop;
    summary->objective = o.objective;
    summary->mean_se = o.have_se ? o.se_sum.mean_se : NAN;
    summary->seconds_solve = o.seconds_solve;
    summary->seconds = now_s() - t0;
  }
  sf_attrs_clear(&at);
  sf_free(o.x);
  sf_free(o.se);
  inputs_free(&fi);
  return st;
}
