package io.chronoperf.server.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The spread round's arithmetic: every database sampled once per interval however the ticks
 * drift, no slice holding much more than its share, and the same phase in every process.
 */
class SampleRoundsTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 29, 30, 100, 1000})
    void ticks_that_drift_still_sample_each_database_once_per_interval_and_spread_the_round(int n) {
        Duration interval = Duration.ofSeconds(30);
        SampleRounds rounds = new SampleRounds(n, interval);
        int[] sampled = new int[n];
        int most = 0;
        Random random = new Random(n);
        long previous = -1;
        Instant start = Instant.parse("2026-12-03T10:00:00Z");
        Instant now = start;
        Instant end = start.plus(interval.multipliedBy(20));
        while (now.isBefore(end)) {
            long tick = rounds.tickAt(now);
            List<Integer> due = rounds.due(previous, tick);
            previous = tick;
            due.forEach(i -> sampled[i]++);
            most = Math.max(most, due.size());
            // a fixed-delay scheduler: the delay after a run that took up to 300 ms
            now = now.plus(rounds.tick()).plusMillis(random.nextInt(300));
        }
        for (int i = 0; i < n; i++) {
            // 20 intervals, the first tick sampling only its own slice, a round of whole milliseconds
            // per slice up to a few ms shorter than the interval: 19 to 21 samples each
            assertThat(sampled[i]).as("database %d of %d", i, n).isBetween(19, 21);
        }
        int share = (int) Math.ceil((double) n / rounds.slices());
        assertThat(most).as("the most databases one tick sampled").isLessThanOrEqualTo(2 * share);
    }

    @Test
    void a_round_of_100_databases_over_30_s_is_30_slices_of_a_second_each_holding_3_or_4() {
        SampleRounds rounds = new SampleRounds(100, Duration.ofSeconds(30));

        assertThat(rounds.slices()).isEqualTo(30);
        assertThat(rounds.tick()).isEqualTo(Duration.ofSeconds(1));
        int[] perSlice = new int[30];
        for (int i = 0; i < 100; i++) {
            perSlice[rounds.sliceOf(i)]++;
        }
        assertThat(java.util.Arrays.stream(perSlice).min().orElseThrow()).isEqualTo(3);
        assertThat(java.util.Arrays.stream(perSlice).max().orElseThrow()).isEqualTo(4);
    }

    @Test
    void two_processes_agree_on_the_phase_and_a_first_tick_or_a_clock_gone_back_samples_one_slice() {
        SampleRounds one = new SampleRounds(10, Duration.ofSeconds(10));
        SampleRounds other = new SampleRounds(10, Duration.ofSeconds(10));
        Instant now = Instant.parse("2026-12-03T10:00:07.250Z");

        assertThat(one.due(-1, one.tickAt(now))).isEqualTo(other.due(-1, other.tickAt(now)));
        assertThat(one.due(-1, one.tickAt(now))).hasSize(1);
        long tick = one.tickAt(now);
        assertThat(one.due(tick + 5, tick)).hasSize(1); // the clock went back
        assertThat(one.due(tick - 100, tick)).hasSize(1); // more than a round without a tick
        assertThat(one.due(tick - 3, tick)).hasSize(3); // three slices began since
    }
}
