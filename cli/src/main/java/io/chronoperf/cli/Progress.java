package io.chronoperf.cli;

import io.chronoperf.admin.seed.SeedProgress;
import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Draws the generator's progress: a progress bar per phase on a terminal, one line per phase
 * otherwise (CI logs, pipes).
 */
final class Progress implements SeedProgress, AutoCloseable {
    private final boolean terminal = System.console() != null;
    private final PrintStream out;
    private ProgressBar bar;
    private String phase;
    private long started;

    Progress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void phase(String name, long total) {
        finishPhase();
        phase = name;
        started = System.nanoTime();
        if (terminal) {
            bar = new ProgressBarBuilder()
                    .setTaskName(String.format("%-20s", name))
                    .setInitialMax(total)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(200)
                    .showSpeed()
                    .build();
        }
    }

    @Override
    public void advance(long done) {
        if (bar != null) {
            bar.stepTo(done);
        }
    }

    private void finishPhase() {
        if (bar != null) {
            bar.close();
            bar = null;
        } else if (phase != null) {
            out.printf("  %-20s done in %.1f s%n", phase, (System.nanoTime() - started) / 1e9);
        }
    }

    @Override
    public void close() {
        finishPhase();
        phase = null;
    }
}
