// HarborRobotCredential records: what the hub writes, it reads back; a record
// someone broke by hand loses the broken field only; a foreign object is refused.
#include "harborrobot/reconcile/credential_record.h"

#include <gtest/gtest.h>

namespace harborrobot::reconcile {
namespace {

using namespace std::chrono;

const TimePoint kStart = sys_days(year(2026) / 11 / 24) + hours(9);

CredentialRecord sample() {
  CredentialRecord record{"harbor-secret-for-team", "0b9c2d1e-uid", NamespaceStatus{}};
  record.state.name = "team-ns1";
  record.state.ready = true;
  record.state.robotName = "harbor-secret-for-team-team-ns1-2";
  record.state.secretGeneration = 2;
  record.state.activeSince = kStart;
  record.state.lastRefreshTime = kStart;
  record.state.nextRefreshTime = kStart + hours(6);
  record.state.harbor = "https://harbor.example.com";
  return record;
}

TEST(CredentialRecordTest, TheObjectRoundTripsAndNamesItsBinding) {
  const CredentialRecord record = sample();
  const auto object = toObject(record);
  EXPECT_EQ(object["kind"], "HarborRobotCredential");
  EXPECT_EQ(object["metadata"]["name"], "harbor-secret-for-team");
  EXPECT_EQ(object["metadata"]["namespace"], "team-ns1");
  EXPECT_EQ(object["metadata"]["labels"][std::string(kBindingUidLabel)], "0b9c2d1e-uid");
  EXPECT_EQ(object["metadata"]["ownerReferences"][0]["uid"], "0b9c2d1e-uid")
      << "the garbage collector removes the records of a deleted binding";
  EXPECT_EQ(object["status"]["binding"], "harbor-secret-for-team");
  EXPECT_FALSE(object.contains("spec")) << "a record carries nothing that steers the hub";
  auto parsed = parseCredentialRecord(object);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_EQ(parsed->binding, record.binding);
  EXPECT_EQ(parsed->bindingUid, record.bindingUid);
  EXPECT_EQ(parsed->state, record.state);
}

TEST(CredentialRecordTest, AHandBrokenFieldIsDroppedNotTheRecord) {
  auto object = toObject(sample());
  object["status"]["lastRefreshTime"] = "yesterday";
  object["status"]["secretGeneration"] = "two";
  auto parsed = parseCredentialRecord(object);
  ASSERT_TRUE(parsed) << parsed.error().message();
  EXPECT_FALSE(parsed->state.lastRefreshTime);
  EXPECT_EQ(parsed->state.secretGeneration, 0);
  EXPECT_TRUE(parsed->state.ready);
}

TEST(CredentialRecordTest, AnObjectWithoutTheBindingUidIsNotARecord) {
  auto object = toObject(sample());
  object["metadata"].erase("labels");
  auto parsed = parseCredentialRecord(object);
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message().find("harborrobot.io/binding-uid"), std::string::npos)
      << parsed.error().message();
  EXPECT_NE(parsed.error().message().find("team-ns1/harbor-secret-for-team"), std::string::npos)
      << parsed.error().message();
}

TEST(CredentialRecordTest, AReportIsFoldedInWithItsErrorRedacted) {
  NamespaceStatus state{.name = "team-ns1"};
  NamespaceReport report;
  report.ready = false;
  report.reason = "RotationFailed";
  report.lastError = "POST https://admin:Pa55w0rd@harbor.example.com/api failed";
  applyReport(state, report, kStart);
  EXPECT_EQ(state.reason, "RotationFailed");
  EXPECT_EQ(state.lastReportTime, kStart);
  EXPECT_EQ(state.lastError.find("Pa55w0rd"), std::string::npos) << state.lastError;
}

} // namespace
} // namespace harborrobot::reconcile
