/* test_io_config.c - the TOML-subset parser, schemas, --set overrides, the
   resolved dump, JSON output and a mutation fuzz loop. */
#include "core/sf_alloc.h"
#include "core/sf_rng.h"
#include "core/sf_status.h"
#include "io/sf_config.h"
#include "support/testutil.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parsed floats must equal the compiler's (correctly rounded) literals exactly. */
#define TOL_PARSE_EXACT 0.0
#define FUZZ_ROUNDS 4000 /* mutated documents per fuzz test */

/* Assert without recording a passing assertion: loops of thousands of checks
   stay fast under --full-stats, which reports every cr_assert to the runner. */
#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      cr_assert_fail(__VA_ARGS__);                                                                 \
  } while (0)

/* ---- Helpers ---- */

static sf_config *parse_ok(const char *text) {
  sf_config *cfg = NULL;
  int st = sf_config_parse_string(text, strlen(text), "t.toml", &cfg);
  CHECK(st == SF_OK && cfg, "parse failed: %s", sf_error_message());
  return cfg;
}

static sf_config *parse_fixture(const char *name) {
  char rel[256];
  snprintf(rel, sizeof rel, "tests/data/config/%s", name);
  sf_config *cfg = NULL;
  int st = sf_config_parse_file(sf_test_source_path(rel), &cfg);
  cr_assert_eq(st, SF_OK, "%s: %s", name, sf_error_message());
  return cfg;
}

static char *read_source(const char *rel, size_t *len) {
  FILE *f = fopen(sf_test_source_path(rel), "rb");
  cr_assert_not_null(f, "cannot open %s", rel);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)n + 1);
  cr_assert_eq(fread(text, 1, (size_t)n, f), (size_t)n);
  text[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return text;
}

static char *json_of(const sf_config *cfg) {
  char *json = NULL;
  cr_assert_eq(sf_config_to_json(cfg, &json), SF_OK, "%s", sf_error_message());
  return json;
}

static void expect_format_error(const char *text, const char *message) {
  sf_config *cfg = NULL;
  int st = sf_config_parse_string(text, strlen(text), "t.toml", &cfg);
  cr_assert_eq(st, SF_EFORMAT, "input <<%s>>: status %d (%s)", text, st, sf_error_message());
  cr_assert_null(cfg);
  cr_assert_str_eq(sf_error_message(), message, "input <<%s>>", text);
}

/* ---- A schema shaped like the simulate command's ---- */

static const char *const algorithms[] = {"multislice", "prism", NULL};
static const char *const sim_arrays[] = {"detector", NULL};
static const sf_config_key sim_keys[] = {
    {NULL, "title", SF_CFG_STRING, "\"untitled\"", 0, 0, NULL, "Run title"},
    {"beam", "energy_keV", SF_CFG_NUMBER, NULL, 1, 10000, NULL, "Primary beam energy"},
    {"beam", "semiangle_mrad", SF_CFG_NUMBER, "20", 0, 500, NULL, "Probe-forming semi-angle"},
    {"beam", "defocus_A", SF_CFG_NUMBER, "0", -HUGE_VAL, HUGE_VAL, NULL,
     "Defocus = -C10; positive = underfocus"},
    {"sample", "structure", SF_CFG_STRING, NULL, 0, 0, NULL, "XYZ structure file"},
    {"sim", "algorithm", SF_CFG_STRING, "\"multislice\"", 0, 0, algorithms, "Propagation"},
    {"sim", "frozen_phonons", SF_CFG_INT, "30", 1, 10000, NULL, "Configurations"},
    {"sim", "seed", SF_CFG_INT, "12345", 0, 0, NULL, "Random seed"},
    {"sim", "save_cube", SF_CFG_BOOL, "false", 0, 0, NULL, "Keep the radial-bin cube"},
    {"sim.prism", "f", SF_CFG_INT, "1", 1, 64, NULL, "PRISM interpolation factor"},
    {"detector", "name", SF_CFG_STRING, "\"HAADF\"", 0, 0, NULL, "Detector name"},
    {"detector", "inner_mrad", SF_CFG_NUMBER, NULL, 0, 1000, NULL, "Inner angle"},
    {"detector", "outer_mrad", SF_CFG_NUMBER, "200", 0, 1000, NULL, "Outer angle"},
    {"noise", "dose_e_per_A2", SF_CFG_NUMBER, "1e5", 0, HUGE_VAL, NULL, "Electron dose"},
    {"noise", "doses", SF_CFG_NUMBERS, "[1e3, 1e4]", 0, HUGE_VAL, NULL, "Dose sweep"},
    {"fusion", "elements", SF_CFG_STRINGS, "[\"Sr\", \"Ti\", \"O\"]", 0, 0, NULL,
     "Elements to recover\nin this order"},
};
static const sf_config_schema sim_schema = {"simulate", sim_keys,
                                            sizeof sim_keys / sizeof sim_keys[0], sim_arrays};

static const char *sim_text = "title = 'SrTiO3'\n"
                              "[beam]\n"
                              "energy_keV = 300\n"
                              "[sample]\n"
                              "structure = \"sto.xyz\"\n"
                              "[sim]\n"
                              "algorithm = \"prism\"\n"
                              "[sim.prism]\n"
                              "f = 4\n"
                              "[[detector]]\n"
                              "inner_mrad = 70\n"
                              "[[detector]]\n"
                              "name = \"ABF\"\n"
                              "inner_mrad = 11\n"
                              "outer_mrad = 22.5\n"
                              "[noise]\n"
                              "doses = [100, 1e3, 2.5e4]\n";

static sf_config *sim_config(const char *text) {
  sf_config *cfg = parse_ok(text);
  cr_assert_eq(sf_config_validate(cfg, &sim_schema), SF_OK, "%s", sf_error_message());
  return cfg;
}

static void expect_invalid(const char *text, int status, const char *message) {
  sf_config *cfg = parse_ok(text);
  int st = sf_config_validate(cfg, &sim_schema);
  cr_assert_eq(st, status, "input <<%s>>: status %d (%s)", text, st, sf_error_message());
  cr_assert_str_eq(sf_error_message(), message, "input <<%s>>: got <<%s>>", text,
                   sf_error_message());
  sf_config_destroy(cfg);
}

/* ---- A schema for the all-kinds fixture, to read every value back ---- */

static const sf_config_key kinds_keys[] = {
    {NULL, "title", SF_CFG_STRING, NULL, 0, 0, NULL, NULL},
    {"integers", "zero", SF_CFG_INT, NULL, 0, 0, NULL, NULL},
    {"integers", "plus_zero", SF_CFG_INT, NULL, 0, 0, NULL, NULL},
    {"integers", "minus_zero", SF_CFG_INT, NULL, 0, 0, NULL, NULL},
    {"integers", "positive", SF_CFG_INT, NULL, 0, 0, NULL, NULL},
    {"integers", "signed", SF_CFG_INT, NULL, 0, 0, NULL, NULL},
    {"integers", "negative", SF_CFG_INT, NULL, 0, 0, NULL, NULL},
    {"integers", "separated", SF_CFG_INT, NULL, 0, 0, NULL, NULL},
    {"integers", "largest", SF_CFG_INT, NULL, 0, 0, NULL, NULL},
    {"integers", "smallest", SF_CFG_INT, NULL, 0, 0, NULL, NULL},
    {"floats", "plain", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "small", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "big", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "upper", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "signed_exponent", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "plus", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "minus", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "negative_zero", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "separated", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "exponent_zeros", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "tenth", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "tiny", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"floats", "huge", SF_CFG_NUMBER, NULL, 0, 0, NULL, NULL},
    {"strings", "basic", SF_CFG_STRING, NULL, 0, 0, NULL, NULL},
    {"strings", "empty", SF_CFG_STRING, NULL, 0, 0, NULL, NULL},
    {"strings", "escapes", SF_CFG_STRING, NULL, 0, 0, NULL, NULL},
    {"strings", "unicode", SF_CFG_STRING, NULL, 0, 0, NULL, NULL},
    {"strings", "raw_utf8", SF_CFG_STRING, NULL, 0, 0, NULL, NULL},
    {"strings", "literal", SF_CFG_STRING, NULL, 0, 0, NULL, NULL},
    {"strings", "literal_empty", SF_CFG_STRING, NULL, 0, 0, NULL, NULL},
    {"strings", "hash", SF_CFG_STRING, NULL, 0, 0, NULL, NULL},
    {"strings", "tab_inside", SF_CFG_STRING, NULL, 0, 0, NULL, NULL},
    {"booleans", "yes", SF_CFG_BOOL, NULL, 0, 0, NULL, NULL},
    {"booleans", "no", SF_CFG_BOOL, NULL, 0, 0, NULL, NULL},
    {"arrays", "angles_mrad", SF_CFG_NUMBERS, NULL, 0, 0, NULL, NULL},
    {"arrays", "mixed_numbers", SF_CFG_NUMBERS, NULL, 0, 0, NULL, NULL},
    {"arrays", "names", SF_CFG_STRINGS, NULL, 0, 0, NULL, NULL},
    {"arrays", "flags", SF_CFG_STRINGS, "[]", 0, 0, NULL, NULL}, /* wrong on purpose */
    {"arrays", "empty", SF_CFG_NUMBERS, NULL, 0, 0, NULL, NULL},
    {"arrays", "multi_line", SF_CFG_NUMBERS, NULL, 0, 0, NULL, NULL},
    {"arrays", "spaced", SF_CFG_NUMBERS, NULL, 0, 0, NULL, NULL},
};
static const sf_config_schema kinds_schema = {"kinds", kinds_keys,
                                              sizeof kinds_keys / sizeof kinds_keys[0], NULL};

