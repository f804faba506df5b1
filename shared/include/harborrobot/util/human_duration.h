// kubectl's human-readable age (the AGE column): "20h", "4h1m", "556d", "3y45d".
// Same rules as k8s.io/apimachinery/pkg/util/duration.HumanDuration.
#pragma once

#include <chrono>
#include <string>

namespace harborrobot {

std::string humanDuration(std::chrono::nanoseconds age);

} // namespace harborrobot
