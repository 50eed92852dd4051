#include "fs/fuse/fuse_server.h"

#include <fcntl.h>
#include <linux/fuse.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace damonfs::fs {

namespace {

// An open attribute file. Like sysfs's seq_file, a read at offset 0 (or
// anywhere but where the previous read ended) takes a fresh snapshot of the
// content; a sequential read continues the snapshot, so reading in small
// chunks never mixes two values.
struct OpenFile {
  std::string content;
  off_t next = -1;
};

// What one read of /dev/fuse may return: a request header and the largest
// write the kernel may send (libfuse's own buffer size).
constexpr size_t kRequestBufferSize = 256 * 4096 + 4096;

}  // namespace

struct FuseServer::Ops {
  static FuseServer& server(fuse_req_t req) {
    return *static_cast<FuseServer*>(fuse_req_userdata(req));
  }

  static struct stat to_stat(const FuseServer& s, const NodeStat& n) {
    struct stat st {};
    st.st_ino = n.ino;
    st.st_mode = (n.is_dir ? S_IFDIR : S_IFREG) | n.mode;
    st.st_nlink = n.nlink;
    st.st_size = static_cast<off_t>(n.size);
    st.st_uid = s.config_.uid;
    st.st_gid = s.config_.gid;
    st.st_blksize = 4096;
    st.st_atim = st.st_mtim = st.st_ctim = s.mount_time_;
    const NodeMeta& meta = n.meta;
    if (meta.mode) st.st_mode = (st.st_mode & S_IFMT) | *meta.mode;
    if (meta.uid) st.st_uid = *meta.uid;
    if (meta.gid) st.st_gid = *meta.gid;
    if (meta.atime) st.st_atim = *meta.atime;
    if (meta.mtime) {
      st.st_mtim = *meta.mtime;
      st.st_ctim = meta.ctime.value_or(st.st_ctim);
      return st;
    }
    if (n.unannounced_changes) {
      // Always new: the kernel drops its cached listing at every opendir.
      clock_gettime(CLOCK_REALTIME, &st.st_mtim);
    } else if (n.is_dir) {
      // Moves with each change of the entries, which makes the kernel drop
      // a listing it cached before the change (see readdir).
      st.st_mtim.tv_sec += static_cast<time_t>(n.generation / 1000000000);
      st.st_mtim.tv_nsec += static_cast<long>(n.generation % 1000000000);
      if (st.st_mtim.tv_nsec >= 1000000000) {
        st.st_mtim.tv_nsec -= 1000000000;
        ++st.st_mtim.tv_sec;
      }
    }
    st.st_ctim = meta.ctime.value_or(st.st_mtim);
    return st;
  }

  // How long the kernel may trust what it learnt about `n`: long, as every
  // change is announced (KernelCache), except below damonfs/.
  static double timeout(const FuseServer& s, const NodeStat& n) {
    if (n.unannounced_changes) return 0;
    return std::chrono::duration<double>(s.config_.cache_timeout).count();
  }

  static void init(void* userdata, fuse_conn_info* conn) {
    auto& s = *static_cast<FuseServer*>(userdata);
    s.zero_message_opendir_ = conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT;
    // Makes the kernel check a directory's mtime before it lists it from its
    // cache (libfuse's default, relied upon here).
    if (conn->capable & FUSE_CAP_AUTO_INVAL_DATA) conn->want |= FUSE_CAP_AUTO_INVAL_DATA;
    // Truncating opens arrive as a SETATTR, whose answer keeps the size at
    // 4096. With O_TRUNC handled in the open, the kernel would set the
    // size to 0, and the next write, past that end, would take the inode
    // lock exclusively: while it waits for a kdamond, a write through any
    // other descriptor would then sleep uninterruptibly behind it.
    conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
  }

