// The watchdog's decisions.
#include "harborrobot/failover/watchdog.h"

namespace harborrobot::failover {

namespace {

std::string_view trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

} // namespace

Condition conditionFromOutput(bool succeeded, std::string_view output) {
  if (!succeeded) {
    return Condition::kInvalid;
  }
  const std::string_view word = trimmed(output);
  if (word == "start") {
    return Condition::kStart;
  }
  if (word == "stop") {
    return Condition::kStop;
  }
  return Condition::kInvalid;
}

Status statusFromOutput(bool succeeded, std::string_view output) {
  if (!succeeded) {
    return Status::kUnknown;
  }
  const std::string_view word = trimmed(output);
  if (word == "started") {
    return Status::kStarted;
  }
  if (word == "stopped") {
    return Status::kStopped;
  }
  return Status::kUnknown;
}

std::string_view conditionName(Condition condition) {
  switch (condition) {
  case Condition::kStart:
    return "start";
  case Condition::kStop:
    return "stop";
  case Condition::kInvalid:
    return "invalid";
  }
  return "invalid";
}

std::string_view statusName(Status status) {
  switch (status) {
  case Status::kStarted:
    return "started";
  case Status::kStopped:
    return "stopped";
  case Status::kUnknown:
    return "unknown";
  }
  return "unknown";
}

std::string_view actionName(Action action) {
  switch (action) {
  case Action::kNone:
    return "none";
  case Action::kRunStatusForStart:
    return "status-before-start";
  case Action::kRunStatusForStop:
    return "status-before-stop";
  case Action::kRunStart:
    return "start";
  case Action::kRunStop:
    return "stop";
  }
  return "none";
}

Action Watchdog::afterCondition(Condition condition) {
  pending_ = Action::kNone;
  switch (condition) {
  case Condition::kStart:
    consecutiveStops_ = 0;
    pending_ = Action::kRunStatusForStart;
    break;
  case Condition::kStop:
    ++consecutiveStops_;
    if (consecutiveStops_ >= threshold_) {
      pending_ = Action::kRunStatusForStop;
    }
    break;
  case Condition::kInvalid:
    break;
  }
  return pending_;
}

Action Watchdog::afterStatus(Status status) {
  const Action asked = pending_;
  pending_ = Action::kNone;
  if (asked == Action::kRunStatusForStart) {
    return status == Status::kStarted ? Action::kNone : Action::kRunStart;
  }
  if (asked == Action::kRunStatusForStop) {
    return status == Status::kStopped ? Action::kNone : Action::kRunStop;
  }
  return Action::kNone;
}

} // namespace harborrobot::failover
