// HarborRobotCredential records: JSON both ways.
#include "harborrobot/reconcile/credential_record.h"

#include <fmt/format.h>

#include "harborrobot/model/binding.h"
#include "harborrobot/observability/redact.h"
#include "status_times.h"

namespace harborrobot::reconcile {

namespace {

using Json = nlohmann::json;
using detail::putTime;
using detail::timeField;

} // namespace

Json toJson(const NamespaceStatus& state, std::string_view binding) {
  Json json = {{"binding", binding},           {"ready", state.ready},
               {"robotName", state.robotName}, {"secretGeneration", state.secretGeneration},
               {"harbor", state.harbor},       {"aliasActive", state.aliasActive}};
  putTime(json, "activeSince", state.activeSince);
  putTime(json, "lastRefreshTime", state.lastRefreshTime);
  putTime(json, "nextRefreshTime", state.nextRefreshTime);
  putTime(json, "lastReportTime", state.lastReportTime);
  putTime(json, "credentialVerifiedAt", state.credentialVerifiedAt);
  if (!state.reason.empty()) {
    json["reason"] = state.reason;
  }
  if (!state.lastError.empty()) {
    json["lastError"] = state.lastError;
  }
  return json;
}

Json toObject(const CredentialRecord& record) {
  return {{"apiVersion", kBindingApiVersion},
          {"kind", kCredentialKind},
          {"metadata",
           {{"name", record.binding},
            {"namespace", record.state.name},
            {"labels", {{kManagedByLabel, kManagedByValue}, {kBindingUidLabel, record.bindingUid}}},
            {"ownerReferences", Json::array({{{"apiVersion", kBindingApiVersion},
                                              {"kind", kBindingKind},
                                              {"name", record.binding},
                                              {"uid", record.bindingUid}}})}}},
          {"status", toJson(record.state, record.binding)}};
}

Result<CredentialRecord> parseCredentialRecord(const Json& object) {
  const Json metadata = objectField(object, "metadata");
  CredentialRecord record;
  record.binding = stringField(metadata, "name");
  record.state.name = stringField(metadata, "namespace");
  record.bindingUid = stringField(objectField(metadata, "labels"), kBindingUidLabel);
  if (record.binding.empty() || record.state.name.empty() || record.bindingUid.empty()) {
    return makeError(
        ErrorCode::kInvalidArgument,
        fmt::format("{} {}/{}: metadata.name, metadata.namespace and the label {} are required",
                    kCredentialKind, record.state.name, record.binding, kBindingUidLabel));
  }
  const Json status = objectField(object, "status");
  auto& state = record.state;
  state.ready = boolField(status, "ready", false);
  state.robotName = stringField(status, "robotName");
  state.secretGeneration = intField(status, "secretGeneration", 0);
  state.activeSince = timeField(status, "activeSince");
  state.lastRefreshTime = timeField(status, "lastRefreshTime");
  state.nextRefreshTime = timeField(status, "nextRefreshTime");
  state.lastReportTime = timeField(status, "lastReportTime");
  state.credentialVerifiedAt = timeField(status, "credentialVerifiedAt");
  state.harbor = stringField(status, "harbor");
  state.aliasActive = boolField(status, "aliasActive", false);
  state.reason = stringField(status, "reason");
  state.lastError = stringField(status, "lastError");
  return record;
}

void applyReport(NamespaceStatus& state, const NamespaceReport& report, TimePoint now) {
  state.ready = report.ready;
  state.robotName = report.robotName;
  state.lastRefreshTime = report.lastRefreshTime;
  state.nextRefreshTime = report.nextRefreshTime;
  state.aliasActive = report.aliasActive;
  state.credentialVerifiedAt = report.credentialVerifiedAt;
  state.reason = report.ready ? "" : report.reason;
  state.lastError = redactSecrets(report.lastError);
  state.lastReportTime = now;
}

} // namespace harborrobot::reconcile
