// Harbor's rules for robot accounts (NOTES.md §3, §4), as pure functions: the
// checks of POST /robots in Harbor's order, the valid (resource, action)
// pairs per version, secret generation and the `q` query language of
// GET /robots. The HTTP layer only wires them.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harbor_error.h"

namespace harborrobot::harborsim {

// A Harbor minor release whose behaviour the simulator reproduces (12..15).
struct HarborVersion {
  int minor = 15;
  int patch = 0;
  bool atLeast(int wantedMinor, int wantedPatch = 0) const {
    return minor > wantedMinor || (minor == wantedMinor && patch >= wantedPatch);
  }
};

struct RobotAccess {
  std::string resource;
  std::string action;
  std::string effect;
  bool operator==(const RobotAccess&) const = default;
};

struct RobotPermission {
  std::string kind; // "project" or "system"
  std::string ns;   // project name, "*" or "/"
  std::vector<RobotAccess> access;
};

struct RobotRequest {
  std::string name;
  std::string description;
  std::string level; // "project" or "system"
  std::int64_t duration = 0;
  bool durationGiven = false;
  bool disable = false;
  std::vector<RobotPermission> permissions;
};

// Parses and checks a POST/PUT /robots body: steps 1–3 of NOTES §3 (name,
// duration, structure and the §4 pairs). A JSON type error is a 422.
HarborResult<RobotRequest> parseRobotRequest(const nlohmann::json& body,
                                             const HarborVersion& version, bool forUpdate);

// Whether (kind, resource, action) is in the §4 list of `version`.
bool validRobotPair(const HarborVersion& version, const std::string& kind,
                    const std::string& resource, const std::string& action);

// Step 5 of NOTES §3 (2.12+): a robot creating a robot may hand out only what
// it holds. Each wanted (kind, namespace) must be one of the creator's (or the
// creator's namespace is "*", from 2.12.1), and each resource:action:effect
// must literally be in it. 2.12.0–2.14.0 refused every project robot made by
// a system robot.
bool withinCreatorScope(const HarborVersion& version, const std::string& creatorLevel,
                        const std::vector<RobotPermission>& creator, const std::string& wantedLevel,
                        const std::vector<RobotPermission>& wanted);

// 32 characters of [A-Za-z0-9] with at least one lower, upper and digit;
// `randomByte` supplies entropy (tests make it deterministic).
std::string generateRobotSecret(const std::function<unsigned char()>& randomByte);
// A caller-supplied secret: 8–128 characters with upper, lower and a digit.
bool acceptableRobotSecret(const std::string& secret);

// `q` of GET /robots after its second URL-decoding: "k=v,k=~v,k=[a~b],k={a b},k=(a b)",
// parsed as src/lib/q/builder.go parseKeywords does (its 400 messages
// included). A range's values are {min, max}, "" for an open end.
struct QueryTerm {
  std::string key;
  enum class Match { kExact, kFuzzy, kRange, kAnyOf, kAllOf } match = Match::kExact;
  std::vector<std::string> values;
};
HarborResult<std::vector<QueryTerm>> parseRobotQuery(const std::string& q);

// Percent-decoding, applied twice to `q` by Harbor (so "+" must arrive as %252B).
std::string urlDecode(const std::string& text);

} // namespace harborrobot::harborsim
