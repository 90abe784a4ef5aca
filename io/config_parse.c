/* config_parse.c - lexer and parser of the TOML subset into the document tree.

   One pass, line by line (arrays may span lines). The text is first checked
   as a whole for UTF-8 validity and stray control characters, so the parser
   proper can use '\0' as its end sentinel. Every error is SF_EFORMAT with
   "file:line: reason", naming the key and the value text where they exist. */
#include "io/config_internal.h"

#include "core/sf_status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 256         /* longest bare key */
#define PATH_MAX_ 1024      /* longest dotted table path */
#define SNIP_MAX 60         /* longest value text quoted in a message */
#define FILE_MAX (1u << 20) /* largest configuration file, bytes */
#define TABLE_MAX 10000     /* most keys and sub-tables in one table (lookups are linear) */

typedef struct parser {
  const char *s; /* text (NUL checked away by check_text) */
  size_t n, pos;
  int line;
  const char *name;   /* file name for messages */
  const char *origin; /* fixed origin ("--set", "schema ..."), or NULL for name:line */
  sf_config *cfg;
  sf_cfg_node *cur;     /* table receiving key = value lines */
  char path[PATH_MAX_]; /* dotted path of cur for messages ("detector.2") */
} parser;

static int fail_at(const parser *p, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(const parser *p, int line, const char *fmt, ...) {
  char msg[1536];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (p->origin)
    return sf_error_set(SF_EFORMAT, "%s: %s", p->origin, msg);
  return sf_error_set(SF_EFORMAT, "%s:%d: %s", p->name, line, msg);
}

#define FAIL(p, ...) fail_at((p), (p)->line, __VA_ARGS__)

static char peek(const parser *p) { return p->pos < p->n ? p->s[p->pos] : '\0'; }
static char peek_at(const parser *p, size_t k) {
  return p->pos + k < p->n ? p->s[p->pos + k] : '\0';
}
static bool is_bare(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}
static bool is_eol(const parser *p) {
  char c = peek(p);
  return p->pos >= p->n || c == '\n' || c == '\r';
}

/* Copy text[a, b) into out, cut at SNIP_MAX bytes on a UTF-8 boundary with "...". */
static void snip(const char *text, size_t a, size_t b, char *out, size_t size) {
  size_t len = b > a ? b - a : 0;
  bool cut = false;
  if (len > SNIP_MAX) {
    len = SNIP_MAX;
    while (len > 0 && ((unsigned char)text[a + len] & 0xC0) == 0x80)
      --len;
    cut = true;
  }
  if (len + 4 > size)
    len = size > 4 ? size - 4 : 0;
  memcpy(out, text + a, len);
  strcpy(out + len, cut ? "..." : "");
}

/* End of the current line (position of '\n', '\r' or the end). */
static size_t line_end(const parser *p, size_t from) {
  size_t e = from;
  while (e < p->n && p->s[e] != '\n' && p->s[e] != '\r')
    ++e;
  return e;
}

/* The rest of the line from `from`, without a trailing comment or spaces (for messages). */
static void rest_of_line(const parser *p, size_t from, char *out, size_t size) {
  size_t e = line_end(p, from);
  while (e > from && (p->s[e - 1] == ' ' || p->s[e - 1] == '\t'))
    --e;
  snip(p->s, from, e, out, size);
}

/* One character (a whole UTF-8 sequence) at pos, for "found 'x'" messages. */
static void char_at(const parser *p, size_t pos, char *out, size_t size) {
  size_t e = pos + 1;
  while (e < p->n && ((unsigned char)p->s[e] & 0xC0) == 0x80)
    ++e;
  snip(p->s, pos, e, out, size);
}

/* ---- Whole-text check: UTF-8, control characters, line ends ---- */

static int check_text(parser *p) {
  const unsigned char *s = (const unsigned char *)p->s;
  int line = 1;
  if (p->n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
    return fail_at(p, 1, "UTF-8 byte order mark at the start is not allowed (save without BOM)");
  for (size_t i = 0; i < p->n; ++i) {
    unsigned c = s[i];
    if (c == '\n') {
      ++line;
    } else if (c == '\r') {
      if (i + 1 >= p->n || s[i + 1] != '\n')
        return fail_at(p, line, "carriage return not followed by a newline");
    } else if (c == '\t') {
      continue;
    } else if (c < 0x20 || c == 0x7F) {
      return fail_at(p, line, "control character U+%04X is not allowed (only tab and newline)", c);
    } else if (c >= 0x80) {
      size_t extra;
      unsigned lo = 0x80, hi = 0xBF;
      if (c >= 0xC2 && c <= 0xDF) {
        extra = 1;
      } else if (c >= 0xE0 && c <= 0xEF) {
        extra = 2;
        if (c == 0xE0)
          lo = 0xA0;
        if (c == 0xED)
          hi = 0x9F; /* no UTF-16 surrogates */
      } else if (c >= 0xF0 && c <= 0xF4) {
        extra = 3;
        if (c == 0xF0)
          lo = 0x90;
        if (c == 0xF4)
          hi = 0x8F; /* nothing above U+10FFFF */
      } else {
        return fail_at(p, line, "invalid UTF-8 byte 0x%02X", c);
      }
      for (size_t k = 1; k <= extra; ++k) {
        unsigned d = i + k < p->n ? s[i + k] : 0;
        unsigned l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (d < l || d > h)
          return fail_at(p, line, "invalid UTF-8 sequence starting with byte 0x%02X", c);
      }
      i += extra;
    }
  }
  return SF_OK;
}

bool sf_cfg_text_ok(const char *text) {
  parser p = {.s = text, .n = strlen(text), .line = 1, .name = "", .origin = ""};
  int status = check_text(&p);
  if (status != SF_OK)
    return false;
  for (const char *c = text; *c; ++c)
    if (*c == '\n' || *c == '\r' || *c == '\t')
      return false;
  return true;
}

/* ---- Whitespace, comments, line ends ---- */

static void skip_ws(parser *p) {
  while (peek(p) == ' ' || peek(p) == '\t')
    ++p->pos;
}

static void skip_comment(parser *p) {
  if (peek(p) == '#')
    p->pos = line_end(p, p->pos);
}

/* Consume "\n" or "\r\n" (check_text guarantees '\r' is followed by '\n'). */
static void eat_newline(parser *p) {
  if (peek(p) == '\r')
    ++p->pos;
  if (peek(p) == '\n') {
    ++p->pos;
    ++p->line;
  }
}

/* Whitespace, newlines and comments inside a multi-line array. */
static void skip_ws_lines(parser *p) {
  for (;;) {
    skip_ws(p);
    skip_comment(p);
    if (p->pos < p->n && (peek(p) == '\n' || peek(p) == '\r'))
      eat_newline(p);
    else
      return;
  }
}

/* ---- Keys and paths ---- */

static int read_bare_key(parser *p, char *out, const char *context) {
  size_t a = p->pos;
  while (is_bare(peek(p)))
    ++p->pos;
  size_t len = p->pos - a;
  if (len == 0) {
    char found[16];
    if (is_eol(p) || peek(p) == '#')
      return FAIL(p, "%s: expected a key", context);
    if (peek(p) == '"' || peek(p) == '\'')
      return FAIL(p,
                  "%s: quoted keys are not supported; use a bare key (letters, digits, '_', "
                  "'-')",
                  context);
    char_at(p, p->pos, found, sizeof found);
    return FAIL(p, "%s: expected a key, found '%s'", context, found);
  }
  if (len >= KEY_MAX)
    return FAIL(p, "%s: key longer than %d characters", context, KEY_MAX - 1);
  memcpy(out, p->s + a, len);
  out[len] = '\0';
  return SF_OK;
}

static void full_key(const parser *p, const char *key, char *out, size_t size) {
  if (p->path[0])
    snprintf(out, size, "%s.%s", p->path, key);
  else
    snprintf(out, size, "%s", key);
}

/* ---- Values ---- */

static int append_utf8(sf_cfg_buf *b, unsigned long cp) {
  char u[4];
  size_t n;
  if (cp < 0x80) {
    u[0] = (char)cp;
    n = 1;
  } else if (cp < 0x800) {
    u[0] = (char)(0xC0 | (cp >> 6));
    u[1] = (char)(0x80 | (cp & 0x3F));
    n = 2;
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12));
    u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F));
    n = 3;
  } else {
    u[0] = (char)(0xF0 | (cp >> 18));
    u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[3] = (char)(0x80 | (cp & 0x3F));
    n = 4;
  }
  sf_cfg_buf_putn(b, u, n);
  return SF_OK;
}