static sf_config *kinds_config(void) {
  sf_config *cfg = parse_fixture("all_kinds.toml");
  /* flags is an array of booleans, declared as strings: the one expected error. */
  int st = sf_config_validate(cfg, &kinds_schema);
  cr_assert_eq(st, SF_EINVAL);
  char expected[1024];
  snprintf(expected, sizeof expected,
           "%s:49: arrays.flags = [true, false, true]: expected an array of strings, e.g. "
           "[\"a\", \"b\"]",
           sf_test_source_path("tests/data/config/all_kinds.toml"));
  cr_assert_str_eq(sf_error_message(), expected);
  cr_assert_eq(sf_config_set(cfg, "arrays.flags=[\"t\"]"), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_config_validate(cfg, &kinds_schema), SF_OK, "%s", sf_error_message());
  return cfg;
}

/* ======================================================================== */
/* Parsing: every value kind                                                */
/* ======================================================================== */

Test(config_parse, integers_exact) {
  sf_config *cfg = kinds_config();
  static const struct {
    const char *key;
    int64_t value;
  } cases[] = {{"zero", 0},
               {"plus_zero", 0},
               {"minus_zero", 0},
               {"positive", 42},
               {"signed", 17},
               {"negative", -300},
               {"separated", 1000000},
               {"largest", INT64_MAX},
               {"smallest", INT64_MIN}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    int64_t v = -1;
    cr_assert_eq(sf_config_get_int(cfg, "integers", cases[i].key, &v), SF_OK, "%s",
                 sf_error_message());
    cr_assert_eq(v, cases[i].value, "integers.%s = %lld", cases[i].key, (long long)v);
  }
  double x;
  cr_assert_eq(sf_config_get_number(cfg, "integers", "negative", &x), SF_OK);
  cr_assert_float_eq(x, -300.0, TOL_PARSE_EXACT);
  sf_config_destroy(cfg);
}

Test(config_parse, floats_exact) {
  sf_config *cfg = kinds_config();
  static const struct {
    const char *key;
    double value;
  } cases[] = {{"plain", 1.5},
               {"small", 1.5e-3},
               {"big", 1e5},
               {"upper", 2E10},
               {"signed_exponent", 6.626e+34},
               {"plus", 0.5},
               {"minus", -0.0244},
               {"separated", 3.141592653589793},
               {"exponent_zeros", 1e05},
               {"tenth", 0.1},
               {"tiny", 4.9e-324},
               {"huge", DBL_MAX}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    double v = NAN;
    cr_assert_eq(sf_config_get_number(cfg, "floats", cases[i].key, &v), SF_OK);
    cr_assert(v == cases[i].value, "floats.%s = %.17g, expected %.17g", cases[i].key, v,
              cases[i].value);
  }
  double z = 1.0;
  cr_assert_eq(sf_config_get_number(cfg, "floats", "negative_zero", &z), SF_OK);
  cr_assert(z == 0.0 && signbit(z), "-0.0 keeps its sign");
  double tiny;
  sf_config_get_number(cfg, "floats", "tiny", &tiny);
  cr_assert(tiny == DBL_TRUE_MIN, "4.9e-324 is the smallest subnormal");
  sf_config_destroy(cfg);
}

Test(config_parse, strings_exact) {
  sf_config *cfg = kinds_config();
  static const struct {
    const char *key, *value;
  } cases[] = {
      {"basic", "sto_4x4x5.xyz"},
      {"empty", ""},
      {"escapes", "quote \" backslash \\ newline \n tab \t backspace \b formfeed \f return \r"},
      {"unicode", "\xC3\x85ngstr\xC3\xB6m \xCE\xBC \xF0\x9F\x94\xAC"},
      {"raw_utf8", "\xC3\x85 \xCE\xBCm\xC2\xB2 \xE2\x80\x94 \xE2\x9C\x93"},
      {"literal", "C:\\data\\run #1 \"as is\""},
      {"literal_empty", ""},
      {"hash", "not # a comment"},
      {"tab_inside", "a\tb"}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    const char *s = NULL;
    cr_assert_eq(sf_config_get_string(cfg, "strings", cases[i].key, &s), SF_OK);
    cr_assert_str_eq(s, cases[i].value, "strings.%s", cases[i].key);
  }
  const char *title;
  cr_assert_eq(sf_config_get_string(cfg, NULL, "title", &title), SF_OK);
  cr_assert_str_eq(title, "all kinds");
  sf_config_destroy(cfg);
}

Test(config_parse, booleans_and_arrays_exact) {
  sf_config *cfg = kinds_config();
  bool yes = false, no = true;
  cr_assert_eq(sf_config_get_bool(cfg, "booleans", "yes", &yes), SF_OK);
  cr_assert_eq(sf_config_get_bool(cfg, "booleans", "no", &no), SF_OK);
  cr_assert(yes && !no);

  static const double angles[] = {70, 200}, mixed[] = {1, 2.5, -3, 400}, multi[] = {1, 2, 3},
                      spaced[] = {1, 2, 3};
  static const struct {
    const char *key;
    const double *values;
    size_t n;
  } cases[] = {{"angles_mrad", angles, 2},
               {"mixed_numbers", mixed, 4},
               {"empty", NULL, 0},
               {"multi_line", multi, 3},
               {"spaced", spaced, 3}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    double *v = (double *)1;
    size_t n = 99;
    cr_assert_eq(sf_config_get_numbers(cfg, "arrays", cases[i].key, &v, &n), SF_OK);
    cr_assert_eq(n, cases[i].n, "arrays.%s has %zu elements", cases[i].key, n);
    if (n == 0)
      cr_assert_null(v);
    for (size_t k = 0; k < n; ++k)
      cr_assert(v[k] == cases[i].values[k], "arrays.%s[%zu] = %g", cases[i].key, k, v[k]);
    sf_free(v);
  }
  const char *const *names;
  size_t n;
  cr_assert_eq(sf_config_get_strings(cfg, "arrays", "names", &names, &n), SF_OK);
  cr_assert_eq(n, 3);
  cr_assert_str_eq(names[0], "Sr");
  cr_assert_str_eq(names[1], "Ti");
  cr_assert_str_eq(names[2], "O");
  cr_assert_null(names[3]);
  sf_config_destroy(cfg);

  /* Booleans inside arrays keep their type in the raw document. */
  sf_config *raw = parse_fixture("all_kinds.toml");
  char *json = json_of(raw);
  cr_assert(strstr(json, "\"flags\": [true, false, true]"), "%s", json);
  cr_assert(strstr(json, "\"mixed_numbers\": [1, 2.5, -3, 400.0]"), "%s", json);
  free(json);
  sf_config_destroy(raw);
}

Test(config_parse, json_text_exact) {
  sf_config *cfg = parse_ok("a = 1\nb = 0.1\nc = 300.0\n[t]\ns = \"x\\\"y\\u0001\"\ne = []\n"
                            "[[r]]\n[[r]]\nk = true\n");
  char *json = json_of(cfg);
  cr_assert_str_eq(json, "{\n"
                         "  \"a\": 1,\n"
                         "  \"b\": 0.10000000000000001,\n"
                         "  \"c\": 300.0,\n"
                         "  \"t\": {\n"
                         "    \"s\": \"x\\\"y\\u0001\",\n"
                         "    \"e\": []\n"
                         "  },\n"
                         "  \"r\": [\n"
                         "    {},\n"
                         "    {\n"
                         "      \"k\": true\n"
                         "    }\n"
                         "  ]\n"
                         "}\n");
  free(json);
  sf_config_destroy(cfg);
}

Test(config_parse, tables_and_dotted_headers) {
  sf_config *cfg = parse_fixture("tables.toml");
  const char *path = sf_test_source_path("tests/data/config/tables.toml");
  char origin[512], expected[512];
  cr_assert(sf_config_has(cfg, NULL, "top"));
  cr_assert(sf_config_has(cfg, "sim.prism", "f"));
  cr_assert(sf_config_has(cfg, "sim.output", "name"), "whitespace around dots in a header");
  cr_assert(sf_config_has(cfg, "sim", "algorithm"), "[sim] defined after [sim.prism]");
  cr_assert(sf_config_has(cfg, "a.b.c", "deep"));
  cr_assert(sf_config_has(cfg, "a", "shallow"));
  cr_assert(sf_config_has(cfg, "CamelCase-key_2", "k-1"));
  cr_assert(!sf_config_has(cfg, "sim", "f"));
  cr_assert(!sf_config_has(cfg, "empty", "x"));
  cr_assert_eq(sf_config_origin(cfg, "sim.prism", "f", origin, sizeof origin), SF_OK);
  snprintf(expected, sizeof expected, "%s:5", path);
  cr_assert_str_eq(origin, expected);
  sf_config_origin(cfg, "a", "shallow", origin, sizeof origin);
  snprintf(expected, sizeof expected, "%s:18", path);
  cr_assert_str_eq(origin, expected);
  sf_config_origin(cfg, "a", "missing", origin, sizeof origin);
  cr_assert_str_eq(origin, "default");
  char *json = json_of(cfg);
  cr_assert(strstr(json, "\"empty\": {}"), "an empty table is kept: %s", json);
  free(json);
  sf_config_destroy(cfg);
}

Test(config_parse, arrays_of_tables) {
  sf_config *cfg = parse_fixture("detectors.toml");
  const char *path = sf_test_source_path("tests/data/config/detectors.toml");
  cr_assert_eq(sf_config_count(cfg, "detector"), 3);
  cr_assert_eq(sf_config_count(cfg, "sweep"), 2);
  cr_assert_eq(sf_config_count(cfg, "sweep.1.point"), 2);
  cr_assert_eq(sf_config_count(cfg, "sweep.2.point"), 0);
  cr_assert_eq(sf_config_count(cfg, "beam"), 0, "a plain table is not an array");
  cr_assert_eq(sf_config_count(cfg, "nothing"), 0);
  cr_assert(sf_config_has(cfg, "detector.1", "inner_mrad"));
  cr_assert(sf_config_has(cfg, "detector.2", "segments"));
  cr_assert(!sf_config_has(cfg, "detector.1", "segments"));
  cr_assert(sf_config_has(cfg, "detector.2.geometry", "rotation_deg"),
            "[detector.geometry] belongs to the latest [[detector]]");
  cr_assert(!sf_config_has(cfg, "detector.3", "name"));
  cr_assert(!sf_config_has(cfg, "detector.4", "name"));
  cr_assert(!sf_config_has(cfg, "detector.0", "name"));
  cr_assert(sf_config_has(cfg, "sweep.1.point.2", "dose_e_per_A2"));
  char origin[512], expected[512];
  sf_config_origin(cfg, "detector.2", "inner_mrad", origin, sizeof origin);
  snprintf(expected, sizeof expected, "%s:12", path);
  cr_assert_str_eq(origin, expected);
  sf_config_destroy(cfg);
}

