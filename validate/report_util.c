/* report_util.c - small text helpers for report folders: paths, files, JSON,
   CSV and HTML escaping, the shared page head. */
#include "validate/report_internal.h"

#include "core/sf_status.h"

#include <errno.h>
#include <math.h>
#include <string.h>

int sf_report_path(char *buf, size_t size, const char *dir, const char *name) {
  int n = snprintf(buf, size, "%s/%s", dir, name);
  if (n < 0 || (size_t)n >= size)
    return sf_error_set(SF_EINVAL, "%s/%s: path too long", dir, name);
  return SF_OK;
}

int sf_report_open(const char *path, FILE **f) {
  *f = fopen(path, "w");
  if (!*f)
    return sf_error_set(SF_EIO, "%s: cannot create: %s", path, strerror(errno));
  return SF_OK;
}

int sf_report_close(FILE *f, const char *path) {
  int bad = ferror(f);
  if (fclose(f) != 0 || bad)
    return sf_error_set(SF_EIO, "%s: write failed", path);
  return SF_OK;
}

int sf_report_write_text(const char *dir, const char *name, const char *text) {
  char path[4096];
  FILE *f;
  SF_TRY(sf_report_path(path, sizeof path, dir, name));
  SF_TRY(sf_report_open(path, &f));
  fputs(text, f);
  return sf_report_close(f, path);
}

void sf_report_json_number(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.12g", v == 0.0 ? 0.0 : v);
  else
    fputs("null", f);
}

void sf_report_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; ++c) {
    switch (*c) {
    case '"':
      fputs("\\\"", f);
      break;
    case '\\':
      fputs("\\\\", f);
      break;
    case '\n':
      fputs("\\n", f);
      break;
    case '\r':
      fputs("\\r", f);
      break;
    case '\t':
      fputs("\\t", f);
      break;
    default:
      if (*c < 0x20)
        fprintf(f, "\\u%04x", *c);
      else
        fputc(*c, f);
    }
  }
  fputc('"', f);
}

void sf_report_html_text(FILE *f, const char *s) {
  for (const char *c = s ? s : ""; *c; ++c) {
    switch (*c) {
    case '&':
      fputs("&amp;", f);
      break;
    case '<':
      fputs("&lt;", f);
      break;
    case '>':
      fputs("&gt;", f);
      break;
    case '"':
      fputs("&quot;", f);
      break;
    default:
      fputc(*c, f);
    }
  }
}

void sf_report_csv_number(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.12g", v == 0.0 ? 0.0 : v); /* no "-0" */
}

void sf_report_html_head(FILE *f, const char *title) {
  fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", f);
  sf_report_html_text(f, title);
  fputs("</title>\n<style>\n"
        "body{font-family:sans-serif;margin:2em;max-width:1400px;color:#222}\n"
        "h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}\n"
        "table{border-collapse:collapse;margin:0.5em 0}\n"
        "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}\n"
        "th{background:#f0f0f0}td.l,th.l{text-align:left}\n"
        "figure{display:inline-block;margin:4px;text-align:center;vertical-align:top}\n"
        "figcaption{font-size:0.85em}\n"
        "img.map{width:224px;image-rendering:pixelated;border:1px solid #ccc}\n"
        "img.plot{max-width:640px}\n"
        "pre{background:#f7f7f7;padding:0.5em;font-size:0.8em;overflow-x:auto}\n"
        ".note{color:#a40}\n"
        "</style>\n</head>\n<body>\n",
        f);
}
