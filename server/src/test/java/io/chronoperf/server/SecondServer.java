package io.chronoperf.server;

import io.chronoperf.runtime.DatabaseEndpoint;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.web.server.context.WebServerApplicationContext;

/**
 * A second chrono-perf server in a process of its own (another JVM), on the same PostgreSQL and
 * Redis as a test's {@link ServerFixture}: what "two instances" means in production. Started by
 * {@link #start}; {@link #main} is the child's entry point (it prints its port).
 */
public final class SecondServer implements AutoCloseable {
    private final Process process;
    private final int port;

    private SecondServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * The child process's entry: args are the JDBC URL, the user, the password (or "-"), the Redis URI, the token
     * secret, then any further Spring properties as {@code name=value}.
     */
    public static void main(String[] args) throws IOException {
        Map<String, Object> props = new HashMap<>();
        props.put("spring.datasource.url", args[0]);
        props.put("spring.datasource.username", args[1]);
        if (!"-".equals(args[2])) {
            props.put("spring.datasource.password", args[2]);
        }
        props.put("chrono-perf.redis-url", args[3]);
        props.put("chrono-perf.token-secret", args[4]);
        props.put("server.port", "0");
        props.put(
                "chrono-perf.home",
                Files.createTempDirectory("chrono-perf-second").toString());
        props.put("chrono-perf.tasks.lock-at-least-for", "PT0S");
        props.put("logging.level.root", "WARN");
        for (int i = 5; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            props.put(args[i].substring(0, eq), args[i].substring(eq + 1));
        }
        var context = ChronoPerfServer.start(props);
        System.out.println(
                "PORT " + ((WebServerApplicationContext) context).getWebServer().getPort());
        System.out.flush();
    }

    /** Starts a second server process on the fixture's database and Redis; returns once it answers. */
    public static SecondServer start(ServerFixture first, String... properties)
            throws IOException, InterruptedException {
        DatabaseEndpoint db = first.database().endpoint();
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"),
                "-cp",
                System.getProperty("java.class.path"),
                SecondServer.class.getName(),
                db.jdbcUrl(),
                db.user(),
                db.password() == null ? "-" : db.password(),
                first.redisUri(),
                ServerFixture.SECRET));
        command.addAll(List.of(properties));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        var out = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()));
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("PORT ")) {
                int port = Integer.parseInt(line.substring(5).strip());
                Thread drain = new Thread(
                        () -> {
                            try {
                                while (out.readLine() != null) {
                                    // keep the pipe empty
                                }
                            } catch (IOException ignored) {
                                // the process ended
                            }
                        },
                        "second-server-output");
                drain.setDaemon(true);
                drain.start();
                return new SecondServer(p, port);
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException(
                "the second server process did not start (exit " + (p.isAlive() ? "none" : p.exitValue()) + ")");
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** A GET with a bearer token; status and body. */
    public HttpResponse<String> get(HttpClient http, String path, String token)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url(path)))
                        .header("Authorization", "Bearer " + token)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: Spring closes gracefully
        if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