static int finish_string(sf_cfg_buf *b, sf_cfg_value *v) {
  char *s;
  SF_TRY(sf_cfg_buf_take(b, &s));
  v->kind = SF_CFG_K_STRING;
  v->s = s;
  return SF_OK;
}

static int parse_basic_string(parser *p, const char *key, sf_cfg_value *v) {
  size_t start = p->pos;
  char text[SNIP_MAX + 8];
  if (peek_at(p, 1) == '"' && peek_at(p, 2) == '"') {
    rest_of_line(p, start, text, sizeof text);
    return FAIL(p, "%s = %s: multi-line strings are not supported", key, text);
  }
  ++p->pos;
  sf_cfg_buf b = {0};
  for (;;) {
    char c = peek(p);
    if (is_eol(p)) {
      sf_cfg_buf_free(&b);
      rest_of_line(p, start, text, sizeof text);
      return FAIL(p, "%s = %s: unterminated string (missing closing '\"')", key, text);
    }
    if (c == '"') {
      ++p->pos;
      break;
    }
    if (c != '\\') {
      sf_cfg_buf_putc(&b, c);
      ++p->pos;
      continue;
    }
    char e = peek_at(p, 1);
    const char *simple = NULL;
    switch (e) {
    case 'b': simple = "\b"; break;
    case 't': simple = "\t"; break;
    case 'n': simple = "\n"; break;
    case 'f': simple = "\f"; break;
    case 'r': simple = "\r"; break;
    case '"': simple = "\""; break;
    case '\\': simple = "\\"; break;
    default: break;
    }
    if (simple) {
      sf_cfg_buf_putc(&b, simple[0]);
      p->pos += 2;
      continue;
    }
    if (e == 'u' || e == 'U') {
      size_t digits = e == 'u' ? 4 : 8;
      unsigned long cp = 0;
      for (size_t k = 0; k < digits; ++k) {
        char h = peek_at(p, 2 + k);
        int d = (h >= '0' && h <= '9')   ? h - '0'
                : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                         : -1;
        if (d < 0) {
          sf_cfg_buf_free(&b);
          rest_of_line(p, start, text, sizeof text);
          return FAIL(p, "%s = %s: \\%c escape needs %zu hexadecimal digits", key, text, e, digits);
        }
        cp = 16 * cp + (unsigned long)d;
      }
      if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        sf_cfg_buf_free(&b);
        rest_of_line(p, start, text, sizeof text);
        return FAIL(p, "%s = %s: escape U+%04lX is not a Unicode scalar value", key, text, cp);
      }
      if (cp == 0) {
        sf_cfg_buf_free(&b);
        rest_of_line(p, start, text, sizeof text);
        return FAIL(p, "%s = %s: NUL (\\u0000) is not allowed in strings", key, text);
      }
      append_utf8(&b, cp);
      p->pos += 2 + digits;
      continue;
    }
    char found[16];
    sf_cfg_buf_free(&b);
    rest_of_line(p, start, text, sizeof text);
    if (p->pos + 1 >= p->n || e == '\n' || e == '\r')
      return FAIL(p, "%s = %s: unterminated string (missing closing '\"')", key, text);
    char_at(p, p->pos + 1, found, sizeof found);
    return FAIL(p,
                "%s = %s: invalid escape '\\%s' (allowed: \\\" \\\\ \\b \\f \\n \\r \\t "
                "\\uXXXX \\UXXXXXXXX)",
                key, text, found);
  }
  return finish_string(&b, v);
}

