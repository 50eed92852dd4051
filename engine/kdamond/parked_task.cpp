#include "engine/kdamond/parked_task.h"

#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#if defined(__SANITIZE_THREAD__)
#define DAMONFS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define DAMONFS_TSAN 1
#endif
#endif

namespace damon {
namespace {

// The task's stack, inside the keeper's; the keeper's own frames need a
// few kilobytes above it.
constexpr size_t kTaskStack = size_t{8} << 20;
constexpr size_t kKeeperStack = kTaskStack + (size_t{256} << 10);

#ifndef DAMONFS_TSAN
// The task ended by a signal: the memory it shares with the daemon may be
// half-updated (a lock held, a list mid-splice). Nothing can be trusted
// but the log, which the task could only have left locked had it died
// inside a write to it. (Under TSan the kdamond is the keeper thread
// itself: no task to outlive.)
[[noreturn]] void die_with(Log& log, pid_t pid, int sig) {
  log.error("kdamond task " + std::to_string(pid) + " ended by signal " + std::to_string(sig) +
            " (" + strsignal(sig) + "); stopping the daemon");
  signal(sig, SIG_DFL);
  sigset_t only;
  sigemptyset(&only);
  sigaddset(&only, sig);
  pthread_sigmask(SIG_UNBLOCK, &only, nullptr);
  kill(getpid(), sig);
  _exit(128 + sig);
}
#endif

}  // namespace

#ifdef DAMONFS_TSAN
const bool ParkedTask::kOwnProcess = false;
#else
const bool ParkedTask::kOwnProcess = true;
#endif

ParkedTask::ParkedTask(Log& log) : log_(log) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, kKeeperStack);
  const int err = pthread_create(&keeper_, &attr, &ParkedTask::keeper_main, this);
  pthread_attr_destroy(&attr);
  if (err) throw std::system_error(err, std::generic_category(), "kdamond task");
}

ParkedTask::~ParkedTask() {
  {
    std::lock_guard lock(mu_);
    if (!fn_) fn_.emplace();
  }
  cv_.notify_all();
  join();
}

pid_t ParkedTask::pid() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return pid_ != -1; });
  return pid_;
}

void ParkedTask::launch(const std::string& name, std::function<void()> fn) {
  std::unique_lock lock(mu_);
  name_ = name.substr(0, 15);
  fn_ = std::move(fn);
  cv_.notify_all();
  cv_.wait(lock, [this] { return named_; });
}

void ParkedTask::join() {
  if (joined_) return;
  pthread_join(keeper_, nullptr);
  joined_ = true;
}

void* ParkedTask::keeper_main(void* arg) {
  auto* self = static_cast<ParkedTask*>(arg);
  // Inherited by the task: a kdamond takes no signals but the unblockable,
  // as a kernel thread. The keeper must take none either: a handler would
  // run on the TLS and the stack the task is using.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, nullptr);
#ifndef DAMONFS_TSAN
  alignas(64) std::byte stack[kTaskStack];
  // No signal reaches the parent (exit signal 0); wait4 needs __WCLONE.
  const pid_t pid = clone(&ParkedTask::task_entry, stack + sizeof(stack),
                          CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM, self);
  if (pid > 0) {
    // From here until the task has exited, the keeper must not write its
    // TLS (errno included): a raw wait4 with every signal blocked succeeds
    // once the task is gone.
    int status = 0;
    while (syscall(SYS_wait4, pid, &status, __WCLONE, nullptr) != pid) {
    }
    if (WIFSIGNALED(status)) die_with(self->log_, pid, WTERMSIG(status));
    return nullptr;
  }
  // No process could be made (a seccomp filter, a hard process limit):
  // the kdamond still runs, as this thread.
#endif
  self->run_parked();
  return nullptr;
}

int ParkedTask::task_entry(void* self) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  static_cast<ParkedTask*>(self)->run_parked();
  return 0;
}

void ParkedTask::run_parked() {
  std::function<void()> fn;
  {
    std::unique_lock lock(mu_);
    pid_ = static_cast<pid_t>(gettid());
    cv_.notify_all();
    cv_.wait(lock, [this] { return fn_.has_value(); });
    fn = std::move(*fn_);
    if (fn) prctl(PR_SET_NAME, name_.c_str(), 0, 0, 0);
    named_ = true;
  }
  cv_.notify_all();
  if (fn) fn();
}

}  // namespace damon
