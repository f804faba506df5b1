// The base of every plugin factory, and the ABI constants a plugin .so exports.
// A plugin author reads this header and the one header of the kind they implement.
#pragma once

#include <string>
#include <string_view>

namespace harborrobot::plugin {

// Bumped whenever any header in harborrobot/plugin/ changes in a way that breaks
// binary compatibility; a test ties it to the headers' content.
inline constexpr int kAbiVersion = 2;

enum class Kind { kProvider, kAliasPolicy, kProjectResolver };

// "provider", "alias-policy", "project-resolver": the spelling used in plugin
// metadata, file names and messages.
std::string_view kindName(Kind kind);

// Every factory a plugin exports derives from one of the per-kind factories, which
// derive from this. Factories are stateless: they make instances.
class Factory {
public:
  // Out of line in the core .so, so RTTI and the vtable of the base live in one place.
  virtual ~Factory();
  virtual Kind kind() const = 0;
  // The name users write in configuration ("harbor", "IfIPEqual", "jsonpath").
  virtual std::string name() const = 0;
};

} // namespace harborrobot::plugin
