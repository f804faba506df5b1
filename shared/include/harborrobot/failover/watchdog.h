// The decision flow of the DR guide's watchdog, as a pure state machine. Each check
// runs the condition script; its outcome may call for the status script; the
// status outcome may call for the start or stop script.
//
//   condition "start"  → status → start script unless "started"
//   condition "stop"   → (after failure_threshold consecutive "stop") status →
//                        stop script unless "stopped"
//   condition failed or printed anything else → nothing runs
//
// "start" ends a streak of "stop"; a failed check neither extends nor ends it.
// A status script that fails or prints anything but started/stopped/unknown
// counts as "unknown", which (as the DR guide's flowchart draws it) does not skip the
// start or stop script.
#pragma once

#include <string>
#include <string_view>

namespace harborrobot::failover {

enum class Condition { kStart, kStop, kInvalid };
enum class Status { kStarted, kStopped, kUnknown };
enum class Action { kNone, kRunStatusForStart, kRunStatusForStop, kRunStart, kRunStop };

// Script output is trimmed of surrounding white space; only an exact word counts.
Condition conditionFromOutput(bool succeeded, std::string_view output);
Status statusFromOutput(bool succeeded, std::string_view output);

std::string_view conditionName(Condition condition);
std::string_view statusName(Status status);
std::string_view actionName(Action action);

class Watchdog {
public:
  explicit Watchdog(int failureThreshold) : threshold_(failureThreshold) {}

  // After the condition script: kNone, kRunStatusForStart or kRunStatusForStop.
  Action afterCondition(Condition condition);
  // After the status script that afterCondition asked for: kNone, kRunStart or kRunStop.
  Action afterStatus(Status status);

  int consecutiveStops() const { return consecutiveStops_; }

private:
  int threshold_;
  int consecutiveStops_ = 0;
  Action pending_ = Action::kNone;
};

} // namespace harborrobot::failover
