// The plugin host: per-kind registries of factories from loaded libraries.
#include "harborrobot/plugin/host.h"

#include <algorithm>

#include <fmt/format.h>

#include "loaded_library.h"

namespace harborrobot::plugin {

namespace {

// Kind was checked at load time; the cast still goes through RTTI so a plugin that
// derives from Factory directly, claiming a kind, is refused rather than trusted.
template <class FactoryT>
Result<const FactoryT*> asFactory(const Factory* factory, std::string_view name) {
  const auto* typed = dynamic_cast<const FactoryT*>(factory);
  if (typed == nullptr) {
    return makeError(ErrorCode::kFailedPrecondition,
                     fmt::format("{} plugin \"{}\" does not derive from the {} factory interface",
                                 kindName(factory->kind()), name, kindName(factory->kind())));
  }
  return typed;
}

} // namespace

Host::Host() = default;

// Registries hold shared_ptrs to the libraries; instances made through the host
// hold their own, so a library unloads only when its last user is gone.
Host::~Host() = default;

Result<PluginInfo> Host::load(const std::filesystem::path& file) {
  auto opened = internal::LoadedLibrary::open(file);
  if (!opened) {
    return makeError(opened.error());
  }
  const std::shared_ptr<internal::LoadedLibrary>& library = *opened;
  const Kind kind = library->metadata().kind;

  // Check every name before registering any, so a refused file leaves nothing behind.
  PluginInfo info{file, kind, library->metadata().name, library->metadata().version, {}};
  for (const auto& factory : library->factories()) {
    std::string name = factory->name();
    const auto existing = registry_.find(std::make_pair(kind, name));
    if (existing != registry_.end()) {
      return makeError(ErrorCode::kAlreadyExists,
                       fmt::format("loading plugin {}: {} \"{}\" is already registered by {}",
                                   file.string(), kindName(kind), name,
                                   existing->second.library->file().string()));
    }
    if (std::find(info.factories.begin(), info.factories.end(), name) != info.factories.end()) {
      return makeError(ErrorCode::kAlreadyExists,
                       fmt::format("loading plugin {}: it exports {} \"{}\" twice", file.string(),
                                   kindName(kind), name));
    }
    info.factories.push_back(std::move(name));
  }
  for (const auto& factory : library->factories()) {
    registry_.emplace(std::make_pair(kind, factory->name()), Registered{library, factory.get()});
  }
  plugins_.push_back(info);
  return info;
}

Result<std::vector<PluginInfo>> Host::loadDirectory(const std::filesystem::path& directory,
                                                    std::set<Kind> kinds) {
  std::error_code error;
  if (!std::filesystem::is_directory(directory, error)) {
    return makeError(ErrorCode::kNotFound,
                     fmt::format("plugin directory {}: no such directory (set "
                                 "HARBORROBOT_PLUGIN_PATH or --plugin-dir)",
                                 directory.string()));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.is_regular_file() && entry.path().extension() == ".so") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<PluginInfo> loaded;
  for (const auto& file : files) {
    if (!kinds.empty()) {
      // Checked like any plugin; dropping the last reference unloads it.
      auto checked = internal::LoadedLibrary::open(file);
      if (!checked) {
        return makeError(checked.error());
      }
      if (!kinds.contains((*checked)->metadata().kind)) {
        continue;
      }
    }
    auto info = load(file);
    if (!info) {
      return makeError(info.error());
    }
    loaded.push_back(std::move(*info));
  }
  return loaded;
}

Result<Host::Registered> Host::find(Kind kind, std::string_view name) const {
  const auto found = registry_.find(std::make_pair(kind, std::string(name)));
  if (found == registry_.end()) {
    const auto known = names(kind);
    return makeError(
        ErrorCode::kNotFound,
        fmt::format("no {} plugin named \"{}\" (expected one of: {})", kindName(kind), name,
                    known.empty() ? "none loaded" : fmt::format("{}", fmt::join(known, ", "))));
  }
  return found->second;
}

Result<Instance<Provider>> Host::makeProvider(std::string_view name, ProviderConfig config,
                                              http::Client& client) const {
  auto registered = find(Kind::kProvider, name);
  if (!registered) {
    return makeError(registered.error());
  }
  auto factory = asFactory<ProviderFactory>(registered->factory, name);
  if (!factory) {
    return makeError(factory.error());
  }
  auto made = (*factory)->create(std::move(config), client);
  if (!made) {
    return makeError(made.error().withContext(fmt::format("provider \"{}\"", name)));
  }
  return Instance<Provider>(std::move(*made), registered->library);
}

Result<Instance<AliasPolicy>> Host::makeAliasPolicy(std::string_view name) const {
  auto registered = find(Kind::kAliasPolicy, name);
  if (!registered) {
    return makeError(registered.error());
  }
  auto factory = asFactory<AliasPolicyFactory>(registered->factory, name);
  if (!factory) {
    return makeError(factory.error());
  }
  return Instance<AliasPolicy>((*factory)->create(), registered->library);
}

Result<Instance<ProjectNameResolver>> Host::makeProjectResolver(std::string_view name,
                                                                std::string_view expression) const {
  auto registered = find(Kind::kProjectResolver, name);
  if (!registered) {
    return makeError(registered.error());
  }
  auto factory = asFactory<ProjectResolverFactory>(registered->factory, name);
  if (!factory) {
    return makeError(factory.error());
  }
  auto made = (*factory)->create(expression);
  if (!made) {
    return makeError(made.error().withContext(fmt::format("project resolver \"{}\"", name)));
  }
  return Instance<ProjectNameResolver>(std::move(*made), registered->library);
}

std::vector<std::string> Host::names(Kind kind) const {
  std::vector<std::string> result;
  for (const auto& [key, registered] : registry_) {
    if (key.first == kind) {
      result.push_back(key.second);
    }
  }
  return result;
}

std::filesystem::path defaultPluginDirectory(const std::filesystem::path& executable,
                                             const char* environmentValue) {
  if (environmentValue != nullptr && *environmentValue != '\0') {
    return environmentValue;
  }
  return executable.parent_path() / ".." / "lib" / "harborrobot" / "plugins";
}

} // namespace harborrobot::plugin
