// The wire names a namespace agent puts on the Secrets it generates: which
// binding, which generation, when, and a hash of the content to notice hand edits.
#pragma once

#include <string_view>

#include "harborrobot/model/wire_names.h"

namespace harborrobot::namespaceagent {

using wire::kBindingAnnotation;
using wire::kContentHashAnnotation;
using wire::kGenerationAnnotation;
using wire::kManagedByLabel;
using wire::kManagedByValue;
using wire::kRobotAnnotation;
using wire::kRotatedAtAnnotation;
using wire::kSpecHashAnnotation;
// The alias copy of a binding's Secret is named after it with this suffix.
inline constexpr std::string_view kAliasSuffix = ".alias";

} // namespace harborrobot::namespaceagent
