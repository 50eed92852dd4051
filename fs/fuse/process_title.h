// The daemon's command line as one string, the way setproctitle(3) leaves
// it: the NULs between the arguments in the argv area become spaces.
//
// Why: a kdamond task shares the daemon's memory, so its /proc/PID/cmdline
// is the daemon's. Debian's pidof (sysvinit's killall5) matches a process
// by argv[0], and by its name (/proc/PID/stat, the comm) only when argv[0]
// is empty, as for a kernel thread, or contains a space, as after
// setproctitle. With the arguments joined, `pidof kdamond.N` finds the
// kdamond task by its name, as it finds the kernel's kdamond, and `pidof
// damonfs` finds the daemon by its own name and no longer lists every
// kdamond task. ps and pgrep -f join the arguments with spaces anyway and
// show the same text as before.
#pragma once

namespace damonfs::fs {

// Call once the arguments are parsed: argv[1..] read as part of argv[0]
// afterwards. Leaves argv alone unless its strings lie back to back (as
// the kernel lays them out for a new program).
void join_command_line(int argc, char** argv);

}  // namespace damonfs::fs
