/*
 * Strict iCalendar check with libical, the parser behind Evolution and many servers: parses each
 * file named on the command line, runs libical's RFC 5545/5546 restriction check (which knows
 * what each METHOD requires, e.g. CANCEL needs ORGANIZER and ATTENDEE), and prints every error
 * libical records (as X-LIC-ERROR properties) as "file: error". Exit status 1 if any file has one.
 */
#include <libical/ical.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  if (!text) { fclose(f); return NULL; }
  size_t got = fread(text, 1, (size_t)size, f);
  text[got] = '\0';
  fclose(f);
  return text;
}

static int report_errors(const char *path, icalcomponent *component) {
  int errors = 0;
  for (icalproperty *p = icalcomponent_get_first_property(component, ICAL_XLICERROR_PROPERTY); p;
       p = icalcomponent_get_next_property(component, ICAL_XLICERROR_PROPERTY)) {
    printf("%s: %s: %s\n", path, icalcomponent_kind_to_string(icalcomponent_isa(component)), icalproperty_get_xlicerror(p));
    errors++;
  }
  for (icalcomponent *c = icalcomponent_get_first_component(component, ICAL_ANY_COMPONENT); c;
       c = icalcomponent_get_next_component(component, ICAL_ANY_COMPONENT)) {
    errors += report_errors(path, c);
  }
  return errors;
}

int main(int argc, char **argv) {
  int failed = 0;
  for (int i = 1; i < argc; i++) {
    char *text = read_file(argv[i]);
    if (!text) { printf("%s: cannot read the file\n", argv[i]); failed = 1; continue; }
    icalcomponent *root = icalparser_parse_string(text);
    free(text);
    if (!root) { printf("%s: libical could not parse it\n", argv[i]); failed = 1; continue; }
    if (icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT) {
      printf("%s: the top component is not VCALENDAR\n", argv[i]);
      failed = 1;
    }
    icalrestriction_check(root);
    if (report_errors(argv[i], root) > 0) failed = 1;
    icalcomponent_free(root);
  }
  return failed;
}
