#include "fs/tree/abi_profile.h"

#include <array>

namespace damonfs::fs {
namespace {

constexpr std::array kProfiles{
    AbiProfile{"latest", kMmTree,
               "Linux 6.18 plus the newer files and keywords the engine implements "
               "(6.19, 7.0, 7.1 and the mm tree; sysfs-abi.md section 12)"},
    AbiProfile{"6.18", AbiVersion{6, 18}, "exactly the interface of Linux 6.18"},
};

}  // namespace

const AbiProfile* AbiProfile::find(std::string_view name) {
  for (const AbiProfile& p : kProfiles)
    if (p.name() == name) return &p;
  return nullptr;
}

const AbiProfile& AbiProfile::latest() { return kProfiles[0]; }

std::span<const AbiProfile> AbiProfile::all() { return kProfiles; }

}  // namespace damonfs::fs
