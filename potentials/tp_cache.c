/* tp_cache.c - disk cache of transition-potential sets, keyed by the full
   parameter set (sf_transition_params_key).

   File DIR/tp-<FNV-1a 64 of the key, 16 hex digits>.sftp, host byte order:
     "SFTPCACH", uint32 version = 1, uint32 0x01020304 (byte-order mark),
     uint64 key length, key text,
     edge: int32 Z, n, l, components, tabulated; char name[8],
           component_name[2][8]; double threshold_eV[2], electrons[2],
     uint64 nodes; per node int32 component, double epsilon, weight, loss,
     int32 n_lp, int32 lp[n_lp], int32 lam_max, uint64 nK, double dK,
     double max_overlap, double I[nodes * n_lp * (lam_max+1) * nK],
     uint64 FNV-1a 64 of all preceding bytes.
   Written through io/sf_atomic.h, so a reader never sees a partial file. A
   stored key that differs from the requested one (hash collision), a bad
   checksum, a foreign byte order or inconsistent sizes are SF_EFORMAT. */
#include "potentials/transition_internal.h"

#include "core/sf_alloc.h"
#include "core/sf_log.h"
#include "core/sf_status.h"
#include "io/sf_atomic.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CACHE_MAGIC "SFTPCACH"
#define CACHE_VERSION 1u
#define CACHE_BOM 0x01020304u
#define CACHE_MAX_BYTES ((size_t)1 << 33)

static uint64_t fnv1a(const void *data, size_t n, uint64_t h) {
  const unsigned char *p = data;
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}
#define FNV_OFFSET 14695981039346656037ull

static void checked_key(const sf_transition_params *p, char *key, size_t size) {
  sf_transition_params q;
  if (tp_params_check(p, &q) != SF_OK)
    q = *p;
  sf_error_clear();
  sf_transition_params_key(&q, key, size);
}

char *sf_tp_cache_path(const char *dir, const sf_transition_params *p, char *buf, size_t size) {
  char key[1024];
  checked_key(p, key, sizeof key);
  snprintf(buf, size, "%s/tp-%016" PRIx64 ".sftp", dir, fnv1a(key, strlen(key), FNV_OFFSET));
  return buf;
}

/* A growable byte buffer for writing. */
typedef struct wbuf {
  unsigned char *data;
  size_t n, cap;
  int failed;
} wbuf;

static void put(wbuf *b, const void *src, size_t n) {
  if (b->failed)
    return;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + n)
      cap *= 2;
    unsigned char *d = realloc(b->data, cap);
    if (!d) {
      b->failed = 1;
      return;
    }
    b->data = d;
    b->cap = cap;
  }
  memcpy(b->data + b->n, src, n);
  b->n += n;
}
static void put_i32(wbuf *b, int32_t v) { put(b, &v, sizeof v); }
static void put_u32(wbuf *b, uint32_t v) { put(b, &v, sizeof v); }
static void put_u64(wbuf *b, uint64_t v) { put(b, &v, sizeof v); }
static void put_f64(wbuf *b, double v) { put(b, &v, sizeof v); }

int sf_tp_cache_store(const char *dir, const sf_transition_set *ts) {
  if (!dir || !ts)
    return sf_error_set(SF_EINVAL, "sf_tp_cache_store: NULL argument");
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return sf_error_set(SF_ENOENT, "transition-potential cache: directory %s does not exist", dir);
  char key[1024], path[4096];
  sf_transition_params_key(&ts->p, key, sizeof key);
  sf_tp_cache_path(dir, &ts->p, path, sizeof path);
  wbuf b = {0};
  put(&b, CACHE_MAGIC, 8);
  put_u32(&b, CACHE_VERSION);
  put_u32(&b, CACHE_BOM);
  put_u64(&b, strlen(key));
  put(&b, key, strlen(key));
  const sf_edge *e = &ts->edge;
  put_i32(&b, e->Z);
  put_i32(&b, e->n);
  put_i32(&b, e->l);
  put_i32(&b, e->components);
  put_i32(&b, e->tabulated);
  put(&b, e->name, 8);
  put(&b, e->component_name, 16);
  for (int c = 0; c < SF_EDGE_MAX_COMPONENTS; ++c)
    put_f64(&b, e->threshold_eV[c]);
  for (int c = 0; c < SF_EDGE_MAX_COMPONENTS; ++c)
    put_f64(&b, e->electrons[c]);
  put_u64(&b, ts->n_nodes);
  for (size_t j = 0; j < ts->n_nodes; ++j) {
    put_i32(&b, ts->nodes[j].component);
    put_f64(&b, ts->nodes[j].epsilon_eV);
    put_f64(&b, ts->nodes[j].weight_eV);
    put_f64(&b, ts->nodes[j].energy_loss_eV);
  }
  put_i32(&b, ts->n_lp);
  for (int a = 0; a < ts->n_lp; ++a)
    put_i32(&b, ts->lp[a]);
  put_i32(&b, ts->lam_max);
  put_u64(&b, ts->nK);
  put_f64(&b, ts->dK);
  put_f64(&b, ts->max_overlap);
  const size_t nI = ts->n_nodes * (size_t)ts->n_lp * (size_t)(ts->lam_max + 1) * ts->nK;
  put(&b, ts->I, nI * sizeof(double));
  const uint64_t sum = b.failed ? 0 : fnv1a(b.data, b.n, FNV_OFFSET);
  put_u64(&b, sum);
  if (b.failed) {
    free(b.data);
    return sf_error_set(SF_ENOMEM, "transition-potential cache: out of memory");
  }
  sf_atomic_file af;
  int status = sf_atomic_begin(path, 1, &af);
  if (status != SF_OK) {
    free(b.data);
    return status;
  }
  FILE *f = fopen(af.tmp_path, "wb");
  if (!f) {
    status = sf_error_set(SF_EIO, "transition-potential cache %s: %s", af.tmp_path,
                          strerror(errno));
  } else {
    if (fwrite(b.data, 1, b.n, f) != b.n)
      status = sf_error_set(SF_EIO, "transition-potential cache %s: write failed", af.tmp_path);
    if (fclose(f) != 0 && status == SF_OK)
      status = sf_error_set(SF_EIO, "transition-potential cache %s: close failed", af.tmp_path);
  }
  free(b.data);
  if (status == SF_OK)
    status = sf_atomic_commit(&af);
  else
    sf_atomic_abort(&af);
  if (status == SF_OK)
    sf_log(SF_LOG_INFO, "transition potentials cached in %s", path);
  return status;
}

