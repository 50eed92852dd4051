#include "tests/bench/null_fuse_server.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "fs/fuse/fuse_api.h"

namespace damonfs::bench {
namespace {

constexpr fuse_ino_t kFileIno = 2;
// As damonfs: every change is announced, so entries and attributes are
// cached long (FuseConfig::cache_timeout).
constexpr double kCacheTimeout = 3600;

struct stat stat_of(fuse_ino_t ino) {
  struct stat st {};
  st.st_ino = ino;
  st.st_uid = getuid();
  st.st_gid = getgid();
  st.st_blksize = 4096;
  if (ino == FUSE_ROOT_ID) {
    st.st_mode = S_IFDIR | 0755;
    st.st_nlink = 2;
  } else {
    st.st_mode = S_IFREG | 0600;
    st.st_nlink = 1;
    st.st_size = 4096;  // what sysfs reports
  }
  return st;
}

void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  if (parent != FUSE_ROOT_ID || std::strcmp(name, kNullFileName) != 0)
    return void(fuse_reply_err(req, ENOENT));
  fuse_entry_param e{};
  e.ino = kFileIno;
  e.attr = stat_of(kFileIno);
  e.attr_timeout = kCacheTimeout;
  e.entry_timeout = kCacheTimeout;
  fuse_reply_entry(req, &e);
}

void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  struct stat st = stat_of(ino);
  fuse_reply_attr(req, &st, kCacheTimeout);
}

// The same protocol as damonfs's: open(O_TRUNC) arrives as a size change,
// and extended attributes are answered (the kernel asks for
// security.capability at every truncating open).
void init(void*, fuse_conn_info* conn) { conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC; }

void getxattr(fuse_req_t req, fuse_ino_t, const char*, size_t) { fuse_reply_err(req, ENODATA); }

void setattr(fuse_req_t req, fuse_ino_t ino, struct stat*, int, fuse_file_info*) {
  getattr(req, ino, nullptr);
}

void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (ino != kFileIno) return void(fuse_reply_err(req, EISDIR));
  fi->direct_io = 1;
  fuse_reply_open(req, fi);
}

void read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info*) {
  const size_t len = sizeof(kNullFileContent) - 1;
  const size_t begin = std::min(static_cast<size_t>(off), len);
  fuse_reply_buf(req, kNullFileContent + begin, std::min(size, len - begin));
}

void write(fuse_req_t req, fuse_ino_t, const char*, size_t size, off_t, fuse_file_info*) {
  fuse_reply_write(req, size);
}

void release(fuse_req_t req, fuse_ino_t, fuse_file_info*) { fuse_reply_err(req, 0); }

void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
  if (ino != FUSE_ROOT_ID) return void(fuse_reply_err(req, ENOTDIR));
  const char* names[] = {".", "..", kNullFileName};
  const fuse_ino_t inos[] = {FUSE_ROOT_ID, FUSE_ROOT_ID, kFileIno};
  std::vector<char> buf(size);
  size_t used = 0;
  for (off_t i = off; i < 3; ++i) {
    struct stat st = stat_of(inos[i]);
    size_t need = fuse_add_direntry(req, buf.data() + used, size - used, names[i], &st, i + 1);
    if (need > size - used) break;
    used += need;
  }
  fuse_reply_buf(req, buf.data(), used);
}

[[noreturn]] void serve(const std::string& mountpoint) {
  fuse_lowlevel_ops ops{};
  ops.init = init;
  ops.lookup = lookup;
  ops.getxattr = getxattr;
  ops.getattr = getattr;
  ops.setattr = setattr;
  ops.open = open;
  ops.read = read;
  ops.write = write;
  ops.release = release;
  ops.readdir = readdir;
  char arg0[] = "nullfs", opt[] = "-o",
       opts[] = "default_permissions,fsname=nullfs,subtype=nullfs";
  char* argv[] = {arg0, opt, opts};
  fuse_args args = FUSE_ARGS_INIT(3, argv);
  fuse_session* se = fuse_session_new(&args, &ops, sizeof(ops), nullptr);
  if (!se || fuse_set_signal_handlers(se) != 0 || fuse_session_mount(se, mountpoint.c_str()) != 0)
    _exit(1);
  int err = fuse_session_loop(se);
  fuse_session_unmount(se);
  fuse_remove_signal_handlers(se);
  fuse_session_destroy(se);
  _exit(err == 0 ? 0 : 1);
}

}  // namespace

pid_t start_null_server(const std::string& mountpoint) {
  pid_t pid = fork();
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // unmount should the benchmark die
    serve(mountpoint);
  }
  return pid;
}

}  // namespace damonfs::bench
