package org.sparkamm.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The trials of one setting (engine, algorithm, sketch size) summed up: medians of the warm
 * trials' times and shuffle bytes, means of their errors, the cold trial's time apart, and the
 * failures. Failed trials count in {@link #failed} only; NaN (or -1 for times) where no trial
 * succeeded.
 */
final class TrialSummary {
  final String engine;
  final String tag;
  final int sketch;
  /** Warm trials, failed ones included. */
  final int trials;
  final int failed;
  final long medianMillis;
  /** The cold trial's time, -1 when there was none or it failed. */
  final long coldMillis;
  final long medianShuffleBytes;
  final double meanError;
  final double meanExpected;
  final double meanSpectralError;
  final double meanSpectralBound;
  /** The first failure's message, null when none failed. */
  final String failure;

  TrialSummary(List<Trial> setting) {
    Trial first = setting.get(0);
    this.engine = first.engine;
    this.tag = first.tag;
    this.sketch = first.sketch;
    List<Trial> warm = new ArrayList<>();
    long cold = -1;
    for (Trial t : setting) {
      if (t.cold) {
        cold = t.failed() ? -1 : t.millis;
      } else {
        warm.add(t);
      }
    }
    List<Trial> ok = warm.stream().filter(t -> !t.failed()).collect(java.util.stream.Collectors.toList());
    this.trials = warm.size();
    this.failed = (int) setting.stream().filter(Trial::failed).count();
    this.coldMillis = cold;
    this.medianMillis = ok.isEmpty() ? -1 : median(ok.stream().mapToLong(t -> t.millis).toArray());
    this.medianShuffleBytes = ok.isEmpty() ? -1 : median(ok.stream().mapToLong(t -> t.breakdown.shuffleBytes).toArray());
    this.meanError = mean(ok, t -> t.error);
    this.meanExpected = mean(ok, t -> t.expected);
    this.meanSpectralError = mean(ok, t -> t.spectralError);
    this.meanSpectralBound = mean(ok, t -> t.spectralBound);
    this.failure = setting.stream().filter(Trial::failed).map(t -> t.failure).findFirst().orElse(null);
  }

  /** The summaries of consecutive runs of trials with the same engine, algorithm and sketch size, in order. */
  static List<TrialSummary> of(List<Trial> trials) {
    List<TrialSummary> out = new ArrayList<>();
    int from = 0;
    for (int i = 1; i <= trials.size(); i++) {
      if (i == trials.size() || !sameSetting(trials.get(from), trials.get(i))) {
        out.add(new TrialSummary(trials.subList(from, i)));
        from = i;
      }
    }
    return out;
  }

  boolean succeeded() {
    return medianMillis >= 0;
  }

  private static boolean sameSetting(Trial a, Trial b) {
    return a.engine.equals(b.engine) && a.tag.equals(b.tag) && a.sketch == b.sketch;
  }

  private static double mean(List<Trial> trials, ToDoubleFunction<Trial> f) {
    return trials.stream().mapToDouble(f).average().orElse(Double.NaN);
  }

  static long median(long[] values) {
    long[] s = values.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
