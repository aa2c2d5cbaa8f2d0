package io.chronoperf.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Zipf ranks 0..n-1 by inverse CDF (a few hot keys, a long tail), for the benchmarks' access patterns. */
final class ZipfSampler {
    private final double[] cdf;

    ZipfSampler(int n, double s) {
        cdf = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += 1 / Math.pow(i + 1, s);
            cdf[i] = sum;
        }
        for (int i = 0; i < n; i++) {
            cdf[i] /= sum;
        }
    }

    int next(SplittableRandom random) {
        int i = Arrays.binarySearch(cdf, random.nextDouble());
        return Math.min(cdf.length - 1, i >= 0 ? i : -i - 1);
    }
}
