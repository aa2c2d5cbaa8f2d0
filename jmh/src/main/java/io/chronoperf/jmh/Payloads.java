package io.chronoperf.jmh;

import io.chronoperf.admin.repository.Bounds;
import io.chronoperf.admin.repository.User;
import io.chronoperf.admin.seed.Zipf;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** What the benchmarks cache: pages of 50 users as the admin API returns them (about 20 KB of JSON each). */
final class Payloads {
    static final int KEYS = 1_000;
    /** A power of two, so that the next index is a mask, not a division. */
    static final int SAMPLES = 1 << 16;

    private Payloads() {}

    static Bounds.Page<User> usersPage(int page) {
        SplittableRandom r = new SplittableRandom(page);
        Instant base = Instant.parse("2026-06-01T00:00:00Z");
        List<User> users = new ArrayList<>(50);
        for (int i = 0; i < 50; i++) {
            long id = page * 50L + i;
            users.add(new User(
                    id,
                    "user" + id + "@example.com",
                    "User Number " + id,
                    i % 10 == 0 ? "admin" : "member",
                    i % 7 == 0 ? "pending" : "approved",
                    true,
                    i % 13 == 0,
                    true,
                    i % 3 == 0,
                    r.nextInt(100),
                    r.nextInt(5),
                    base.plusSeconds(r.nextInt(1_000_000)),
                    base.plusSeconds(r.nextInt(1_000_000)),
                    i % 7 == 0 ? null : 1L,
                    base.plusSeconds(r.nextInt(1_000_000)),
                    i % 13 == 0 ? "too many failed logins" : null,
                    base.minusSeconds(r.nextInt(10_000_000)),
                    base.plusSeconds(r.nextInt(1_000_000))));
        }
        return new Bounds.Page<>(users, "cursor-" + page);
    }

    /** Key indexes drawn from Zipf(0.99) over {@link #KEYS}, as Caffeine's own benchmarks draw them. */
    static int[] zipfIndexes() {
        Zipf zipf = new Zipf(KEYS, 0.99);
        SplittableRandom r = new SplittableRandom(7);
        int[] out = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            out[i] = zipf.next(r);
        }
        return out;
    }
}
