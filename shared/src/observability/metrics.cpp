// The metrics registry over prometheus-cpp's core (Debian's prometheus-cpp-dev):
// its families hold the series and its TextSerializer writes the exposition
// format; this file keeps harborrobot's interface (label values by position,
// errors as values, registering a name twice refused) on top.
#include "harborrobot/observability/metrics.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <prometheus/check_names.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace harborrobot::metrics {

namespace {

// Guards an invariant of the caller's code (never of input): a wrong number of
// label values or a decreasing counter is a bug, stopped at once and loudly.
void invariant(bool holds, const std::string& message) {
  if (!holds) {
    std::fprintf(stderr, "harborrobot: metrics invariant broken: %s\n", message.c_str());
    std::abort();
  }
}

// The exposition format escapes backslash and newline in HELP; prometheus-cpp
// 1.0.1's TextSerializer writes help verbatim, so it is given escaped text.
std::string escapeHelp(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Label values by position become prometheus-cpp's name → value map. A wrong
// count is a programming error in the caller, never input.
prometheus::Labels labelMap(const std::string& metric, const std::vector<std::string>& names,
                            const LabelValues& values) {
  invariant(values.size() == names.size(), fmt::format("metric {} takes {} label values, got {}",
                                                       metric, names.size(), values.size()));
  prometheus::Labels labels;
  for (std::size_t i = 0; i < names.size(); ++i) {
    labels.emplace(names[i], values[i]);
  }
  return labels;
}

class CounterFamily final : public Counter {
public:
  CounterFamily(prometheus::Family<prometheus::Counter>& family, std::string name,
                std::vector<std::string> labels)
      : family_(family), name_(std::move(name)), labels_(std::move(labels)) {
    if (labels_.empty()) {
      family_.Add({}); // an unlabelled counter shows 0 before its first increment
    }
  }
  void inc(const LabelValues& labels, double by) override {
    invariant(by >= 0, fmt::format("counter {} cannot decrease", name_));
    family_.Add(labelMap(name_, labels_, labels)).Increment(by);
  }
  double value(const LabelValues& labels) const override {
    const auto key = labelMap(name_, labels_, labels);
    return family_.Has(key) ? family_.Add(key).Value() : 0.0;
  }

private:
  prometheus::Family<prometheus::Counter>& family_;
  std::string name_;
  std::vector<std::string> labels_;
};

class GaugeFamily final : public Gauge {
public:
  GaugeFamily(prometheus::Family<prometheus::Gauge>& family, std::string name,
              std::vector<std::string> labels)
      : family_(family), name_(std::move(name)), labels_(std::move(labels)) {
    if (labels_.empty()) {
      family_.Add({});
    }
  }
  void set(double value, const LabelValues& labels) override {
    family_.Add(labelMap(name_, labels_, labels)).Set(value);
  }
  void add(double by, const LabelValues& labels) override {
    family_.Add(labelMap(name_, labels_, labels)).Increment(by);
  }
  double value(const LabelValues& labels) const override {
    const auto key = labelMap(name_, labels_, labels);
    return family_.Has(key) ? family_.Add(key).Value() : 0.0;
  }

private:
  prometheus::Family<prometheus::Gauge>& family_;
  std::string name_;
  std::vector<std::string> labels_;
};

class HistogramFamily final : public Histogram {
public:
  HistogramFamily(prometheus::Family<prometheus::Histogram>& family, std::string name,
                  std::vector<std::string> labels, std::vector<double> bounds)
      : family_(family), name_(std::move(name)), labels_(std::move(labels)),
        bounds_(std::move(bounds)) {
    if (labels_.empty()) {
      family_.Add({}, bounds_);
    }
  }
  void observe(double value, const LabelValues& labels) override {
    family_.Add(labelMap(name_, labels_, labels), bounds_).Observe(value);
  }
  std::uint64_t count(const LabelValues& labels) const override {
    const auto key = labelMap(name_, labels_, labels);
    if (!family_.Has(key)) {
      return 0;
    }
    return family_.Add(key, bounds_).Collect().histogram.sample_count;
  }

private:
  prometheus::Family<prometheus::Histogram>& family_;
  std::string name_;
  std::vector<std::string> labels_;
  prometheus::Histogram::BucketBoundaries bounds_;
};

} // namespace

Counter::~Counter() = default;
Gauge::~Gauge() = default;
Histogram::~Histogram() = default;

struct Registry::Impl {
  prometheus::Registry registry;
  std::mutex mutex;
  std::set<std::string, std::less<>> names;
  std::vector<std::unique_ptr<Counter>> counters;
  std::vector<std::unique_ptr<Gauge>> gauges;
  std::vector<std::unique_ptr<Histogram>> histograms;

