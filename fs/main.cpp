// damonfs: the DAMON sysfs interface as a FUSE filesystem.
//
//   damonfs [options] MOUNTPOINT        (damonfs --help)
//
// Everything runs on one Asio loop: the FUSE session, signals, and the
// completions other threads (kdamonds) post back. Nothing may start a
// thread before the daemonizing fork, which keeps only the calling thread.
// Whatever goes wrong is reported to one log (DaemonLog: syslog and
// stderr), which main hands to every part that reports something; only
// the command-line answers (usage, --help, --version) are plain output.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include "engine/clock.h"
#include "engine/kdamond/timeline.h"
#include "fs/control/clock_file.h"
#include "fs/control/daemon_log.h"
#include "fs/control/engine_backend.h"
#include "fs/control/info_union.h"
#include "fs/control/machine_factory.h"
#include "fs/control/machine_info.h"
#include "fs/control/trace_buffer.h"
#include "fs/control/trace_info.h"
#include "fs/fuse/command_line.h"
#include "fs/fuse/fuse_server.h"
#include "fs/fuse/process_title.h"
#include "fs/fuse/unmount_guard.h"
#include "fs/tree/abi_profile.h"
#include "fs/tree/tree.h"

using namespace damonfs::fs;

int main(int argc, char** argv) {
  CommandLine cmd;
  if (std::optional<std::string> err = parse_command_line(
          std::span<const char* const>(argv + 1, static_cast<size_t>(argc - 1)), cmd)) {
    std::fprintf(stderr, "damonfs: %s\n%s", err->c_str(), usage_text(argv[0]).c_str());
    return 2;
  }
  if (cmd.help) {
    std::fputs(usage_text(argv[0]).c_str(), stdout);
    return 0;
  }
  if (cmd.version) {
    std::printf("damonfs %s\n", DAMONFS_VERSION);
    return 0;
  }
  // So that pidof finds kdamond tasks by name (process_title.h).
  join_command_line(argc, argv);
  DaemonLog log;

  // FUSE can mount over a regular file too, which would hide it (a
  // scenario given without --scenario): only a directory is a mount point.
  struct stat mountpoint {};
  const int mount_err = ::stat(cmd.mountpoint.c_str(), &mountpoint) != 0 ? errno
                        : S_ISDIR(mountpoint.st_mode)                     ? 0
                                                                          : ENOTDIR;
  if (mount_err) {
    log.error("mount point " + cmd.mountpoint + ": " + std::strerror(mount_err));
    return 1;
  }

  std::optional<MachinePlan> plan;
  try {
    plan.emplace(cmd.machine, cmd.scenario, log);
  } catch (const MachineError& e) {
    log.error(e.what());
    return 1;
  }

  std::signal(SIGPIPE, SIG_IGN);
  // One thread runs the loop (others only post to it): the hint lets Asio
  // skip waking other runners.
  boost::asio::io_context loop(1);
  damon::SteadyClock clock;
  // Declared before the backend, which stops its kdamonds before they go.
  // Simulated time has a pacer thread: it is made after the fork, like the
  // machine (whose clock it is).
  std::unique_ptr<damon::Timeline> timeline;
  std::unique_ptr<damon::Machine> machine;
  // Kdamonds emit into it until the backend has stopped them.
  TraceBuffer trace_buffer;
  EngineBackend backend(
      clock, log, [&loop](std::function<void()> fn) { boost::asio::post(loop, std::move(fn)); },
      /*seed=*/0);
  const AbiProfile& abi = *AbiProfile::find(cmd.abi);
  backend.set_abi(abi);
  backend.set_trace_sink(trace_buffer);
  Tree tree(abi, backend);
  FuseServer server(tree, loop,
                    FuseConfig{.mount_options = cmd.mount_options,
                               .debug = cmd.debug,
                               .uid = cmd.uid.value_or(getuid()),
                               .gid = cmd.gid.value_or(getgid())});
  if (!server.mount(cmd.mountpoint)) return 1;

  if (!cmd.foreground) {
    loop.notify_fork(boost::asio::execution_context::fork_prepare);
    if (fuse_daemonize(0) != 0) return 1;
    loop.notify_fork(boost::asio::execution_context::fork_child);
  }
  for (const std::string& opts : cmd.mount_options) {
    if (asks_auto_unmount(opts) && !start_unmount_guard(cmd.mountpoint)) {
      log.error(std::string("cannot start the auto_unmount guard: ") + std::strerror(errno));
      server.unmount();
      return 1;
    }
  }
  if (cmd.simulated_time()) {
    timeline = std::make_unique<damon::Timeline>(damon::Timeline::Options{
        .manual = cmd.manual_clock,
        .speed = cmd.manual_clock && !cmd.speed_given ? 0 : cmd.speed,
        // Not 0: a deadline of 0 means "never set" to parts of the engine.
        .start_us = 1'000'000,
        .from_first_seat = cmd.clock_from_on,
    });
    backend.set_timeline(*timeline);
  }
  const damon::Clock& engine_clock = timeline ? *timeline : static_cast<const damon::Clock&>(clock);
  try {
    machine = plan->make(engine_clock);
  } catch (const MachineError& e) {
    log.error(e.what());
    server.unmount();
    return 1;
  }
  backend.set_machine(*machine);
  auto post = [&loop](std::function<void()> fn) { boost::asio::post(loop, std::move(fn)); };
  std::optional<ClockFile> clock_file;
  if (timeline) {
    clock_file.emplace(*timeline, post, log);
  } else {
    clock_file.emplace(clock);
  }
  MachineInfo machine_info(*machine, &*clock_file);
  TraceInfo trace_info(trace_buffer, abi);
  InfoUnion info{&machine_info, &trace_info};
  tree.set_info(&info);

  boost::asio::signal_set signals(loop, SIGINT, SIGTERM, SIGHUP);
  signals.async_wait([&loop](const boost::system::error_code& ec, int) {
    if (!ec) loop.stop();
  });
  server.start([&loop] { loop.stop(); });
  loop.run();
  backend.stop_all();
  server.unmount();
  return 0;
}
