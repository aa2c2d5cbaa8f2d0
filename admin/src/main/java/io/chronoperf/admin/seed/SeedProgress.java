package io.chronoperf.admin.seed;

/** Receives the generator's progress; the CLI draws a progress bar from it. */
public interface SeedProgress {
    SeedProgress NONE = new SeedProgress() {
        @Override
        public void phase(String name, long total) {}

        @Override
        public void advance(long done) {}
    };

    /** A new phase (a table, or the index build) with its number of steps. */
    void phase(String name, long total);

    /** Steps done in the current phase, cumulative. */
    void advance(long done);
}
