/* progress.c - rate-limited, thread-safe progress rendering. */
#include "core/sf_progress.h"

#include "core/sf_status.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct sf_progress {
  char label[64];
  uint64_t total;
  atomic_uint_fast64_t done;
  double start_s;
  double last_render_s;
  uint64_t last_render_done; /* count shown by the last line (plain and JSON modes) */
  sf_progress_mode mode; /* resolved: never AUTO */
  pthread_mutex_t render_lock;
};

static sf_progress_mode global_mode = SF_PROGRESS_AUTO;
static FILE *global_stream = NULL;

static FILE *stream(void) { return global_stream ? global_stream : stderr; }

void sf_progress_set_mode(sf_progress_mode mode) { global_mode = mode; }
sf_progress_mode sf_progress_get_mode(void) { return global_mode; }
void sf_progress_set_stream(FILE *s) { global_stream = s; }

int sf_progress_mode_parse(const char *text, sf_progress_mode *mode) {
  static const char *names[] = {"auto", "bar", "plain", "json", "none"};
  for (int i = 0; i < 5; ++i) {
    if (strcmp(text, names[i]) == 0) {
      *mode = (sf_progress_mode)i;
      return SF_OK;
    }
  }
  return sf_error_set(SF_EINVAL, "--progress=%s: expected auto, bar, plain, json or none", text);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void format_hms(char *buf, size_t size, double seconds) {
  if (!isfinite(seconds) || seconds < 0) {
    snprintf(buf, size, "--:--:--");
    return;
  }
  unsigned long s = (unsigned long)(seconds + 0.5);
  snprintf(buf, size, "%02lu:%02lu:%02lu", s / 3600, (s / 60) % 60, s % 60);
}

char *sf_progress_format(char *buf, size_t size, sf_progress_mode mode, const char *label,
                         uint64_t done, uint64_t total, double elapsed_s) {
  double rate = elapsed_s > 0 ? (double)done / elapsed_s : 0.0;
  double left_s = (rate > 0 && total >= done) ? (double)(total - done) / rate : NAN;
  double percent = total ? 100.0 * (double)done / (double)total : 100.0;
  char eta[32], el[32];
  format_hms(eta, sizeof eta, left_s);
  format_hms(el, sizeof el, elapsed_s);
  if (mode == SF_PROGRESS_JSON) {
    snprintf(buf, size,
             "{\"task\":\"%s\",\"done\":%llu,\"total\":%llu,\"percent\":%.1f,"
             "\"rate_per_s\":%.4g,\"elapsed_s\":%.3f,\"eta_s\":%.3f}",
             label, (unsigned long long)done, (unsigned long long)total, percent, rate,
             elapsed_s, isfinite(left_s) ? left_s : -1.0);
  } else if (mode == SF_PROGRESS_BAR) {
    char bar[31];
    int filled = (int)(percent * 0.3);
    for (int i = 0; i < 30; ++i)
      bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    snprintf(buf, size, "%s [%s] %llu/%llu %3.0f%% %.3g/s elapsed %s ETA %s", label, bar,
             (unsigned long long)done, (unsigned long long)total, percent, rate, el, eta);
  } else {
    snprintf(buf, size, "%s %llu/%llu %.0f%% %.3g/s elapsed %s ETA %s", label,
             (unsigned long long)done, (unsigned long long)total, percent, rate, el, eta);
  }
  return buf;
}

/* Minimum seconds between two renders, per mode. */
static double render_interval(sf_progress_mode mode) {
  switch (mode) {
  case SF_PROGRESS_BAR: return 0.1;
  case SF_PROGRESS_JSON: return 1.0;
  default: return 5.0;
  }
}

static void render(sf_progress *p, int final) {
  char line[512];
  double elapsed = now_s() - p->start_s;
  uint64_t done = atomic_load(&p->done);
  /* A final line repeating the last one adds nothing (a bar is redrawn anyway). */
  if (final && p->mode != SF_PROGRESS_BAR && p->last_render_done == done && done > 0)
    return;
  p->last_render_done = done;
  sf_progress_format(line, sizeof line, p->mode, p->label, done, p->total, elapsed);
  if (p->mode == SF_PROGRESS_BAR)
    fprintf(stream(), "\r%s\033[K%s", line, final ? "\n" : "");
  else
    fprintf(stream(), "%s\n", line);
  fflush(stream());
}

sf_progress *sf_progress_begin(const char *label, uint64_t total) {
  sf_progress_mode mode = global_mode;
  if (mode == SF_PROGRESS_AUTO)
    mode = isatty(fileno(stream())) ? SF_PROGRESS_BAR : SF_PROGRESS_PLAIN;
  if (mode == SF_PROGRESS_NONE)
    return NULL;
  sf_progress *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  snprintf(p->label, sizeof p->label, "%s", label);
  p->total = total;
  atomic_init(&p->done, 0);
  p->start_s = now_s();
  p->last_render_s = p->start_s;
  p->mode = mode;
  pthread_mutex_init(&p->render_lock, NULL);
  return p;
}

void sf_progress_add(sf_progress *p, uint64_t n) {
  if (!p)
    return;
  atomic_fetch_add(&p->done, n);
  if (pthread_mutex_trylock(&p->render_lock) != 0)
    return; /* another thread is rendering */
  double t = now_s();
  if (t - p->last_render_s >= render_interval(p->mode)) {
    p->last_render_s = t;
    render(p, 0);
  }
  pthread_mutex_unlock(&p->render_lock);
}

void sf_progress_end(sf_progress *p) {
  if (!p)
    return;
  render(p, 1);
  pthread_mutex_destroy(&p->render_lock);
  free(p);
}