  static void lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
    FuseServer& s = server(req);
    std::optional<NodeStat> n = s.tree_.lookup(parent, name);
    if (!n) return void(fuse_reply_err(req, ENOENT));
    std::optional<NodeStat> dir = s.tree_.getattr(parent);
    fuse_entry_param e{};
    e.ino = n->ino;
    e.attr = to_stat(s, *n);
    e.attr_timeout = timeout(s, *n);
    e.entry_timeout = dir ? timeout(s, *dir) : 0;
    fuse_reply_entry(req, &e);
  }

  // Inodes live as long as the tree keeps them, not as long as the kernel
  // remembers them: nothing to count.
  static void forget(fuse_req_t req, fuse_ino_t, uint64_t) { fuse_reply_none(req); }
  static void forget_multi(fuse_req_t req, size_t, fuse_forget_data*) { fuse_reply_none(req); }

  static void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
    FuseServer& s = server(req);
    std::optional<NodeStat> n = s.tree_.getattr(ino);
    if (!n) return void(fuse_reply_err(req, ENOENT));
    struct stat st = to_stat(s, *n);
    fuse_reply_attr(req, &st, timeout(s, *n));
  }

  // chmod, chown and utime keep what they set, as kernfs does; open(O_TRUNC)
  // and truncate() arrive as a size change, which is accepted and ignored
  // (a store happens only at write()), with the times a truncating open
  // sets. The kernel checked the caller's right to do it (default_permissions).
  static void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
                      fuse_file_info*) {
    FuseServer& s = server(req);
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    NodeMeta change;
    if (to_set & FUSE_SET_ATTR_MODE) change.mode = attr->st_mode & 07777;
    if (to_set & FUSE_SET_ATTR_UID) change.uid = attr->st_uid;
    if (to_set & FUSE_SET_ATTR_GID) change.gid = attr->st_gid;
    if (to_set & FUSE_SET_ATTR_ATIME)
      change.atime = to_set & FUSE_SET_ATTR_ATIME_NOW ? now : attr->st_atim;
    if (to_set & FUSE_SET_ATTR_MTIME)
      change.mtime = to_set & FUSE_SET_ATTR_MTIME_NOW ? now : attr->st_mtim;
    // The VFS stamps the change time of every such change.
    if (change.mode || change.uid || change.gid || change.atime || change.mtime) change.ctime = now;
    if (int err = s.tree_.setattr(ino, change)) return void(fuse_reply_err(req, -err));
    std::optional<NodeStat> n = s.tree_.getattr(ino);
    if (!n) return void(fuse_reply_err(req, ENOENT));
    struct stat st = to_stat(s, *n);
    fuse_reply_attr(req, &st, timeout(s, *n));
  }

  static void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
    FuseServer& s = server(req);
    std::optional<NodeStat> n = s.tree_.getattr(ino);
    if (!n) return void(fuse_reply_err(req, ENOENT));
    if (n->is_dir) return void(fuse_reply_err(req, EISDIR));
    const bool for_writing = (fi->flags & O_ACCMODE) != O_RDONLY;
    // kernfs refuses opening a file without a store for writing, root or not
    // (the default mode tells which files have one, whatever chmod did).
    if (for_writing && !(n->mode & S_IWUSR)) return void(fuse_reply_err(req, EACCES));
    // Not while a write to this file waits (WaitingWrites).
    if (for_writing && s.waiting_.any_for(ino)) return void(fuse_reply_err(req, EBUSY));
    auto file = std::make_unique<OpenFile>();
    // Every read and write reaches the tree (direct I/O: contents are
    // computed, and a page-cached copy would keep serving the first
    // value). Writes through other descriptors may reach it while one
    // waits, to be answered EBUSY at once as the kernel does.
    fuse_open_out out{};
    out.fh = reinterpret_cast<uint64_t>(file.get());
    out.open_flags = FOPEN_DIRECT_IO | FOPEN_PARALLEL_DIRECT_WRITES;
    if (fuse_reply_buf(req, reinterpret_cast<const char*>(&out), sizeof(out)) == 0)
      file.release();
  }

  static void read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
    FuseServer& s = server(req);
    auto* file = reinterpret_cast<OpenFile*>(fi->fh);
    if (off == 0 || off != file->next) {
      if (int err = s.tree_.read(ino, file->content)) return void(fuse_reply_err(req, -err));
    }
    const std::string& c = file->content;
    size_t begin = std::min(static_cast<size_t>(off), c.size());
    size_t n = std::min(size, c.size() - begin);
    file->next = static_cast<off_t>(begin + n);
    fuse_reply_buf(req, c.data() + begin, n);
  }

  static void write(fuse_req_t req, fuse_ino_t ino, const char* buf, size_t size, off_t,
                    fuse_file_info*) {
    FuseServer& s = server(req);
    std::shared_ptr<WaitingWrites::Write> w = s.waiting_.begin(req, ino);
    s.tree_.write(ino, std::string_view(buf, size), [&s, w](WriteResult result) {
      if (!s.waiting_.finish(w)) return;  // the writer was killed meanwhile
      // Answer only once the kernel dropped what the store made stale.
      s.cache_.flush_then([req = w->req, result] {
        if (result < 0)
          fuse_reply_err(req, static_cast<int>(-result));
        else
          fuse_reply_write(req, static_cast<size_t>(result));
      });
    });
    s.waiting_.watch(w);
  }

  static void release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
    delete reinterpret_cast<OpenFile*>(fi->fh);
    fuse_reply_err(req, 0);
  }

  // Directories are listed without opening them (zero-message opendir, when
  // the kernel has it): the kernel then caches each listing and serves it
  // again without asking until the directory's mtime moves or KernelCache
  // drops it, so a damo-style walk of the tree costs no directory requests.
  // (auto_unmount then needs damonfs's own guard: unmount_guard.h.)
  static void opendir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
    if (server(req).zero_message_opendir_) return void(fuse_reply_err(req, ENOSYS));
    fuse_reply_open(req, fi);
  }

  // Stateless: entries from `off` on, of the listing as it is now. A listing
  // read in several requests is computed once per change of the directory
  // (ListingCache), not once per request.
  static void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info*) {
    FuseServer& s = server(req);
    const std::vector<DirEntry>* listing = nullptr;
    if (int err = s.listing(ino, listing)) return void(fuse_reply_err(req, -err));
    std::vector<char> buf(size);
    size_t used = 0;
    for (size_t i = static_cast<size_t>(off); i < listing->size(); ++i) {
      const DirEntry& entry = (*listing)[i];
      struct stat st = to_stat(s, entry.stat);
      size_t need = fuse_add_direntry(req, buf.data() + used, size - used, entry.name.c_str(), &st,
                                      static_cast<off_t>(i + 1));
      if (need > size - used) break;
      used += need;
    }
    fuse_reply_buf(req, buf.data(), used);
  }

  static void statfs(fuse_req_t req, fuse_ino_t) {
    struct statvfs sv {};
    sv.f_bsize = 4096;
    sv.f_frsize = 4096;
    sv.f_namemax = 255;
    fuse_reply_statfs(req, &sv);
  }

  // The tree's shape changes only through nr_* files: every namespace
  // operation is refused with the errno sysfs gives.
  static void mknod(fuse_req_t req, fuse_ino_t, const char*, mode_t, dev_t) {
    fuse_reply_err(req, EPERM);
  }
  static void mkdir(fuse_req_t req, fuse_ino_t, const char*, mode_t) { fuse_reply_err(req, EPERM); }
  static void unlink(fuse_req_t req, fuse_ino_t, const char*) { fuse_reply_err(req, EPERM); }
  static void rmdir(fuse_req_t req, fuse_ino_t, const char*) { fuse_reply_err(req, EPERM); }
  static void symlink(fuse_req_t req, const char*, fuse_ino_t, const char*) {
    fuse_reply_err(req, EPERM);
  }
  static void rename(fuse_req_t req, fuse_ino_t, const char*, fuse_ino_t, const char*,
                     unsigned int) {
    fuse_reply_err(req, EPERM);
  }
  static void link(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) {
    fuse_reply_err(req, EPERM);
  }
  static void create(fuse_req_t req, fuse_ino_t, const char*, mode_t, fuse_file_info*) {
    fuse_reply_err(req, EACCES);
  }

  // kernfs has xattr handlers for the trusted, security and user
  // namespaces and holds no attribute until one is set; sysfs does not
  // take user.* ones.
  static bool kernfs_namespace(const char* name) {
    for (const char* prefix : {"trusted.", "security.", "user."})
      if (std::strncmp(name, prefix, std::strlen(prefix)) == 0) return true;
    return false;
  }
  static void getxattr(fuse_req_t req, fuse_ino_t, const char* name, size_t) {
    fuse_reply_err(req, kernfs_namespace(name) ? ENODATA : EOPNOTSUPP);
  }
  static void listxattr(fuse_req_t req, fuse_ino_t, size_t size) {
    if (size == 0) return void(fuse_reply_xattr(req, 0));
    fuse_reply_buf(req, nullptr, 0);
  }
  static void setxattr(fuse_req_t req, fuse_ino_t, const char*, const char*, size_t, int) {
    fuse_reply_err(req, EOPNOTSUPP);
  }
  static void removexattr(fuse_req_t req, fuse_ino_t, const char* name) {
    fuse_reply_err(req, kernfs_namespace(name) && std::strncmp(name, "user.", 5) != 0
                            ? ENODATA
                            : EOPNOTSUPP);
  }

  static fuse_lowlevel_ops table() {
    fuse_lowlevel_ops ops{};
    ops.lookup = lookup;
    ops.forget = forget;
    ops.forget_multi = forget_multi;
    ops.getattr = getattr;
    ops.setattr = setattr;
    ops.open = open;
    ops.read = read;
    ops.write = write;
    ops.release = release;
    ops.init = init;
    ops.opendir = opendir;
    ops.readdir = readdir;
    ops.statfs = statfs;
    ops.mknod = mknod;
    ops.mkdir = mkdir;
    ops.unlink = unlink;
    ops.rmdir = rmdir;
    ops.symlink = symlink;
    ops.rename = rename;
    ops.link = link;
    ops.create = create;
    ops.getxattr = getxattr;
    ops.listxattr = listxattr;
    ops.setxattr = setxattr;
    ops.removexattr = removexattr;
    return ops;
  }
};