Test(config_parse, crlf_and_comments) {
  sf_config *lf = parse_ok("a = 1 # one\n[b]\nc = \"x\"\n\n# end\n");
  sf_config *crlf = parse_ok("a = 1 # one\r\n[b]\r\nc = \"x\"\r\n\r\n# end\r\n");
  char *j1 = json_of(lf), *j2 = json_of(crlf);
  cr_assert_str_eq(j1, j2);
  char origin[64];
  sf_config_origin(crlf, "b", "c", origin, sizeof origin);
  cr_assert_str_eq(origin, "t.toml:3", "CRLF counts as one line end");
  free(j1);
  free(j2);
  sf_config_destroy(lf);
  sf_config_destroy(crlf);

  sf_config *empty = parse_fixture("comments_only.toml");
  char *j = json_of(empty);
  cr_assert_str_eq(j, "{}\n");
  free(j);
  sf_config_destroy(empty);
  sf_config *none = parse_ok("");
  j = json_of(none);
  cr_assert_str_eq(j, "{}\n");
  free(j);
  sf_config_destroy(none);
}

/* ======================================================================== */
/* Parsing: every error class, with its exact message                       */
/* ======================================================================== */

Test(config_errors, messages_name_file_line_key_and_value) {
  static const struct {
    const char *text, *message;
  } cases[] = {
      {"[beam]\nenergy_keV = 300\nenergy_keV = 200\n",
       "t.toml:3: beam.energy_keV = 200: duplicate key (first defined at line 2)"},
      {"[beam]\nx = 1\n\n[beam]\n", "t.toml:4: [beam]: table defined twice (first at line 1)"},
      {"[a.b]\n[a]\n[a]\n", "t.toml:3: [a]: table defined twice (first at line 2)"},
      {"[sample]\nstructure = \"sto.xyz\n",
       "t.toml:2: sample.structure = \"sto.xyz: unterminated string (missing closing '\"')"},
      {"s = 'abc\n", "t.toml:1: s = 'abc: unterminated string (missing closing \"'\")"},
      {"[beam]\nenergy_keV =   # later\n", "t.toml:2: beam.energy_keV: missing value after '='"},
      {"x =", "t.toml:1: x: missing value after '='"},
      {"beam = { energy_keV = 300 }\n",
       "t.toml:1: beam = { energy_keV = 300 }: inline tables are not supported; use a [table] "
       "header"},
      {"when = 2024-05-27\n", "t.toml:1: when = 2024-05-27: dates and times are not supported"},
      {"when = 07:32:00\n", "t.toml:1: when = 07:32:00: dates and times are not supported"},
      {"[beam]\nenergy_keV = inf\n",
       "t.toml:2: beam.energy_keV = inf: inf and nan are not allowed (a physical quantity is "
       "finite)"},
      {"x = -nan\n",
       "t.toml:1: x = -nan: inf and nan are not allowed (a physical quantity is finite)"},
      {"x = [1.0, +inf]\n",
       "t.toml:1: x = +inf: inf and nan are not allowed (a physical quantity is finite)"},
      {"[sim]\nalgorithm = multislice\n",
       "t.toml:2: sim.algorithm = multislice: invalid value (strings must be quoted)"},
      {"beam.energy_keV = 300\n",
       "t.toml:1: dotted key 'beam.energy_keV' is not supported; put the key under a [table] "
       "header"},
      {"\"energy keV\" = 300\n",
       "t.toml:1: \"energy keV\" = 300: quoted keys are not supported; use a bare key (letters, "
       "digits, '_', '-')"},
      {"note = \"\"\"\nx\n\"\"\"\n",
       "t.toml:1: note = \"\"\": multi-line strings are not supported"},
      {"x = [[1, 2], [3]]\n", "t.toml:1: x = [...]: nested arrays are not supported"},
      {"x = [1, \"two\"]\n",
       "t.toml:1: x = [...]: element 2 is a string but element 1 is a number (arrays hold one "
       "kind of value)"},
      {"x = [true,\n 1]\n",
       "t.toml:2: x = [...]: element 2 is a number but element 1 is a boolean (arrays hold one "
       "kind of value)"},
      {"name = \"run\\x41\"\n",
       "t.toml:1: name = \"run\\x41\": invalid escape '\\x' (allowed: \\\" \\\\ \\b \\f \\n \\r "
       "\\t \\uXXXX \\UXXXXXXXX)"},
      {"name = \"\\u12\"\n", "t.toml:1: name = \"\\u12\": \\u escape needs 4 hexadecimal digits"},
      {"name = \"\\ud800\"\n",
       "t.toml:1: name = \"\\ud800\": escape U+D800 is not a Unicode scalar value"},
      {"name = \"\\U00110000\"\n",
       "t.toml:1: name = \"\\U00110000\": escape U+110000 is not a Unicode scalar value"},
      {"name = \"a\\u0000\"\n",
       "t.toml:1: name = \"a\\u0000\": NUL (\\u0000) is not allowed in strings"},
      {"[beam]\nenergy_keV = 300 kV\n",
       "t.toml:2: beam.energy_keV = 300: unexpected text 'kV' after the value"},
      {"x = \"a\" \"b\"\n", "t.toml:1: x = \"a\": unexpected text '\"b\"' after the value"},
      {"[beam] x = 1\n", "t.toml:1: unexpected text 'x = 1' after the table header"},
      {"[detector]\n[[detector]]\n",
       "t.toml:2: [[detector]]: detector is already a table (line 1), not an array of tables"},
      {"[[detector]]\n[detector]\n",
       "t.toml:2: [detector]: detector is an array of tables ([[detector]] at line 1)"},
      {"[beam]\nenergy_keV = 1\n[beam.energy_keV]\n",
       "t.toml:3: [beam.energy_keV]: beam.energy_keV already holds a value (line 2)"},
      {"[a.b]\n[a]\nb = 2\n", "t.toml:3: a.b = 2: a.b is already a table (line 1)"},
      {"[[d]]\nx = 1\n[[d]]\nx = 1\nx = 2\n",
       "t.toml:5: d.2.x = 2: duplicate key (first defined at line 4)"},
      {"x = [70,\n  200\n", "t.toml:1: x = [...: unterminated array (missing ']')"},
      {"x = [70 200]\n", "t.toml:1: x = [...]: expected ',' or ']' after element 1, found '2'"},
      {"x = [, 1]\n", "t.toml:1: x = [...]: missing array element before ','"},
      {"= 5\n", "t.toml:1: missing key before '='"},
      {"?x = 5\n", "t.toml:1: expected a key, a [table] header or a comment, found '?'"},
      {"[beam]\nenergy_keV 300\n",
       "t.toml:2: beam.energy_keV: expected '=' after the key, found '3'"},
      {"[beam]\nenergy_keV\n", "t.toml:2: beam.energy_keV: key without '= value'"},
      {"[beam\n", "t.toml:1: table header [beam: missing ']' at the end"},
      {"[[beam]\n", "t.toml:1: table header [[beam]: missing ']]' at the end"},
      {"[]\n", "t.toml:1: table header []: expected a key, found ']'"},
      {"[a..b]\n", "t.toml:1: table header [a..b]: expected a key, found '.'"},
      {"[\"a\"]\n",
       "t.toml:1: table header [\"a\"]: quoted keys are not supported; use a bare key (letters, "
       "digits, '_', '-')"},
      {"n = 007\n", "t.toml:1: n = 007: leading zeros are not allowed"},
      {"n = 1__000\n", "t.toml:1: n = 1__000: '_' must sit between two digits"},
      {"n = 1_\n", "t.toml:1: n = 1_: '_' must sit between two digits"},
      {"n = 1.\n", "t.toml:1: n = 1.: a decimal point must be followed by digits"},
      {"n = .5\n", "t.toml:1: n = .5: invalid number"},
      {"n = 1e\n", "t.toml:1: n = 1e: an exponent needs digits"},
      {"n = 1.5.3\n", "t.toml:1: n = 1.5.3: invalid number"},
      {"n = 0xff\n",
       "t.toml:1: n = 0xff: hexadecimal, octal and binary integers are not supported"},
      {"n = 9223372036854775808\n",
       "t.toml:1: n = 9223372036854775808: integer out of range (must fit in 64 bits)"},
      {"n = 1e309\n", "t.toml:1: n = 1e309: number out of range (beyond the largest double)"},
      {"n = truex\n", "t.toml:1: n = truex: invalid value (strings must be quoted)"},
      {"n = +\n", "t.toml:1: n = +: invalid value (strings must be quoted)"},
      {"x = 1\n# bell \a\n",
       "t.toml:2: control character U+0007 is not allowed (only tab and newline)"},
      {"x = \"a\x7f\"\n",
       "t.toml:1: control character U+007F is not allowed (only tab and newline)"},
      {"x = 1\ry = 2\n", "t.toml:1: carriage return not followed by a newline"},
      {"x = \"\xff\"\n", "t.toml:1: invalid UTF-8 byte 0xFF"},
      {"\n\nx = \"\xc3\"\n", "t.toml:3: invalid UTF-8 sequence starting with byte 0xC3"},
      {"x = \"\xed\xa0\x80\"\n", "t.toml:1: invalid UTF-8 sequence starting with byte 0xED"},
      {"x = \"\xc0\xaf\"\n", "t.toml:1: invalid UTF-8 byte 0xC0"},
      {"\xef\xbb\xbfx = 1\n",
       "t.toml:1: UTF-8 byte order mark at the start is not allowed (save without BOM)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i)
    expect_format_error(cases[i].text, cases[i].message);
}

Test(config_errors, long_values_are_shortened) {
  char text[400];
  snprintf(text, sizeof text, "x = \"%0200d\n", 7);
  sf_config *cfg = NULL;
  cr_assert_eq(sf_config_parse_string(text, strlen(text), "t.toml", &cfg), SF_EFORMAT);
  const char *m = sf_error_message();
  cr_assert(strstr(m, "...: unterminated string"), "%s", m);
  cr_assert_lt(strlen(m), 160);
}

Test(config_errors, text_need_not_be_nul_terminated) {
  const char text[] = {'x', ' ', '=', ' ', '1', '2'}; /* no NUL: "x = 12" */
  sf_config *cfg = NULL;
  cr_assert_eq(sf_config_parse_string(text, 5, "t.toml", &cfg), SF_OK, "%s", sf_error_message());
  char *json = json_of(cfg);
  cr_assert_str_eq(json, "{\n  \"x\": 1\n}\n", "only the first 5 bytes are read");
  free(json);
  sf_config_destroy(cfg);
  cr_assert_eq(sf_config_parse_string(text, 3, "t.toml", &cfg), SF_EFORMAT);
  cr_assert_str_eq(sf_error_message(), "t.toml:1: x: missing value after '='");
}

Test(config_errors, limits) {
  size_t n = 10001, len = 0;
  char *text = malloc(n * 16);
  for (size_t i = 0; i < n; ++i)
    len += (size_t)sprintf(text + len, "k%zu = %zu\n", i, i);
  sf_config *cfg = NULL;
  cr_assert_eq(sf_config_parse_string(text, len, "t.toml", &cfg), SF_EFORMAT);
  cr_assert_str_eq(sf_error_message(), "t.toml:10001: more than 10000 keys and tables in one "
                                       "table");
  /* 10000 keys are fine. */
  size_t last = len - strlen("k10000 = 10000\n");
  cr_assert_eq(sf_config_parse_string(text, last, "t.toml", &cfg), SF_OK, "%s", sf_error_message());
  sf_config_destroy(cfg);
  free(text);

  size_t big = (1u << 20) + 1;
  char *huge = malloc(big);
  memset(huge, '#', big);
  cr_assert_eq(sf_config_parse_string(huge, big, "t.toml", &cfg), SF_EFORMAT);
  cr_assert_str_eq(sf_error_message(), "t.toml: configuration larger than 1048576 bytes");
  free(huge);

  char key[300];
  memset(key, 'k', 256);
  strcpy(key + 256, " = 1\n");
  cr_assert_eq(sf_config_parse_string(key, strlen(key), "t.toml", &cfg), SF_EFORMAT);
  cr_assert(strstr(sf_error_message(), "key longer than 255 characters"), "%s", sf_error_message());
}

Test(config_errors, files) {
  sf_config *cfg = (sf_config *)1;
  const char *missing = sf_test_path("absent.toml");
  cr_assert_eq(sf_config_parse_file(missing, &cfg), SF_ENOENT);
  cr_assert_null(cfg);
  cr_assert(strstr(sf_error_message(), missing), "%s", sf_error_message());
  cr_assert_eq(sf_config_parse_file(NULL, &cfg), SF_EINVAL);
  cr_assert_eq(sf_config_parse_file(missing, NULL), SF_EINVAL);
  sf_config_destroy(NULL); /* no-op */
}

/* Every shipped invalid or out-of-subset fixture is SF_EFORMAT "path:line: ...". */
static void check_rejected_dir(const char *rel) {
  DIR *d = opendir(sf_test_source_path(rel));
  cr_assert_not_null(d, "%s", rel);
  size_t n = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".toml") != 0)
      continue;
    char file[512];
    snprintf(file, sizeof file, "%s/%s", rel, e->d_name);
    const char *path = sf_test_source_path(file);
    sf_config *cfg = NULL;
    cr_assert_eq(sf_config_parse_file(path, &cfg), SF_EFORMAT, "%s accepted", file);
    const char *m = sf_error_message();
    size_t plen = strlen(path);
    cr_assert(strncmp(m, path, plen) == 0 && m[plen] == ':', "%s: %s", file, m);
    char *end;
    long line = strtol(m + plen + 1, &end, 10);
    cr_assert(line >= 1 && strncmp(end, ": ", 2) == 0 && end[2], "%s: %s", file, m);
    ++n;
  }
  closedir(d);
  cr_assert_geq(n, 10, "%s holds %zu fixtures", rel, n);
}

