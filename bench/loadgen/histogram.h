// histogram.h — an HDR-style log-bucketed latency histogram (microseconds, <1% relative error).
//
// Values below 256 us get one bucket each; above that every power of two is split into 128 equal
// buckets, so a bucket is at most 1/128 (0.8%) of its values wide. Recording is O(1) (a shift and
// an increment), merging is a bucket-wise add, and quantiles walk ~3.7k counters. Min, max and the
// sum are exact.
#pragma once

#include <cstdint>
#include <vector>

namespace loadgen {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 7;                // 128 buckets per octave
  static constexpr int kLinearBits = kSubBucketBits + 1;  // exact below 256
  static constexpr int kMaxValueBits = 36;                // ~19 hours in microseconds
  static constexpr uint64_t kMaxValue = (uint64_t{1} << kMaxValueBits) - 1;

  Histogram();

  void record(uint64_t value_us);
  void merge(const Histogram& other);
  void reset();

  uint64_t count() const { return count_; }
  uint64_t min() const { return count_ ? min_ : 0; }
  uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
  uint64_t sum() const { return sum_; }

  // The smallest recorded value v such that at least q*count values are <= v, reported as the
  // highest value of v's bucket clamped to [min, max]; q in [0, 1]. 0 when empty.
  uint64_t value_at_quantile(double q) const;

  // Bucket arithmetic, public for tests.
  static int bucket_index(uint64_t value);
  static uint64_t bucket_lowest(int index);
  static uint64_t bucket_highest(int index);
  static int bucket_count();

 private:
  std::vector<uint64_t> counts_;
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
};

}  // namespace loadgen
