// The one place that picks the libfuse API version: include this instead of
// <fuse_lowlevel.h>.
#pragma once

#define FUSE_USE_VERSION 35
#include <fuse_lowlevel.h>
