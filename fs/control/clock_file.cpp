#include "fs/control/clock_file.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <utility>

namespace damonfs::fs {
namespace {

// A speed with one decimal, or as many as its first nonzero digit needs
// (up to 6) below 0.1: kdamonds crawling at 0.03x must not read as 0.0x,
// which would say time stands still.
std::string speed_reached(double v) {
  int decimals = 1;
  if (v > 0 && v < 0.1) decimals = std::min(6, static_cast<int>(-std::floor(std::log10(v))));
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}

std::string speed_text(double speed) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", speed);
  return buf;
}

}  // namespace

std::optional<uint64_t> parse_duration_us(std::string_view text) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  size_t digits = 0;
  while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.'))
    ++digits;
  if (digits == 0) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + digits, value);
  if (ec != std::errc{} || end != text.data() + digits) return std::nullopt;
  const std::string_view unit = text.substr(digits);
  double scale = 0;
  if (unit == "us") scale = 1;
  else if (unit == "ms") scale = 1e3;
  else if (unit == "s") scale = 1e6;
  else if (unit == "min") scale = 60e6;
  else if (unit == "h") scale = 3600e6;
  else return std::nullopt;
  const double us = value * scale;
  if (!(us < static_cast<double>(std::numeric_limits<uint64_t>::max() / 2))) return std::nullopt;
  return static_cast<uint64_t>(us);
}

ClockFile::ClockFile(const damon::Clock& wall) : wall_(&wall), wall_start_us_(wall.now_us()) {}

ClockFile::ClockFile(damon::Timeline& timeline, Post post, damon::Log& log)
    : timeline_(&timeline), post_(std::move(post)) {
  if (timeline.status().speed <= 0) return;
  const std::string asked = speed_text(timeline.status().speed);
  timeline.on_pace_report([asked, &log](bool behind, double reached) {
    if (behind) {
      log.warning("simulated time runs at " + speed_reached(reached) + "x, slower than --speed " + asked +
                  ": the kdamonds cannot keep up");
    } else {
      log.info("simulated time keeps up with --speed " + asked + " again");
    }
  });
}

std::string ClockFile::read() const {
  if (!timeline_) {
    return "now_us " + std::to_string(wall_->now_us() - wall_start_us_) +
           " mode wall speed 1 reached 1.0 keeping_up yes\n";
  }
  const damon::Timeline::Status s = timeline_->status();
  const bool from_on = timeline_->from_first_seat();
  return "now_us " + std::to_string(s.elapsed_us) + " mode " +
         (s.manual ? "manual" : from_on ? "from-on" : "paced") + " speed " +
         (s.speed > 0 ? speed_text(s.speed) : "max") + " reached " +
         (s.reached ? speed_reached(*s.reached) : "-") + " keeping_up " + (s.behind ? "no" : "yes") +
         (from_on ? std::string(" waiting_for_on ") + (s.waiting_for_first_seat ? "yes" : "no")
                  : "") +
         '\n';
}

void ClockFile::write(std::string_view data, std::function<void(int)> done) {
  if (!writable()) return done(-EIO);
  std::optional<uint64_t> us = parse_duration_us(data);
  if (!us) return done(-EINVAL);
  timeline_->advance(*us, [post = post_, done = std::move(done)] { post([done] { done(0); }); });
}

}  // namespace damonfs::fs
