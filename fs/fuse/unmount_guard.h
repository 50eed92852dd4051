// `-o auto_unmount` that holds after a crash.
//
// fusermount3, which libfuse leaves behind to unmount after the daemon
// dies, unmounts only if opening the mount root then fails. damonfs lists
// directories without opening them (zero-message opendir, which saves two
// requests per listing), so the kernel never asks the dead daemon for that
// open and fusermount3 takes the mount for a live one. A small child
// process therefore watches the daemon itself: when the daemon is gone
// (a pipe's write end closes with it) and its mount is still there, it
// detaches the mount with `fusermount3 -u -z`.
#pragma once

#include <string>

namespace damonfs::fs {

// Starts the guard for the fuse.damonfs mount on `mountpoint`. Call after
// daemonizing (the guard watches the process that calls it) and before any
// thread starts. False when it cannot be started.
bool start_unmount_guard(const std::string& mountpoint);

// Whether comma-separated mount options `options` ask for auto_unmount.
bool asks_auto_unmount(const std::string& options);

}  // namespace damonfs::fs
