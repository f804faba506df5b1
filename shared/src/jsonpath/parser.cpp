// A recursive-descent parser for kubectl's JSONPath templates. Errors name the
// template, the position and what was expected there.
#include "parser.h"

#include <charconv>

#include <fmt/format.h>

namespace harborrobot::jsonpath::internal {

namespace {

class Parser {
public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<std::vector<std::unique_ptr<Segment>>> parse() {
    std::vector<std::unique_ptr<Segment>> segments;
    std::vector<std::vector<std::unique_ptr<Segment>>*> stack = {&segments};
    std::vector<std::unique_ptr<Segment>*> openRanges;
    std::string literal;
    const auto flush = [&] {
      if (!literal.empty()) {
        auto segment = std::make_unique<Segment>();
        segment->type = Segment::Type::kText;
        segment->text = std::move(literal);
        literal.clear();
        stack.back()->push_back(std::move(segment));
      }
    };
    while (pos_ < text_.size()) {
      if (text_[pos_] != '{') {
        literal += text_[pos_++];
        continue;
      }
      flush();
      const std::size_t open = pos_++;
      const auto close = findClose();
      if (!close) {
        return makeError(error(open, "unclosed action", "a closing '}'"));
      }
      const std::string_view action = trim(text_.substr(pos_, *close - pos_));
      const std::size_t actionStart = pos_;
      pos_ = *close + 1;
      if (action == "end") {
        if (openRanges.empty()) {
          return makeError(error(actionStart, "'end' without 'range'", "{range …} before {end}"));
        }
        openRanges.pop_back();
        stack.pop_back();
        continue;
      }
      auto segment = std::make_unique<Segment>();
      segment->source = std::string(action);
      std::string_view expression = action;
      const bool isRange = action.starts_with("range ") || action.starts_with("range\t");
      if (isRange) {
        expression = trim(action.substr(5));
      }
      if (expression.empty()) {
        return makeError(error(actionStart, "empty action", "a path such as .metadata.name"));
      }
      if (!isRange && (expression.front() == '"' || expression.front() == '\'')) {
        auto quoted = parseQuoted(expression, actionStart);
        if (!quoted) {
          return makeError(quoted.error());
        }
        segment->type = Segment::Type::kLiteral;
        segment->text = *quoted;
        stack.back()->push_back(std::move(segment));
        continue;
      }
      auto path = parsePath(expression, actionStart, segment->fromRoot);
      if (!path) {
        return makeError(path.error());
      }
      segment->path = std::move(*path);
      if (isRange) {
        segment->type = Segment::Type::kRange;
        stack.back()->push_back(std::move(segment));
        openRanges.push_back(&stack.back()->back());
        stack.push_back(&stack.back()->back()->body);
      } else {
        segment->type = Segment::Type::kPath;
        stack.back()->push_back(std::move(segment));
      }
    }
    flush();
    if (!openRanges.empty()) {
      return makeError(error(text_.size(), "'range' without 'end'", "{end} after the range body"));
    }
    return segments;
  }

private:
  Error error(std::size_t at, std::string_view problem, std::string_view expected) const {
    return fieldError("jsonpath", text_, fmt::format("{} at position {}", problem, at), expected);
  }

  static std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
      text.remove_suffix(1);
    }
    return text;
  }

  // The '}' closing the action at pos_, skipping quoted strings and brackets.
  std::optional<std::size_t> findClose() const { return findOutsideQuotes(text_, pos_, '}'); }

