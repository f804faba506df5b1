// One plugin .so, opened and checked: its ABI metadata and the factories it
// exports. Destroying it destroys the factories, then unloads the library.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <Poco/ClassLoader.h>

#include "harborrobot/core/result.h"
#include "harborrobot/plugin/factory.h"

namespace harborrobot::plugin::internal {

struct PluginMetadata {
  Kind kind = Kind::kProvider;
  std::string name;
  std::string version;
};

class LoadedLibrary {
public:
  // Checks the ABI symbols before anything else in the library is called.
  [[nodiscard]] static Result<std::shared_ptr<LoadedLibrary>>
  open(const std::filesystem::path& file);

  ~LoadedLibrary();
  LoadedLibrary(const LoadedLibrary&) = delete;
  LoadedLibrary& operator=(const LoadedLibrary&) = delete;

  const std::filesystem::path& file() const { return file_; }
  const PluginMetadata& metadata() const { return metadata_; }
  const std::vector<std::unique_ptr<Factory>>& factories() const { return factories_; }

private:
  LoadedLibrary(std::filesystem::path file, PluginMetadata metadata);

  std::filesystem::path file_;
  PluginMetadata metadata_;
  // The loader is declared before the factories so it is destroyed after them; its
  // library is unloaded explicitly in the destructor once the factories are gone.
  Poco::ClassLoader<Factory> loader_;
  bool loaded_ = false;
  std::vector<std::unique_ptr<Factory>> factories_;
};

} // namespace harborrobot::plugin::internal
