#include "fs/fuse/process_title.h"

#include <cerrno>
#include <cstring>

namespace damonfs::fs {

void join_command_line(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] != argv[i - 1] + std::strlen(argv[i - 1]) + 1) return;
  // glibc's program name (syslog's default ident) points into argv[0]:
  // it keeps a copy of its own, never freed, as it may be read until exit.
  char* const name = strdup(argv[0]);
  if (!name) return;
  char* const slash = std::strrchr(name, '/');
  program_invocation_name = name;
  program_invocation_short_name = slash ? slash + 1 : name;
  // The kernel reads /proc/PID/cmdline from the memory these strings are
  // in; the NUL after the last one stays, so it reads as one argument.
  for (int i = 1; i < argc; ++i) argv[i][-1] = ' ';
}

}  // namespace damonfs::fs