Test(config_errors, invalid_fixtures) {
  check_rejected_dir("tests/data/config/invalid");
  check_rejected_dir("tests/data/config/unsupported");
}

/* ======================================================================== */
/* Schema validation and getters                                            */
/* ======================================================================== */

Test(config_schema, values_and_defaults) {
  sf_config *cfg = sim_config(sim_text);
  double x;
  int64_t i;
  const char *s;
  bool b;
  cr_assert_eq(sf_config_get_number(cfg, "beam", "energy_keV", &x), SF_OK);
  cr_assert_float_eq(x, 300.0, TOL_PARSE_EXACT);
  cr_assert_eq(sf_config_get_number(cfg, "beam", "semiangle_mrad", &x), SF_OK);
  cr_assert_float_eq(x, 20.0, TOL_PARSE_EXACT, "default");
  cr_assert_eq(sf_config_get_string(cfg, "sim", "algorithm", &s), SF_OK);
  cr_assert_str_eq(s, "prism");
  cr_assert_eq(sf_config_get_int(cfg, "sim", "frozen_phonons", &i), SF_OK);
  cr_assert_eq(i, 30, "default");
  cr_assert_eq(sf_config_get_number(cfg, "sim", "frozen_phonons", &x), SF_OK,
               "an integer key reads as a number too");
  cr_assert_float_eq(x, 30.0, TOL_PARSE_EXACT);
  cr_assert_eq(sf_config_get_int(cfg, "sim.prism", "f", &i), SF_OK);
  cr_assert_eq(i, 4);
  cr_assert_eq(sf_config_get_bool(cfg, "sim", "save_cube", &b), SF_OK);
  cr_assert(!b);
  cr_assert_eq(sf_config_get_string(cfg, "", "title", &s), SF_OK);
  cr_assert_str_eq(s, "SrTiO3");
  cr_assert_eq(sf_config_get_number(cfg, "noise", "dose_e_per_A2", &x), SF_OK);
  cr_assert_float_eq(x, 1e5, TOL_PARSE_EXACT, "default");

  cr_assert_eq(sf_config_count(cfg, "detector"), 2);
  cr_assert_eq(sf_config_get_string(cfg, "detector.1", "name", &s), SF_OK);
  cr_assert_str_eq(s, "HAADF", "default inside an element");
  cr_assert_eq(sf_config_get_number(cfg, "detector.1", "outer_mrad", &x), SF_OK);
  cr_assert_float_eq(x, 200.0, TOL_PARSE_EXACT);
  cr_assert_eq(sf_config_get_string(cfg, "detector.2", "name", &s), SF_OK);
  cr_assert_str_eq(s, "ABF");
  cr_assert_eq(sf_config_get_number(cfg, "detector.2", "outer_mrad", &x), SF_OK);
  cr_assert_float_eq(x, 22.5, TOL_PARSE_EXACT);

  double *v;
  size_t n;
  cr_assert_eq(sf_config_get_numbers(cfg, "noise", "doses", &v, &n), SF_OK);
  cr_assert_eq(n, 3);
  cr_assert(v[0] == 100 && v[1] == 1e3 && v[2] == 2.5e4);
  sf_free(v);
  const char *const *el;
  cr_assert_eq(sf_config_get_strings(cfg, "fusion", "elements", &el, &n), SF_OK);
  cr_assert_eq(n, 3, "default array of strings");
  cr_assert_str_eq(el[0], "Sr");
  cr_assert_str_eq(el[2], "O");

  char origin[64];
  sf_config_origin(cfg, "beam", "energy_keV", origin, sizeof origin);
  cr_assert_str_eq(origin, "t.toml:3");
  sf_config_origin(cfg, "beam", "semiangle_mrad", origin, sizeof origin);
  cr_assert_str_eq(origin, "default");
  cr_assert_eq(sf_config_origin(cfg, "beam", "x", origin, 0), SF_EINVAL);
  sf_config_destroy(cfg);
}

Test(config_schema, empty_document_takes_defaults) {
  static const sf_config_key keys[] = {
      {"beam", "energy_keV", SF_CFG_NUMBER, "300", 1, 10000, NULL, "Energy"},
      {"detector", "inner_mrad", SF_CFG_NUMBER, NULL, 0, 1000, NULL, "Inner angle"},
  };
  static const char *const arrays[] = {"detector", NULL};
  static const sf_config_schema schema = {"small", keys, 2, arrays};
  sf_config *cfg;
  cr_assert_eq(sf_config_create(&cfg), SF_OK);
  cr_assert_eq(sf_config_validate(cfg, &schema), SF_OK, "%s", sf_error_message());
  double x;
  cr_assert_eq(sf_config_get_number(cfg, "beam", "energy_keV", &x), SF_OK);
  cr_assert_float_eq(x, 300.0, TOL_PARSE_EXACT);
  cr_assert_eq(sf_config_count(cfg, "detector"), 0, "a required element key needs no element");
  cr_assert_eq(sf_config_get_number(cfg, "detector.1", "inner_mrad", &x), SF_ERANGE);
  cr_assert_str_eq(sf_error_message(),
                   "sf_config_get_number(detector.1.inner_mrad): [[detector]] has 0 elements");
  sf_config_destroy(cfg);
}

