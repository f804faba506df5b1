// RFC 3339 timestamps as Kubernetes writes them (second precision, UTC, "Z").
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace harborrobot::kubesim {

std::string formatTimestamp(std::chrono::system_clock::time_point time);
std::string nowTimestamp();
std::optional<std::chrono::system_clock::time_point> parseTimestamp(const std::string& text);

} // namespace harborrobot::kubesim