/* Reading cursor. */
typedef struct rbuf {
  const unsigned char *data;
  size_t n, pos;
  int short_read;
} rbuf;

static void get(rbuf *b, void *dst, size_t n) {
  if (b->short_read || b->pos + n > b->n) {
    b->short_read = 1;
    memset(dst, 0, n);
    return;
  }
  memcpy(dst, b->data + b->pos, n);
  b->pos += n;
}
static int32_t get_i32(rbuf *b) { int32_t v; get(b, &v, sizeof v); return v; }
static uint32_t get_u32(rbuf *b) { uint32_t v; get(b, &v, sizeof v); return v; }
static uint64_t get_u64(rbuf *b) { uint64_t v; get(b, &v, sizeof v); return v; }
static double get_f64(rbuf *b) { double v; get(b, &v, sizeof v); return v; }

static int parse(const char *path, const unsigned char *data, size_t n, const char *key,
                 const sf_transition_params *q, sf_transition_set *ts) {
#define BAD(...) return sf_error_set(SF_EFORMAT, __VA_ARGS__)
  if (n < 8 + 8 + 8 + 8 || memcmp(data, CACHE_MAGIC, 8) != 0)
    BAD("%s: not a stemfuse transition-potential cache file", path);
  uint64_t stored_sum;
  memcpy(&stored_sum, data + n - 8, 8);
  rbuf b = {data, n - 8, 8, 0};
  const uint32_t version = get_u32(&b), bom = get_u32(&b);
  if (bom != CACHE_BOM)
    BAD("%s: written on a machine of the other byte order", path);
  if (version != CACHE_VERSION)
    BAD("%s: cache version %u, expected %u", path, version, CACHE_VERSION);
  if (fnv1a(data, n - 8, FNV_OFFSET) != stored_sum)
    BAD("%s: checksum mismatch (corrupt or truncated)", path);
  const uint64_t klen = get_u64(&b);
  if (klen != strlen(key) || b.pos + klen > b.n || memcmp(data + b.pos, key, klen) != 0)
    BAD("%s: stored for other parameters (hash collision)", path);
  b.pos += klen;
  ts->p = *q;
  sf_edge *e = &ts->edge;
  e->Z = get_i32(&b);
  e->n = get_i32(&b);
  e->l = get_i32(&b);
  e->components = get_i32(&b);
  e->tabulated = get_i32(&b);
  get(&b, e->name, 8);
  get(&b, e->component_name, 16);
  e->name[7] = e->component_name[0][7] = e->component_name[1][7] = '\0';
  for (int c = 0; c < SF_EDGE_MAX_COMPONENTS; ++c)
    e->threshold_eV[c] = get_f64(&b);
  for (int c = 0; c < SF_EDGE_MAX_COMPONENTS; ++c)
    e->electrons[c] = get_f64(&b);
  if (e->Z != q->Z || e->l < 0 || e->l > 3 || e->components < 1 ||
      e->components > SF_EDGE_MAX_COMPONENTS)
    BAD("%s: inconsistent edge record", path);
  ts->n_nodes = get_u64(&b);
  if (ts->n_nodes < 1 || ts->n_nodes > 2 * 64)
    BAD("%s: %zu energy nodes", path, ts->n_nodes);
  ts->nodes = calloc(ts->n_nodes, sizeof *ts->nodes);
  if (!ts->nodes)
    return sf_error_set(SF_ENOMEM, "transition-potential cache: out of memory");
  for (size_t j = 0; j < ts->n_nodes; ++j) {
    ts->nodes[j].component = get_i32(&b);
    ts->nodes[j].epsilon_eV = get_f64(&b);
    ts->nodes[j].weight_eV = get_f64(&b);
    ts->nodes[j].energy_loss_eV = get_f64(&b);
    if (ts->nodes[j].component < 0 || ts->nodes[j].component >= e->components)
      BAD("%s: node %zu has component %d", path, j, ts->nodes[j].component);
  }
  ts->n_lp = get_i32(&b);
  if (ts->n_lp < 1 || ts->n_lp > TP_LP_MAX)
    BAD("%s: %d final l' values", path, ts->n_lp);
  for (int a = 0; a < ts->n_lp; ++a) {
    ts->lp[a] = get_i32(&b);
    if (ts->lp[a] < 0 || ts->lp[a] >= TP_LP_MAX)
      BAD("%s: l' = %d", path, ts->lp[a]);
  }
  ts->lam_max = get_i32(&b);
  ts->nK = get_u64(&b);
  ts->dK = get_f64(&b);
  ts->max_overlap = get_f64(&b);
  if (ts->lam_max != e->l + ts->lp[ts->n_lp - 1] || ts->lam_max > TP_LAMBDA_MAX || ts->nK < 4 ||
      ts->nK > 10000000 || !(ts->dK > 0.0))
    BAD("%s: inconsistent table sizes", path);
  const size_t nI = ts->n_nodes * (size_t)ts->n_lp * (size_t)(ts->lam_max + 1) * ts->nK;
  if (b.short_read || b.pos + nI * sizeof(double) != b.n)
    BAD("%s: %zu bytes of tables expected, %zu present", path, nI * sizeof(double),
        b.short_read ? 0 : b.n - b.pos);
  ts->I = sf_alloc(nI, sizeof(double), "cached radial-integral tables");
  if (!ts->I)
    return SF_ENOMEM;
  get(&b, ts->I, nI * sizeof(double));
#undef BAD
  return tp_set_finish(ts);
}

