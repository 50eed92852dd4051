#include "tests/support/no_engine_backend.h"

#include <cerrno>

namespace damonfs::fs {

void NoEngineBackend::command(StagedKdamond& kdamond, StateCommand cmd, CommandDone done) {
  if (kdamond.nr_contexts() != 1) return done(-EINVAL);
  switch (cmd) {
    case StateCommand::on: {
      damon::ContextParams params;
      int err = kdamond.build_params(params);
      return done(err ? err : -EINVAL);
    }
    case StateCommand::clear_schemes_tried_regions:
      for (size_t i = 0; i < kdamond.nr_schemes(); ++i) kdamond.clear_tried_regions(i);
      return done(0);
    default:
      return done(-EINVAL);
  }
}

}  // namespace damonfs::fs
