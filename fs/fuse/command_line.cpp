#include "fs/fuse/command_line.h"

#include <charconv>
#include <cmath>

#include "fs/tree/abi_profile.h"

namespace damonfs::fs {
namespace {

// A finite number of at least 1, all of `s`.
bool parse_speed(std::string_view s, double& out) {
  double value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return false;
  if (!(value >= 1) || !std::isfinite(value)) return false;
  out = value;
  return true;
}

template <class T>
bool parse_id(std::string_view s, std::optional<T>& out) {
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return false;
  out = static_cast<T>(value);
  return value == static_cast<unsigned long>(*out);
}

}  // namespace

std::optional<std::string> parse_command_line(std::span<const char* const> args, CommandLine& out) {
  out = {};
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    // Options that take a value accept "--opt VALUE" and "--opt=VALUE".
    auto value = [&](std::string_view name) -> std::optional<std::string_view> {
      if (arg == name) {
        if (i + 1 >= args.size()) return std::nullopt;
        return std::string_view(args[++i]);
      }
      return arg.substr(name.size() + 1);
    };
    auto has_value_form = [&](std::string_view name) {
      return arg == name ||
             (arg.starts_with(name) && arg.size() > name.size() && arg[name.size()] == '=');
    };

    if (arg == "-h" || arg == "--help") {
      out.help = true;
    } else if (arg == "-V" || arg == "--version") {
      out.version = true;
    } else if (arg == "-f") {
      out.foreground = true;
    } else if (arg == "-d") {
      out.debug = true;
      out.foreground = true;
    } else if (arg == "-o" || (arg.starts_with("-o") && arg.size() > 2)) {
      std::optional<std::string_view> opts =
          arg == "-o"
              ? (i + 1 < args.size() ? std::optional(std::string_view(args[++i])) : std::nullopt)
              : std::optional(arg.substr(2));
      if (!opts || opts->empty()) return "-o needs mount options";
      out.mount_options.emplace_back(*opts);
    } else if (has_value_form("--abi")) {
      std::optional<std::string_view> v = value("--abi");
      if (!v) return "--abi needs a profile name";
      if (!AbiProfile::find(*v)) return "unknown ABI profile '" + std::string(*v) + "'";
      out.abi = *v;
    } else if (has_value_form("--uid")) {
      std::optional<std::string_view> v = value("--uid");
      if (!v || !parse_id(*v, out.uid)) return "--uid needs a numeric user id";
    } else if (has_value_form("--gid")) {
      std::optional<std::string_view> v = value("--gid");
      if (!v || !parse_id(*v, out.gid)) return "--gid needs a numeric group id";
    } else if (has_value_form("--machine")) {
      std::optional<std::string_view> v = value("--machine");
      if (!v || (*v != "sim" && *v != "host")) return "--machine needs 'sim' or 'host'";
      out.machine = *v;
    } else if (has_value_form("--scenario")) {
      std::optional<std::string_view> v = value("--scenario");
      if (!v || v->empty()) return "--scenario needs a file";
      out.scenario = *v;
    } else if (has_value_form("--speed")) {
      std::optional<std::string_view> v = value("--speed");
      if (!v || !parse_speed(*v, out.speed)) {
        return "--speed needs a number of at least 1: how many times faster than the wall "
               "clock simulated time runs (got '" +
               std::string(v.value_or("")) + "')";
      }
      out.speed_given = true;
    } else if (has_value_form("--clock")) {
      std::optional<std::string_view> v = value("--clock");
      if (!v || (*v != "auto" && *v != "manual" && *v != "from-on"))
        return "--clock needs 'auto', 'manual' or 'from-on'";
      out.manual_clock = *v == "manual";
      out.clock_from_on = *v == "from-on";
    } else if (arg.starts_with("-") && arg != "-") {
      return "unknown option '" + std::string(arg) + "'";
    } else if (out.mountpoint.empty()) {
      out.mountpoint = arg;
    } else {
      return "more than one mount point given";
    }
  }
  if (out.help || out.version) return std::nullopt;
  if (out.mountpoint.empty()) return "no mount point given";
  if (!out.scenario.empty() && out.machine == "host") return "--scenario needs --machine sim";
  if (out.machine == "host" && out.simulated_time()) {
    return "--speed and --clock manual|from-on need --machine sim: real processes (--machine host) "
           "run in wall time, only the simulated machine has a clock of its own";
  }
  return std::nullopt;
}

std::string usage_text(std::string_view program) {
  std::string profiles;
  for (const AbiProfile& p : AbiProfile::all())
    profiles +=
        "                        " + std::string(p.name()) + ": " + std::string(p.summary()) + "\n";
  return "usage: " + std::string(program) +
         " [options] MOUNTPOINT\n"
         "\n"
         "Mounts a DAMON sysfs interface (what /sys/kernel/mm/damon holds: admin/...)\n"
         "at MOUNTPOINT.\n"
         "\n"
         "options:\n"
         "  -f                    stay in the foreground\n"
         "  -d                    print every FUSE request (implies -f)\n"
         "  -o OPT[,OPT...]       FUSE mount options (allow_other, auto_unmount, ...)\n"
         "  --abi PROFILE         which kernel's interface to show (default: latest)\n" +
         profiles +
         "  --uid UID, --gid GID  owner of every file (default: the mounting user)\n"
         "  --machine sim|host    where the engine takes memory facts from. Default: the\n"
         "                        simulated machine for its processes and physical\n"
         "                        memory, any other pid monitored as a real process.\n"
         "                        sim: the simulated machine only; host: this machine\n"
         "                        only (real processes, paddr on its memory)\n"
         "  --scenario FILE       the simulated machine, a YAML scenario or masim config,\n"
         "                        or a damo record to replay (default: the built-in\n"
         "                        one; see damonfs-scenario(5))\n"
         "  --speed X             simulated time runs X (>= 1) times faster than the\n"
         "                        wall clock (default 1: real time); --machine sim only\n"
         "  --clock auto|manual|from-on\n"
         "                        auto: time passes by itself (default); manual: it moves\n"
         "                        only when a duration (10s, 250ms) is written to\n"
         "                        MOUNTPOINT/damonfs/clock, at most --speed times the\n"
         "                        wall clock when one is given; from-on: like auto, but\n"
         "                        time stands at 0 until the first kdamond turns on\n"
         "  -h, --help            this text\n"
         "  -V, --version         the version\n"
         "\n"
         "Unmount with fusermount3 -u MOUNTPOINT, or stop the process (SIGINT, SIGTERM,\n"
         "SIGHUP). See damonfs(8).\n";
}

}  // namespace damonfs::fs
