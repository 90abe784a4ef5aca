/* npy.c - NumPy .npy reader (versions 1.0, 2.0, 3.0) and writer (1.0). */
#include "io/sf_npy.h"

#include "core/sf_alloc.h"
#include "core/sf_status.h"
#include "io/sf_atomic.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_CHUNK_BYTES ((size_t)1 << 16)
#define NPY_REASON_MAX 200
/* Header text quoted in error messages is cut to this many characters. */
#define NPY_QUOTE_MAX 100

/* ---------------------------------------------------------------- header parser */

/* A cursor over the header text with room for the reason of a failure. */
typedef struct header_parser {
  const char *text;
  size_t len;
  size_t pos;
  char reason[NPY_REASON_MAX];
} header_parser;

/* What the dict held; the keys seen are flagged. */
typedef struct header_fields {
  char descr[16];
  int fortran_order;
  int rank;
  size_t shape[SF_NPY_MAX_RANK];
  int have_descr, have_fortran, have_shape;
} header_fields;

static int fail(header_parser *p, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(header_parser *p, int status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->reason, sizeof p->reason, fmt, ap);
  va_end(ap);
  return status;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void skip_space(header_parser *p) {
  while (p->pos < p->len && is_space(p->text[p->pos]))
    ++p->pos;
}

static int at_end(const header_parser *p) { return p->pos >= p->len; }

static char peek(const header_parser *p) { return at_end(p) ? '\0' : p->text[p->pos]; }

static int expect(header_parser *p, char c, const char *what) {
  skip_space(p);
  if (peek(p) != c)
    return fail(p, SF_EFORMAT, "expected '%c' %s at offset %zu", c, what, p->pos);
  ++p->pos;
  return SF_OK;
}

/* A Python string literal in single or double quotes, without escapes. */
static int parse_string(header_parser *p, char *out, size_t cap) {
  skip_space(p);
  char quote = peek(p);
  if (quote != '\'' && quote != '"')
    return fail(p, SF_EFORMAT, "expected a quoted string at offset %zu", p->pos);
  size_t start = ++p->pos;
  while (!at_end(p) && p->text[p->pos] != quote) {
    char c = p->text[p->pos];
    if (c == '\\')
      return fail(p, SF_EFORMAT, "escape sequence in a string at offset %zu is not supported",
                  p->pos);
    if (c == '\n' || c == '\r')
      return fail(p, SF_EFORMAT, "unterminated string starting at offset %zu", start - 1);
    ++p->pos;
  }
  if (at_end(p))
    return fail(p, SF_EFORMAT, "unterminated string starting at offset %zu", start - 1);
  size_t n = p->pos - start;
  ++p->pos;
  if (n >= cap)
    return fail(p, SF_EFORMAT, "string at offset %zu is too long (%zu characters)", start - 1,
                n);
  memcpy(out, p->text + start, n);
  out[n] = '\0';
  return SF_OK;
}

static int is_ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int parse_bool(header_parser *p, int *out) {
  skip_space(p);
  const char *s = p->text + p->pos;
  size_t left = p->len - p->pos;
  if (left >= 4 && memcmp(s, "True", 4) == 0 && (left == 4 || !is_ident_char(s[4]))) {
    p->pos += 4;
    *out = 1;
    return SF_OK;
  }
  if (left >= 5 && memcmp(s, "False", 5) == 0 && (left == 5 || !is_ident_char(s[5]))) {
    p->pos += 5;
    *out = 0;
    return SF_OK;
  }
  return fail(p, SF_EFORMAT, "fortran_order must be True or False (offset %zu)", p->pos);
}

/* A non-negative decimal integer; Python 2 files may carry an 'L' suffix. */
static int parse_size(header_parser *p, size_t *out) {
  skip_space(p);
  size_t start = p->pos;
  size_t v = 0;
  while (!at_end(p) && p->text[p->pos] >= '0' && p->text[p->pos] <= '9') {
    size_t d = (size_t)(p->text[p->pos] - '0');
    if (v > (SIZE_MAX - d) / 10)
      return fail(p, SF_EFORMAT, "shape entry at offset %zu is too large", start);
    v = v * 10 + d;
    ++p->pos;
  }
  if (p->pos == start)
    return fail(p, SF_EFORMAT, "expected a non-negative integer in shape at offset %zu", start);
  if (peek(p) == 'L' || peek(p) == 'l')
    ++p->pos;
  *out = v;
  return SF_OK;
}

/* A tuple of integers: "()", "(3,)", "(3, 4)", "(3, 4,)". */
static int parse_shape(header_parser *p, header_fields *h) {
  SF_TRY(expect(p, '(', "to open the shape tuple"));
  h->rank = 0;
  skip_space(p);
  if (peek(p) == ')') {
    ++p->pos;
    return SF_OK;
  }
  int trailing_comma = 0;
  for (;;) {
    size_t v = 0;
    SF_TRY(parse_size(p, &v));
    if (h->rank == SF_NPY_MAX_RANK)
      return fail(p, SF_EFORMAT, "shape has more than %d entries", SF_NPY_MAX_RANK);
    h->shape[h->rank++] = v;
    skip_space(p);
    trailing_comma = 0;
    if (peek(p) == ',') {
      ++p->pos;
      trailing_comma = 1;
      skip_space(p);
    }
    if (peek(p) == ')') {
      ++p->pos;
      break;
    }
    if (!trailing_comma)
      return fail(p, SF_EFORMAT, "expected ',' or ')' in shape at offset %zu", p->pos);
  }
  if (h->rank == 1 && !trailing_comma)
    return fail(p, SF_EFORMAT, "shape (%zu) is not a tuple (a 1-tuple is written (%zu,))",
                h->shape[0], h->shape[0]);
  return SF_OK;
}

static int parse_value(header_parser *p, const char *key, header_fields *h) {
  int *seen;
  if (strcmp(key, "descr") == 0)
    seen = &h->have_descr;
  else if (strcmp(key, "fortran_order") == 0)
    seen = &h->have_fortran;
  else if (strcmp(key, "shape") == 0)
    seen = &h->have_shape;
  else
    return fail(p, SF_EFORMAT, "unexpected key '%s' (allowed: descr, fortran_order, shape)",
                key);
  if (*seen)
    return fail(p, SF_EFORMAT, "key '%s' appears twice", key);
  *seen = 1;
  skip_space(p);
  if (seen == &h->have_descr) {
    if (peek(p) == '[')
      return fail(p, SF_EUNSUPPORTED,
                  "descr is a list (a structured dtype); only plain numeric dtypes are supported");
    return parse_string(p, h->descr, sizeof h->descr);
  }
  if (seen == &h->have_fortran)
    return parse_bool(p, &h->fortran_order);
  return parse_shape(p, h);
}

/* The whole header: one dict literal, then only whitespace (padding). */
static int parse_header(header_parser *p, header_fields *h) {
  memset(h, 0, sizeof *h);
  SF_TRY(expect(p, '{', "at the start of the header dict"));
  for (;;) {
    skip_space(p);
    if (peek(p) == '}') {
      ++p->pos;
      break;
    }
    char key[32];
    SF_TRY(parse_string(p, key, sizeof key));
    SF_TRY(expect(p, ':', "after a key"));
    SF_TRY(parse_value(p, key, h));
    skip_space(p);
    if (peek(p) == ',') {
      ++p->pos;
      continue;
    }
    if (peek(p) == '}') {
      ++p->pos;
      break;
    }
    return fail(p, SF_EFORMAT, "expected ',' or '}' at offset %zu", p->pos);
  }
  skip_space(p);
  if (!at_end(p))
    return fail(p, SF_EFORMAT, "unexpected text after the header dict at offset %zu", p->pos);
  if (!h->have_descr)
    return fail(p, SF_EFORMAT, "missing key 'descr'");
  if (!h->have_fortran)
    return fail(p, SF_EFORMAT, "missing key 'fortran_order'");
  if (!h->have_shape)
    return fail(p, SF_EFORMAT, "missing key 'shape'");
  return SF_OK;
}

static const char *kind_name(char kind) {
  switch (kind) {
  case 'c': return "complex";
  case 'O': return "Python object";
  case 'U': return "unicode string";
  case 'S':
  case 'a': return "byte string";
  case 'V': return "void/raw";
  case 'M': return "datetime";
  case 'm': return "timedelta";
  case 'f': return "floating point";
  case 'i': return "signed integer";
  case 'u': return "unsigned integer";
  case 'b': return "bool";
  default: return "unknown";
  }
}

#define NPY_SUPPORTED_TYPES "<f4 <f8 <i1 <i2 <i4 <i8 <u1 <u2 <u4 <u8 |i1 |u1 |b1 (or '>' versions)"

/* Check a descr string and fill byte_order, kind and item_size. */
static int parse_descr(header_parser *p, const char *d, sf_npy_info *info) {
  size_t n = strlen(d);
  if (n < 2)
    return fail(p, SF_EUNSUPPORTED, "dtype '%s' is not supported; supported: %s", d,
                NPY_SUPPORTED_TYPES);
  char order = d[0];
  if (order == '=')
    return fail(p, SF_EUNSUPPORTED,
                "dtype '%s': native byte order '=' does not say how the file is stored", d);
  if (order != '<' && order != '>' && order != '|')
    return fail(p, SF_EUNSUPPORTED, "dtype '%s' has no byte-order character ('<', '>' or '|')",
                d);
  char kind = d[1];
  size_t size = 0;
  int digits = 0;
  for (size_t i = 2; i < n; ++i) {
    if (d[i] < '0' || d[i] > '9' || size > 1000) {
      digits = -1;
      break;
    }
    size = size * 10 + (size_t)(d[i] - '0');
    ++digits;
  }
  int ok = digits > 0;
  if (ok && kind == 'f')
    ok = size == 4 || size == 8;
  else if (ok && (kind == 'i' || kind == 'u'))
    ok = size == 1 || size == 2 || size == 4 || size == 8;
  else if (ok && kind == 'b')
    ok = size == 1;
  else
    ok = 0;
  if (!ok)
    return fail(p, SF_EUNSUPPORTED, "dtype '%s' (%s) is not supported; supported: %s", d,
                kind_name(kind), NPY_SUPPORTED_TYPES);
  if (order == '|' && size != 1)
    return fail(p, SF_EUNSUPPORTED,
                "dtype '%s': byte order '|' (not applicable) is only valid for 1-byte types", d);
  info->byte_order = order;
  info->kind = kind;
  info->item_size = size;
  snprintf(info->descr, sizeof info->descr, "%s", d);
  return SF_OK;
}

/* Header text fit for an error message: printable, trimmed and shortened. */
static void quote_header(const char *text, size_t len, char *out, size_t cap) {
  while (len > 0 && is_space(text[len - 1]))
    --len;
  size_t n = 0;
  for (size_t i = 0; i < len && n + 4 < cap; ++i) {
    if (i == NPY_QUOTE_MAX) {
      memcpy(out + n, "...", 3);
      n += 3;
      break;
    }
    unsigned char c = (unsigned char)text[i];
    out[n++] = (c >= 32 && c < 127) ? (char)c : '?';
  }
  out[n] = '\0';
}

/* ---------------------------------------------------------------- reading */

static int open_error(const char *path) {
  int err = errno;
  return sf_error_set(err == ENOENT ? SF_ENOENT : SF_EIO, "%s: cannot open: %s", path,
                      strerror(err));
}

static size_t read_u16le(const unsigned char *b) { return (size_t)b[0] | ((size_t)b[1] << 8); }

static size_t read_u32le(const unsigned char *b) {
  return (size_t)b[0] | ((size_t)b[1] << 8) | ((size_t)b[2] << 16) | ((size_t)b[3] << 24);
}

/* Read the header of an open file; leaves the stream at the first element. */
static int read_info(FILE *fp, const char *path, sf_npy_info *info) {
  memset(info, 0, sizeof *info);
  struct stat st;
  if (fstat(fileno(fp), &st) != 0)
    return sf_error_set(SF_EIO, "%s: cannot stat: %s", path, strerror(errno));
  if (!S_ISREG(st.st_mode))
    return sf_error_set(SF_EIO, "%s: not a regular file", path);
  size_t file_size = (size_t)st.st_size;
  unsigned char pre[12];
  size_t got = fread(pre, 1, file_size < 12 ? file_size : 12, fp);
  if (got < NPY_MAGIC_LEN || memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
    return sf_error_set(SF_EFORMAT, "%s: not an NPY file: it does not start with the magic "
                        "string \\x93NUMPY", path);
  if (got < 10)
    return sf_error_set(SF_EFORMAT, "%s: NPY file ends inside its preamble (%zu bytes)", path,
                        file_size);
  info->version_major = pre[6];
  info->version_minor = pre[7];
  size_t prefix, header_len;
  if (pre[6] == 1 && pre[7] == 0) {
    prefix = 10;
    header_len = read_u16le(pre + 8);
  } else if ((pre[6] == 2 || pre[6] == 3) && pre[7] == 0) {
    if (got < 12)
      return sf_error_set(SF_EFORMAT, "%s: NPY file ends inside its preamble (%zu bytes)", path,
                          file_size);
    prefix = 12;
    header_len = read_u32le(pre + 8);
  } else {
    return sf_error_set(SF_EUNSUPPORTED, "%s: NPY format version %d.%d is not known "
                        "(1.0, 2.0 and 3.0 are)", path, pre[6], pre[7]);
  }
  if (header_len > file_size - prefix)
    return sf_error_set(SF_EFORMAT, "%s: NPY header length %zu runs past the end of the file "
                        "(%zu bytes after the %zu-byte preamble)", path, header_len,
                        file_size - prefix, prefix);
  char *text = malloc(header_len + 1);
  if (!text)
    return sf_error_set(SF_ENOMEM, "%s: NPY header of %zu bytes: out of memory", path,
                        header_len);
  if (fseek(fp, (long)prefix, SEEK_SET) != 0 || fread(text, 1, header_len, fp) != header_len) {
    free(text);
    return sf_error_set(SF_EIO, "%s: reading the NPY header failed", path);
  }
  text[header_len] = '\0';
  header_parser p = {.text = text, .len = header_len, .pos = 0, .reason = ""};
  header_fields h;
  int status = parse_header(&p, &h);
  if (status == SF_OK)
    status = parse_descr(&p, h.descr, info);
  if (status != SF_OK) {
    char quoted[NPY_QUOTE_MAX + 8];
    quote_header(text, header_len, quoted, sizeof quoted);
    free(text);
    return sf_error_set(status, "%s: NPY header %s: %s", path, quoted, p.reason);
  }
  free(text);
  info->fortran_order = h.fortran_order;
  info->rank = h.rank;
  memcpy(info->shape, h.shape, sizeof h.shape);
  info->data_offset = prefix + header_len;

  size_t count = 1;
  for (int i = 0; i < h.rank; ++i) {
    if (h.shape[i] != 0 && count > SIZE_MAX / h.shape[i])
      return sf_error_set(SF_EFORMAT, "%s: NPY shape overflows the address space", path);
    count *= h.shape[i];
  }
  if (count > SIZE_MAX / info->item_size)
    return sf_error_set(SF_EFORMAT, "%s: NPY shape overflows the address space", path);
  info->data_bytes = count * info->item_size;
  size_t have = file_size - info->data_offset;
  if (have != info->data_bytes) {
    char shape_text[SF_NPY_MAX_RANK * 22 + 4];
    size_t n = 0;
    shape_text[n++] = '(';
    for (int i = 0; i < h.rank; ++i)
      n += (size_t)snprintf(shape_text + n, sizeof shape_text - n, i ? ", %zu" : "%zu",
                            h.shape[i]);
    snprintf(shape_text + n, sizeof shape_text - n, "%s)", h.rank == 1 ? "," : "");
    return sf_error_set(SF_EFORMAT, "%s: shape %s of %s needs %zu bytes of data but the file "
                        "holds %zu (%s)", path, shape_text, info->descr, info->data_bytes, have,
                        have < info->data_bytes ? "truncated" : "trailing bytes");
  }
  return SF_OK;
}

int sf_io_npy_info(const char *path, sf_npy_info *info) {
  if (!path || !info)
    return sf_error_set(SF_EINVAL, "sf_io_npy_info: path and info must not be NULL");
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return open_error(path);
  int status = read_info(fp, path, info);
  fclose(fp);
  return status;
}

/* One element (little-endian bytes after any swap) as a double. */
static double decode(const unsigned char *b, const sf_npy_info *info) {
  unsigned char t[8];
  size_t size = info->item_size;
  if (info->byte_order == '>' && size > 1) {
    for (size_t i = 0; i < size; ++i)
      t[i] = b[size - 1 - i];
    b = t;
  }
  uint64_t u = 0;
  for (size_t i = 0; i < size; ++i)
    u |= (uint64_t)b[i] << (8 * i);
  switch (info->kind) {
  case 'f':
    if (size == 4) {
      uint32_t w = (uint32_t)u;
      float f;
      memcpy(&f, &w, sizeof f);
      return (double)f;
    } else {
      double d;
      memcpy(&d, &u, sizeof d);
      return d;
    }
  case 'i':
    if (size < 8 && ((u >> (8 * size - 1)) & 1u))
      u |= ~(uint64_t)0 << (8 * size);
    return (double)(int64_t)u;
  default: /* 'u', 'b' */
    return (double)u;
  }
}

/* Decode all elements into dst (float or double, C order of shape n0 x n1 x n2). */
static int read_elements(FILE *fp, const char *path, const sf_npy_info *info, sf_dtype dtype,
                         void *dst) {
  size_t n0 = info->shape[0], n1 = info->shape[1];
  size_t n2 = info->rank == 3 ? info->shape[2] : 1;
  size_t count = n0 * n1 * n2;
  size_t per_chunk = NPY_CHUNK_BYTES / info->item_size;
  unsigned char *buf = malloc(per_chunk * info->item_size);
  if (!buf)
    return sf_error_set(SF_ENOMEM, "%s: reading data: out of memory", path);
  /* File order index counters: C order walks (i0, i1, i2) with i2 fastest,
     Fortran order with i0 fastest. */
  size_t i0 = 0, i1 = 0, i2 = 0;
  size_t done = 0;
  while (done < count) {
    size_t want = count - done < per_chunk ? count - done : per_chunk;
    if (fread(buf, info->item_size, want, fp) != want) {
      free(buf);
      return sf_error_set(SF_EIO, "%s: reading element data failed after %zu of %zu elements",
                          path, done, count);
    }
    for (size_t k = 0; k < want; ++k) {
      double v = decode(buf + k * info->item_size, info);
      size_t at = (i0 * n1 + i1) * n2 + i2;
      if (dtype == SF_F32)
        ((float *)dst)[at] = (float)v;
      else
        ((double *)dst)[at] = v;
      if (info->fortran_order) {
        if (++i0 == n0) {
          i0 = 0;
          if (++i1 == n1) {
            i1 = 0;
            ++i2;
          }
        }
      } else if (++i2 == n2) {
        i2 = 0;
        if (++i1 == n1) {
          i1 = 0;
          ++i0;
        }
      }
    }
    done += want;
  }
  free(buf);
  return SF_OK;
}

int sf_io_npy_read_map(const char *path, sf_imageset *set, const char *map_name, sf_map **out) {
  if (!path || !set)
    return sf_error_set(SF_EINVAL, "sf_io_npy_read_map: path and set must not be NULL");
  if (!sf_name_is_valid(map_name))
    return sf_error_set(SF_EINVAL, "%s: map name '%s': use 1-%d characters from [A-Za-z0-9_]",
                        path, map_name ? map_name : "", SF_NAME_MAX - 1);
  if (sf_imageset_find(set, map_name))
    return sf_error_set(SF_EINVAL, "%s: map name '%s' is already in the image set", path,
                        map_name);
  FILE *fp = fopen(path, "rb");
  if (!fp)
    return open_error(path);
  sf_npy_info info;
  int status = read_info(fp, path, &info);
  if (status == SF_OK && info.rank != 2 && info.rank != 3)
    status = sf_error_set(SF_EUNSUPPORTED, "%s: array of rank %d: a map needs rank 2, shape "
                          "(ny, nx), or rank 3, shape (ny, nx, nz)", path, info.rank);
  if (status == SF_OK)
    for (int i = 0; i < info.rank; ++i)
      if (info.shape[i] == 0) {
        status = sf_error_set(SF_EINVAL, "%s: axis %d of the array has length 0", path, i);
        break;
      }
  if (status == SF_OK && fseek(fp, (long)info.data_offset, SEEK_SET) != 0)
    status = sf_error_set(SF_EIO, "%s: cannot seek to the data: %s", path, strerror(errno));
  if (status != SF_OK) {
    fclose(fp);
    return status;
  }
  sf_dtype dtype = (info.kind == 'f' && info.item_size == 4) ? SF_F32 : SF_F64;
  size_t ny = info.shape[0], nx = info.shape[1], nz = info.rank == 3 ? info.shape[2] : 1;
  /* Decode into a buffer first, so that a read failure leaves the set unchanged. */
  void *data = sf_alloc(nx * ny * nz, sf_dtype_size(dtype), map_name);
  if (!data) {
    fclose(fp);
    return sf_error_prepend(SF_ENOMEM, "%s", path);
  }
  status = read_elements(fp, path, &info, dtype, data);
  fclose(fp);
  sf_map *m = NULL;
  if (status == SF_OK) {
    status = sf_imageset_add_map(set, map_name, dtype, nx, ny, nz, &m);
    if (status != SF_OK)
      sf_error_prepend(status, "%s", path);
  }
  if (status == SF_OK) {
    memcpy(m->data, data, nx * ny * nz * sf_dtype_size(dtype));
    if (out)
      *out = m;
  }
  sf_free(data);
  return status;
}

/* ---------------------------------------------------------------- writing */

int sf_io_npy_write_map(const sf_map *m, const char *path, int force) {
  if (!m || !path)
    return sf_error_set(SF_EINVAL, "sf_io_npy_write_map: map and path must not be NULL");
  char dict[256];
  const char *descr = m->dtype == SF_F32 ? "<f4" : "<f8";
  int len;
  if (m->nz == 1)
    len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, "
                   "'shape': (%zu, %zu), }", descr, m->ny, m->nx);
  else
    len = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, "
                   "'shape': (%zu, %zu, %zu), }", descr, m->ny, m->nx, m->nz);
  /* Pad with spaces and end with a newline so that the data start at a
     multiple of 64 bytes, as numpy does. */
  size_t header_len = (size_t)len + 1;
  header_len += (64 - (10 + header_len) % 64) % 64;
  unsigned char pre[10 + 256];
  memcpy(pre, NPY_MAGIC, NPY_MAGIC_LEN);
  pre[6] = 1;
  pre[7] = 0;
  pre[8] = (unsigned char)(header_len & 0xff);
  pre[9] = (unsigned char)(header_len >> 8);
  memset(pre + 10, ' ', header_len);
  memcpy(pre + 10, dict, (size_t)len);
  pre[10 + header_len - 1] = '\n';

  sf_atomic_file af;
  SF_TRY(sf_atomic_begin(path, force, &af));
  FILE *fp = fopen(af.tmp_path, "wb");
  if (!fp) {
    int status = sf_error_set(SF_EIO, "%s: cannot create %s: %s", path, af.tmp_path,
                              strerror(errno));
    sf_atomic_abort(&af);
    return status;
  }
  int ok = fwrite(pre, 1, 10 + header_len, fp) == 10 + header_len;
  size_t size = sf_dtype_size(m->dtype);
  size_t count = m->nx * m->ny * m->nz;
  size_t per_chunk = NPY_CHUNK_BYTES / size;
  unsigned char *buf = ok ? malloc(per_chunk * size) : NULL;
  int nomem = ok && !buf;
  ok = ok && buf;
  for (size_t done = 0; ok && done < count;) {
    size_t n = count - done < per_chunk ? count - done : per_chunk;
    for (size_t k = 0; k < n; ++k) {
      uint64_t u;
      if (m->dtype == SF_F32) {
        uint32_t w;
        memcpy(&w, (const float *)m->data + done + k, sizeof w);
        u = w;
      } else {
        memcpy(&u, (const double *)m->data + done + k, sizeof u);
      }
      for (size_t b = 0; b < size; ++b)
        buf[k * size + b] = (unsigned char)(u >> (8 * b));
    }
    ok = fwrite(buf, size, n, fp) == n;
    done += n;
  }
  free(buf);
  int err = errno;
  if (fclose(fp) != 0 && ok) {
    ok = 0;
    err = errno;
  }
  if (!ok) {
    int status = nomem ? sf_error_set(SF_ENOMEM, "%s: writing NPY data: out of memory", path)
                       : sf_error_set(SF_EIO, "%s: writing NPY data failed: %s", path,
                                      strerror(err));
    sf_atomic_abort(&af);
    return status;
  }
  return sf_atomic_commit(&af);
}