int sf_tp_cache_load(const char *dir, const sf_transition_params *p, sf_transition_set **out) {
  if (!dir || !p || !out)
    return sf_error_set(SF_EINVAL, "sf_tp_cache_load: NULL argument");
  *out = NULL;
  sf_transition_params q;
  SF_TRY(tp_params_check(p, &q));
  char key[1024], path[4096];
  sf_transition_params_key(&q, key, sizeof key);
  sf_tp_cache_path(dir, &q, path, sizeof path);
  FILE *f = fopen(path, "rb");
  if (!f)
    return sf_error_set(errno == ENOENT ? SF_ENOENT : SF_EIO, "transition-potential cache %s: %s",
                        path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || st.st_size < 0 || (size_t)st.st_size > CACHE_MAX_BYTES) {
    fclose(f);
    return sf_error_set(SF_EFORMAT, "transition-potential cache %s: unreadable size", path);
  }
  const size_t n = (size_t)st.st_size;
  unsigned char *data = malloc(n ? n : 1);
  if (!data) {
    fclose(f);
    return sf_error_set(SF_ENOMEM, "transition-potential cache %s: out of memory", path);
  }
  const size_t got = fread(data, 1, n, f);
  fclose(f);
  if (got != n) {
    free(data);
    return sf_error_set(SF_EIO, "transition-potential cache %s: read failed", path);
  }
  sf_transition_set *ts = calloc(1, sizeof *ts);
  int status = ts ? parse(path, data, n, key, &q, ts)
                  : sf_error_set(SF_ENOMEM, "transition-potential cache: out of memory");
  free(data);
  if (status != SF_OK) {
    sf_transition_set_destroy(ts);
    return status;
  }
  *out = ts;
  return SF_OK;
}

int sf_transition_set_create_cached(const sf_transition_params *p, const char *dir,
                                    sf_transition_set **out, int *hit) {
  if (hit)
    *hit = 0;
  if (!dir)
    return sf_transition_set_create(p, out);
  int status = sf_tp_cache_load(dir, p, out);
  if (status == SF_OK) {
    if (hit)
      *hit = 1;
    sf_log(SF_LOG_INFO, "transition potentials from the cache in %s", dir);
    return SF_OK;
  }
  if (status == SF_EINVAL || status == SF_ERANGE)
    return status; /* bad parameters: building would fail the same way */
  if (status != SF_ENOENT)
    sf_log(SF_LOG_WARN, "%s; rebuilding", sf_error_message());
  SF_TRY(sf_transition_set_create(p, out));
  if (sf_tp_cache_store(dir, *out) != SF_OK)
    sf_log(SF_LOG_WARN, "transition potentials not cached: %s", sf_error_message());
  return SF_OK;
}
