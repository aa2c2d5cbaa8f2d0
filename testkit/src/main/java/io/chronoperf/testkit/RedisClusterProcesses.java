package io.chronoperf.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster for a test: three primaries and a replica of each, six processes of the
 * machine's {@code redis-server} ({@code --cluster-enabled yes}, a one-second node timeout, a
 * replica that always takes over, nothing kept on disk), created with
 * {@code redis-cli --cluster create}. {@link #killPrimaryOf(String)} kills a primary with SIGKILL;
 * its replica takes over after the node timeout. Needs
 * {@code redis-server} and {@code redis-cli} on the PATH (Debian's redis-server package, which
 * {@code .ci/services} installs): without them the test fails and says so.
 */
public final class RedisClusterProcesses implements AutoCloseable {
    private final Path dir;
    private final List<Integer> ports = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private RedisClusterProcesses(Path dir) {
        this.dir = dir;
    }

    public static RedisClusterProcesses start() throws IOException, InterruptedException {
        RedisClusterProcesses cluster = new RedisClusterProcesses(Files.createTempDirectory("chrono-perf-cluster"));
        try {
            cluster.startNodes(6);
            cluster.create();
            cluster.awaitOk(Duration.ofSeconds(30));
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void startNodes(int n) throws IOException {
        for (int i = 0; i < n; i++) {
            int port = freePort();
            Path nodeDir = Files.createDirectories(dir.resolve("node-" + port));
            ProcessBuilder pb = new ProcessBuilder(
                            binary("redis-server"),
                            "--port",
                            Integer.toString(port),
                            "--bind",
                            "127.0.0.1",
                            "--cluster-enabled",
                            "yes",
                            "--cluster-config-file",
                            nodeDir.resolve("nodes.conf").toString(),
                            "--cluster-node-timeout",
                            "1000",
                            "--dir",
                            nodeDir.toString(),
                            "--save",
                            "",
                            "--appendonly",
                            "no")
                    .redirectErrorStream(true)
                    .redirectOutput(nodeDir.resolve("log").toFile());
            processes.add(pb.start());
            ports.add(port);
        }
        for (int port : ports) {
            awaitPing(port, Duration.ofSeconds(10));
        }
    }

    private void create() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binary("redis-cli"), "--cluster", "create"));
        for (int port : ports) {
            command.add("127.0.0.1:" + port);
        }
        command.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        String out = run(command, Duration.ofSeconds(60));
        if (!out.contains("All 16384 slots covered")) {
            throw new IllegalStateException("redis-cli --cluster create failed:\n" + out);
        }
    }

    /**
     * Waits until every live node says cluster_state:ok and every live replica has synchronized
     * with its primary (a replica that never did cannot take over).
     */
    public void awaitOk(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            boolean ok = true;
            for (int i = 0; i < ports.size(); i++) {
                if (!processes.get(i).isAlive()) {
                    continue;
                }
                if (!cli(ports.get(i), "cluster", "info").contains("cluster_state:ok")) {
                    ok = false;
                }
                String replication = cli(ports.get(i), "info", "replication");
                if (replication.contains("role:slave") && !replication.contains("master_link_status:up")) {
                    ok = false;
                }
            }
            if (ok) {
                return;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder state = new StringBuilder();
                for (int i = 0; i < ports.size(); i++) {
                    state.append(ports.get(i))
                            .append(
                                    processes.get(i).isAlive()
                                            ? " alive"
                                            : " exited " + processes.get(i).exitValue())
                            .append('\n');
                }
                for (int i = 0; i < ports.size(); i++) {
                    if (processes.get(i).isAlive()) {
                        state.append(cli(ports.get(i), "cluster", "nodes"));
                        break;
                    }
                }
                for (int port : ports) {
                    List<String> lines =
                            Files.readAllLines(dir.resolve("node-" + port).resolve("log"));
                    state.append("--- ").append(port).append('\n');
                    lines.subList(Math.max(0, lines.size() - 6), lines.size())
                            .forEach(l -> state.append(l).append('\n'));
                }
                throw new IllegalStateException("the Redis Cluster is not ok after " + timeout + ":\n" + state);
            }
            Thread.sleep(100);
        }
    }

    /** {@code redis-cluster://127.0.0.1:<port>,...} of every node. */
    public String uri() {
        StringBuilder b = new StringBuilder("redis-cluster://");
        for (int i = 0; i < ports.size(); i++) {
            b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(ports.get(i));
        }
        return b.toString();
    }

    /** Kills (SIGKILL) the primary that holds this key's slot; returns its port. */
    public int killPrimaryOf(String key) throws IOException, InterruptedException {
        int slot = Integer.parseInt(cli(ports.get(0), "cluster", "keyslot", key).strip());
        int port = primaryOfSlot(slot);
        int i = ports.indexOf(port);
        processes.get(i).destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        return port;
    }

    /** The port of the primary that serves the slot, as a live node sees it. */
    public int primaryOfSlot(int slot) throws IOException, InterruptedException {
        for (int i = 0; i < ports.size(); i++) {
            if (!processes.get(i).isAlive()) {
                continue;
            }
            for (String line : cli(ports.get(i), "cluster", "nodes").split("\n")) {
                String[] f = line.strip().split(" ");
                if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                    continue;
                }
                for (int k = 8; k < f.length; k++) {
                    String range = f[k];
                    if (range.startsWith("[")) {
                        continue;
                    }
                    String[] ends = range.split("-");
                    int from = Integer.parseInt(ends[0]);
                    int to = ends.length > 1 ? Integer.parseInt(ends[1]) : from;
                    if (slot >= from && slot <= to) {
                        String address = f[1].substring(0, f[1].indexOf('@'));
                        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
                    }
                }
            }
            break;
        }
        throw new IllegalStateException("no live primary serves slot " + slot);
    }

    private String cli(int port, String... args) throws IOException, InterruptedException {
        List<String> command =
                new ArrayList<>(List.of(binary("redis-cli"), "-h", "127.0.0.1", "-p", Integer.toString(port)));
        command.addAll(List.of(args));
        return run(command, Duration.ofSeconds(10));
    }

    private void awaitPing(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                if (cli(port, "ping").contains("PONG")) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server on port " + port + " did not answer");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in " + timeout);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException(name + " is not on the PATH: the Redis Cluster test needs the machine's"
                + " Redis (apt-get install -y redis-server, as .ci/services does)");
    }

    /** A port from 20000 to 29999 that is free, and so is its cluster bus port (port + 10000). */
    private int freePort() throws IOException {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20_000 + random.nextInt(10_000);
            if (!ports.contains(port) && bindable(port) && bindable(port + 10_000)) {
                return port;
            }
        }
        throw new IOException("no free port pair (port, port + 10000) from 20000 to 29999");
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            s.setReuseAddress(true);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder())
                    .forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
