/* transition_internal.h - the layout of sf_transition_set, shared by the
   files that build (transition_set.c), evaluate (transition_eval.c) and
   cache (tp_cache.c) it. Not a public header. */
#ifndef SF_TRANSITION_INTERNAL_H
#define SF_TRANSITION_INTERNAL_H
#include "potentials/sf_transition.h"

#define TP_LP_MAX 9     /* l' <= 8 */
#define TP_LAMBDA_MAX 12 /* l + l' <= 3 + 8 + 1 */

struct sf_transition_set {
  sf_transition_params p;
  sf_edge edge;
  double k0_invA;      /* incident wavenumber (1/lambda) */
  double gamma;        /* 1 + E0 / m0c^2 */
  size_t n_nodes;
  sf_transition_node *nodes;
  int n_lp;
  int lp[TP_LP_MAX];
  int lam_max;         /* l + max l' */
  size_t nK;           /* radial-integral table points */
  double dK;           /* table step, Bohr^-1 */
  double *I;           /* [((node * n_lp + a) * (lam_max + 1) + lambda) * nK + iK], per eV^1/2 */
  size_t n_states;
  sf_transition_state *states;
  double *coef;        /* [f * (lam_max + 1) + lambda]: sqrt(N_e) sqrt(4pi (2l+1)(2l'+1)(2lam+1))
                          (l' lam l;000)(l' lam l;-m' -mu m)(-1)^(m'+mu) */
  double max_overlap;
};

/** Index of I for node j, l' index a, lambda. */
static inline size_t tp_index(const struct sf_transition_set *ts, size_t j, int a, int lam) {
  return ((j * (size_t)ts->n_lp + (size_t)a) * (size_t)(ts->lam_max + 1) + (size_t)lam) * ts->nK;
}

/** Fill states, coefficients and kinematics from p, edge, nodes, lp (after
    the tables exist or are loaded). Returns a status. */
int tp_set_finish(struct sf_transition_set *ts);
/** Validate parameters and fill defaults into *q. */
int tp_params_check(const sf_transition_params *p, sf_transition_params *q);

#endif
