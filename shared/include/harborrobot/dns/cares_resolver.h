// The real resolver: c-ares, asking the system's configured DNS servers
// (/etc/resolv.conf) or an explicit list, so an agent sees what its pods see.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "harborrobot/dns/resolver.h"

namespace harborrobot::dns {

struct ResolverOptions {
  // "127.0.0.1:5353", "[::1]:53", "10.96.0.10"; empty = the system configuration.
  std::vector<std::string> servers{};
  std::chrono::milliseconds timeout{2000}; // per try
  int tries = 2;
};

class CaresResolver final : public Resolver {
public:
  [[nodiscard]] static Result<std::unique_ptr<CaresResolver>> create(ResolverOptions options);
  ~CaresResolver() override;
  CaresResolver(const CaresResolver&) = delete;
  CaresResolver& operator=(const CaresResolver&) = delete;

  // IP literals are returned as they are, without a query. Safe to call from
  // several threads; queries are serialised on one channel.
  [[nodiscard]] Result<std::vector<std::string>> resolve(std::string_view host) override;

private:
  struct Impl;
  explicit CaresResolver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

} // namespace harborrobot::dns
