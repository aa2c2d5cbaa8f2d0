package io.chronoperf.testkit;

import io.chronoperf.runtime.DatabaseEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private PostgreSQL primary with a streaming replica, for the read-replica tests: two clusters
 * of the machine's PostgreSQL binaries on free ports of their own, the replica made with
 * {@code pg_basebackup -R} from the primary. The machine's own cluster is never touched (its
 * pg_hba.conf allows no replication). As root every command runs as the {@code postgres} account
 * through {@code runuser}, as PostgreSQL refuses root; as any other user, as that user. Needs the
 * PostgreSQL server package (Debian's {@code /usr/lib/postgresql/N/bin}, or {@code initdb} on the
 * PATH): without it the test fails and says so.
 *
 * <p>{@link #pauseReplay()} stops the replica's replay ({@code pg_wal_replay_pause()}) while it
 * keeps receiving: a replica that lags, at will. {@link #stopReplica()} stops it (fast shutdown).
 */
public final class ReplicatedPostgres implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private static final String SUPERUSER = "postgres";

    private Path dir;
    private Path bin;
    private boolean asPostgres;
    private int primaryPort;
    private int replicaPort;

    /** Started by {@link #beforeAll} (register it before the fixtures that use it), stopped by {@link #afterAll}. */
    public ReplicatedPostgres() {}

    @Override
    public void beforeAll(ExtensionContext context) throws IOException, InterruptedException {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Starts the primary, copies it with pg_basebackup, and starts the replica; waits until it streams. */
    public void start() throws IOException, InterruptedException {
        asPostgres = "root".equals(System.getProperty("user.name"));
        dir = Files.createTempDirectory("chrono-perf-replicated");
        if (asPostgres) {
            run(List.of("chown", SUPERUSER, dir.toString()), Duration.ofSeconds(10), false);
        }
        bin = binaries();
        primaryPort = freePort();
        replicaPort = freePort();
        try {
            initPrimary();
            makeReplica();
            awaitStreaming(Duration.ofSeconds(30));
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void initPrimary() throws IOException, InterruptedException {
        Path data = dir.resolve("primary");
        command(List.of(
                bin.resolve("initdb").toString(),
                "-D",
                data.toString(),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C"));
        // initdb's pg_hba.conf (with --auth=trust) already allows replication from 127.0.0.1.
        appendAsOwner(
                data.resolve("postgresql.conf"),
                "port = " + primaryPort + "\n"
                        + "listen_addresses = '127.0.0.1'\n"
                        + "unix_socket_directories = '" + dir + "'\n"
                        + "wal_level = replica\n"
                        + "max_wal_senders = 5\n"
                        + "fsync = off\n"
                        + "synchronous_commit = on\n"
                        + "shared_buffers = 32MB\n"
                        + "max_connections = 60\n"
                        + "shared_preload_libraries = 'pg_stat_statements'\n"
                        + "logging_collector = off\n");
        pgCtl(data, "start");
    }

    private void makeReplica() throws IOException, InterruptedException {
        Path data = dir.resolve("replica");
        command(List.of(
                bin.resolve("pg_basebackup").toString(),
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(primaryPort),
                "-U",
                SUPERUSER,
                "-D",
                data.toString(),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast"));
        appendAsOwner(data.resolve("postgresql.auto.conf"), "port = " + replicaPort + "\nhot_standby = on\n");
        pgCtl(data, "start");
    }

    private void awaitStreaming(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try (Connection c = primary().connect();
                    Statement s = c.createStatement();
                    ResultSet rs =
                            s.executeQuery("SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) {
                rs.next();
                if (rs.getInt(1) > 0) {
                    return;
                }
                last = "no replica streams yet";
            } catch (SQLException | RuntimeException e) {
                last = e.getMessage();
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(
                "the replica did not stream within " + timeout + ": " + last + "; " + logTail());
    }

    /** The primary's {@code postgres} database, as the {@code postgres} superuser. */
    public DatabaseEndpoint primary() {
        return DatabaseEndpoint.external("jdbc:postgresql://127.0.0.1:" + primaryPort + "/postgres", SUPERUSER, null);
    }

    /** The replica's {@code postgres} database. */
    public DatabaseEndpoint replica() {
        return DatabaseEndpoint.external("jdbc:postgresql://127.0.0.1:" + replicaPort + "/postgres", SUPERUSER, null);
    }

    /** Replay stops where it is (the replica keeps receiving): from now on it lags. */
    public void pauseReplay() {
        onReplica("SELECT pg_wal_replay_pause()");
    }

    /** Replay goes on from where it stopped. */
    public void resumeReplay() {
        onReplica("SELECT pg_wal_replay_resume()");
    }

    /** Waits until the replica has replayed everything the primary had written when called. */
    public void awaitCaughtUp(Duration timeout) throws InterruptedException {
        String target;
        try (Connection c = primary().connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()")) {
            rs.next();
            target = rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = replica().connect();
                    var ps = c.prepareStatement("SELECT pg_last_wal_replay_lsn() >= ?::pg_lsn")) {
                ps.setString(1, target);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
            } catch (SQLException | RuntimeException e) {
                // not up yet
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the replica did not replay up to " + target + " within " + timeout);
    }

    /** Stops the replica (fast shutdown): it refuses connections until {@link #startReplica()}. */
    public void stopReplica() throws IOException, InterruptedException {
        pgCtl(dir.resolve("replica"), "stop");
    }

    public void startReplica() throws IOException, InterruptedException {
        pgCtl(dir.resolve("replica"), "start");
    }

    /**
     * Freezes the replica (SIGSTOP to its postmaster and every process of it): it accepts TCP
     * connections and answers nothing, as a machine that hangs. {@link #thawReplica()} undoes it.
     */
    public void freezeReplica() throws IOException, InterruptedException {
        signalReplica("-STOP");
    }

    public void thawReplica() throws IOException, InterruptedException {
        signalReplica("-CONT");
    }

    private void signalReplica(String signal) throws IOException, InterruptedException {
        String pid = Files.readAllLines(dir.resolve("replica").resolve("postmaster.pid"))
                .get(0)
                .strip();
        List<String> pids = new ArrayList<>(List.of(pid));
        ProcessHandle.of(Long.parseLong(pid))
                .ifPresent(p -> p.children().forEach(c -> pids.add(Long.toString(c.pid()))));
        List<String> kill = new ArrayList<>(List.of("kill", signal));
        kill.addAll(pids);
        run(kill, Duration.ofSeconds(10), true);
    }

    private void onReplica(String sql) {
        try (Connection c = replica().connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private void pgCtl(Path data, String action) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(
                bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "-m", "fast", action));
        if (action.equals("start")) {
            cmd.addAll(List.of("-l", dir.resolve(data.getFileName() + ".log").toString()));
        }
        command(cmd);
    }

    private void command(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgres) {
            full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        full.addAll(command);
        run(full, Duration.ofSeconds(120), true);
    }

    private void appendAsOwner(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
    }

    private String logTail() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("primary.log", "replica.log")) {
            Path log = dir.resolve(name);
            try {
                if (Files.exists(log)) {
                    List<String> lines = Files.readAllLines(log);
                    out.append(name)
                            .append(": ")
                            .append(String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size())))
                            .append("; ");
                }
            } catch (IOException e) {
                out.append(name).append(": ").append(e.getMessage());
            }
        }
        return out.toString();
    }

    private static String run(List<String> command, Duration timeout, boolean check)
            throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in " + timeout);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (check && p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + text.strip());
        }
        return text;
    }

    /** The newest of Debian's /usr/lib/postgresql/N/bin, or the directory of initdb on the PATH. */
    private static Path binaries() {
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                var newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(v -> {
                            try {
                                return Integer.parseInt(v.getFileName().toString());
                            } catch (NumberFormatException e) {
                                return 0;
                            }
                        }));
                if (newest.isPresent()) {
                    return newest.get().resolve("bin");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(d, "initdb")) && Files.isExecutable(Path.of(d, "pg_basebackup"))) {
                return Path.of(d);
            }
        }
        throw new IllegalStateException("No PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) were found: the"
                + " read-replica test needs the machine's PostgreSQL (apt-get install -y postgresql)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Stops both servers at once (immediate) and removes their files. */
    @Override
    public void close() {
        if (dir == null) {
            return;
        }
        for (String data : List.of("replica", "primary")) {
            Path d = dir.resolve(data);
            if (Files.exists(d.resolve("postmaster.pid"))) {
                try {
                    List<String> cmd = new ArrayList<>();
                    if (asPostgres) {
                        cmd.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
                    }
                    cmd.addAll(List.of(
                            bin.resolve("pg_ctl").toString(), "-D", d.toString(), "-w", "-m", "immediate", "stop"));
                    run(cmd, Duration.ofSeconds(60), false);
                } catch (IOException e) {
                    // removed below anyway
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dir = null;
    }
}
