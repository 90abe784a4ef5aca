/* Progress reporting: formats, rate and time left, thread-safe counting. */
#include "core/sf_progress.h"
#include "core/sf_status.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

Test(progress, plain_line_has_count_percent_rate_and_eta) {
  char buf[256];
  sf_progress_format(buf, sizeof buf, SF_PROGRESS_PLAIN, "probes", 25, 100, 10.0);
  /* 25 in 10 s = 2.5/s; 75 left -> 30 s. */
  cr_assert_str_eq(buf, "probes 25/100 25% 2.5/s elapsed 00:00:10 ETA 00:00:30");
}

Test(progress, json_line_is_machine_readable) {
  char buf[256];
  sf_progress_format(buf, sizeof buf, SF_PROGRESS_JSON, "iterations", 3, 4, 1.5);
  cr_assert_str_eq(buf, "{\"task\":\"iterations\",\"done\":3,\"total\":4,\"percent\":75.0,"
                        "\"rate_per_s\":2,\"elapsed_s\":1.500,\"eta_s\":0.500}");
}

Test(progress, unknown_rate_gives_no_eta) {
  char buf[256];
  sf_progress_format(buf, sizeof buf, SF_PROGRESS_PLAIN, "x", 0, 10, 0.0);
  cr_assert(strstr(buf, "ETA --:--:--"));
  sf_progress_format(buf, sizeof buf, SF_PROGRESS_BAR, "x", 10, 10, 3725.0);
  cr_assert(strstr(buf, "elapsed 01:02:05"));
  cr_assert(strstr(buf, "[##############################]"));
}

Test(progress, mode_names_parse) {
  sf_progress_mode m;
  cr_assert_eq(sf_progress_mode_parse("json", &m), SF_OK);
  cr_assert_eq(m, SF_PROGRESS_JSON);
  cr_assert_eq(sf_progress_mode_parse("jsonl", &m), SF_EINVAL);
  cr_assert(strstr(sf_error_message(), "jsonl"));
}

/* Counting from many threads loses nothing; the final line reports the total
   and a non-terminal stream gets no carriage returns. */
Test(progress, parallel_adds_are_counted_and_final_line_is_plain) {
  char *text = NULL;
  size_t size = 0;
  FILE *mem = open_memstream(&text, &size);
  sf_progress_set_stream(mem);
  sf_progress_set_mode(SF_PROGRESS_AUTO);
  sf_progress *p = sf_progress_begin("work", 10000);
#pragma omp parallel for num_threads(2)
  for (int i = 0; i < 10000; ++i)
    sf_progress_add(p, 1);
  sf_progress_end(p);
  fclose(mem);
  sf_progress_set_stream(NULL);
  cr_assert(strstr(text, "work 10000/10000 100%"), "got: %s", text);
  cr_assert_null(strchr(text, '\r'));
  free(text);
}

Test(progress, none_mode_prints_nothing) {
  sf_progress_set_mode(SF_PROGRESS_NONE);
  sf_progress *p = sf_progress_begin("work", 10);
  cr_assert_null(p);
  sf_progress_add(p, 5);
  sf_progress_end(p);
  sf_progress_set_mode(SF_PROGRESS_AUTO);
}