FuseServer::FuseServer(Tree& tree, boost::asio::io_context& loop, FuseConfig config)
    : tree_(tree),
      config_(std::move(config)),
      device_(loop),
      cache_(loop),
      waiting_(loop) {
  clock_gettime(CLOCK_REALTIME, &mount_time_);
}

FuseServer::~FuseServer() {
  unmount();
  if (session_) fuse_session_destroy(session_);
}

bool FuseServer::mount(const std::string& mountpoint) {
  std::vector<std::string> argv = {"damonfs", "-o",
                                   "default_permissions,fsname=damonfs,subtype=damonfs"};
  for (const std::string& opt : config_.mount_options) {
    argv.push_back("-o");
    argv.push_back(opt);
  }
  if (config_.debug) argv.push_back("-d");
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(cargv.size()), cargv.data());
  const fuse_lowlevel_ops ops = Ops::table();
  session_ = fuse_session_new(&args, &ops, sizeof(ops), this);
  fuse_opt_free_args(&args);
  if (!session_) return false;
  mounted_ = fuse_session_mount(session_, mountpoint.c_str()) == 0;
  return mounted_;
}

void FuseServer::start(std::function<void()> on_end) {
  on_end_ = std::move(on_end);
  tree_.set_invalidator([this](uint64_t dir_ino, std::vector<std::string> vanished) {
    cache_.invalidate(dir_ino, std::move(vanished));
  });
  cache_.start(session_);
  device_.assign(fuse_session_fd(session_));
  device_.non_blocking(true);
  request_.resize(kRequestBufferSize);
  read_request();
}

