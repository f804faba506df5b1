#include "harborrobot/cli/checklist.h"

#include <fmt/format.h>

namespace harborrobot::cli {

void Checklist::ok(std::string_view check, std::string_view detail) {
  line("OK  ", "32", check, detail, {});
}

void Checklist::warn(std::string_view check, std::string_view detail, std::string_view fix) {
  line("WARN", "33", check, detail, fix);
}

void Checklist::fail(std::string_view check, std::string_view detail, std::string_view fix) {
  ++failures_;
  line("FAIL", "31", check, detail, fix);
}

std::string Checklist::verdict() const {
  return failures_ == 0 ? std::string("No problems found.")
                        : fmt::format("{} problem(s) found.", failures_);
}

void Checklist::line(std::string_view mark, std::string_view ansi, std::string_view check,
                     std::string_view detail, std::string_view fix) {
  write_(fmt::format("[{}] {}: {}\n", paint_(mark, ansi), check, detail));
  if (!fix.empty()) {
    write_(fmt::format("       fix: {}\n", fix));
  }
}

} // namespace harborrobot::cli
