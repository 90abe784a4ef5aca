/* source.c - load one map from "file.emd:SIGNAL", "file.h5:/dataset" or "file.npy". */
#include "io/sf_source.h"

#include "core/sf_status.h"
#include "io/sf_emd.h"
#include "io/sf_h5.h"
#include "io/sf_npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* At most this many signals or datasets are listed in a message. */
#define SOURCE_LIST_MAX 20

typedef enum source_kind { SOURCE_UNKNOWN, SOURCE_EMD, SOURCE_H5, SOURCE_NPY } source_kind;

static int has_suffix(const char *file, size_t len, const char *suffix) {
  size_t n = strlen(suffix);
  return len > n && strncasecmp(file + len - n, suffix, n) == 0;
}

/* The reader for the first `len` characters of a spec, by extension. */
static source_kind kind_of(const char *file, size_t len) {
  if (has_suffix(file, len, ".emd"))
    return SOURCE_EMD;
  if (has_suffix(file, len, ".h5") || has_suffix(file, len, ".hdf5"))
    return SOURCE_H5;
  if (has_suffix(file, len, ".npy"))
    return SOURCE_NPY;
  return SOURCE_UNKNOWN;
}

/* A valid map name from text: other characters become '_'. */
static void default_name(const char *text, size_t len, char *out, size_t size) {
  size_t n = 0;
  for (; n < len && n + 1 < size && n + 1 < SF_NAME_MAX; ++n) {
    char c = text[n];
    int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    out[n] = ok ? c : '_';
  }
  out[n] = '\0';
}

/* "a, b, c" for the signals of an EMD file, or why they cannot be listed. */
static void emd_choices(const char *file, char *buf, size_t size) {
  char **names = NULL;
  size_t n = 0;
  if (sf_io_emd_list(file, &names, &n) != SF_OK) {
    snprintf(buf, size, "cannot list them: %s", sf_error_message());
    return;
  }
  size_t used = (size_t)snprintf(buf, size, "signals:");
  for (size_t i = 0; i < n && i < SOURCE_LIST_MAX && used < size; ++i)
    used += (size_t)snprintf(buf + used, size - used, "%s %s", i ? "," : "", names[i]);
  if (n > SOURCE_LIST_MAX && used < size)
    snprintf(buf + used, size - used, ", ... (%zu in all)", n);
  else if (n == 0)
    snprintf(buf, size, "the file holds no signals");
  sf_io_emd_list_free(names, n);
}

/* "/a (400 x 400 float32), ..." for the datasets of an HDF5 file. */
static void h5_choices(const char *file, char *buf, size_t size) {
  sf_h5_entry *entries = NULL;
  size_t n = 0;
  if (sf_io_h5_list(file, &entries, &n) != SF_OK) {
    snprintf(buf, size, "cannot list them: %s", sf_error_message());
    return;
  }
  size_t used = (size_t)snprintf(buf, size, "datasets:");
  for (size_t i = 0; i < n && i < SOURCE_LIST_MAX && used < size; ++i) {
    used += (size_t)snprintf(buf + used, size - used, "%s %s (", i ? "," : "", entries[i].path);
    for (int r = 0; r < entries[i].rank && used < size; ++r)
      used += (size_t)snprintf(buf + used, size - used, "%s%llu", r ? " x " : "",
                               (unsigned long long)entries[i].dims[r]);
    if (used < size)
      used += (size_t)snprintf(buf + used, size - used, "%s%s)", entries[i].rank ? " " : "",
                               entries[i].dtype);
  }
  if (n > SOURCE_LIST_MAX && used < size)
    snprintf(buf + used, size - used, ", ... (%zu in all)", n);
  else if (n == 0)
    snprintf(buf, size, "the file holds no datasets");
  sf_io_h5_entries_free(entries, n);
}

static int load_npy(const char *file, sf_imageset *set, const char *name, sf_map **out) {
  if (!sf_name_is_valid(name))
    return sf_error_set(SF_EINVAL, "map name '%s' is not valid: use 1-%d characters from "
                        "[A-Za-z0-9_]", name, SF_NAME_MAX - 1);
  if (sf_imageset_find(set, name))
    return sf_error_set(SF_EINVAL, "map name '%s' is already in the image set", name);
  sf_imageset *tmp = sf_imageset_create();
  if (!tmp)
    return SF_ENOMEM;
  sf_map *m = NULL;
  int status = sf_io_npy_read_map(file, tmp, name, &m);
  if (status == SF_OK)
    status = sf_io_map_adopt(set, m, name, SF_F64, out);
  sf_imageset_destroy(tmp);
  return status;
}

int sf_io_load_map(const char *spec, sf_imageset *set, const char *map_name, sf_map **out) {
  if (out)
    *out = NULL;
  if (!spec || !*spec || !set)
    return sf_error_set(SF_EINVAL, "loading a map: empty source spec or no image set");
  /* The file part ends at the first ':' that follows an HDF5 extension. */
  const char *colon = NULL;
  for (const char *p = strchr(spec, ':'); p && !colon; p = strchr(p + 1, ':')) {
    source_kind k = kind_of(spec, (size_t)(p - spec));
    if (k == SOURCE_EMD || k == SOURCE_H5)
      colon = p;
  }
  size_t file_len = colon ? (size_t)(colon - spec) : strlen(spec);
  char *file = strndup(spec, file_len);
  if (!file)
    return sf_error_set(SF_ENOMEM, "loading '%s': out of memory", spec);
  const char *part = colon ? colon + 1 : NULL;
  source_kind kind = kind_of(file, file_len);
  char name[SF_NAME_MAX], choices[1536];
  int status;
  switch (kind) {
  case SOURCE_EMD:
  case SOURCE_H5: {
    int emd = kind == SOURCE_EMD;
    if (!part || !*part) {
      if (emd)
        emd_choices(file, choices, sizeof choices);
      else
        h5_choices(file, choices, sizeof choices);
      status = sf_error_set(SF_EINVAL, "source '%s' names no %s: write %s:%s (%s)", spec,
                            emd ? "signal" : "dataset", file, emd ? "SIGNAL" : "/DATASET",
                            choices);
      break;
    }
    const char *base = emd ? part : (strrchr(part, '/') ? strrchr(part, '/') + 1 : part);
    default_name(base, strlen(base), name, sizeof name);
    const char *use = map_name ? map_name : name;
    status = emd ? sf_io_emd_read_signal(file, part, set, use, SF_F64, out)
                 : sf_io_h5_read_map(file, part, set, use, out);
    if (status != SF_OK)
      sf_error_prepend(status, "loading '%s'", spec);
    break;
  }
  case SOURCE_NPY: {
    const char *slash = strrchr(file, '/');
    const char *stem = slash ? slash + 1 : file;
    default_name(stem, strlen(stem) - 4, name, sizeof name);
    status = load_npy(file, set, map_name ? map_name : name, out);
    if (status != SF_OK)
      sf_error_prepend(status, "loading '%s'", spec);
    break;
  }
  default:
    status = sf_error_set(SF_EUNSUPPORTED, "source '%s': unknown file type; use FILE.emd:SIGNAL, "
                          "FILE.h5:/DATASET, FILE.hdf5:/DATASET or FILE.npy", spec);
    break;
  }
  free(file);
  return status;
}
