// Opening a plugin .so: ABI symbols first, then Poco's manifest of factories.
#include "loaded_library.h"

#include <Poco/Exception.h>
#include <Poco/SharedLibrary.h>
#include <fmt/format.h>

namespace harborrobot::plugin::internal {

namespace {

using IntFunction = int (*)();
using TextFunction = const char* (*)();

constexpr const char* kAbiSymbol = "harborrobot_plugin_abi_version";

Error refusal(const std::filesystem::path& file, ErrorCode code, std::string_view why) {
  return Error(code, fmt::format("loading plugin {}: {}", file.string(), why));
}

Result<std::string> readText(Poco::SharedLibrary& library, const std::filesystem::path& file,
                             const std::string& symbol) {
  if (!library.hasSymbol(symbol)) {
    return makeError(refusal(file, ErrorCode::kFailedPrecondition,
                             fmt::format("missing symbol {} (expected a plugin built with "
                                         "HARBORROBOT_PLUGIN from harborrobot/plugin/export.h)",
                                         symbol)));
  }
  const char* text = reinterpret_cast<TextFunction>(library.getSymbol(symbol))();
  return std::string(text == nullptr ? "" : text);
}

Result<Kind> parseKind(std::string_view text, const std::filesystem::path& file) {
  for (const Kind kind : {Kind::kProvider, Kind::kAliasPolicy, Kind::kProjectResolver}) {
    if (kindName(kind) == text) {
      return kind;
    }
  }
  return makeError(
      refusal(file, ErrorCode::kFailedPrecondition,
              fmt::format("unknown plugin kind \"{}\" (expected provider, alias-policy or "
                          "project-resolver)",
                          text)));
}

// Reads and checks the four metadata symbols. The probe handle is closed by the
// caller; Poco's ClassLoader opens the library again (dlopen reference counts).
Result<PluginMetadata> readMetadata(Poco::SharedLibrary& library,
                                    const std::filesystem::path& file) {
  if (!library.hasSymbol(kAbiSymbol)) {
    return makeError(refusal(file, ErrorCode::kFailedPrecondition,
                             fmt::format("missing symbol {} (expected a plugin built with "
                                         "HARBORROBOT_PLUGIN from harborrobot/plugin/export.h)",
                                         kAbiSymbol)));
  }
  const int abi = reinterpret_cast<IntFunction>(library.getSymbol(kAbiSymbol))();
  if (abi != kAbiVersion) {
    return makeError(
        refusal(file, ErrorCode::kFailedPrecondition,
                fmt::format("ABI version mismatch: got {}, expected {}", abi, kAbiVersion)));
  }
  auto kindText = readText(library, file, "harborrobot_plugin_kind");
  if (!kindText) {
    return makeError(kindText.error());
  }
  auto kind = parseKind(*kindText, file);
  if (!kind) {
    return makeError(kind.error());
  }
  auto name = readText(library, file, "harborrobot_plugin_name");
  if (!name) {
    return makeError(name.error());
  }
  auto version = readText(library, file, "harborrobot_plugin_version");
  if (!version) {
    return makeError(version.error());
  }
  if (name->empty()) {
    return makeError(refusal(file, ErrorCode::kFailedPrecondition,
                             "empty plugin name (expected a name such as \"harbor\")"));
  }
  return PluginMetadata{*kind, std::move(*name), std::move(*version)};
}

} // namespace

LoadedLibrary::LoadedLibrary(std::filesystem::path file, PluginMetadata metadata)
    : file_(std::move(file)), metadata_(std::move(metadata)) {}

LoadedLibrary::~LoadedLibrary() {
  factories_.clear();
  if (loaded_) {
    loader_.unloadLibrary(file_.string());
  }
}

Result<std::shared_ptr<LoadedLibrary>> LoadedLibrary::open(const std::filesystem::path& file) {
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(file, ignored)) {
    return makeError(refusal(file, ErrorCode::kNotFound, "no such file"));
  }

  Poco::SharedLibrary probe;
  try {
    probe.load(file.string());
  } catch (const Poco::Exception& error) {
    return makeError(refusal(file, ErrorCode::kFailedPrecondition,
                             fmt::format("cannot load the library: {}", error.displayText())));
  }
  auto metadata = readMetadata(probe, file);
  if (!metadata) {
    probe.unload();
    return makeError(metadata.error());
  }

  std::shared_ptr<LoadedLibrary> library(new LoadedLibrary(file, std::move(*metadata)));
  try {
    library->loader_.loadLibrary(file.string());
    library->loaded_ = true;
  } catch (const Poco::Exception& error) {
    probe.unload();
    const bool noManifest = error.message().find("No manifest") != std::string::npos ||
                            error.displayText().find("No manifest") != std::string::npos;
    return makeError(refusal(
        file, ErrorCode::kFailedPrecondition,
        noManifest ? "no factory manifest (expected HARBORROBOT_PLUGIN_FACTORIES_BEGIN … END)"
                   : "its factory manifest is for another base class (expected factories "
                     "deriving from harborrobot::plugin::Factory)"));
  }
  probe.unload();

  const auto* manifest = library->loader_.findManifest(file.string());
  for (auto it = manifest->begin(); it != manifest->end(); ++it) {
    library->factories_.emplace_back((*it)->create());
  }
  if (library->factories_.empty()) {
    return makeError(refusal(file, ErrorCode::kFailedPrecondition,
                             "its manifest exports no factory (expected at least one)"));
  }
  for (const auto& factory : library->factories_) {
    if (factory->kind() != library->metadata_.kind) {
      return makeError(refusal(file, ErrorCode::kFailedPrecondition,
                               fmt::format("factory \"{}\" is a {} but the plugin declares kind {}",
                                           factory->name(), kindName(factory->kind()),
                                           kindName(library->metadata_.kind))));
    }
  }
  return library;
}

} // namespace harborrobot::plugin::internal
