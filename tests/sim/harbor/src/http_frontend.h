// The simulator's HTTP side (Poco): one host:port serving the Harbor API, the
// token service and /v2/ in front of the registry, as Harbor's nginx does;
// plus /_sim/, the test-only admin endpoint (faults, request log, snapshot),
// which needs the Harbor admin's Basic credentials.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>

#include <filesystem>
#include <functional>

#include "fault_plan.h"
#include "harbor_api.h"
#include "registry_upstream.h"
#include "request_log.h"

namespace harborrobot::harborsim {

struct Frontend {
  HarborApi& api;
  FaultPlan& faults;
  RequestLog& log;
  const RegistryUpstream* registry = nullptr;               // null: /v2/ answers 503
  std::function<std::optional<std::string>()> saveSnapshot; // null: no --snapshot
};

class FrontendHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory {
public:
  explicit FrontendHandlerFactory(Frontend frontend) : frontend_(std::move(frontend)) {}
  Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override;

private:
  Frontend frontend_;
};

} // namespace harborrobot::harborsim
