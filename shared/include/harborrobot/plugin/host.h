// Loads plugin .so files, checks their ABI before touching anything else, and
// keeps one registry of factories per kind. Instances made through the host keep
// their library loaded until they are destroyed, so nothing can call into an
// unloaded .so.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"
#include "harborrobot/plugin/alias_policy.h"
#include "harborrobot/plugin/factory.h"
#include "harborrobot/plugin/project_resolver.h"
#include "harborrobot/plugin/provider.h"

namespace harborrobot::plugin {

namespace internal {
class LoadedLibrary;
} // namespace internal

// An instance made by a plugin; holding it keeps the plugin's library loaded.
template <class T> class Instance {
public:
  Instance(std::unique_ptr<T> object, std::shared_ptr<const void> library)
      : library_(std::move(library)), object_(std::move(object)) {}
  T* operator->() const { return object_.get(); }
  T& operator*() const { return *object_; }
  T* get() const { return object_.get(); }

private:
  // Declared first so it is destroyed last: the object's code lives in the library.
  std::shared_ptr<const void> library_;
  std::unique_ptr<T> object_;
};

struct PluginInfo {
  std::filesystem::path file;
  Kind kind = Kind::kProvider;
  std::string name;
  std::string version;
  std::vector<std::string> factories; // the names the plugin registered
};

class Host {
public:
  Host();
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Loads one .so. Refuses, naming the file: a missing file, a library that will
  // not load, a missing ABI symbol, an ABI mismatch ("got 2, expected 1"), an
  // unknown kind, a missing manifest, a manifest for another base class, a factory
  // of another kind than declared, and a name already registered for the kind.
  // On refusal nothing of the file stays registered.
  [[nodiscard]] Result<PluginInfo> load(const std::filesystem::path& file);

  // Loads every *.so in `directory` (sorted by name, so duplicates resolve the same
  // way everywhere); stops at the first refusal. With `kinds`, a plugin of
  // another kind is still checked (every role refuses the same broken plugin)
  // but then unloaded, so a role maps only the plugins it can use.
  [[nodiscard]] Result<std::vector<PluginInfo>>
  loadDirectory(const std::filesystem::path& directory, std::set<Kind> kinds = {});

  [[nodiscard]] Result<Instance<Provider>>
  makeProvider(std::string_view name, ProviderConfig config, http::Client& client) const;
  [[nodiscard]] Result<Instance<AliasPolicy>> makeAliasPolicy(std::string_view name) const;
  [[nodiscard]] Result<Instance<ProjectNameResolver>>
  makeProjectResolver(std::string_view name, std::string_view expression) const;

  // Registered names of a kind, sorted.
  std::vector<std::string> names(Kind kind) const;
  const std::vector<PluginInfo>& plugins() const { return plugins_; }

private:
  struct Registered {
    std::shared_ptr<internal::LoadedLibrary> library;
    const Factory* factory;
  };
  [[nodiscard]] Result<Registered> find(Kind kind, std::string_view name) const;

  std::map<std::pair<Kind, std::string>, Registered, std::less<>> registry_;
  std::vector<PluginInfo> plugins_;
};

// The plugin directory: the flag if given, else $HARBORROBOT_PLUGIN_PATH, else
// ../lib/harborrobot/plugins next to the running binary.
std::filesystem::path defaultPluginDirectory(const std::filesystem::path& executable,
                                             const char* environmentValue);

} // namespace harborrobot::plugin