static int parse_literal_string(parser *p, const char *key, sf_cfg_value *v) {
  size_t start = p->pos;
  char text[SNIP_MAX + 8];
  if (peek_at(p, 1) == '\'' && peek_at(p, 2) == '\'') {
    rest_of_line(p, start, text, sizeof text);
    return FAIL(p, "%s = %s: multi-line strings are not supported", key, text);
  }
  ++p->pos;
  size_t a = p->pos;
  while (!is_eol(p) && peek(p) != '\'')
    ++p->pos;
  if (is_eol(p)) {
    rest_of_line(p, start, text, sizeof text);
    return FAIL(p, "%s = %s: unterminated string (missing closing \"'\")", key, text);
  }
  sf_cfg_buf b = {0};
  sf_cfg_buf_putn(&b, p->s + a, p->pos - a);
  ++p->pos;
  return finish_string(&b, v);
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Digits with single '_' between digits, from t[*i]; false if none. */
static bool scan_digits(const char *t, size_t n, size_t *i) {
  if (*i >= n || !is_digit(t[*i]))
    return false;
  ++*i;
  while (*i < n) {
    if (is_digit(t[*i]))
      ++*i;
    else if (t[*i] == '_' && *i + 1 < n && is_digit(t[*i + 1]))
      *i += 2;
    else
      break;
  }
  return true;
}

/* NULL if t is a decimal integer or float of the TOML grammar, else the reason. */
static const char *check_number(const char *t, size_t n, bool *is_float) {
  for (size_t k = 0; k < n; ++k)
    if (t[k] == '_' && (k == 0 || k + 1 >= n || !is_digit(t[k - 1]) || !is_digit(t[k + 1])))
      return "'_' must sit between two digits";
  size_t i = 0;
  if (i < n && (t[i] == '+' || t[i] == '-'))
    ++i;
  size_t int_start = i;
  if (!scan_digits(t, n, &i))
    return "invalid number";
  if (t[int_start] == '0' && i - int_start > 1)
    return "leading zeros are not allowed";
  *is_float = false;
  if (i < n && t[i] == '.') {
    ++i;
    *is_float = true;
    if (!scan_digits(t, n, &i))
      return "a decimal point must be followed by digits";
  }
  if (i < n && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    *is_float = true;
    if (i < n && (t[i] == '+' || t[i] == '-'))
      ++i;
    if (!scan_digits(t, n, &i))
      return "an exponent needs digits";
  }
  return i == n ? NULL : "invalid number";
}

static bool looks_like_date(const char *t, size_t n) {
  if (memchr(t, ':', n))
    return true;
  return n >= 10 && is_digit(t[0]) && is_digit(t[1]) && is_digit(t[2]) && is_digit(t[3]) &&
         t[4] == '-' && is_digit(t[5]) && is_digit(t[6]) && t[7] == '-';
}

static bool is_word_char(char c) { return is_bare(c) || c == '+' || c == '.' || c == ':'; }

/* Booleans and numbers (and the clear errors for words that are neither). */
static int parse_word(parser *p, const char *key, sf_cfg_value *v) {
  size_t a = p->pos;
  while (is_word_char(peek(p)))
    ++p->pos;
  size_t n = p->pos - a;
  const char *t = p->s + a;
  char text[SNIP_MAX + 8];
  if (n == 0) {
    char_at(p, a, text, sizeof text);
    return FAIL(p, "%s = %s: invalid value (strings must be quoted)", key, text);
  }
  snip(p->s, a, p->pos, text, sizeof text);
  if (n == 4 && memcmp(t, "true", 4) == 0) {
    v->kind = SF_CFG_K_BOOL;
    v->b = true;
    return SF_OK;
  }
  if (n == 5 && memcmp(t, "false", 5) == 0) {
    v->kind = SF_CFG_K_BOOL;
    v->b = false;
    return SF_OK;
  }
  const char *u = t + (t[0] == '+' || t[0] == '-');
  size_t un = n - (size_t)(u - t);
  if (un == 3 && (memcmp(u, "inf", 3) == 0 || memcmp(u, "nan", 3) == 0))
    return FAIL(p, "%s = %s: inf and nan are not allowed (a physical quantity is finite)", key,
                text);
  if (looks_like_date(t, n))
    return FAIL(p, "%s = %s: dates and times are not supported", key, text);
  if (un == 0 || (!is_digit(u[0]) && u[0] != '.'))
    return FAIL(p, "%s = %s: invalid value (strings must be quoted)", key, text);
  if (u[0] == '0' && un > 1 && (u[1] == 'x' || u[1] == 'o' || u[1] == 'b'))
    return FAIL(p, "%s = %s: hexadecimal, octal and binary integers are not supported", key, text);
  bool is_float;
  const char *why = check_number(t, n, &is_float);
  if (why)
    return FAIL(p, "%s = %s: %s", key, text, why);
  char digits[128];
  size_t m = 0;
  for (size_t k = 0; k < n; ++k) {
    if (t[k] == '_')
      continue;
    if (m + 1 >= sizeof digits)
      return FAIL(p, "%s = %s: number has too many digits", key, text);
    digits[m++] = t[k];
  }
  digits[m] = '\0';
  errno = 0;
  if (is_float) {
    double x = strtod(digits, NULL);
    if (isinf(x))
      return FAIL(p, "%s = %s: number out of range (beyond the largest double)", key, text);
    v->kind = SF_CFG_K_FLOAT;
    v->f = x;
  } else {
    long long x = strtoll(digits, NULL, 10);
    if (errno == ERANGE)
      return FAIL(p, "%s = %s: integer out of range (must fit in 64 bits)", key, text);
    v->kind = SF_CFG_K_INT;
    v->i = (int64_t)x;
  }
  return SF_OK;
}

static const char *kind_name(sf_cfg_kind k) {
  switch (k) {
  case SF_CFG_K_INT:
  case SF_CFG_K_FLOAT: return "number";
  case SF_CFG_K_STRING: return "string";
  case SF_CFG_K_BOOL: return "boolean";
  case SF_CFG_K_ARRAY: return "array";
  }
  return "value";
}

static bool is_number_kind(sf_cfg_kind k) { return k == SF_CFG_K_INT || k == SF_CFG_K_FLOAT; }

static int parse_value(parser *p, const char *key, bool in_array, sf_cfg_value *v);

static int parse_array(parser *p, const char *key, sf_cfg_value *v) {
  int start_line = p->line;
  ++p->pos;
  v->kind = SF_CFG_K_ARRAY;
  size_t cap = 0;
  for (;;) {
    skip_ws_lines(p);
    if (p->pos >= p->n)
      return fail_at(p, start_line, "%s = [...: unterminated array (missing ']')", key);
    if (peek(p) == ']') {
      ++p->pos;
      break;
    }
    if (v->n_items == cap) {
      cap = cap ? 2 * cap : 8;
      sf_cfg_value *items = realloc(v->items, cap * sizeof *items);
      if (!items)
        return sf_error_set(SF_ENOMEM, "configuration: out of memory");
      v->items = items;
    }
    sf_cfg_value *item = &v->items[v->n_items];
    memset(item, 0, sizeof *item);
    SF_TRY(parse_value(p, key, true, item));
    ++v->n_items;
    if (v->n_items > 1) {
      sf_cfg_kind k0 = v->items[0].kind, k = item->kind;
      if (k != k0 && !(is_number_kind(k) && is_number_kind(k0)))
        return FAIL(p,
                    "%s = [...]: element %zu is a %s but element 1 is a %s (arrays hold one "
                    "kind of value)",
                    key, v->n_items, kind_name(k), kind_name(k0));
    }
    skip_ws_lines(p);
    if (peek(p) == ',') {
      ++p->pos;
      continue;
    }
    if (peek(p) == ']') {
      ++p->pos;
      break;
    }
    if (p->pos >= p->n)
      return fail_at(p, start_line, "%s = [...: unterminated array (missing ']')", key);
    char found[16];
    char_at(p, p->pos, found, sizeof found);
    return FAIL(p, "%s = [...]: expected ',' or ']' after element %zu, found '%s'", key, v->n_items,
                found);
  }
  if (v->n_items > 0 && v->items[0].kind == SF_CFG_K_STRING) {
    v->strv = calloc(v->n_items + 1, sizeof *v->strv);
    if (!v->strv)
      return sf_error_set(SF_ENOMEM, "configuration: out of memory");
    for (size_t i = 0; i < v->n_items; ++i)
      v->strv[i] = v->items[i].s;
  }
  return SF_OK;
}

static int parse_value(parser *p, const char *key, bool in_array, sf_cfg_value *v) {
  char c = peek(p);
  char text[SNIP_MAX + 8];
  if (is_eol(p) || c == '#') {
    if (in_array)
      return FAIL(p, "%s = [...: unterminated array (missing ']')", key);
    return FAIL(p, "%s: missing value after '='", key);
  }
  switch (c) {
  case '"': return parse_basic_string(p, key, v);
  case '\'': return parse_literal_string(p, key, v);
  case '[':
    if (in_array)
      return FAIL(p, "%s = [...]: nested arrays are not supported", key);
    return parse_array(p, key, v);
  case '{':
    rest_of_line(p, p->pos, text, sizeof text);
    return FAIL(p, "%s = %s: inline tables are not supported; use a [table] header", key, text);
  case ',':
    if (in_array)
      return FAIL(p, "%s = [...]: missing array element before ','", key);
    break;
  default: break;
  }
  return parse_word(p, key, v);
}

/* ---- Statements ---- */

static int add_path(parser *p, const char *part, size_t index) {
  size_t len = strlen(p->path);
  int n =
      index ? snprintf(p->path + len, sizeof p->path - len, "%s%s.%zu", len ? "." : "", part, index)
            : snprintf(p->path + len, sizeof p->path - len, "%s%s", len ? "." : "", part);
  if (n < 0 || (size_t)n >= sizeof p->path - len)
    return FAIL(p, "table path longer than %d characters", PATH_MAX_ - 1);
  return SF_OK;
}

/* Append a new node to a table, or fail (freeing it) when the table is full. */
static int add_child(parser *p, sf_cfg_node *table, sf_cfg_node *child, int line) {
  if (!child)
    return SF_ENOMEM;
  if (table->type == SF_CFG_N_TABLE && table->n_kids >= TABLE_MAX) {
    sf_cfg_node_free(child);
    return fail_at(p, line, "more than %d keys and tables in one table", TABLE_MAX);
  }
  int status = sf_cfg_node_add(table, child);
  if (status != SF_OK)
    sf_cfg_node_free(child);
  return status;
}

static int parse_header(parser *p) {
  int line = p->line;
  size_t start = p->pos;
  bool aot = peek_at(p, 1) == '[';
  p->pos += aot ? 2 : 1;
  char parts[32][KEY_MAX];
  size_t n_parts = 0;
  char header[PATH_MAX_ + 8];
  char context[SNIP_MAX + 32];
  char text[SNIP_MAX + 8];
  rest_of_line(p, start, text, sizeof text);
  snprintf(context, sizeof context, "table header %s", text);
  for (;;) {
    skip_ws(p);
    if (n_parts == 32)
      return FAIL(p, "%s: more than 32 levels of tables", context);
    SF_TRY(read_bare_key(p, parts[n_parts], context));
    ++n_parts;
    skip_ws(p);
    if (peek(p) == '.') {
      ++p->pos;
      continue;
    }
    break;
  }
  if (peek(p) != ']' || (aot && peek_at(p, 1) != ']')) {
    if (is_eol(p) || peek(p) == '#' || (peek(p) == ']' && aot))
      return FAIL(p, "%s: missing '%s' at the end", context, aot ? "]]" : "]");
    char found[16];
    char_at(p, p->pos, found, sizeof found);
    return FAIL(p, "%s: expected '.' or '%s', found '%s'", context, aot ? "]]" : "]", found);
  }
  p->pos += aot ? 2 : 1;

  /* Normalised header text for messages. */
  size_t h = 0;
  h += (size_t)snprintf(header + h, sizeof header - h, "%s", aot ? "[[" : "[");
  for (size_t i = 0; i < n_parts && h < sizeof header; ++i)
    h += (size_t)snprintf(header + h, sizeof header - h, "%s%s", i ? "." : "", parts[i]);
  if (h < sizeof header)
    snprintf(header + h, sizeof header - h, "%s", aot ? "]]" : "]");

  sf_cfg_node *t = p->cfg->root;
  p->path[0] = '\0';
  for (size_t i = 0; i < n_parts; ++i) {
    bool last = i + 1 == n_parts;
    sf_cfg_node *c = sf_cfg_node_child(t, parts[i]);
    char sofar[PATH_MAX_];
    snprintf(sofar, sizeof sofar, "%s%s%s", p->path, p->path[0] ? "." : "", parts[i]);
    if (c && c->type == SF_CFG_N_VALUE)
      return fail_at(p, line, "%s: %s already holds a value (line %d)", header, sofar, c->line);
    if (!last) {
      if (!c) {
        c = sf_cfg_node_new(SF_CFG_N_TABLE, parts[i], line);
        SF_TRY(add_child(p, t, c, line));
      }
      if (c->type == SF_CFG_N_AOT) {
        SF_TRY(add_path(p, parts[i], c->n_kids));
        t = c->kids[c->n_kids - 1];
      } else {
        SF_TRY(add_path(p, parts[i], 0));
        t = c;
      }
      continue;
    }
    if (!aot) {
      if (c && c->type == SF_CFG_N_AOT)
        return fail_at(p, line, "%s: %s is an array of tables ([[%s]] at line %d)", header, sofar,
                       sofar, c->line);
      if (c && c->defined)
        return fail_at(p, line, "%s: table defined twice (first at line %d)", header, c->line);
      if (!c) {
        c = sf_cfg_node_new(SF_CFG_N_TABLE, parts[i], line);
        SF_TRY(add_child(p, t, c, line));
      }
      c->defined = true;
      c->line = line;
      SF_TRY(add_path(p, parts[i], 0));
      p->cur = c;
    } else {
      if (c && c->type == SF_CFG_N_TABLE)
        return fail_at(p, line, "%s: %s is already a table (line %d), not an array of tables",
                       header, sofar, c->line);
      if (!c) {
        c = sf_cfg_node_new(SF_CFG_N_AOT, parts[i], line);
        SF_TRY(add_child(p, t, c, line));
      }
      sf_cfg_node *e = sf_cfg_node_new(SF_CFG_N_TABLE, NULL, line);
      SF_TRY(add_child(p, c, e, line));
      e->defined = true;
      SF_TRY(add_path(p, parts[i], c->n_kids));
      p->cur = e;
    }
  }
  return SF_OK;
}

/* Text shown for a value in later messages: the source for scalars, normalised for arrays. */
static char *value_text(const parser *p, size_t a, size_t b, const sf_cfg_value *v) {
  if (v->kind != SF_CFG_K_ARRAY) {
    char text[SNIP_MAX + 8];
    snip(p->s, a, b, text, sizeof text);
    return strdup(text);
  }
  sf_cfg_buf buf = {0};
  sf_cfg_format_value(&buf, v, false);
  char *s = NULL;
  if (sf_cfg_buf_take(&buf, &s) != SF_OK)
    return NULL;
  if (strlen(s) > SNIP_MAX) {
    size_t len = SNIP_MAX;
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
      --len;
    strcpy(s + len, "...");
  }
  return s;
}

static int parse_keyval(parser *p) {
  int line = p->line;
  char key[KEY_MAX], fkey[PATH_MAX_ + KEY_MAX + 2];
  char found[16];
  if (peek(p) == '=')
    return FAIL(p, "missing key before '='");
  if (!is_bare(peek(p)) && peek(p) != '"' && peek(p) != '\'') {
    char_at(p, p->pos, found, sizeof found);
    return FAIL(p, "expected a key, a [table] header or a comment, found '%s'", found);
  }
  size_t key_start = p->pos;
  char text[SNIP_MAX + 8];
  rest_of_line(p, key_start, text, sizeof text);
  SF_TRY(read_bare_key(p, key, text));
  full_key(p, key, fkey, sizeof fkey);
  skip_ws(p);
  if (peek(p) == '.') {
    size_t e = p->pos;
    while (e < p->n && (is_bare(p->s[e]) || p->s[e] == '.' || p->s[e] == ' ' || p->s[e] == '\t'))
      ++e;
    while (e > key_start && (p->s[e - 1] == ' ' || p->s[e - 1] == '\t'))
      --e;
    snip(p->s, key_start, e, text, sizeof text);
    return FAIL(p, "dotted key '%s' is not supported; put the key under a [table] header", text);
  }
  if (peek(p) != '=') {
    if (is_eol(p) || peek(p) == '#')
      return FAIL(p, "%s: key without '= value'", fkey);
    char_at(p, p->pos, found, sizeof found);
    return FAIL(p, "%s: expected '=' after the key, found '%s'", fkey, found);
  }
  ++p->pos;
  skip_ws(p);
  size_t a = p->pos;
  sf_cfg_value v = {0};
  int status = parse_value(p, fkey, false, &v);
  if (status != SF_OK) {
    sf_cfg_value_free(&v);
    return status;
  }
  size_t b = p->pos;
  skip_ws(p);
  skip_comment(p);
  if (!is_eol(p)) {
    char junk[SNIP_MAX + 8];
    snip(p->s, a, b, text, sizeof text);
    rest_of_line(p, p->pos, junk, sizeof junk);
    sf_cfg_value_free(&v);
    return FAIL(p, "%s = %s: unexpected text '%s' after the value", fkey, text, junk);
  }
  sf_cfg_node *old = sf_cfg_node_child(p->cur, key);
  if (old) {
    snip(p->s, a, b, text, sizeof text);
    sf_cfg_value_free(&v);
    if (old->type == SF_CFG_N_VALUE)
      return fail_at(p, line, "%s = %s: duplicate key (first defined at line %d)", fkey, text,
                     old->line);
    return fail_at(p, line, "%s = %s: %s is already a table (line %d)", fkey, text, fkey,
                   old->line);
  }
  sf_cfg_node *n = sf_cfg_node_new(SF_CFG_N_VALUE, key, line);
  if (!n) {
    sf_cfg_value_free(&v);
    return SF_ENOMEM;
  }
  n->value = v;
  n->text = value_text(p, a, b, &v);
  if (!n->text) {
    sf_cfg_node_free(n);
    return sf_error_set(SF_ENOMEM, "configuration: out of memory");
  }
  return add_child(p, p->cur, n, line);
}

static int parse_document(parser *p) {
  SF_TRY(check_text(p));
  while (p->pos < p->n) {
    skip_ws(p);
    skip_comment(p);
    if (is_eol(p)) {
      eat_newline(p);
      continue;
    }
    if (peek(p) == '[') {
      SF_TRY(parse_header(p));
      skip_ws(p);
      skip_comment(p);
      if (!is_eol(p)) {
        char junk[SNIP_MAX + 8];
        rest_of_line(p, p->pos, junk, sizeof junk);
        return FAIL(p, "unexpected text '%s' after the table header", junk);
      }
    } else {
      SF_TRY(parse_keyval(p));
    }
  }
  return SF_OK;
}

/* ---- Public entry points ---- */

int sf_config_parse_string(const char *text, size_t length, const char *name, sf_config **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "sf_config_parse_string: out is NULL");
  *out = NULL;
  if (!text && length)
    return sf_error_set(SF_EINVAL, "sf_config_parse_string: text is NULL");
  if (length > FILE_MAX)
    return sf_error_set(SF_EFORMAT, "%s: configuration larger than %u bytes",
                        name ? name : "(config)", FILE_MAX);
  sf_config *cfg;
  SF_TRY(sf_config_create(&cfg));
  cfg->name = strdup(name ? name : "(config)");
  if (!cfg->name) {
    sf_config_destroy(cfg);
    return sf_error_set(SF_ENOMEM, "configuration: out of memory");
  }
  parser p = {.s = text ? text : "",
              .n = length,
              .line = 1,
              .name = cfg->name,
              .cfg = cfg,
              .cur = cfg->root};
  int status = parse_document(&p);
  if (status != SF_OK) {
    sf_config_destroy(cfg);
    return status;
  }
  *out = cfg;
  return SF_OK;
}

