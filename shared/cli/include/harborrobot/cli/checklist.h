// `kubectl harborrobot doctor`'s output: one line per check, OK, WARN or FAIL,
// and on a problem the fix to try.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace harborrobot::cli {

class Checklist {
public:
  // `paint(text, ansi)` colours the mark (or not); `write` receives each line.
  using Painter = std::function<std::string(std::string_view text, std::string_view ansi)>;
  using Writer = std::function<void(std::string_view line)>;
  Checklist(Painter paint, Writer write) : paint_(std::move(paint)), write_(std::move(write)) {}

  void ok(std::string_view check, std::string_view detail);
  void warn(std::string_view check, std::string_view detail, std::string_view fix = {});
  void fail(std::string_view check, std::string_view detail, std::string_view fix);
  int failures() const { return failures_; }
  // "No problems found." or "N problem(s) found."
  std::string verdict() const;

private:
  void line(std::string_view mark, std::string_view ansi, std::string_view check,
            std::string_view detail, std::string_view fix);
  Painter paint_;
  Writer write_;
  int failures_ = 0;
};

} // namespace harborrobot::cli
