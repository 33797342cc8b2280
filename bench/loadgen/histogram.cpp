#include "histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace loadgen {

namespace {
constexpr uint64_t kLinearLimit = uint64_t{1} << Histogram::kLinearBits;  // 256
constexpr int kSubBuckets = 1 << Histogram::kSubBucketBits;               // 128
}  // namespace

int Histogram::bucket_index(uint64_t value) {
  if (value > kMaxValue) value = kMaxValue;
  if (value < kLinearLimit) return static_cast<int>(value);
  int msb = 63 - std::countl_zero(value);       // >= kLinearBits
  int shift = msb - kSubBucketBits;             // >= 1
  auto top = static_cast<int>(value >> shift);  // in [128, 256)
  return static_cast<int>(kLinearLimit) + (shift - 1) * kSubBuckets + (top - kSubBuckets);
}

uint64_t Histogram::bucket_lowest(int index) {
  if (index < static_cast<int>(kLinearLimit)) return static_cast<uint64_t>(index);
  int rel = index - static_cast<int>(kLinearLimit);
  int shift = rel / kSubBuckets + 1;
  uint64_t top = static_cast<uint64_t>(rel % kSubBuckets + kSubBuckets);
  return top << shift;
}

uint64_t Histogram::bucket_highest(int index) {
  if (index < static_cast<int>(kLinearLimit)) return static_cast<uint64_t>(index);
  int shift = (index - static_cast<int>(kLinearLimit)) / kSubBuckets + 1;
  return bucket_lowest(index) + (uint64_t{1} << shift) - 1;
}

int Histogram::bucket_count() {
  return bucket_index(kMaxValue) + 1;
}

Histogram::Histogram() : counts_(static_cast<size_t>(bucket_count()), 0) {}

void Histogram::record(uint64_t value_us) {
  ++counts_[static_cast<size_t>(bucket_index(value_us))];
  ++count_;
  sum_ += value_us;
  min_ = std::min(min_, value_us);
  max_ = std::max(max_, value_us);
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void Histogram::reset() {
  std::fill(counts_.begin(), counts_.end(), 0);
  count_ = sum_ = max_ = 0;
  min_ = UINT64_MAX;
}

uint64_t Histogram::value_at_quantile(double q) const {
  if (count_ == 0) return 0;
  if (q >= 1.0) return max_;
  if (q <= 0.0) return min_;
  auto rank = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::clamp(bucket_highest(static_cast<int>(i)), min_, max_);
    }
  }
  return max_;
}

}  // namespace loadgen