Test(config_schema, unknown_keys_and_tables_with_hints) {
  expect_invalid("[beam]\nenergy_keV = 300\nsemiangle_mard = 20\n[sample]\nstructure = 'a'\n",
                 SF_EINVAL,
                 "t.toml:3: beam.semiangle_mard = 20: unknown key (did you mean "
                 "'semiangle_mrad'?)");
  expect_invalid("[beam]\nenergy = 300\n[sample]\nstructure = 'a'\n", SF_EINVAL,
                 "t.toml:2: beam.energy = 300: unknown key (did you mean 'energy_keV'?)\n"
                 "t.toml:1: beam.energy_keV: required key is missing (set energy_keV under "
                 "[beam])");
  expect_invalid("[beam]\nenergy_keV = 300\nseed = 7\n[sample]\nstructure = 'a'\n", SF_EINVAL,
                 "t.toml:3: beam.seed = 7: unknown key (did you mean 'seed' under [sim]?)");
  expect_invalid("[beam]\nenergy_keV = 300\nvoltage = 7\n[sample]\nstructure = 'a'\n", SF_EINVAL,
                 "t.toml:3: beam.voltage = 7: unknown key; [beam] accepts: energy_keV, "
                 "semiangle_mrad, defocus_A");
  expect_invalid("[bem]\nenergy_keV = 300\n[beam]\nenergy_keV = 300\n[sample]\nstructure = 'a'\n",
                 SF_EINVAL, "t.toml:1: [bem]: unknown table (did you mean [beam]?)");
  expect_invalid("[beam]\nenergy_keV = 300\n[sample]\nstructure = 'a'\n[detectr]\n", SF_EINVAL,
                 "t.toml:5: [detectr]: unknown table (did you mean [[detector]]?)");
  expect_invalid("[beam]\nenergy_keV = 300\n[sample]\nstructure = 'a'\n[detector]\n"
                 "inner_mrad = 1\n",
                 SF_EINVAL,
                 "t.toml:5: [detector]: detector is an array of tables; write [[detector]]");
  expect_invalid("[[beam]]\nenergy_keV = 300\n[sample]\nstructure = 'a'\n", SF_EINVAL,
                 "t.toml:1: [[beam]]: beam is a table, not an array of tables; write [beam]\n"
                 "t.toml: beam.energy_keV: required key is missing (set energy_keV under [beam])");
  expect_invalid("[beam]\nenergy_keV = 300\n[sample]\nstructure = 'a'\n[[detector]]\n"
                 "inner_mrad = 1\n[detector.geometry]\nx = 1\n",
                 SF_EINVAL, "t.toml:7: [detector.1.geometry]: unknown table");
}

