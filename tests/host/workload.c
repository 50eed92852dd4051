/*
 * A process with known memory access, for the host machine's tests and
 * benchmark (--machine host monitors real processes).
 *
 *   workload HOT_MIB COLD_MIB FILE FILE_MIB [PAUSE_US]
 *
 * Maps, then reports on stdout, one line each:
 *   hot  START END   anonymous, 2 MiB aligned; one byte of every page is
 *                    written, pass after pass, PAUSE_US (default 500) apart
 *   cold START END   anonymous, written once, then never touched
 *   file START END   FILE, created with FILE_MIB of data and synced (so its
 *                    page cache is clean and can be reclaimed), mapped
 *                    shared read-only and read once
 *   ready
 * A PROT_NONE guard page sits between hot and cold so they stay separate
 * mappings. The process dies with its parent.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define HUGE (2UL << 20)

static void die(const char *what) {
  perror(what);
  exit(1);
}

static char *map_file(const char *path, size_t size) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) die("open");
  char buf[1 << 16];
  memset(buf, 0x5a, sizeof(buf));
  for (size_t off = 0; off < size; off += sizeof(buf)) {
    size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);
    if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n) die("pwrite");
  }
  if (fsync(fd) != 0) die("fsync");
  char *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) die("mmap file");
  close(fd);
  return p;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: %s HOT_MIB COLD_MIB FILE FILE_MIB [PAUSE_US]\n", argv[0]);
    return 2;
  }
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  const size_t hot = strtoull(argv[1], NULL, 0) << 20;
  const size_t cold = strtoull(argv[2], NULL, 0) << 20;
  const size_t file = strtoull(argv[4], NULL, 0) << 20;
  const long pause_us = argc > 5 ? strtol(argv[5], NULL, 0) : 500;

  /* One reservation: [align slack][hot][guard][cold]. */
  char *res = mmap(NULL, HUGE + hot + PAGE + cold, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (res == MAP_FAILED) die("mmap");
  char *h = (char *)(((uintptr_t)res + HUGE - 1) & ~(HUGE - 1));
  char *c = h + hot + PAGE;
  if (mprotect(h, hot, PROT_READ | PROT_WRITE) != 0) die("mprotect hot");
  if (cold && mprotect(c, cold, PROT_READ | PROT_WRITE) != 0) die("mprotect cold");
  memset(h, 1, hot);
  memset(c, 2, cold);

  char *f = file ? map_file(argv[3], file) : NULL;
  /* Fault the file in: one read per page, kept by the volatile access. */
  for (size_t off = 0; off < file; off += PAGE) (void)((volatile char *)f)[off];

  printf("hot %#lx %#lx\n", (unsigned long)h, (unsigned long)(h + hot));
  printf("cold %#lx %#lx\n", (unsigned long)c, (unsigned long)(c + cold));
  printf("file %#lx %#lx\n", (unsigned long)f, (unsigned long)(f + file));
  printf("ready\n");
  fflush(stdout);

  const struct timespec pause = {.tv_sec = pause_us / 1000000,
                                 .tv_nsec = (pause_us % 1000000) * 1000};
  for (unsigned char pass = 0;; ++pass) {
    for (size_t off = 0; off < hot; off += PAGE) ((volatile char *)h)[off] = (char)pass;
    nanosleep(&pause, NULL);
  }
}