int sf_config_parse_file(const char *path, sf_config **out) {
  if (!out)
    return sf_error_set(SF_EINVAL, "sf_config_parse_file: out is NULL");
  *out = NULL;
  if (!path)
    return sf_error_set(SF_EINVAL, "sf_config_parse_file: path is NULL");
  FILE *f = fopen(path, "rb");
  if (!f)
    return sf_error_set(errno == ENOENT ? SF_ENOENT : SF_EIO, "%s: cannot open: %s", path,
                        strerror(errno));
  sf_cfg_buf b = {0};
  char chunk[8192];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
    sf_cfg_buf_putn(&b, chunk, got);
    if (b.len > FILE_MAX)
      break;
  }
  bool read_error = ferror(f) != 0;
  fclose(f);
  if (read_error) {
    sf_cfg_buf_free(&b);
    return sf_error_set(SF_EIO, "%s: read error", path);
  }
  if (b.failed) {
    sf_cfg_buf_free(&b);
    return sf_error_set(SF_ENOMEM, "%s: out of memory reading the file", path);
  }
  int status = sf_config_parse_string(b.data ? b.data : "", b.len, path, out);
  sf_cfg_buf_free(&b);
  return status;
}

int sf_cfg_parse_value_text(const char *text, const char *origin, const char *what,
                            sf_cfg_value *v) {
  memset(v, 0, sizeof *v);
  parser p = {.s = text ? text : "",
              .n = text ? strlen(text) : 0,
              .line = 1,
              .name = origin,
              .origin = origin};
  SF_TRY(check_text(&p));
  skip_ws(&p);
  size_t a = p.pos;
  int status = parse_value(&p, what, false, v);
  if (status == SF_OK) {
    size_t b = p.pos;
    skip_ws_lines(&p);
    if (p.pos < p.n) {
      char shown[SNIP_MAX + 8], junk[SNIP_MAX + 8];
      snip(p.s, a, b, shown, sizeof shown);
      snip(p.s, p.pos, p.n, junk, sizeof junk);
      status = FAIL(&p, "%s = %s: unexpected text '%s' after the value", what, shown, junk);
    }
  }
  if (status != SF_OK)
    sf_cfg_value_free(v);
  return status;
}
