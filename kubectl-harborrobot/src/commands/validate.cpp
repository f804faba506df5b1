// `kubectl harborrobot validate -f FILE…`: the core's own parsers over bindings
// and connection Secrets, offline, for CI pipelines and GitOps repositories.
// Other kinds are skipped (a repository holds more than our objects).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include <fmt/format.h>

#include "commands.h"

#include "harborrobot/model/binding.h"
#include "harborrobot/model/connection.h"
#include "harborrobot/util/json_text.h"
#include "harborrobot/util/yaml_json.h"

namespace harborrobot::cli {

namespace {

struct Tally {
  int bindings = 0;
  int connections = 0;
  int skipped = 0;
  int errors = 0;
};

void report(const Session& session, const std::string& where, const Error& error, Tally& tally) {
  ++tally.errors;
  std::fprintf(stderr, "%s %s: %s\n", session.paint("error:", "31", stderr).c_str(), where.c_str(),
               error.message().c_str());
}

void validateDocument(const Session& session, const std::string& where, const kube::Json& document,
                      Tally& tally) {
  const std::string kind = stringField(document, "kind");
  const auto metadata = objectField(document, "metadata");
  const std::string label = fmt::format("{} ({} {})", where, kind.empty() ? "<no kind>" : kind,
                                        stringField(metadata, "name", "<no name>"));
  if (kind == kBindingKind) {
    ++tally.bindings;
    if (auto parsed = parseBinding(document); !parsed) {
      report(session, label, parsed.error(), tally);
    }
    return;
  }
  const bool connection =
      kind == "Secret" && stringField(objectField(metadata, "labels"), kConnectionLabel) == "true";
  if (connection) {
    ++tally.connections;
    if (auto parsed = parseConnectionSecret(document); !parsed) {
      report(session, label, parsed.error(), tally);
    }
    return;
  }
  ++tally.skipped;
}

int runValidate(CommandContext context, const std::vector<std::string>& files) {
  const auto& session = context.session;
  Tally tally;
  for (const auto& file : files) {
    std::string text;
    if (file == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::ifstream in(file, std::ios::binary);
      if (!in) {
        report(session, file, Error(ErrorCode::kNotFound, "cannot be read"), tally);
        continue;
      }
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    auto documents = yamlDocumentsToJson(text);
    if (!documents) {
      report(session, file, documents.error(), tally);
      continue;
    }
    for (std::size_t i = 0; i < documents->size(); ++i) {
      const auto& document = (*documents)[i];
      const std::string where = fmt::format("{}: document {}", file, i + 1);
      if (stringField(document, "kind") == "List") {
        const auto items = document.value("items", kube::Json::array());
        for (std::size_t j = 0; j < items.size(); ++j) {
          validateDocument(session, fmt::format("{} item {}", where, j + 1), items[j], tally);
        }
      } else {
        validateDocument(session, where, document, tally);
      }
    }
  }
  std::printf("%d binding(s) and %d connection Secret(s) checked, %d other object(s) skipped: "
              "%d error(s)\n",
              tally.bindings, tally.connections, tally.skipped, tally.errors);
  return tally.errors == 0 ? 0 : kExitFailure;
}

} // namespace

void registerValidateCommand(CLI::App& app, CommandContext context) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* validate = app.add_subcommand(
      "validate", "Check binding and connection manifests offline (for CI and GitOps)");
  validate->group("Setup Commands");
  validate->add_option("-f,--filename", *files, "Files to check; - for stdin")->required();
  validate->callback([context, files] { context.exitCode = runValidate(context, *files); });
}

} // namespace harborrobot::cli
