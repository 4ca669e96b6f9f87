// SPDX-License-Identifier: MIT
#include "models/schema/distributions.hpp"

#include <cmath>
#include <type_traits>
#include <variant>

#include "models/schema/diagnostics.hpp"

namespace mhsim::schema {

namespace dist = engine::dist;

std::string_view parameters_of(std::size_t family) {
  static constexpr std::array<std::string_view, 8> kText = {
      "mean or rate", "value", "min, max", "min, mode, max", "shape and scale, or mean and cv", "k, mean", "mean, sd",
      "shape, scale"};
  return family < kText.size() ? kText[family] : std::string_view();
}

namespace {
std::optional<engine::Distribution> construct(const DistParams& d, const std::function<bool(std::string_view)>& present,
                                              const Report& report);
}  // namespace

std::optional<engine::Distribution> build(const DistParams& d, const std::function<bool(std::string_view)>& present,
                                          const Report& report) {
  std::optional<engine::Distribution> out = construct(d, present, report);
  if (out && !out->well_defined()) {
    const auto text = [](double x) {
      return std::isnan(x) ? std::string("undefined") : std::isinf(x) ? std::string("infinite") : number_text(x);
    };
    report("", "parameters that together give a finite mean and variance (and finite draws)",
           out->describe() + ", with mean " + text(out->mean()) + " and variance " + text(out->variance()));
    return std::nullopt;
  }
  return out;
}

namespace {
std::optional<engine::Distribution> construct(const DistParams& d, const std::function<bool(std::string_view)>& present,
                                              const Report& report) {
  const std::string f(kDistributionNames[d.family]);
  // A parameter the family needs: a number when written correctly; reported when absent.
  const auto need = [&](const std::optional<double>& v, std::string_view key) {
    if (!v && !present(key)) report("", "a \"" + std::string(key) + "\" parameter for the " + f + " distribution", "none");
    return v.has_value();
  };
  switch (d.family) {
    case 0: {
      const bool has_mean = present("mean"), has_rate = present("rate");
      if (has_mean == has_rate) {
        report("", "exactly one of \"mean\" or \"rate\" for the exponential distribution", has_mean ? "both" : "neither");
        return std::nullopt;
      }
      if (has_mean) return d.mean ? std::optional<engine::Distribution>(dist::Exponential{*d.mean}) : std::nullopt;
      if (!d.rate) return std::nullopt;
      return engine::Distribution(dist::Exponential{1.0 / *d.rate, *d.rate});
    }
    case 1:
      if (!need(d.value, "value")) return std::nullopt;
      return engine::Distribution(dist::Deterministic{*d.value});
    case 2: {
      const bool lo = need(d.min, "min"), hi = need(d.max, "max");
      if (!lo || !hi) return std::nullopt;
      return engine::Distribution(dist::Uniform{*d.min, *d.max});
    }
    case 3: {
      const bool lo = need(d.min, "min"), mode = need(d.mode, "mode"), hi = need(d.max, "max");
      if (!lo || !mode || !hi) return std::nullopt;
      return engine::Distribution(dist::Triangular{*d.min, *d.mode, *d.max});
    }
    case 4: {
      const bool by_moments = present("mean") || present("cv"), by_shape = present("shape") || present("scale");
      if (by_moments == by_shape) {
        report("", "either \"shape\" and \"scale\", or \"mean\" and \"cv\", for the gamma distribution",
               by_moments ? "both kinds" : "neither");
        return std::nullopt;
      }
      if (by_moments) {
        const bool m = need(d.mean, "mean"), cv = need(d.cv, "cv");
        if (!m || !cv) return std::nullopt;
        return engine::Distribution(dist::Gamma{1.0 / (*d.cv * *d.cv), *d.mean * *d.cv * *d.cv, *d.mean, *d.cv});
      }
      const bool k = need(d.shape, "shape"), s = need(d.scale, "scale");
      if (!k || !s) return std::nullopt;
      return engine::Distribution(dist::Gamma{*d.shape, *d.scale});
    }
    case 5: {
      if (!d.k && !present("k")) report("", "a \"k\" parameter for the erlang distribution", "none");
      const bool m = need(d.mean, "mean");
      if (!d.k || !m) return std::nullopt;
      return engine::Distribution(dist::Erlang{static_cast<int>(*d.k), *d.mean});
    }
    case 6: {
      const bool m = need(d.mean, "mean"), sd = need(d.sd, "sd");
      if (!m || !sd) return std::nullopt;
      return engine::Distribution(dist::Lognormal{*d.mean, *d.sd});
    }
    default: {
      const bool k = need(d.shape, "shape"), s = need(d.scale, "scale");
      if (!k || !s) return std::nullopt;
      return engine::Distribution(dist::Weibull{*d.shape, *d.scale});
    }
  }
}

}  // namespace

void check_relations(const DistParams& d, const Report& report) {
  if ((d.family != 2 && d.family != 3) || !d.min || !d.max) return;
  if (!(*d.min < *d.max)) {
    report("max", "max > min (" + number_text(*d.min) + ")", number_text(*d.max));
  } else if (d.family == 3 && d.mode && (*d.mode < *d.min || *d.mode > *d.max)) {
    report("mode", "min <= mode <= max (" + number_text(*d.min) + " to " + number_text(*d.max) + ")",
           number_text(*d.mode));
  }
}

DistParams written_params(const engine::Distribution& dist) {
  DistParams d;
  d.family = dist.variant().index();
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, dist::Exponential>) {
          if (x.rate > 0) d.rate = x.rate;
          else d.mean = x.mean;
        } else if constexpr (std::is_same_v<T, dist::Deterministic>) {
          d.value = x.value;
        } else if constexpr (std::is_same_v<T, dist::Uniform>) {
          d.min = x.min;
          d.max = x.max;
        } else if constexpr (std::is_same_v<T, dist::Triangular>) {
          d.min = x.min;
          d.mode = x.mode;
          d.max = x.max;
        } else if constexpr (std::is_same_v<T, dist::Gamma>) {
          if (x.cv > 0) {
            d.mean = x.mean;
            d.cv = x.cv;
          } else {
            d.shape = x.shape;
            d.scale = x.scale;
          }
        } else if constexpr (std::is_same_v<T, dist::Erlang>) {
          d.k = x.k;
          d.mean = x.mean;
        } else if constexpr (std::is_same_v<T, dist::Lognormal>) {
          d.mean = x.mean;
          d.sd = x.sd;
        } else {
          d.shape = x.shape;
          d.scale = x.scale;
        }
      },
      dist.variant());
  return d;
}

}  // namespace mhsim::schema
