// The kernel's DAMON sysfs, for comparing a damo-style read of a whole
// kdamond tree with the same read of damonfs.
//
// The kernel's DAMON on a development or CI machine belongs to the machine
// (it runs a kdamond started at boot), so it is only ever read here: the
// benchmark reads the kernel's own kdamonds and gives damonfs their shape.
// A kernel without kdamonds is not compared with; nothing is staged on it.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace damonfs::bench {

inline constexpr char kKernelAdmin[] = "/sys/kernel/mm/damon/admin";

// The writes, relative to a damonfs admin/ directory, that stage kdamond 0
// with one of every numbered directory: context, target, region, scheme (stat), quota
// goal, filter in each filter directory, destination.
const std::vector<std::pair<std::string, std::string>>& one_of_everything();

// Writes `data` to `file` in one write() (as `echo -n`); false on error.
bool write_file(const std::string& file, const std::string& data);

// Gives the tree below admin/ `to` the shape of the one below admin/ `from`:
// every nr_* count of `from`, parents first. False when `to` refused one.
bool copy_shape(const std::string& from, const std::string& to, std::string& why);

// The kernel's admin/ directory when it can be read and has kdamonds to
// read; nullopt with the reason in `why` otherwise.
std::optional<std::string> kernel_admin_with_kdamonds(std::string& why);

}  // namespace damonfs::bench
