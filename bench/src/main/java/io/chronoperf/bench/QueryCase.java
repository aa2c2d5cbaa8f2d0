package io.chronoperf.bench;

import java.util.SplittableRandom;

/**
 * One admin query of the workload: a family (users, audit, security, backups, projects), a name,
 * and the call that runs it through the admin library with parameters drawn for this iteration.
 */
record QueryCase(String family, String name, Call call) {
    @FunctionalInterface
    interface Call {
        /** Runs the query once; returns the rows it produced, so that nothing is optimised away. */
        long run(SplittableRandom random);
    }
}
