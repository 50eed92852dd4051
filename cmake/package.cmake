# CPack: `cpack -G DEB` in a build tree makes damonfs_VERSION_ARCH.deb with
# everything `cmake --install` installs. Library dependencies are read from
# the binary (dpkg-shlibdeps: libfuse3, libnuma, libyaml-cpp, libstdc++);
# the programs it runs are declared here.
set(CPACK_PACKAGE_NAME damonfs)
set(CPACK_PACKAGE_VENDOR "damonfs")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "The Linux DAMON sysfs interface as a FUSE filesystem, served by a user-space DAMON")
set(CPACK_PACKAGE_DESCRIPTION
    "damonfs mounts a filesystem that behaves like /sys/kernel/mm/damon, byte for byte, \
served by a DAMON engine in user space over a simulated machine or the host's processes. \
Shell scripts, the damo tool and DAMON-based policy daemons run against it without a \
DAMON kernel. damonfs-run runs such a command with a fresh mount in place of the kernel's \
interface.")
set(CPACK_PACKAGE_CONTACT "damonfs maintainers <damonfs@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# fusermount3 (mount as a user, unmount), python3 (damonfs-run seeds damo's
# feature cache with it), pgrep (damonfs-run forwards signals to the
# command it runs; users find simulated processes with it), unshare and
# mount come with util-linux and mount.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fuse3, python3, procps, util-linux, mount")

include(CPack)
