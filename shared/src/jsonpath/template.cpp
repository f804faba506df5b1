// Template: parse once, execute many times (once per namespace for project names,
// once per row for printer columns).
#include "harborrobot/jsonpath/jsonpath.h"
#include "harborrobot/util/json_text.h"

#include <fmt/format.h>

#include "ast.h"
#include "evaluator.h"
#include "parser.h"

namespace harborrobot::jsonpath {

namespace {

using internal::Json;
using internal::Segment;

std::string printed(const Json& value) {
  return value.is_string() ? value.get<std::string>() : jsonText(value);
}

struct Renderer {
  const Json& root;
  bool allowMissingKeys;
  const std::string& source;

  Status render(const std::vector<std::unique_ptr<Segment>>& segments, const Json& current,
                std::string& out) const {
    for (const auto& segment : segments) {
      switch (segment->type) {
      case Segment::Type::kText:
      case Segment::Type::kLiteral:
        out += segment->text;
        break;
      case Segment::Type::kPath: {
        auto evaluation =
            internal::evaluatePath(segment->path, segment->fromRoot ? root : current, root);
        if (evaluation.values.empty() && evaluation.missing && !allowMissingKeys) {
          return makeError(ErrorCode::kNotFound, fmt::format("jsonpath {}: {} is not found", source,
                                                             *evaluation.missing));
        }
        for (std::size_t i = 0; i < evaluation.values.size(); ++i) {
          out += (i == 0 ? "" : " ") + printed(evaluation.values[i]);
        }
        break;
      }
      case Segment::Type::kRange: {
        auto evaluation =
            internal::evaluatePath(segment->path, segment->fromRoot ? root : current, root);
        for (const auto& value : evaluation.values) {
          if (value.is_array()) {
            for (const auto& element : value) {
              if (auto status = render(segment->body, element, out); !status) {
                return status;
              }
            }
          } else if (auto status = render(segment->body, value, out); !status) {
            return status;
          }
        }
        break;
      }
      }
    }
    return ok();
  }

  void collect(const std::vector<std::unique_ptr<Segment>>& segments, const Json& current,
               std::vector<Json>& out) const {
    for (const auto& segment : segments) {
      if (segment->type == Segment::Type::kPath || segment->type == Segment::Type::kRange) {
        auto evaluation =
            internal::evaluatePath(segment->path, segment->fromRoot ? root : current, root);
        if (segment->type == Segment::Type::kPath) {
          for (auto& value : evaluation.values) {
            out.push_back(std::move(value));
          }
          continue;
        }
        for (const auto& value : evaluation.values) {
          if (value.is_array()) {
            for (const auto& element : value) {
              collect(segment->body, element, out);
            }
          } else {
            collect(segment->body, value, out);
          }
        }
      }
    }
  }
};

} // namespace

Template::Template() = default;
Template::~Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;

Result<Template> Template::parse(std::string_view text) {
  auto segments = internal::parseTemplate(text);
  if (!segments) {
    return makeError(segments.error());
  }
  Template parsed;
  parsed.source_ = std::string(text);
  parsed.segments_ = std::move(*segments);
  return parsed;
}

Result<std::string> Template::execute(const nlohmann::json& input, bool allowMissingKeys) const {
  std::string out;
  const Renderer renderer{input, allowMissingKeys, source_};
  if (auto status = renderer.render(segments_, input, out); !status) {
    return makeError(status.error());
  }
  return out;
}

Result<std::vector<nlohmann::json>> Template::values(const nlohmann::json& input) const {
  std::vector<Json> out;
  const Renderer renderer{input, true, source_};
  renderer.collect(segments_, input, out);
  return out;
}

} // namespace harborrobot::jsonpath
