package io.chronoperf.server.security;

import io.chronoperf.runtime.Settings;
import io.chronoperf.runtime.TokenSecret;
import io.chronoperf.server.problem.Problems;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jose.jws.MacAlgorithm;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.jwt.JwtClaimValidator;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;

/**
 * Every {@code /api/v1/admin/**} request needs {@code Authorization: Bearer <JWT>} signed with the
 * HS256 secret: role {@code admin} may read and write, {@code viewer} may only read. Stateless:
 * no session, no cookie, hence no CSRF token. 401 and 403 are {@code application/problem+json}.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfig {

    @Bean
    byte[] tokenSecret(Settings settings) {
        return TokenSecret.resolve(settings);
    }

    @Bean
    TokenIssuer tokenIssuer(byte[] tokenSecret, Clock clock) {
        return new TokenIssuer(tokenSecret, clock);
    }

    /** Clock skew tolerated on exp and nbf: a few seconds between hosts, never a minute of grace. */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

    /**
     * HS256 only; {@code iss} must be chrono-perf; {@code exp} required and honoured with
     * {@link #CLOCK_SKEW} of skew; {@code nbf} honoured; a token may live at most
     * {@link TokenIssuer#MAX_TTL} (from {@code iat}, or {@code nbf}, or now).
     */
    @Bean
    JwtDecoder jwtDecoder(byte[] tokenSecret, Clock clock) {
        NimbusJwtDecoder decoder = NimbusJwtDecoder.withSecretKey(new SecretKeySpec(tokenSecret, "HmacSHA256"))
                .macAlgorithm(MacAlgorithm.HS256)
                .build();
        JwtTimestampValidator timestamps = new JwtTimestampValidator(CLOCK_SKEW);
        timestamps.setClock(clock);
        OAuth2TokenValidator<Jwt> validator = new DelegatingOAuth2TokenValidator<>(
                timestamps,
                new JwtIssuerValidator(TokenIssuer.ISSUER),
                new JwtClaimValidator<Object>(JwtClaimNames.EXP, java.util.Objects::nonNull),
                jwt -> lifetimeOk(jwt, clock)
                        ? OAuth2TokenValidatorResult.success()
                        : OAuth2TokenValidatorResult.failure(new OAuth2Error(
                                "invalid_token",
                                "The token lives longer than " + TokenIssuer.MAX_TTL.toDays() + " days",
                                null)));
        decoder.setJwtValidator(validator);
        return decoder;
    }

    private static boolean lifetimeOk(Jwt jwt, Clock clock) {
        if (jwt.getExpiresAt() == null) {
            return false;
        }
        java.time.Instant from = jwt.getIssuedAt() != null
                ? jwt.getIssuedAt()
                : jwt.getNotBefore() != null ? jwt.getNotBefore() : clock.instant();
        return !jwt.getExpiresAt().isAfter(from.plus(TokenIssuer.MAX_TTL).plus(CLOCK_SKEW));
    }

    /** The dashboard serves its own scripts and styles: nothing inline, nothing from elsewhere. */
    public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none';"
            + " frame-ancestors 'none'";

    @Bean
    SecurityFilterChain api(HttpSecurity http) throws Exception {
        JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
        converter.setJwtGrantedAuthoritiesConverter(SecurityConfig::roles);
        http.csrf(csrf -> csrf.disable())
                .headers(h -> h.contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER))
                        .frameOptions(f -> f.deny())
                        .httpStrictTransportSecurity(
                                hsts -> hsts.includeSubDomains(true).maxAgeInSeconds(31_536_000))
                        .addHeaderWriter(new StaticHeadersWriter(
                                "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"))
                        .addHeaderWriter(new StaticHeadersWriter("Cross-Origin-Opener-Policy", "same-origin")))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(auth -> auth.requestMatchers(
                                "/actuator/health", "/actuator/health/**", "/v3/api-docs", "/v3/api-docs/**", "/error")
                        .permitAll()
                        // the dashboard page and its assets hold no data: it signs in with a token and calls the API
                        .requestMatchers(HttpMethod.GET, "/admin/performance", "/admin/performance/**", "/webjars/**")
                        .permitAll()
                        .requestMatchers(HttpMethod.HEAD, "/admin/performance", "/admin/performance/**", "/webjars/**")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/v1/admin/**")
                        .hasAnyRole("ADMIN", "VIEWER")
                        .requestMatchers(HttpMethod.HEAD, "/api/v1/admin/**")
                        .hasAnyRole("ADMIN", "VIEWER")
                        .requestMatchers("/api/v1/admin/**")
                        .hasRole("ADMIN")
                        .anyRequest()
                        .hasAnyRole("ADMIN", "VIEWER"))
                .oauth2ResourceServer(rs -> rs.jwt(jwt -> jwt.jwtAuthenticationConverter(converter))
                        .authenticationEntryPoint((req, res, e) -> Problems.write(
                                res,
                                HttpStatus.UNAUTHORIZED,
                                "Authentication required",
                                unauthorizedDetail(req.getHeader("Authorization"))))
                        .accessDeniedHandler((req, res, e) -> Problems.write(
                                res,
                                HttpStatus.FORBIDDEN,
                                "Forbidden",
                                "Your token's role may not do this: viewers may only read (GET); "
                                        + "writes need role admin.")))
                .exceptionHandling(ex -> ex.authenticationEntryPoint((req, res, e) -> Problems.write(
                                res,
                                HttpStatus.UNAUTHORIZED,
                                "Authentication required",
                                unauthorizedDetail(req.getHeader("Authorization"))))
                        .accessDeniedHandler((req, res, e) -> Problems.write(
                                res,
                                HttpStatus.FORBIDDEN,
                                "Forbidden",
                                "Your token's role may not do this: viewers may only read (GET); "
                                        + "writes need role admin.")));
        return http.build();
    }

    private static String unauthorizedDetail(String header) {
        if (header == null || header.isBlank()) {
            return "Send 'Authorization: Bearer <token>'. Get a token with: ./chrono-perf token --role admin";
        }
        return "The bearer token is invalid, expired or signed with another secret."
                + " Get a new one with: ./chrono-perf token --role admin";
    }

    private static Collection<GrantedAuthority> roles(Jwt jwt) {
        List<GrantedAuthority> out = new ArrayList<>();
        List<String> roles = jwt.getClaimAsStringList(Roles.CLAIM);
        if (roles != null) {
            for (String role : roles) {
                if (Roles.ALL.contains(role)) {
                    out.add(new SimpleGrantedAuthority("ROLE_" + role.toUpperCase(java.util.Locale.ROOT)));
                }
            }
        }
        return out;
    }
}