  // prometheus-cpp throws on invalid names and merges a repeated one; both are
  // answered here first, as values with the name in the message.
  Status claim(std::string_view name, const std::vector<std::string>& labels) {
    if (!prometheus::CheckMetricName(std::string(name))) {
      return makeError(fieldError("metric name", name, "is not a valid Prometheus metric name",
                                  "[a-zA-Z_:][a-zA-Z0-9_:]*"));
    }
    for (const auto& label : labels) {
      if (!prometheus::CheckLabelName(label) || label == "le") {
        return makeError(fieldError(fmt::format("metric {} label", name), label,
                                    "is not a valid label name",
                                    "[a-zA-Z_][a-zA-Z0-9_]*, not le or __*"));
      }
    }
    if (!names.emplace(name).second) {
      return makeError(ErrorCode::kAlreadyExists,
                       fmt::format("metric {} is already registered", name));
    }
    return ok();
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Result<Counter*> Registry::counter(std::string_view name, std::string_view help,
                                   std::vector<std::string> labelNames) {
  std::lock_guard lock(impl_->mutex);
  if (auto claimed = impl_->claim(name, labelNames); !claimed) {
    return makeError(claimed.error());
  }
  auto& family = prometheus::BuildCounter()
                     .Name(std::string(name))
                     .Help(escapeHelp(help))
                     .Register(impl_->registry);
  impl_->counters.push_back(
      std::make_unique<CounterFamily>(family, std::string(name), std::move(labelNames)));
  return impl_->counters.back().get();
}

Result<Gauge*> Registry::gauge(std::string_view name, std::string_view help,
                               std::vector<std::string> labelNames) {
  std::lock_guard lock(impl_->mutex);
  if (auto claimed = impl_->claim(name, labelNames); !claimed) {
    return makeError(claimed.error());
  }
  auto& family = prometheus::BuildGauge()
                     .Name(std::string(name))
                     .Help(escapeHelp(help))
                     .Register(impl_->registry);
  impl_->gauges.push_back(
      std::make_unique<GaugeFamily>(family, std::string(name), std::move(labelNames)));
  return impl_->gauges.back().get();
}

Result<Histogram*> Registry::histogram(std::string_view name, std::string_view help,
                                       std::vector<double> buckets,
                                       std::vector<std::string> labelNames) {
  if (buckets.empty() || !std::is_sorted(buckets.begin(), buckets.end()) ||
      std::adjacent_find(buckets.begin(), buckets.end()) != buckets.end()) {
    return makeError(fieldErrorWithoutValue(fmt::format("metric {} buckets", name),
                                            "are empty or not strictly increasing",
                                            "e.g. {0.01, 0.1, 1, 10}"));
  }
  std::lock_guard lock(impl_->mutex);
  if (auto claimed = impl_->claim(name, labelNames); !claimed) {
    return makeError(claimed.error());
  }
  auto& family = prometheus::BuildHistogram()
                     .Name(std::string(name))
                     .Help(escapeHelp(help))
                     .Register(impl_->registry);
  impl_->histograms.push_back(std::make_unique<HistogramFamily>(
      family, std::string(name), std::move(labelNames), std::move(buckets)));
  return impl_->histograms.back().get();
}

std::string Registry::render() const {
  return prometheus::TextSerializer().Serialize(impl_->registry.Collect());
}

} // namespace harborrobot::metrics