Test(config_schema, wrong_types) {
  const char *tail = "[sample]\nstructure = 'a'\n";
  char text[512];
  static const struct {
    const char *body, *message;
  } cases[] = {
      {"[beam]\nenergy_keV = \"300\"\n", "t.toml:2: beam.energy_keV = \"300\": expected a number"},
      {"[beam]\nenergy_keV = [300]\n", "t.toml:2: beam.energy_keV = [300]: expected a number"},
      {"[beam]\nenergy_keV = 300\n[sim]\nfrozen_phonons = 2.5\n",
       "t.toml:4: sim.frozen_phonons = 2.5: expected an integer"},
      {"[beam]\nenergy_keV = 300\n[sim]\nalgorithm = 1\n",
       "t.toml:4: sim.algorithm = 1: expected a string (in quotes)"},
      {"[beam]\nenergy_keV = 300\n[sim]\nsave_cube = 'yes'\n",
       "t.toml:4: sim.save_cube = 'yes': expected true or false"},
      {"[beam]\nenergy_keV = 300\n[noise]\ndoses = 1e3\n",
       "t.toml:4: noise.doses = 1e3: expected an array of numbers, e.g. [70, 200]"},
      {"[beam]\nenergy_keV = 300\n[noise]\ndoses = ['a']\n",
       "t.toml:4: noise.doses = [\"a\"]: expected an array of numbers, e.g. [70, 200]"},
      {"[beam]\nenergy_keV = 300\n[fusion]\nelements = [1]\n",
       "t.toml:4: fusion.elements = [1]: expected an array of strings, e.g. [\"a\", \"b\"]"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    snprintf(text, sizeof text, "%s%s", cases[i].body, tail);
    expect_invalid(text, SF_EINVAL, cases[i].message);
  }
}

Test(config_schema, ranges_and_choices) {
  expect_invalid("[beam]\nenergy_keV = -300\n[sample]\nstructure = 'a'\n", SF_ERANGE,
                 "t.toml:2: beam.energy_keV = -300: must be in [1, 10000]");
  expect_invalid("[beam]\nenergy_keV = 10000.5\n[sample]\nstructure = 'a'\n", SF_ERANGE,
                 "t.toml:2: beam.energy_keV = 10000.5: must be in [1, 10000]");
  expect_invalid("[beam]\nenergy_keV = 1e4\n[sample]\nstructure = 'a'\n[noise]\n"
                 "dose_e_per_A2 = -1\n",
                 SF_ERANGE, "t.toml:6: noise.dose_e_per_A2 = -1: must be >= 0");
  expect_invalid("[beam]\nenergy_keV = 1\n[sample]\nstructure = 'a'\n[noise]\n"
                 "doses = [1e3, -5, 7]\n",
                 SF_ERANGE, "t.toml:6: noise.doses = [1000.0, -5, 7]: element 2 (-5) must be >= 0");
  expect_invalid("[beam]\nenergy_keV = 300\n[sample]\nstructure = 'a'\n[sim]\n"
                 "algorithm = \"prizm\"\n",
                 SF_EINVAL,
                 "t.toml:6: sim.algorithm = \"prizm\": must be one of 'multislice', 'prism' (did "
                 "you mean 'prism'?)");
  expect_invalid("[beam]\nenergy_keV = 300\n[sample]\nstructure = 'a'\n[sim.prism]\nf = 0\n",
                 SF_ERANGE, "t.toml:6: sim.prism.f = 0: must be in [1, 64]");
  /* Boundaries are inclusive; an unbounded key takes any finite number. */
  sf_config *cfg = sim_config("[beam]\nenergy_keV = 10000\ndefocus_A = -1e300\n[sample]\n"
                              "structure = 'a'\n[sim.prism]\nf = 64\n");
  sf_config_destroy(cfg);
}

Test(config_schema, missing_required_and_all_errors_listed) {
  expect_invalid("title = 'x'\n", SF_EINVAL,
                 "t.toml: beam.energy_keV: required key is missing (set energy_keV under [beam])\n"
                 "t.toml: sample.structure: required key is missing (set structure under "
                 "[sample])");
  expect_invalid("[beam]\nenergy_keV = 300\n[sample]\nstructure = 'a'\n[[detector]]\n"
                 "name = 'x'\n[[detector]]\ninner_mrad = 5\n[[detector]]\n",
                 SF_EINVAL,
                 "t.toml:5: [[detector]] element 1: required key inner_mrad is missing\n"
                 "t.toml:9: [[detector]] element 3: required key inner_mrad is missing");
  /* Several problems: each on its own line, the status of the first. */
  expect_invalid("[beam]\nenergy_keV = 0\nsemiangle_mrad = 'big'\nx = 1\n[sample]\n"
                 "structure = 'a'\n",
                 SF_ERANGE,
                 "t.toml:2: beam.energy_keV = 0: must be in [1, 10000]\n"
                 "t.toml:3: beam.semiangle_mrad = 'big': expected a number\n"
                 "t.toml:4: beam.x = 1: unknown key; [beam] accepts: energy_keV, "
                 "semiangle_mrad, defocus_A");
}

Test(config_schema, getter_misuse_is_einval) {
  sf_config *raw = parse_ok(sim_text);
  double x;
  cr_assert_eq(sf_config_get_number(raw, "beam", "energy_keV", &x), SF_EINVAL);
  cr_assert_str_eq(sf_error_message(), "sf_config_get_number(beam.energy_keV): configuration "
                                       "not validated against a schema");
  sf_config_destroy(raw);

  sf_config *cfg = sim_config(sim_text);
  cr_assert_eq(sf_config_get_number(cfg, "beam", "energy", &x), SF_EINVAL);
  cr_assert_str_eq(sf_error_message(),
                   "sf_config_get_number: beam.energy is not a key of schema 'simulate'");
  int64_t i;
  cr_assert_eq(sf_config_get_int(cfg, "beam", "energy_keV", &i), SF_EINVAL);
  cr_assert_str_eq(sf_error_message(), "sf_config_get_int: beam.energy_keV is declared as a "
                                       "number");
  const char *s;
  cr_assert_eq(sf_config_get_string(cfg, "sim", "seed", &s), SF_EINVAL);
  bool b;
  cr_assert_eq(sf_config_get_bool(cfg, "sim", "algorithm", &b), SF_EINVAL);
  cr_assert_eq(sf_config_get_number(cfg, "detector", "inner_mrad", &x), SF_EINVAL);
  cr_assert_str_eq(sf_error_message(), "sf_config_get_number(detector.inner_mrad): detector is "
                                       "an array table; name an element, e.g. 'detector.1'");
  cr_assert_eq(sf_config_get_number(cfg, "detector.3", "inner_mrad", &x), SF_ERANGE);
  cr_assert_str_eq(sf_error_message(),
                   "sf_config_get_number(detector.3.inner_mrad): [[detector]] has 2 elements");
  cr_assert_eq(sf_config_get_number(cfg, "beam.1", "energy_keV", &x), SF_EINVAL);
  cr_assert_eq(sf_config_get_number(cfg, "beam", "energy_keV", NULL), SF_EINVAL);
  cr_assert_eq(sf_config_get_number(NULL, "beam", "energy_keV", &x), SF_EINVAL);
  sf_config_destroy(cfg);
}

Test(config_schema, malformed_schemas_are_einval) {
  static const struct {
    sf_config_key key;
    const char *message;
  } cases[] = {
      {{"beam", "energy_keV", SF_CFG_NUMBER, "30x", 1, 10, NULL, NULL},
       "schema 's' default: beam.energy_keV = 30x: invalid number"},
      {{"beam", "energy_keV", SF_CFG_NUMBER, "300", 1, 10, NULL, NULL},
       "schema 's' default: beam.energy_keV = 300: must be in [1, 10]"},
      {{"beam", "energy_keV", SF_CFG_INT, "3.5", 0, 0, NULL, NULL},
       "schema 's' default: beam.energy_keV = 3.5: expected an integer"},
      {{"beam", "energy_keV", SF_CFG_NUMBER, "3", 10, 1, NULL, NULL},
       "schema 's': beam.energy_keV: min 10 > max 1"},
      {{"beam", "energy keV", SF_CFG_NUMBER, "3", 0, 0, NULL, NULL},
       "schema 's': beam.energy keV: table and key must be bare names (not all digits)"},
      {{"beam.2", "x", SF_CFG_NUMBER, "3", 0, 0, NULL, NULL},
       "schema 's': beam.2.x: table and key must be bare names (not all digits)"},
      {{"beam", "x", SF_CFG_NUMBER, "3", 0, 0, algorithms, NULL},
       "schema 's': beam.x: choices given for a number"},
      {{"beam", "x", SF_CFG_STRING, "\"lens\"", 0, 0, algorithms, NULL},
       "schema 's' default: beam.x = \"lens\": must be one of 'multislice', 'prism'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    sf_config_schema schema = {"s", &cases[i].key, 1, NULL};
    sf_config *cfg;
    sf_config_create(&cfg);
    cr_assert_eq(sf_config_validate(cfg, &schema), SF_EINVAL, "case %zu", i);
    cr_assert_str_eq(sf_error_message(), cases[i].message, "case %zu", i);
    sf_config_destroy(cfg);
  }
  static const sf_config_key twice[] = {{"a", "x", SF_CFG_BOOL, "true", 0, 0, NULL, NULL},
                                        {"a", "x", SF_CFG_BOOL, "true", 0, 0, NULL, NULL}};
  static const sf_config_key clash[] = {{"a", "x", SF_CFG_BOOL, "true", 0, 0, NULL, NULL},
                                        {"a.x", "y", SF_CFG_BOOL, "true", 0, 0, NULL, NULL}};
  static const char *const arr[] = {"d", NULL};
  static const sf_config_key sub[] = {{"d.g", "y", SF_CFG_BOOL, "true", 0, 0, NULL, NULL}};
  static const char *const nested[] = {"d", "d.e", NULL};
  const sf_config_schema bad[] = {
      {"s", twice, 2, NULL}, {"s", clash, 2, NULL}, {"s", sub, 1, arr}, {"s", twice, 1, nested}};
  const char *messages[] = {
      "schema 's': a.x declared twice", "schema 's': a.x is both a key and a table",
      "schema 's': d.g.y: elements of [[d]] hold keys only, no tables",
      "schema 's': [[d.e]] inside [[d]]: elements of an array table hold keys only"};
  for (size_t i = 0; i < 4; ++i) {
    sf_config *cfg;
    sf_config_create(&cfg);
    cr_assert_eq(sf_config_validate(cfg, &bad[i]), SF_EINVAL);
    cr_assert_str_eq(sf_error_message(), messages[i]);
    sf_config_destroy(cfg);
  }
}

/* ======================================================================== */
/* --set overrides                                                          */
/* ======================================================================== */

Test(config_set, overrides_and_origin) {
  sf_config *cfg = parse_ok(sim_text);
  cr_assert_eq(sf_config_set(cfg, "beam.energy_keV=200"), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_config_set(cfg, " sample.structure = other.xyz "), SF_OK, "bare word");
  cr_assert_eq(sf_config_set(cfg, "title=2024run"), SF_OK, "not a number: a string");
  cr_assert_eq(sf_config_set(cfg, "sim.prism.f=8"), SF_OK);
  cr_assert_eq(sf_config_set(cfg, "sim.save_cube=true"), SF_OK);
  cr_assert_eq(sf_config_set(cfg, "noise.doses=[1, 2.5]"), SF_OK);
  cr_assert_eq(sf_config_set(cfg, "fusion.elements=[\"Ti\", 'O']"), SF_OK, "new table");
  cr_assert_eq(sf_config_set(cfg, "detector.2.inner_mrad=80"), SF_OK);
  cr_assert_eq(sf_config_set(cfg, "detector.3.inner_mrad=1.5e1"), SF_OK, "appends an element");
  cr_assert_eq(sf_config_validate(cfg, &sim_schema), SF_OK, "%s", sf_error_message());
  double x;
  const char *s;
  int64_t i;
  bool b;
  sf_config_get_number(cfg, "beam", "energy_keV", &x);
  cr_assert_float_eq(x, 200.0, TOL_PARSE_EXACT);
  sf_config_get_string(cfg, "sample", "structure", &s);
  cr_assert_str_eq(s, "other.xyz");
  sf_config_get_string(cfg, NULL, "title", &s);
  cr_assert_str_eq(s, "2024run");
  sf_config_get_int(cfg, "sim.prism", "f", &i);
  cr_assert_eq(i, 8);
  sf_config_get_bool(cfg, "sim", "save_cube", &b);
  cr_assert(b);
  cr_assert_eq(sf_config_count(cfg, "detector"), 3);
  sf_config_get_number(cfg, "detector.2", "inner_mrad", &x);
  cr_assert_float_eq(x, 80.0, TOL_PARSE_EXACT);
  sf_config_get_number(cfg, "detector.3", "inner_mrad", &x);
  cr_assert_float_eq(x, 15.0, TOL_PARSE_EXACT);
  sf_config_get_number(cfg, "detector.1", "inner_mrad", &x);
  cr_assert_float_eq(x, 70.0, TOL_PARSE_EXACT, "other elements untouched");
  const char *const *el;
  size_t n;
  sf_config_get_strings(cfg, "fusion", "elements", &el, &n);
  cr_assert(n == 2 && strcmp(el[0], "Ti") == 0 && strcmp(el[1], "O") == 0);
  char origin[64];
  sf_config_origin(cfg, "beam", "energy_keV", origin, sizeof origin);
  cr_assert_str_eq(origin, "--set");
  sf_config_origin(cfg, "detector.2", "name", origin, sizeof origin);
  cr_assert_str_eq(origin, "t.toml:13");
  sf_config_destroy(cfg);
}

Test(config_set, errors_name_the_override) {
  sf_config *cfg = parse_ok(sim_text);
  char *before = json_of(cfg);
  static const struct {
    const char *assignment;
    int status;
    const char *message;
  } cases[] = {
      {"beam.energy_keV", SF_EINVAL, "--set beam.energy_keV: expected table.key=value"},
      {"=3", SF_EINVAL, "--set =3: missing key before '='"},
      {"beam..x=3", SF_EINVAL, "--set beam..x=3: empty name in the key path"},
      {"beam.energy keV=3", SF_EINVAL,
       "--set beam.energy keV=3: 'energy keV' is not a bare key (letters, digits, '_', '-')"},
      {"sample.structure=\"abc", SF_EFORMAT,
       "--set: sample.structure = \"abc: unterminated string (missing closing '\"')"},
      {"noise.doses=[1, 2", SF_EFORMAT,
       "--set: noise.doses = [...: unterminated array (missing ']')"},
      {"beam.energy_keV=", SF_EFORMAT, "--set: beam.energy_keV: missing value after '='"},
      {"beam=1", SF_EINVAL, "--set: beam: beam is a table, not a key"},
      {"beam.energy_keV.x=1", SF_EINVAL,
       "--set: beam.energy_keV.x: beam.energy_keV holds a value, not a table"},
      {"detector.inner_mrad=1", SF_EINVAL,
       "--set: detector.inner_mrad: detector is an array of tables; name an element, e.g. "
       "detector.1.inner_mrad"},
      {"detector.5.inner_mrad=1", SF_ERANGE,
       "--set: detector.5.inner_mrad: there are 2 [[detector]] elements; index 5 is neither one "
       "of them nor the next (3)"},
      {"detector.0.inner_mrad=1", SF_EINVAL,
       "--set: detector.0.inner_mrad: array indices start at 1"},
      {"beam.1.energy_keV=1", SF_EINVAL,
       "--set: beam.1.energy_keV: beam is a table, not an array of tables"},
      {"newtab.2.x=1", SF_ERANGE,
       "--set: newtab.2.x: there are 0 [[newtab]] elements; index 2 is neither one of them nor "
       "the next (1)"},
      {"detector.2=1", SF_EINVAL, "--set: detector.2: the last part must be a key, not an index"},
      {"x.y=a\tb", SF_EFORMAT, "--set: x.y = a: invalid value (strings must be quoted)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    int st = sf_config_set(cfg, cases[i].assignment);
    cr_assert_eq(st, cases[i].status, "%s: status %d (%s)", cases[i].assignment, st,
                 sf_error_message());
    cr_assert_str_eq(sf_error_message(), cases[i].message, "%s", cases[i].assignment);
  }
  char *after = json_of(cfg);
  cr_assert_str_eq(before, after, "failed overrides leave the document unchanged");
  free(before);
  free(after);
  sf_config_destroy(cfg);
}

Test(config_set, validation_errors_carry_origin_set) {
  sf_config *cfg = parse_ok(sim_text);
  cr_assert_eq(sf_config_set(cfg, "beam.energy_keV=-300"), SF_OK);
  cr_assert_eq(sf_config_validate(cfg, &sim_schema), SF_ERANGE);
  cr_assert_str_eq(sf_error_message(), "--set: beam.energy_keV = -300: must be in [1, 10000]");
  cr_assert_eq(sf_config_set(cfg, "beam.energy_keV=\"300\""), SF_OK);
  cr_assert_eq(sf_config_validate(cfg, &sim_schema), SF_EINVAL);
  cr_assert_str_eq(sf_error_message(), "--set: beam.energy_keV = \"300\": expected a number");
  cr_assert_eq(sf_config_set(cfg, "beam.energy_keV=3OO"), SF_OK, "a typo becomes a string");
  cr_assert_eq(sf_config_validate(cfg, &sim_schema), SF_EINVAL);
  cr_assert_str_eq(sf_error_message(), "--set: beam.energy_keV = \"3OO\": expected a number");
  cr_assert_eq(sf_config_set(cfg, "beam.energy_kev=300"), SF_OK);
  cr_assert_eq(sf_config_set(cfg, "beam.energy_keV=300"), SF_OK);
  cr_assert_eq(sf_config_validate(cfg, &sim_schema), SF_EINVAL);
  cr_assert_str_eq(sf_error_message(),
                   "--set: beam.energy_kev = 300: unknown key (did you mean 'energy_keV'?)");
  sf_config_destroy(cfg);

  cfg = sim_config(sim_text);
  cr_assert_eq(sf_config_set(cfg, "beam.energy_keV=100"), SF_OK);
  double x;
  cr_assert_eq(sf_config_get_number(cfg, "beam", "energy_keV", &x), SF_EINVAL,
               "an override invalidates the earlier validation");
  cr_assert_eq(sf_config_validate(cfg, &sim_schema), SF_OK);
  cr_assert_eq(sf_config_get_number(cfg, "beam", "energy_keV", &x), SF_OK);
  cr_assert_float_eq(x, 100.0, TOL_PARSE_EXACT);
  sf_config_destroy(cfg);
}

/* ======================================================================== */
/* Dump and normalised TOML round trips                                     */
/* ======================================================================== */

static void assert_same_values(const sf_config *a, const sf_config *b, const sf_config_schema *s) {
  for (size_t k = 0; k < s->n_keys; ++k) {
    const sf_config_key *key = &s->keys[k];
    bool array = false;
    for (const char *const *t = s->array_tables; t && *t; ++t)
      array = array || (key->table && strcmp(*t, key->table) == 0);
    size_t n_tables = array ? sf_config_count(a, key->table) : 1;
    CHECK(n_tables == (array ? sf_config_count(b, key->table) : 1), "%s: element count",
          key->table);
    for (size_t e = 1; e <= n_tables; ++e) {
      char table[128];
      if (array)
        snprintf(table, sizeof table, "%s.%zu", key->table, e);
      else
        snprintf(table, sizeof table, "%s", key->table ? key->table : "");
      switch (key->type) {
      case SF_CFG_NUMBER: {
        double x, y;
        CHECK(sf_config_get_number(a, table, key->key, &x) == SF_OK &&
                  sf_config_get_number(b, table, key->key, &y) == SF_OK,
              "%s", sf_error_message());
        CHECK(x == y && signbit(x) == signbit(y), "%s.%s: %.17g vs %.17g", table, key->key, x, y);
        break;
      }
      case SF_CFG_INT: {
        int64_t x, y;
        sf_config_get_int(a, table, key->key, &x);
        sf_config_get_int(b, table, key->key, &y);
        CHECK(x == y, "%s.%s", table, key->key);
        break;
      }
      case SF_CFG_STRING: {
        const char *x, *y;
        sf_config_get_string(a, table, key->key, &x);
        sf_config_get_string(b, table, key->key, &y);
        CHECK(strcmp(x, y) == 0, "%s.%s: %s vs %s", table, key->key, x, y);
        break;
      }
      case SF_CFG_BOOL: {
        bool x, y;
        sf_config_get_bool(a, table, key->key, &x);
        sf_config_get_bool(b, table, key->key, &y);
        CHECK(x == y, "%s.%s", table, key->key);
        break;
      }
      case SF_CFG_NUMBERS: {
        double *x, *y;
        size_t nx, ny;
        sf_config_get_numbers(a, table, key->key, &x, &nx);
        sf_config_get_numbers(b, table, key->key, &y, &ny);
        CHECK(nx == ny, "%s.%s", table, key->key);
        for (size_t i = 0; i < nx; ++i)
          CHECK(x[i] == y[i], "%s.%s[%zu]", table, key->key, i);
        sf_free(x);
        sf_free(y);
        break;
      }
      case SF_CFG_STRINGS: {
        const char *const *x, *const *y;
        size_t nx, ny;
        sf_config_get_strings(a, table, key->key, &x, &nx);
        sf_config_get_strings(b, table, key->key, &y, &ny);
        CHECK(nx == ny, "%s.%s", table, key->key);
        for (size_t i = 0; i < nx; ++i)
          CHECK(strcmp(x[i], y[i]) == 0, "%s.%s[%zu]", table, key->key, i);
        break;
      }
      }
    }
  }
}

Test(config_dump, round_trip_gives_the_same_values) {
  sf_config *cfg = parse_ok(sim_text);
  cr_assert_eq(sf_config_set(cfg, "beam.defocus_A=-0.0"), SF_OK);
  cr_assert_eq(sf_config_set(cfg, "sample.structure=\"tab\\there \\\"q\\\" \\u00c5\""), SF_OK);
  cr_assert_eq(sf_config_set(cfg, "noise.dose_e_per_A2=0.1"), SF_OK);
  cr_assert_eq(sf_config_validate(cfg, &sim_schema), SF_OK, "%s", sf_error_message());
  char *text = NULL;
  cr_assert_eq(sf_config_dump(cfg, &sim_schema, &text), SF_OK);
  sf_config *back = parse_ok(text);
  cr_assert_eq(sf_config_validate(back, &sim_schema), SF_OK, "%s\n%s", sf_error_message(), text);
  assert_same_values(cfg, back, &sim_schema);
  /* Every schema key is written explicitly, so nothing in the copy is a default. */
  for (size_t k = 0; k < sim_schema.n_keys; ++k) {
    const sf_config_key *key = &sim_schema.keys[k];
    const char *table =
        key->table && strcmp(key->table, "detector") == 0 ? "detector.1" : key->table;
    cr_assert(sf_config_has(back, table, key->key), "%s.%s missing from\n%s", table, key->key,
              text);
  }
  /* Help text, types, defaults and overrides are commented. */
  cr_assert(strstr(text, "# Primary beam energy (number in [1, 10000], required)\n"
                         "energy_keV = 300\n"),
            "%s", text);
  cr_assert(strstr(text, "semiangle_mrad = 20  # default\n"), "%s", text);
  cr_assert(strstr(text, "defocus_A = -0.0  # --set\n"), "%s", text);
  cr_assert(strstr(text, "dose_e_per_A2 = 0.1  # --set\n"), "%s", text);
  cr_assert(strstr(text, "# Elements to recover\n# in this order (array of strings)\n"), "%s",
            text);
  cr_assert(strstr(text, "# Propagation (string, one of 'multislice', 'prism')\n"
                         "algorithm = \"prism\"\n"),
            "%s", text);
  cr_assert(strstr(text, "\n[[detector]]\n"), "%s", text);
  cr_assert(strstr(text, "\n[sim.prism]\n"), "%s", text);
  free(text);
  sf_config_destroy(back);
  sf_config_destroy(cfg);
}

Test(config_dump, no_elements_gives_a_template) {
  sf_config *cfg = parse_ok("[beam]\nenergy_keV = 300\n[sample]\nstructure = 'a'\n");
  cr_assert_eq(sf_config_validate(cfg, &sim_schema), SF_OK);
  char *text;
  cr_assert_eq(sf_config_dump(cfg, &sim_schema, &text), SF_OK);
  cr_assert(strstr(text, "# [[detector]]: none given. Each [[detector]] element takes:\n"
                         "#   # Detector name (string)\n"
                         "#   name = \"HAADF\"\n"),
            "%s", text);
  cr_assert(strstr(text, "#   inner_mrad = ?\n"), "%s", text);
  sf_config *back = parse_ok(text);
  cr_assert_eq(sf_config_validate(back, &sim_schema), SF_OK, "%s", sf_error_message());
  cr_assert_eq(sf_config_count(back, "detector"), 0);
  assert_same_values(cfg, back, &sim_schema);
  free(text);
  sf_config_destroy(back);
  sf_config_destroy(cfg);
}

Test(config_dump, normalised_toml_round_trip_of_fixtures) {
  static const char *fixtures[] = {"all_kinds.toml", "tables.toml", "detectors.toml",
                                   "simulate.toml", "comments_only.toml"};
  for (size_t i = 0; i < sizeof fixtures / sizeof fixtures[0]; ++i) {
    sf_config *cfg = parse_fixture(fixtures[i]);
    char *toml = NULL;
    cr_assert_eq(sf_config_to_toml(cfg, &toml), SF_OK);
    sf_config *back = parse_ok(toml);
    /* The normal form lists each table's values before its sub-tables, so
       the copy has the same tables and values (key order may differ from
       the original) and normalises to the same text. */
    char *toml2 = NULL;
    sf_config_to_toml(back, &toml2);
    cr_assert_str_eq(toml, toml2, "%s:\n%s", fixtures[i], toml);
    free(toml);
    free(toml2);
    sf_config_destroy(back);
    sf_config_destroy(cfg);
  }
}

Test(config_dump, floats_written_shortest_and_exact) {
  sf_config *cfg = parse_ok("a = 0.1\nb = 1e5\nc = 2.5e-7\nd = 300.0\ne = -0.0\n"
                            "f = 1.7976931348623157e308\ng = 4.9e-324\nh = 1e22\ni = 12345.678\n"
                            "j = 1e-5\nk = 0.00000125\nl = 123456.78\n");
  char *toml;
  cr_assert_eq(sf_config_to_toml(cfg, &toml), SF_OK);
  cr_assert_str_eq(toml, "a = 0.1\nb = 1e5\nc = 2.5e-7\nd = 300.0\ne = -0.0\n"
                         "f = 1.7976931348623157e308\ng = 5e-324\nh = 1e22\ni = 12345.678\n"
                         "j = 0.00001\nk = 1.25e-6\nl = 1.2345678e5\n");
  free(toml);
  sf_config_destroy(cfg);
}

/* ======================================================================== */
/* Fuzz: random mutations never crash and fail only with SF_EFORMAT         */
/* ======================================================================== */

static const char interesting[] = "[]=\"'#\n\r\t.,{}\\ 0123456789eE_+-:xu";

static size_t mutate(sf_rng *r, char *buf, size_t len, size_t cap) {
  int edits = 1 + (int)(sf_rng_u32(r) % 3);
  for (int k = 0; k < edits; ++k) {
    uint32_t op = sf_rng_u32(r) % 6;
    size_t at = len ? sf_rng_u32(r) % len : 0;
    if (op == 0 && len) { /* truncate */
      len = at;
    } else if (op == 1 && len) { /* flip one bit */
      buf[at] = (char)(buf[at] ^ (1u << (sf_rng_u32(r) % 8)));
    } else if (op == 2 && len) { /* random byte */
      buf[at] = (char)(sf_rng_u32(r) & 0xFF);
    } else if (op == 3 && len + 1 < cap) { /* insert a syntax character */
      memmove(buf + at + 1, buf + at, len - at);
      buf[at] = interesting[sf_rng_u32(r) % (sizeof interesting - 1)];
      ++len;
    } else if (op == 4 && len) { /* delete a run */
      size_t n = 1 + sf_rng_u32(r) % 8;
      if (at + n > len)
        n = len - at;
      memmove(buf + at, buf + at + n, len - at - n);
      len -= n;
    } else if (op == 5 && len && len * 2 < cap) { /* duplicate a chunk (repeat keys/headers) */
      size_t n = 1 + sf_rng_u32(r) % 64;
      if (at + n > len)
        n = len - at;
      char chunk[64];
      memcpy(chunk, buf + at, n);
      size_t to = sf_rng_u32(r) % (len + 1);
      memmove(buf + to + n, buf + to, len - to);
      memcpy(buf + to, chunk, n);
      len += n;
    }
  }
  return len;
}

static void fuzz_fixture(const char *rel, uint32_t substream) {
  size_t len0;
  char *orig = read_source(rel, &len0);
  size_t cap = 4 * len0 + 64;
  char *buf = malloc(cap);
  size_t n_ok = 0, n_err = 0;
  for (uint32_t round = 0; round < FUZZ_ROUNDS; ++round) {
    sf_rng r;
    sf_rng_init(&r, 20240527, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, substream), round);
    memcpy(buf, orig, len0);
    size_t len = mutate(&r, buf, len0, cap);
    sf_config *cfg = NULL;
    sf_error_clear();
    int st = sf_config_parse_string(buf, len, "fuzz.toml", &cfg);
    if (st == SF_OK) {
      ++n_ok;
      /* Whatever is accepted survives normalisation unchanged. */
      char *toml = NULL, *toml2 = NULL;
      CHECK(sf_config_to_toml(cfg, &toml) == SF_OK, "round %u", round);
      sf_config *back = NULL;
      CHECK(sf_config_parse_string(toml, strlen(toml), "norm.toml", &back) == SF_OK,
            "round %u: %s\n%s", round, sf_error_message(), toml);
      CHECK(sf_config_to_toml(back, &toml2) == SF_OK, "round %u", round);
      CHECK(strcmp(toml, toml2) == 0, "round %u:\n%s\n%s", round, toml, toml2);
      free(toml);
      free(toml2);
      sf_config_destroy(back);
      sf_config_destroy(cfg);
      continue;
    }
    ++n_err;
    CHECK(st == SF_EFORMAT, "round %u: status %d (%s)", round, st, sf_error_message());
    CHECK(cfg == NULL, "round %u: document returned on failure", round);
    const char *m = sf_error_message();
    CHECK(strncmp(m, "fuzz.toml:", 10) == 0, "round %u: %s", round, m);
    char *end;
    long line = strtol(m + 10, &end, 10);
    size_t lines = 1;
    for (size_t i = 0; i < len; ++i)
      lines += buf[i] == '\n';
    CHECK(line >= 1 && (size_t)line <= lines, "round %u: line %ld of %zu", round, line, lines);
    CHECK(strncmp(end, ": ", 2) == 0 && strlen(end) > 4, "round %u: %s", round, m);
  }
  cr_log_info("%s: %zu mutations accepted, %zu rejected with SF_EFORMAT", rel, n_ok, n_err);
  cr_assert_gt(n_ok, 0, "some mutations stay valid");
  cr_assert_gt(n_err, FUZZ_ROUNDS / 4, "most mutations break the file (%zu errors)", n_err);
  free(buf);
  free(orig);
}

Test(config_fuzz, all_kinds_mutations) { fuzz_fixture("tests/data/config/all_kinds.toml", 1); }

Test(config_fuzz, detectors_mutations) { fuzz_fixture("tests/data/config/detectors.toml", 2); }

Test(config_fuzz, set_and_validate_mutations) {
  static const char *paths[] = {"beam.energy_keV",
                                "detector.1.inner_mrad",
                                "detector.3.name",
                                "sim.prism.f",
                                "noise.doses",
                                "x",
                                "beam",
                                "detector.9.x",
                                "fusion.elements"};
  static const char *values[] = {"300", "-1",  "[1, 2]", "'a'", "\"b", "true",    "1e5",
                                 "[",   "abc", "",       "0x1", "{}",  "[\"Sr\"]"};
  for (uint32_t round = 0; round < FUZZ_ROUNDS / 4; ++round) {
    sf_rng r;
    sf_rng_init(&r, 7, SF_RNG_STREAM(SF_RNG_PURPOSE_TEST, 3), round);
    sf_config *cfg = parse_ok(sim_text);
    for (int k = 0; k < 4; ++k) {
      char a[256];
      snprintf(a, sizeof a, "%s=%s", paths[sf_rng_u32(&r) % 9], values[sf_rng_u32(&r) % 13]);
      int st = sf_config_set(cfg, a);
      CHECK(st == SF_OK || st == SF_EFORMAT || st == SF_EINVAL || st == SF_ERANGE, "%s", a);
      CHECK(st == SF_OK || strncmp(sf_error_message(), "--set", 5) == 0, "%s: %s", a,
            sf_error_message());
    }
    int st = sf_config_validate(cfg, &sim_schema);
    CHECK(st == SF_OK || st == SF_EINVAL || st == SF_ERANGE, "status %d", st);
    if (st == SF_OK) {
      char *text;
      CHECK(sf_config_dump(cfg, &sim_schema, &text) == SF_OK, "%s", sf_error_message());
      sf_config *back = parse_ok(text);
      CHECK(sf_config_validate(back, &sim_schema) == SF_OK, "%s", sf_error_message());
      assert_same_values(cfg, back, &sim_schema);
      free(text);
      sf_config_destroy(back);
    }
    sf_config_destroy(cfg);
  }
}

/* ======================================================================== */
/* The `stemfuse config` command                                            */
/* ======================================================================== */

static bool config_command_registered(void) {
  char *out = NULL;
  sf_test_run_cli("config --help", &out);
  bool ok = out && strstr(out, "usage: stemfuse config FILE");
  free(out);
  return ok;
}

Test(config_cli, prints_json_toml_and_errors) {
  if (!config_command_registered())
    cr_skip_test("`stemfuse config` is not registered in cli/commands.c yet");
  const char *path = sf_test_source_path("tests/data/config/detectors.toml");
  char args[1024];
  char *out = NULL;
  snprintf(args, sizeof args, "config '%s' --json", path);
  cr_assert_eq(sf_test_run_cli(args, &out), 0, "%s", out);
  sf_config *cfg = parse_fixture("detectors.toml");
  char *json = json_of(cfg);
  cr_assert_str_eq(out, json);
  free(out);
  free(json);

  snprintf(args, sizeof args, "config '%s' --set detector.2.inner_mrad=80 --set=beam.x=abc", path);
  cr_assert_eq(sf_test_run_cli(args, &out), 0, "%s", out);
  cr_assert_eq(sf_config_set(cfg, "detector.2.inner_mrad=80"), SF_OK);
  cr_assert_eq(sf_config_set(cfg, "beam.x=abc"), SF_OK);
  char *toml;
  sf_config_to_toml(cfg, &toml);
  cr_assert_str_eq(out, toml);
  free(out);
  free(toml);
  sf_config_destroy(cfg);

  const char *bad = sf_test_write_text("bad.toml", "[beam]\nenergy_keV = inf\n");
  snprintf(args, sizeof args, "config '%s'", bad);
  cr_assert_eq(sf_test_run_cli(args, &out), 1);
  char expected[1024];
  snprintf(expected, sizeof expected,
           "stemfuse config: error: %s:2: beam.energy_keV = inf: inf and nan are not allowed (a "
           "physical quantity is finite)\n",
           bad);
  cr_assert_str_eq(out, expected);
  free(out);

  snprintf(args, sizeof args, "config '%s' --set detector.7.x=1", path);
  cr_assert_eq(sf_test_run_cli(args, &out), 1);
  cr_assert(strstr(out, "--set: detector.7.x: there are 3 [[detector]] elements"), "%s", out);
  free(out);

  cr_assert_eq(sf_test_run_cli("config", &out), 2);
  cr_assert(strstr(out, "missing FILE"), "%s", out);
  free(out);
  cr_assert_eq(sf_test_run_cli("config a.toml --bogus", &out), 2);
  cr_assert(strstr(out, "unknown option '--bogus'"), "%s", out);
  free(out);
}
