package io.chronoperf.server.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.chronoperf.runtime.ChronoPerfException;
import io.chronoperf.runtime.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/** Signs HS256 admin API tokens with the configured secret (used by {@code chrono-perf token} and tests). */
public final class TokenIssuer {
    public static final String ISSUER = "chrono-perf";
    /** Tokens live at most 30 days: long enough for a CI job, short enough to expire. */
    public static final Duration MAX_TTL = Duration.ofDays(30);

    private final byte[] secret;
    private final Clock clock;

    public TokenIssuer(byte[] secret, Clock clock) {
        this.secret = secret.clone();
        this.clock = clock;
    }

    /**
     * @param role    admin or viewer
     * @param subject who the token is for (shown in logs and audit entries)
     * @param userId  the admin's user id for the audit log, or 0 for none
     */
    public String issue(String role, Duration ttl, String subject, long userId) {
        if (!Roles.ALL.contains(role)) {
            throw new ChronoPerfException(ErrorCode.CONFIGURATION, "role must be admin or viewer, not '" + role + "'");
        }
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new ChronoPerfException(
                    ErrorCode.CONFIGURATION,
                    "ttl must be positive and at most " + MAX_TTL.toDays() + " days, not " + ttl);
        }
        Instant now = clock.instant();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .subject(subject)
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now.minusSeconds(5)))
                .expirationTime(Date.from(now.plus(ttl)))
                .claim(Roles.CLAIM, List.of(role));
        if (userId > 0) {
            claims.claim(Roles.USER_ID_CLAIM, userId);
        }
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new ChronoPerfException(ErrorCode.CONFIGURATION, "Cannot sign the token: " + e.getMessage(), e);
        }
    }
}
