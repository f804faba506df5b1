// The simulator's optional snapshot file: every object and the revision
// counter, written atomically on shutdown and read on start, so a restarted
// simulator (a sandbox `down` then `up`) keeps its cluster.
#pragma once

#include <filesystem>

#include "api_error.h"
#include "object_store.h"
#include "resource_type.h"

namespace harborrobot::kubesim {

// Loads `file` into an empty store and registers the CRDs it holds; a missing
// file is an empty cluster. An unreadable or malformed file is an error.
tl::expected<void, std::string> loadSnapshot(const std::filesystem::path& file, ObjectStore& store,
                                             TypeRegistry& registry);
tl::expected<void, std::string> saveSnapshot(const std::filesystem::path& file,
                                             const ObjectStore& store);

} // namespace harborrobot::kubesim
