// Runs the checks that need a QEMU guest with two NUMA nodes, soft-dirty
// and the kernel's DAMON (vmtest's run-in-vm.sh): the HostGuest tests of
// this binary (guest_test.cpp) and host_tests' sampler tests of the
// samplers this machine lacks. Skips, with the reason, where the VM cannot
// run.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace damon::host {
namespace {

namespace fs = std::filesystem;

bool on_path(const std::string& program) {
  return std::system(("command -v " + program + " > /dev/null 2>&1").c_str()) == 0;
}

// The guest's own exit status, 124 timeout, 125 the VM failed (run-in-vm.sh).
int run(const std::string& command, std::string& output) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p) return -1;
  std::array<char, 4096> buf;
  while (size_t n = std::fread(buf.data(), 1, buf.size(), p)) output.append(buf.data(), n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Why the VM cannot run here, or "" when it can.
std::string vm_unavailable() {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The guest checks the kernel's interfaces, not our memory safety; under
  // emulation a sanitized binary would only make the VM run crawl.
  return "VM runs are left to the build without sanitizers";
#endif
  const std::string runner = DAMONFS_VMTEST_RUNNER;
  if (runner.empty() || !fs::exists(runner)) return "vmtest's run-in-vm.sh not found (DAMONFS_VMTEST_RUNNER)";
  if (!on_path("qemu-system-x86_64"))
    return "qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)";
  return {};
}

// One GoogleTest binary run in the guest: its tests selected by `filter`,
// `nr_tests` of them.
struct GuestRun {
  std::string binary;
  std::string filter;
  int nr_tests;
};

// Runs `runs` one after the other in one VM with `vm_options`; every test
// selected must pass (inside the VM nothing they need is missing).
void run_in_vm(const std::string& vm_options, const std::vector<GuestRun>& runs) {
  std::string copies = std::string(" --copy ") + DAMONFS_HOST_WORKLOAD;
  std::string script = "s=0";
  for (const GuestRun& r : runs) {
    copies += " --copy " + r.binary;
    script += "; " + r.binary + " --gtest_color=no --gtest_filter=\"" + r.filter + "\" || s=1";
  }
  script += "; exit $s";
  const std::string command = std::string(DAMONFS_VMTEST_RUNNER) + " --nodes 2 --mem 384,384 " +
                              vm_options + " --timeout 280 --env DAMONFS_VM_GUEST=1" + copies +
                              " -- sh -c '" + script + "'";
  std::string output;
  const int status = run(command, output);
  std::printf("%s\n", output.c_str());
  if (status == 125 && output.find("[==========]") == std::string::npos)
    GTEST_SKIP() << "the VM could not run (run-in-vm.sh exit 125)";
  EXPECT_EQ(status, 0);
  EXPECT_EQ(output.find("[  SKIPPED ]"), std::string::npos);
  // Each binary prints its own summary, in the order they ran.
  size_t at = 0;
  for (const GuestRun& r : runs) {
    at = output.find("[  PASSED  ] " + std::to_string(r.nr_tests) + " test", at);
    EXPECT_NE(at, std::string::npos) << r.binary << ": not all of " << r.nr_tests << " passed";
    if (at == std::string::npos) break;
    ++at;
  }
}

// This binary, and host_tests (beside it, built with it).
std::string self() { return fs::read_symlink("/proc/self/exe").string(); }
const char* const kHostTests = DAMONFS_HOST_TESTS;

// Debian's 6.12: two nodes, soft-dirty, the kernel's DAMON vaddr.
TEST(HostVm, GuestTestsPassInATwoNodeVm) {
  if (const std::string why = vm_unavailable(); !why.empty()) GTEST_SKIP() << why;
  run_in_vm("", {{self(), "HostGuest.*-HostGuest.Paddr*", 3},
                 {kHostTests, "Kinds/SamplerTest.*/soft_dirty", 4}});
}

// A kernel with idle page tracking (vmtest's build-kernel.sh; no Debian
// kernel has it): the page_idle sampler and paddr.
TEST(HostVm, IdlePageTrackingInAVmWithItsKernel) {
  if (const std::string why = vm_unavailable(); !why.empty()) GTEST_SKIP() << why;
  std::string kernel_dir;
  if (const char* env = std::getenv("DAMONFS_VMTEST_KERNEL_DIR")) {
    kernel_dir = env;
  } else if (const char* home = std::getenv("HOME")) {
    // build-kernel.sh's output: <cache>/custom/<release>
    const fs::path custom =
        fs::path(std::getenv("VMTEST_CACHE") ? std::getenv("VMTEST_CACHE")
                                             : fs::path(home) / ".cache/vmtest") /
        "custom";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(custom, ec)) kernel_dir = e.path().string();
  }
  if (kernel_dir.empty())
    GTEST_SKIP() << "no kernel with idle page tracking: build one with vmtest's build-kernel.sh "
                    "(or set DAMONFS_VMTEST_KERNEL_DIR)";
  run_in_vm("--kernel-dir " + kernel_dir, {{self(), "HostGuest.Paddr*", 1},
                                            {kHostTests, "Kinds/SamplerTest.*/page_idle", 4}});
}

}  // namespace
}  // namespace damon::host
