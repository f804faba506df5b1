// Fuzzes the JSONPath parser and evaluator: the first line of the input is the
// template, the rest a JSON document (or a fixed one when it is not JSON).
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "harborrobot/jsonpath/jsonpath.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  const std::string_view text = input.substr(0, newline);
  auto document = nlohmann::json::parse(
      newline == std::string_view::npos ? std::string_view("{}") : input.substr(newline + 1),
      nullptr, false);
  if (document.is_discarded()) {
    document = nlohmann::json::parse(
        R"({"metadata":{"name":"n","labels":{"a.b/c":"d"}},"items":[1,{"x":2}]})");
  }
  const auto parsed = harborrobot::jsonpath::Template::parse(text);
  if (parsed) {
    (void)parsed->execute(document, false);
    (void)parsed->execute(document, true);
    (void)parsed->values(document);
  }
  return 0;
}
