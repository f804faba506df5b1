// Output formats and tables.
#include "harborrobot/cli/output.h"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "harborrobot/util/human_duration.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/json_to_yaml.h"
#include "harborrobot/util/rfc3339.h"

namespace harborrobot::cli {

Result<OutputFormat> parseOutputFormat(std::string_view value) {
  if (value.empty()) {
    return OutputFormat::kText;
  }
  if (value == "yaml") {
    return OutputFormat::kYaml;
  }
  if (value == "json") {
    return OutputFormat::kJson;
  }
  return makeError(fieldError("--output", value, "is not an output format", "yaml or json"));
}

std::string formatObject(const nlohmann::json& object, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    return object.dump(4, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  return jsonToYaml(object);
}

std::string formatObjects(const std::vector<nlohmann::json>& objects, OutputFormat format) {
  if (format == OutputFormat::kJson) {
    return formatObject({{"apiVersion", "v1"},
                         {"kind", "List"},
                         {"items", objects},
                         {"metadata", nlohmann::json::object()}},
                        format);
  }
  std::string text;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) {
      text += "---\n";
    }
    text += jsonToYaml(objects[i]);
  }
  return text;
}

std::string formatTable(const std::vector<std::string>& headers,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t column = 0; column < headers.size(); ++column) {
    widths[column] = headers[column].size();
    for (const auto& row : rows) {
      if (column < row.size()) {
        widths[column] = std::max(widths[column], row[column].size());
      }
    }
  }
  std::string text;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t column = 0; column < headers.size(); ++column) {
      const std::string cell = column < cells.size() ? cells[column] : "";
      out += column + 1 == headers.size() ? cell : fmt::format("{:<{}}   ", cell, widths[column]);
    }
    while (!out.empty() && out.back() == ' ') {
      out.pop_back();
    }
    text += out + "\n";
  };
  line(headers);
  for (const auto& row : rows) {
    line(row);
  }
  return text;
}

std::string ageOf(std::string_view rfc3339) {
  auto when = parseRfc3339(rfc3339, "time");
  if (!when) {
    return "<unknown>";
  }
  const auto elapsed = std::chrono::system_clock::now() - *when;
  return humanDuration(std::chrono::duration_cast<std::chrono::seconds>(
      elapsed < decltype(elapsed)::zero() ? decltype(elapsed)::zero() : elapsed));
}

std::string describeObject(const nlohmann::json& object) {
  std::string kind = stringField(object, "kind");
  std::transform(kind.begin(), kind.end(), kind.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return fmt::format("{}/{}", kind, stringField(objectField(object, "metadata"), "name"));
}

} // namespace harborrobot::cli
