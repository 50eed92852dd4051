// The baseline of the FUSE latency budget: the least a libfuse3 low-level
// server can do to serve one attribute-like file, so that what damonfs costs
// beyond it is what damonfs itself adds.
//
// The mount root holds one 0600 file, `attr`, that reads as a short
// constant and accepts (and drops) every write. It is served like damonfs
// serves its files: the same mount options (default_permissions, fsname,
// subtype), the same entry and attribute timeouts, direct I/O, a
// single-threaded session loop.
#pragma once

#include <sys/types.h>

#include <string>

namespace damonfs::bench {

inline constexpr char kNullFileName[] = "attr";
inline constexpr char kNullFileContent[] = "5000\n";

// Forks a process that mounts the null server on `mountpoint` and serves it
// until SIGTERM (then unmounts). Returns its pid, or -1.
pid_t start_null_server(const std::string& mountpoint);

}  // namespace damonfs::bench