  Result<std::string> parseQuoted(std::string_view text, std::size_t at) const {
    const char quote = text.front();
    std::string out;
    std::size_t i = 1;
    for (; i < text.size() && text[i] != quote; ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        const char next = text[++i];
        switch (next) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        default:
          out += next;
        }
      } else {
        out += text[i];
      }
    }
    if (i >= text.size() || i + 1 != text.size()) {
      return makeError(error(at, "unterminated or trailing text after a string literal",
                             "a literal such as \"\\n\""));
    }
    return out;
  }

  // A field name ends at '.', '[', or white space; "\." keeps a dot in the name.
  static std::string readName(std::string_view text, std::size_t& i) {
    std::string name;
    while (i < text.size()) {
      const char c = text[i];
      if (c == '\\' && i + 1 < text.size() && text[i + 1] == '.') {
        name += '.';
        i += 2;
        continue;
      }
      if (c == '.' || c == '[' || c == ' ' || c == '\t' || c == ')' || c == '=' || c == '!' ||
          c == '<' || c == '>' || c == ',') {
        break;
      }
      name += c;
      ++i;
    }
    return name;
  }

  Result<Path> parsePath(std::string_view text, std::size_t at, bool& fromRoot) const {
    Path path;
    std::size_t i = 0;
    fromRoot = false;
    if (i < text.size() && (text[i] == '$' || text[i] == '@')) {
      fromRoot = text[i] == '$';
      ++i;
    }
    while (i < text.size()) {
      const char c = text[i];
      if (c == '.') {
        if (i + 1 < text.size() && text[i + 1] == '.') {
          i += 2;
          std::string name = readName(text, i);
          if (name.empty() && i < text.size() && text[i] == '[') {
            name = "*";
          }
          path.push_back({RecursiveStep{name.empty() ? "*" : name}});
          continue;
        }
        ++i;
        std::string name = readName(text, i);
        if (name.empty()) {
          if (i >= text.size() || text[i] == '[') {
            continue; // "." alone, or ".[…]"
          }
          return makeError(error(at + i, "a field name is missing", "e.g. .metadata.name"));
        }
        path.push_back({FieldStep{name}});
      } else if (c == '[') {
        const auto close = matchingBracket(text, i);
        if (!close) {
          return makeError(error(at + i, "unterminated '['", "a closing ']'"));
        }
        auto step = parseBracket(text.substr(i + 1, *close - i - 1), at + i + 1);
        if (!step) {
          return makeError(step.error());
        }
        path.push_back(std::move(*step));
        i = *close + 1;
      } else if (c == '*') {
        path.push_back({WildcardStep{}});
        ++i;
      } else {
        // A bare leading name, as kubectl accepts "{metadata.name}".
        if (!path.empty() || i != 0) {
          return makeError(error(at + i, fmt::format("unexpected character '{}'", c),
                                 "'.', '[' or the end of the action"));
        }
        std::string name = readName(text, i);
        if (name.empty()) {
          return makeError(error(at + i, fmt::format("unexpected character '{}'", c),
                                 "'.', '[' or the end of the action"));
        }
        path.push_back({FieldStep{name}});
      }
    }
    return path;
  }

  static std::optional<std::size_t> matchingBracket(std::string_view text, std::size_t open) {
    return findOutsideQuotes(text, open, ']');
  }

  // The first `close` from `from` on at bracket depth zero, outside quoted
  // strings (where a backslash escapes the next character). For ']' the scan
  // starts at its '[' and finds the one that brings the depth back to zero.
  static std::optional<std::size_t> findOutsideQuotes(std::string_view text, std::size_t from,
                                                      char close) {
    char quote = 0;
    int depth = 0;
    for (std::size_t i = from; i < text.size(); ++i) {
      const char c = text[i];
      if (quote != 0) {
        if (c == '\\') {
          ++i;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '[') {
        ++depth;
      } else if (c == ']') {
        if (--depth == 0 && close == ']') {
          return i;
        }
      } else if (c == close && depth <= 0) {
        return i;
      }
    }
    return std::nullopt;
  }

  static std::optional<std::int64_t> number(std::string_view text) {
    text = trim(text);
    std::int64_t value = 0;
    const auto [end, failure] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (failure != std::errc() || end != text.data() + text.size()) {
      return std::nullopt;
    }
    return value;
  }

  Result<Step> parseBracket(std::string_view inner, std::size_t at) const {
    inner = trim(inner);
    if (inner == "*") {
      return Step{WildcardStep{}};
    }
    if (inner.starts_with("?(") && inner.ends_with(")")) {
      return parseFilter(trim(inner.substr(2, inner.size() - 3)), at + 2);
    }
    if (inner.find(':') != std::string_view::npos && inner.front() != '\'' &&
        inner.front() != '"') {
      SliceStep slice;
      std::vector<std::string_view> parts;
      std::size_t start = 0;
      for (std::size_t i = 0; i <= inner.size(); ++i) {
        if (i == inner.size() || inner[i] == ':') {
          parts.push_back(inner.substr(start, i - start));
          start = i + 1;
        }
      }
      if (parts.size() > 3) {
        return makeError(error(at, "a slice has too many ':'", "[start:end] or [start:end:step]"));
      }
      std::optional<std::int64_t>* targets[] = {&slice.start, &slice.end, &slice.step};
      for (std::size_t p = 0; p < parts.size(); ++p) {
        if (trim(parts[p]).empty()) {
          continue;
        }
        const auto value = number(parts[p]);
        if (!value) {
          return makeError(error(at, "a slice bound is not an integer", "e.g. [0:2]"));
        }
        *targets[p] = *value;
      }
      if (slice.step && *slice.step == 0) {
        return makeError(error(at, "a slice step of 0", "a non-zero step"));
      }
      return Step{slice};
    }
    IndexStep index;
    std::size_t i = 0;
    while (i < inner.size()) {
      while (i < inner.size() && (inner[i] == ' ' || inner[i] == ',')) {
        ++i;
      }
      if (i >= inner.size()) {
        break;
      }
      if (inner[i] == '\'' || inner[i] == '"') {
        const char quote = inner[i];
        std::string key;
        ++i;
        while (i < inner.size() && inner[i] != quote) {
          if (inner[i] == '\\' && i + 1 < inner.size()) {
            ++i;
          }
          key += inner[i++];
        }
        if (i >= inner.size()) {
          return makeError(error(at + i, "unterminated quoted key", "a closing quote"));
        }
        ++i;
        index.keys.emplace_back(std::move(key));
      } else {
        std::size_t end = inner.find(',', i);
        if (end == std::string_view::npos) {
          end = inner.size();
        }
        const auto value = number(inner.substr(i, end - i));
        if (!value) {
          return makeError(error(at + i, "an index is not an integer or quoted key",
                                 "e.g. [0], ['key'] or [*]"));
        }
        index.keys.emplace_back(*value);
        i = end;
      }
    }
    if (index.keys.empty()) {
      return makeError(error(at, "empty brackets", "e.g. [0], ['key'] or [*]"));
    }
    return Step{std::move(index)};
  }

  Result<Operand> parseOperand(std::string_view text, std::size_t at) const {
    text = trim(text);
    Operand operand;
    if (text.empty()) {
      return makeError(error(at, "a filter operand is missing", "e.g. @.type or \"Ready\""));
    }
    if (text.front() == '@' || text.front() == '$') {
      operand.isPath = true;
      auto path = parsePath(text, at, operand.fromRoot);
      if (!path) {
        return makeError(path.error());
      }
      operand.path = std::move(*path);
      return operand;
    }
    if (text.front() == '"' || text.front() == '\'') {
      if (text.size() < 2 || text.back() != text.front()) {
        return makeError(error(at, "unterminated string in a filter", "a closing quote"));
      }
      operand.literal = std::string(text.substr(1, text.size() - 2));
      return operand;
    }
    if (text == "true" || text == "false") {
      operand.literal = text == "true";
      return operand;
    }
    if (const auto value = number(text)) {
      operand.literal = *value;
      return operand;
    }
    const Json parsed = Json::parse(text, nullptr, false);
    if (parsed.is_number()) {
      operand.literal = parsed;
      return operand;
    }
    return makeError(error(at, "a filter operand is neither a path nor a literal",
                           "@.field, a quoted string, a number, true or false"));
  }

  Result<Step> parseFilter(std::string_view expression, std::size_t at) const {
    static constexpr std::string_view kOperators[] = {"==", "!=", "<=", ">=", "<", ">"};
    char quote = 0;
    for (std::size_t i = 0; i < expression.size(); ++i) {
      const char c = expression[i];
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '"' || c == '\'') {
        quote = c;
        continue;
      }
      for (const auto op : kOperators) {
        if (expression.substr(i).starts_with(op)) {
          auto left = parseOperand(expression.substr(0, i), at);
          if (!left) {
            return makeError(left.error());
          }
          auto right = parseOperand(expression.substr(i + op.size()), at + i + op.size());
          if (!right) {
            return makeError(right.error());
          }
          return Step{FilterStep{std::move(*left), std::string(op), std::move(*right)}};
        }
      }
    }
    auto left = parseOperand(expression, at);
    if (!left) {
      return makeError(left.error());
    }
    return Step{FilterStep{std::move(*left), "", {}}};
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

} // namespace

Result<std::vector<std::unique_ptr<Segment>>> parseTemplate(std::string_view text) {
  return Parser(text).parse();
}

} // namespace harborrobot::jsonpath::internal
