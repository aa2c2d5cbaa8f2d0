package io.chronoperf.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.chronoperf.server.ServerFixture.Response;
import io.chronoperf.server.security.TokenIssuer;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Strict input everywhere (issue 14): booleans are booleans, numbers decimal, IP addresses
 * strict, unknown fields refused, bodies capped even when chunked, NUL refused with the parameter
 * named, tokens that expire, HEAD where GET is, the usual headers, the actor in the audit log;
 * and a fuzz of every endpoint's parameters and bodies: never a 5xx, every error problem+json.
 */
class HostileInputTest {
    @RegisterExtension
    static final ServerFixture server = new ServerFixture();

    @Test
    void a_string_where_a_boolean_belongs_is_a_400_naming_the_field_and_builds_nothing() {
        String admin = server.token("admin");
        Response apply = server.post("/api/v1/admin/performance/indexes/apply", "{\"confirm\": \"true\"}", admin);
        Response clear = server.post(
                "/api/v1/admin/performance/cache/clear", "{\"pattern\": \"admin:*\", \"confirm\": \"true\"}", admin);
        Response typo = server.post(
                "/api/v1/admin/performance/cache/clear", "{\"pattern\": \"admin:*\", \"confrim\": true}", admin);
        Response broken = server.post(
                "/api/v1/admin/performance/cache/clear", "{\"pattern\": \"admin:*\",\n \"confirm\": tru}", admin);

        for (Response r : List.of(apply, clear, typo, broken)) {
            assertThat(r.status()).as(r.body()).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        assertThat(apply.json().get("parameter").asString()).isEqualTo("confirm");
        assertThat(clear.json().get("detail").asString()).contains("confirm").contains("boolean");
        assertThat(typo.json().get("parameter").asString()).isEqualTo("confrim");
        assertThat(broken.json().get("detail").asString()).contains("line 2");
    }

    @Test
    void numbers_are_decimal_and_addresses_strict() {
        String viewer = server.token("viewer");
        for (String path : List.of(
                "/api/v1/admin/users?limit=0x10",
                "/api/v1/admin/users?limit=%2310",
                "/api/v1/admin/users?limit=1e1",
                "/api/v1/admin/security-events/recent?ip=1.5",
                "/api/v1/admin/security-events/recent?ip=010.0.0.1",
                "/api/v1/admin/security-events/recent?ip=1.2.3.4.5")) {
            Response r = server.get(path, viewer);
            assertThat(r.status()).as(path + " " + r.body()).isEqualTo(400);
            assertThat(r.contentType()).startsWith("application/problem+json");
            assertThat(r.json().get("parameter")).as(path).isNotNull();
        }
        assertThat(server.get("/api/v1/admin/users?limit=16", viewer).status()).isEqualTo(200);
        assertThat(server.get("/api/v1/admin/security-events/recent?ip=198.51.100.7", viewer)
                        .status())
                .isEqualTo(200);
    }

    @Test
    void a_nul_byte_is_a_400_that_names_the_parameter() {
        Response q = server.get("/api/v1/admin/users?q=abc%00def", server.token("viewer"));
        assertThat(q.status()).as(q.body()).isEqualTo(400);
        assertThat(q.json().get("parameter").asString()).isEqualTo("q");
        Response body = server.post("/api/v1/admin/users/1/lock", "{\"reason\": \"a\\u0000b\"}", server.token("admin"));
        assertThat(body.status()).as(body.body()).isEqualTo(400);
        assertThat(body.contentType()).startsWith("application/problem+json");
    }

    @Test
    void a_chunked_body_over_the_limit_is_a_413() {
        byte[] tenMb = new byte[10 << 20];
        java.util.Arrays.fill(tenMb, (byte) ' ');
        HttpRequest.Builder chunked = HttpRequest.newBuilder(
                        URI.create(server.url("/api/v1/admin/performance/query/analyze")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> (InputStream) new ByteArrayInputStream(tenMb)));
        Response r = server.send(chunked, server.token("admin"));
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @Test
    void tokens_expire_without_grace_and_need_exp_iss_and_a_bounded_life() throws Exception {
        byte[] secret = ServerFixture.SECRET.getBytes(StandardCharsets.UTF_8);
        String expired = new TokenIssuer(secret, Clock.offset(Clock.systemUTC(), Duration.ofSeconds(-70)))
                .issue("admin", Duration.ofSeconds(60), "late", 1); // expired 10 s ago
        Instant now = Instant.now();
        String noExp = sign(
                secret,
                new JWTClaimsSet.Builder()
                        .issuer(TokenIssuer.ISSUER)
                        .subject("forever")
                        .issueTime(Date.from(now))
                        .claim("roles", List.of("admin"))
                        .build());
        String otherIssuer = sign(
                secret,
                new JWTClaimsSet.Builder()
                        .issuer("someone-else")
                        .subject("x")
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plusSeconds(600)))
                        .claim("roles", List.of("admin"))
                        .build());
        String tooLong = sign(
                secret,
                new JWTClaimsSet.Builder()
                        .issuer(TokenIssuer.ISSUER)
                        .subject("x")
                        .issueTime(Date.from(now))
                        .expirationTime(Date.from(now.plus(Duration.ofDays(365))))
                        .claim("roles", List.of("admin"))
                        .build());
        String notYet = sign(
                secret,
                new JWTClaimsSet.Builder()
                        .issuer(TokenIssuer.ISSUER)
                        .subject("x")
                        .issueTime(Date.from(now))
                        .notBeforeTime(Date.from(now.plusSeconds(120)))
                        .expirationTime(Date.from(now.plusSeconds(600)))
                        .claim("roles", List.of("admin"))
                        .build());
        for (String token : List.of(expired, noExp, otherIssuer, tooLong, notYet)) {
            Response r = server.get("/api/v1/admin/users/dashboard", token);
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        assertThat(server.get("/api/v1/admin/users/dashboard", server.token("viewer"))
                        .status())
                .isEqualTo(200);
    }

    @Test
    void head_is_allowed_wherever_get_is_and_the_dashboard_sends_a_strict_policy() {
        Response head = server.send(
                HttpRequest.newBuilder(URI.create(server.url("/api/v1/admin/users/dashboard")))
                        .method("HEAD", HttpRequest.BodyPublishers.noBody()),
                server.token("viewer"));
        assertThat(head.status()).isEqualTo(200);
        Response page = server.get("/admin/performance", null);
        assertThat(page.status()).isEqualTo(200);
        String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
        assertThat(csp)
                .contains("default-src 'none'")
                .contains("script-src 'self'")
                .contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline")
                .doesNotContain("unsafe-eval");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
        assertThat(page.headers().firstValue("Referrer-Policy")).contains("no-referrer");
    }

    @Test
    void an_api_write_records_its_actor_address_and_user_agent() throws Exception {
        long id = scalarLong("SELECT id FROM users WHERE NOT is_locked ORDER BY id LIMIT 1");
        Response r = server.send(
                HttpRequest.newBuilder(URI.create(server.url("/api/v1/admin/users/" + id + "/lock")))
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "hostile-input-test/1.0")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"reason\": \"audit test\"}")),
                server.token("admin"));
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT admin_user_id, host(ip_address), user_agent, details->>'actor', details->>'reason'"
                                + " FROM audit_logs WHERE action = 'lock_user' AND resource_id = '" + id
                                + "' ORDER BY id DESC LIMIT 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getLong(1)).isEqualTo(1);
            assertThat(rs.getString(2)).isIn("127.0.0.1", "::1");
            assertThat(rs.getString(3)).isEqualTo("hostile-input-test/1.0");
            assertThat(rs.getString(4)).isEqualTo("test-admin");
            assertThat(rs.getString(5)).isEqualTo("audit test");
        }
        // the API returns details as an object, not as a string
        Response audit = server.get("/api/v1/admin/audit-logs?limit=5", server.token("viewer"));
        assertThat(audit.status()).as(audit.body()).isEqualTo(200);
        tools.jackson.databind.JsonNode first = audit.json().get("items").get(0);
        assertThat(first.get("details").isObject()).as(first.toString()).isTrue();
        // and the OpenAPI description says so
        Response docs = server.get("/v3/api-docs", null);
        assertThat(docs.body()).contains("What the entry records");
    }

    /** Every endpoint, with hostile values in each parameter and body: no 5xx, every error problem+json. */
    @Test
    void a_fuzz_of_every_endpoint_never_gets_a_5xx_and_every_error_is_problem_json() {
        String admin = server.token("admin");
        List<String> gets = List.of(
                "/api/v1/admin/users/dashboard",
                "/api/v1/admin/users/approval-queue",
                "/api/v1/admin/users",
                "/api/v1/admin/users/by-email",
                "/api/v1/admin/users/security-status",
                "/api/v1/admin/audit-logs",
                "/api/v1/admin/audit-logs/stats",
                "/api/v1/admin/security-events/recent",
                "/api/v1/admin/security-events/top-ips",
                "/api/v1/admin/security-events/high-risk",
                "/api/v1/admin/backups/executions",
                "/api/v1/admin/backups/health",
                "/api/v1/admin/projects",
                "/api/v1/admin/performance/health",
                "/api/v1/admin/performance/database/stats",
                "/api/v1/admin/performance/database/slow-queries",
                "/api/v1/admin/performance/database/trends",
                "/api/v1/admin/performance/alerts",
                "/api/v1/admin/performance/cache/stats",
                "/api/v1/admin/performance/query/n-plus-one",
                "/api/v1/admin/performance/databases",
                "/api/v1/admin/performance/database/space",
                "/api/v1/admin/performance/database/connections",
                "/api/v1/admin/performance/database/live-queries",
                "/api/v1/admin/performance/database/maintenance",
                "/api/v1/admin/performance/database/settings",
                "/api/v1/admin/performance/database/index-usage",
                "/api/v1/admin/performance/database/statements/1/history",
                "/api/v1/admin/performance/database/statements/x/history",
                "/api/v1/admin/users/abc",
                "/api/v1/admin/no-such-thing");
        List<String> params = List.of(
                "limit",
                "cursor",
                "q",
                "email",
                "ip",
                "hours",
                "min_risk",
                "from",
                "to",
                "bucket",
                "sort",
                "approval_status",
                "is_active",
                "user_id",
                "status",
                "category",
                "severity",
                "success",
                "budget_mb",
                "database",
                "memory_mb",
                "cores");
        List<String> values = List.of(
                "-1",
                "0x10",
                "99999999999999999999",
                "1e309",
                "%00",
                "%C3%28",
                "%27%3B%20DROP%20TABLE%20users%3B--",
                "NaN",
                "true",
                "%7B%7D",
                "%5B%5D",
                "a".repeat(300),
                "2026-13-45T99:00:00Z",
                "%F0%9F%92%A9",
                "..%2F..%2Fetc%2Fpasswd");
        List<String> failures = new ArrayList<>();
        for (String path : gets) {
            for (String p : params) {
                for (String v : values) {
                    String url = path + "?" + p + "=" + v;
                    Response r = server.get(url, admin);
                    check(url, r, failures);
                }
            }
        }
        List<String> posts = List.of(
                "/api/v1/admin/users/1/approve",
                "/api/v1/admin/users/1/lock",
                "/api/v1/admin/performance/cache/warm",
                "/api/v1/admin/performance/cache/clear",
                "/api/v1/admin/performance/query/analyze",
                "/api/v1/admin/performance/indexes/apply",
                "/api/v1/admin/performance/system/optimize",
                "/api/v1/admin/performance/database/live-queries/1/cancel",
                "/api/v1/admin/performance/database/live-queries/x/terminate");
        List<String> bodies = List.of(
                "",
                "{",
                "[]",
                "null",
                "42",
                "\"x\"",
                "{\"confirm\": 1}",
                "{\"confirm\": null}",
                "{\"query\": 5}",
                "{\"query\": \"SELECT 1\", \"params\": \"x\"}",
                "{\"namespace\": \"nope\", \"force\": \"yes\"}",
                "{\"pattern\": \"*\", \"confirm\": false}",
                "{\"reason\": [1,2]}",
                "{\"a\":1}{\"b\":2}",
                "\u00ff\u00fe");
        for (String path : posts) {
            for (String body : bodies) {
                Response r = server.post(path, body, admin);
                check(path + " <- " + body, r, failures);
            }
        }
        assertThat(failures).isEmpty();
    }

    private static void check(String what, Response r, List<String> failures) {
        if (r.status() >= 500) {
            failures.add(what + " -> " + r.status() + " " + r.body());
        } else if (r.status() >= 400 && !r.contentType().startsWith("application/problem+json")) {
            failures.add(what + " -> " + r.status() + " as " + r.contentType());
        }
    }

    private static String sign(byte[] secret, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret));
        return jwt.serialize();
    }

    private static long scalarLong(String sql) throws Exception {
        try (Connection c = server.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
