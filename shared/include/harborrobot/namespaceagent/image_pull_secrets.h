// A ServiceAccount's imagePullSecrets brought in line with the Secrets a
// namespace agent wants there, leaving everyone else's entries alone.
#pragma once

#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace harborrobot::namespaceagent {

// The new imagePullSecrets: every entry of `currentList` that is neither wanted
// nor one of `ourSecrets` (Secrets we generated), in its place and as it is, then
// `wanted` in its order as {"name": …}. So ours no longer wanted go, others stay,
// and the list does not depend on the order things happened in. Each name comes
// once (the first entry of it); an entry without a string name counts as the
// name "". A `currentList` that is not an array counts as empty.
nlohmann::json mergeImagePullSecrets(const nlohmann::json& currentList,
                                     const std::vector<std::string>& wanted,
                                     const std::set<std::string>& ourSecrets);

} // namespace harborrobot::namespaceagent