// One request per read. Asio tries the next read at once and only waits for
// the device when it has nothing, so a busy client costs a read and a reply
// per request, with no readiness re-arming in between.
void FuseServer::read_request() {
  device_.async_read_some(
      boost::asio::buffer(request_), [this](const boost::system::error_code& ec, size_t size) {
        if (ec == boost::asio::error::operation_aborted) return;  // shutting down
        if (!ec) {
          fuse_buf buf{};
          buf.size = size;
          buf.mem = request_.data();
          fuse_session_process_buf(session_, &buf);
        } else if (ec.value() != ENOENT && ec.value() != EINTR) {
          // ENOENT: the request was interrupted before it was read. Anything
          // else (ENODEV once unmounted, end of file) ends the session.
          fuse_session_exit(session_);
        }
        // Shape changes that no write is waiting for still have to reach
        // the kernel.
        if (cache_.pending()) cache_.flush_then(nullptr);
        if (fuse_session_exited(session_)) {
          if (on_end_) on_end_();
          return;
        }
        read_request();
      });
}

int FuseServer::listing(uint64_t ino, const std::vector<DirEntry>*& out) {
  std::optional<NodeStat> dir = tree_.getattr(ino);
  const bool reusable = dir && dir->is_dir && !dir->unannounced_changes && listing_.valid &&
                        listing_.ino == ino && listing_.generation == dir->generation;
  if (!reusable) {
    listing_.valid = false;
    if (int err = tree_.readdir(ino, listing_.entries)) return err;
    listing_.valid = !dir->unannounced_changes;
    listing_.ino = ino;
    listing_.generation = dir->generation;
  }
  out = &listing_.entries;
  return 0;
}

void FuseServer::unmount() {
  if (!session_) return;
  tree_.set_invalidator(nullptr);
  cache_.stop();
  // The session owns the descriptor and closes it when unmounting.
  if (device_.is_open()) device_.release();
  if (mounted_) {
    fuse_session_unmount(session_);
    mounted_ = false;
  }
}

}  // namespace damonfs::fs
