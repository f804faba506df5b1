// The metrics registry: one family per name, one series per label-value tuple,
// rendered in Prometheus text exposition format 0.0.4 in a stable order.
#include "harborrobot/observability/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <regex>
#include <variant>

#include <fmt/format.h>

namespace harborrobot::metrics {

namespace {

bool validName(std::string_view name, bool allowColon) {
  static const std::regex metric("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex label("[a-zA-Z_][a-zA-Z0-9_]*");
  return std::regex_match(name.begin(), name.end(), allowColon ? metric : label) &&
         !name.starts_with("__");
}

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

std::string escapeLabelValue(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"') {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string formatValue(double value) {
  if (std::isnan(value)) {
    return "NaN";
  }
  if (std::isinf(value)) {
    return value > 0 ? "+Inf" : "-Inf";
  }
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return fmt::format("{}", static_cast<std::int64_t>(value));
  }
  return fmt::format("{}", value);
}

std::string labelText(const std::vector<std::string>& names, const LabelValues& values,
                      const std::string& extraName = {}, const std::string& extraValue = {}) {
  std::vector<std::string> pairs;
  for (std::size_t i = 0; i < names.size(); ++i) {
    pairs.push_back(fmt::format("{}=\"{}\"", names[i], escapeLabelValue(values[i])));
  }
  if (!extraName.empty()) {
    pairs.push_back(fmt::format("{}=\"{}\"", extraName, extraValue));
  }
  return pairs.empty() ? "" : fmt::format("{{{}}}", fmt::join(pairs, ","));
}

struct HistogramSeries {
  std::vector<std::uint64_t> buckets; // cumulative at render time, per-bucket here
  std::uint64_t count = 0;
  double sum = 0;
};

// Guards an invariant of the caller's code (never of input): a wrong number of
// label values or a decreasing counter is a bug, stopped at once and loudly.
void invariant(bool holds, const std::string& message) {
  if (!holds) {
    std::fprintf(stderr, "harborrobot: metrics invariant broken: %s\n", message.c_str());
    std::abort();
  }
}

// One metric family. Series are keyed by their label values.
class Family final : public Counter, public Gauge, public Histogram {
public:
  Family(std::string name, std::string help, std::string type, std::vector<std::string> labels,
         std::vector<double> bounds = {})
      : name_(std::move(name)), help_(std::move(help)), type_(std::move(type)),
        labels_(std::move(labels)), bounds_(std::move(bounds)) {}

  void inc(const LabelValues& labels, double by) override {
    invariant(by >= 0, fmt::format("counter {} cannot decrease", name_));
    std::lock_guard lock(mutex_);
    values_[checked(labels)] += by;
  }
  void set(double value, const LabelValues& labels) override {
    std::lock_guard lock(mutex_);
    values_[checked(labels)] = value;
  }
  void add(double by, const LabelValues& labels) override {
    std::lock_guard lock(mutex_);
    values_[checked(labels)] += by;
  }
  double value(const LabelValues& labels) const override {
    std::lock_guard lock(mutex_);
    const auto found = values_.find(labels);
    return found == values_.end() ? 0.0 : found->second;
  }
  void observe(double value, const LabelValues& labels) override {
    std::lock_guard lock(mutex_);
    auto& series = histograms_[checked(labels)];
    if (series.buckets.empty()) {
      series.buckets.assign(bounds_.size(), 0);
    }
    for (std::size_t i = 0; i < bounds_.size(); ++i) {
      if (value <= bounds_[i]) {
        ++series.buckets[i];
        break;
      }
    }
    ++series.count;
    series.sum += value;
  }
  std::uint64_t count(const LabelValues& labels) const override {
    std::lock_guard lock(mutex_);
    const auto found = histograms_.find(labels);
    return found == histograms_.end() ? 0 : found->second.count;
  }

  void render(std::string& out) const {
    std::lock_guard lock(mutex_);
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, escapeHelp(help_), name_, type_);
    if (type_ == "histogram") {
      for (const auto& [labels, series] : histograms_) {
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < bounds_.size(); ++i) {
          cumulative += series.buckets[i];
          out += fmt::format("{}_bucket{} {}\n", name_,
                             labelText(labels_, labels, "le", formatValue(bounds_[i])), cumulative);
        }
        out += fmt::format("{}_bucket{} {}\n", name_, labelText(labels_, labels, "le", "+Inf"),
                           series.count);
        out += fmt::format("{}_sum{} {}\n", name_, labelText(labels_, labels),
                           formatValue(series.sum));
        out += fmt::format("{}_count{} {}\n", name_, labelText(labels_, labels), series.count);
      }
      return;
    }
    if (values_.empty() && labels_.empty()) {
      out += fmt::format("{} 0\n", name_);
    }
    for (const auto& [labels, value] : values_) {
      out += fmt::format("{}{} {}\n", name_, labelText(labels_, labels), formatValue(value));
    }
  }

private:
  const LabelValues& checked(const LabelValues& labels) const {
    invariant(labels.size() == labels_.size(),
              fmt::format("metric {} takes {} label values, got {}", name_, labels_.size(),
                          labels.size()));
    return labels;
  }

  std::string name_;
  std::string help_;
  std::string type_;
  std::vector<std::string> labels_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<LabelValues, double> values_;
  std::map<LabelValues, HistogramSeries> histograms_;
};

} // namespace

Counter::~Counter() = default;
Gauge::~Gauge() = default;
Histogram::~Histogram() = default;

struct Registry::Impl {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<Family>> families;

  Result<Family*> add(std::string_view name, std::string_view help, std::string type,
                      std::vector<std::string> labels, std::vector<double> bounds = {}) {
    if (!validName(name, true)) {
      return makeError(fieldError("metric name", name, "is not a valid Prometheus metric name",
                                  "[a-zA-Z_:][a-zA-Z0-9_:]*"));
    }
    for (const auto& label : labels) {
      if (!validName(label, false) || label == "le") {
        return makeError(fieldError(fmt::format("metric {} label", name), label,
                                    "is not a valid label name",
                                    "[a-zA-Z_][a-zA-Z0-9_]*, not le or __*"));
      }
    }
    std::lock_guard lock(mutex);
    if (families.contains(std::string(name))) {
      return makeError(ErrorCode::kAlreadyExists,
                       fmt::format("metric {} is already registered", name));
    }
    auto family = std::make_unique<Family>(std::string(name), std::string(help), std::move(type),
                                           std::move(labels), std::move(bounds));
    Family* raw = family.get();
    families.emplace(std::string(name), std::move(family));
    return raw;
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Result<Counter*> Registry::counter(std::string_view name, std::string_view help,
                                   std::vector<std::string> labelNames) {
  auto family = impl_->add(name, help, "counter", std::move(labelNames));
  if (!family) {
    return makeError(family.error());
  }
  return static_cast<Counter*>(*family);
}

Result<Gauge*> Registry::gauge(std::string_view name, std::string_view help,
                               std::vector<std::string> labelNames) {
  auto family = impl_->add(name, help, "gauge", std::move(labelNames));
  if (!family) {
    return makeError(family.error());
  }
  return static_cast<Gauge*>(*family);
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
  auto family = impl_->add(name, help, "histogram", std::move(labelNames), std::move(buckets));
  if (!family) {
    return makeError(family.error());
  }
  return static_cast<Histogram*>(*family);
}

std::string Registry::render() const {
  std::lock_guard lock(impl_->mutex);
  std::string out;
  for (const auto& [name, family] : impl_->families) {
    family->render(out);
  }
  return out;
}

} // namespace harborrobot::metrics
