// masim_runner: runs a masim configuration on real memory, for the
// fidelity comparison (tests/fidelity/fidelity.py).
//
// Usage: masim_runner CONFIG [MARKER]
//
// The configuration format is masim's (damonfs-scenario(5), MASIM
// CONFIGURATIONS): regions, then phases of weighted access lines. As masim
// does, each step picks one access line by weight and makes a burst of
// 128 Ki one-byte writes (masim's default mode: reads of memory never
// written would all hit the shared zero page, which DAMON does not sample)
// on its region: at random offsets, or sequentially
// `stride` bytes apart, carrying on where the last burst of that line
// stopped. Unlike masim, phases are timed with CLOCK_MONOTONIC (masim
// reads the TSC, which a TCG guest does not advance at a steady rate), each
// region is its own mmap(), and when MARKER is given (tracefs's
// trace_marker) the runner writes into it the address range of every
// region ("region NAME START END") and the start of every phase ("phase
// NAME") and of the end ("end"), so that a trace of DAMON's view says where
// and when the workload was. At the end of each phase it prints, like
// masim, "NAME: N accesses/msec, T msecs run", then for each access line
// "  line REGION: N accesses/msec, T msecs": the rate of that line's own
// bursts and the time they took. A burst's cost depends on its region (a
// random access over 180 MB misses the caches and TLBs that one over 20 MB
// hits), so the weights, which are shares of accesses, are not shares of
// time; the simulator needs both. At the end it prints the kernel's
// AnonHugePages line for the process (how much of it THP backed).
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define BURST (128 * 1024)
#define MAX_REGIONS 64
#define MAX_LINES 64
#define MAX_PHASES 256

struct region {
  char name[64];
  size_t size;
  volatile unsigned char* mem;
};

struct line {
  int region;
  int random;
  size_t stride;
  unsigned weight;
  size_t offset;
  unsigned long long accesses, ns;  // this phase's bursts of this line
};

struct phase {
  char name[128];
  unsigned ms;
  int nr_lines;
  unsigned total;
  struct line lines[MAX_LINES];
};

static struct region regions[MAX_REGIONS];
static struct phase phases[MAX_PHASES];
static int nr_regions, nr_phases;
static FILE* marker;
static uint64_t rng = 88172645463325252ULL;

static uint64_t next_random(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void mark(const char* fmt, const char* name, uintptr_t start, uintptr_t end) {
  if (!marker) return;
  fprintf(marker, fmt, name, start, end);
  fflush(marker);
}

static char* trim(char* s) {
  while (*s == ' ' || *s == '\t') ++s;
  char* e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = 0;
  return s;
}

static int find_region(const char* name) {
  for (int i = 0; i < nr_regions; ++i)
    if (!strcmp(regions[i].name, name)) return i;
  fprintf(stderr, "masim_runner: no region '%s'\n", name);
  exit(1);
}

// Paragraph 0: "name, size"; then per phase: name, ms, access lines.
static void parse(FILE* f) {
  char buf[512];
  int paragraph = 0, row = 0;
  struct phase* ph = NULL;
  while (fgets(buf, sizeof(buf), f)) {
    if (buf[0] == '#') continue;
    char* s = trim(buf);
    if (!*s) {
      if (row) ++paragraph, row = 0;
      continue;
    }
    if (paragraph == 0) {
      char* comma = strchr(s, ',');
      if (!comma || nr_regions == MAX_REGIONS) exit(1);
      *comma = 0;
      snprintf(regions[nr_regions].name, sizeof(regions[0].name), "%s", trim(s));
      regions[nr_regions++].size = strtoull(comma + 1, NULL, 10);
    } else if (row == 0) {
      if (nr_phases == MAX_PHASES) exit(1);
      ph = &phases[nr_phases++];
      snprintf(ph->name, sizeof(ph->name), "%s", s);
    } else if (row == 1) {
      ph->ms = (unsigned)strtoul(s, NULL, 10);
    } else {
      char name[64];
      int random;
      size_t stride;
      unsigned weight;
      char* comma = strchr(s, ',');
      if (!comma || ph->nr_lines == MAX_LINES) exit(1);
      *comma = 0;
      snprintf(name, sizeof(name), "%s", trim(s));
      if (sscanf(comma + 1, " %d , %zu , %u", &random, &stride, &weight) != 3) exit(1);
      struct line* l = &ph->lines[ph->nr_lines++];
      l->region = find_region(name);
      l->random = random;
      l->stride = stride ? stride : 1;
      l->weight = weight;
      ph->total += weight;
    }
    ++row;
  }
}

static void run_phase(struct phase* ph) {
  mark("phase %s\n", ph->name, 0, 0);
  const uint64_t start = now_ns(), end = start + (uint64_t)ph->ms * 1000000ULL;
  unsigned long long accesses = 0;
  uint64_t t = start;
  while (ph->total && t < end) {
    unsigned pick = (unsigned)(next_random() % ph->total);
    struct line* l = ph->lines;
    while (pick >= l->weight) pick -= l->weight, ++l;
    struct region* r = &regions[l->region];
    if (l->random) {
      for (int i = 0; i < BURST; ++i) r->mem[next_random() % r->size] = (unsigned char)i;
    } else {
      size_t off = l->offset;
      for (int i = 0; i < BURST; ++i) {
        off += l->stride;
        if (off >= r->size) off = 0;
        r->mem[off] = (unsigned char)i;
      }
      l->offset = off;
    }
    accesses += BURST;
    const uint64_t after = now_ns();
    l->accesses += BURST;
    l->ns += after - t;
    t = after;
  }
  if (!ph->total) {
    struct timespec ts = {ph->ms / 1000, (long)(ph->ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
  }
  const uint64_t ms = (now_ns() - start) / 1000000ULL;
  printf("%s:\t%llu accesses/msec, %llu msecs run\n", ph->name, ms ? accesses / ms : 0, (unsigned long long)ms);
  for (int i = 0; i < ph->nr_lines; ++i) {
    const struct line* l = &ph->lines[i];
    const unsigned long long line_ms = l->ns / 1000000ULL;
    printf("  line %s: %llu accesses/msec, %llu msecs\n", regions[l->region].name,
           line_ms ? l->accesses / line_ms : 0, line_ms);
  }
  fflush(stdout);
}

// The kernel's count of the process's anonymous memory in huge pages.
static void print_huge_pages(void) {
  FILE* f = fopen("/proc/self/smaps_rollup", "r");
  char buf[256];
  if (!f) return;
  while (fgets(buf, sizeof(buf), f))
    if (!strncmp(buf, "AnonHugePages:", 14)) fputs(buf, stdout);
  fclose(f);
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: masim_runner CONFIG [MARKER]\n");
    return 2;
  }
  FILE* f = fopen(argv[1], "r");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  parse(f);
  fclose(f);
  if (argc > 2 && !(marker = fopen(argv[2], "w"))) {
    perror(argv[2]);
    return 1;
  }
  for (int i = 0; i < nr_regions; ++i) {
    void* m = mmap(NULL, regions[i].size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      perror("mmap");
      return 1;
    }
    regions[i].mem = m;
    mark("region %s %#lx %#lx\n", regions[i].name, (uintptr_t)m, (uintptr_t)m + regions[i].size);
  }
  for (int i = 0; i < nr_phases; ++i) run_phase(&phases[i]);
  mark("end%s\n", "", 0, 0);
  print_huge_pages();
  return 0;
}
