// Prometheus metrics: counters, gauges and histograms with labels, rendered in the
// text exposition format (version 0.0.4) for /metrics. Thread-safe; a registry is
// owned by a role's main and passed down (no global registry).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harborrobot/core/result.h"

namespace harborrobot::metrics {

using LabelValues = std::vector<std::string>;

class Counter {
public:
  virtual ~Counter();
  virtual void inc(const LabelValues& labels = {}, double by = 1.0) = 0;
  virtual double value(const LabelValues& labels = {}) const = 0;
};

class Gauge {
public:
  virtual ~Gauge();
  virtual void set(double value, const LabelValues& labels = {}) = 0;
  virtual void add(double by, const LabelValues& labels = {}) = 0;
  virtual double value(const LabelValues& labels = {}) const = 0;
};

class Histogram {
public:
  virtual ~Histogram();
  virtual void observe(double value, const LabelValues& labels = {}) = 0;
  virtual std::uint64_t count(const LabelValues& labels = {}) const = 0;
};

class Registry {
public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Names and label names are validated ([a-zA-Z_:][a-zA-Z0-9_:]*); registering a
  // name twice is an error naming it. The returned references live as long as the
  // registry.
  [[nodiscard]] Result<Counter*> counter(std::string_view name, std::string_view help,
                                         std::vector<std::string> labelNames = {});
  [[nodiscard]] Result<Gauge*> gauge(std::string_view name, std::string_view help,
                                     std::vector<std::string> labelNames = {});
  [[nodiscard]] Result<Histogram*> histogram(std::string_view name, std::string_view help,
                                             std::vector<double> buckets,
                                             std::vector<std::string> labelNames = {});

  std::string render() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace harborrobot::metrics
