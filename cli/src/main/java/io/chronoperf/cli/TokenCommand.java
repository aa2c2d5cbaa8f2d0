package io.chronoperf.cli;

import io.chronoperf.runtime.TokenSecret;
import io.chronoperf.server.security.TokenIssuer;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "token",
        mixinStandardHelpOptions = true,
        description = "Print an admin API token (HS256 JWT) for the configured secret.")
final class TokenCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions services;

    @Option(
            names = "--role",
            defaultValue = "admin",
            description = "admin (read and write) or viewer (read only). Default: ${DEFAULT-VALUE}.")
    String role;

    @Option(
            names = "--ttl",
            defaultValue = "1h",
            description = "Lifetime, e.g. 30m, 12h, 7d (at most 30d). Default: ${DEFAULT-VALUE}.")
    String ttl;

    @Option(
            names = "--subject",
            defaultValue = "cli",
            description = "Who the token is for, shown in logs. Default: ${DEFAULT-VALUE}.")
    String subject;

    @Option(
            names = "--user-id",
            defaultValue = "0",
            description = "The admin's user id, recorded in the audit log of their writes (0: none).")
    long userId;

    @Override
    public Integer call() {
        byte[] secret = TokenSecret.resolve(services.settings());
        System.out.println(
                new TokenIssuer(secret, Clock.systemUTC()).issue(role, Durations.parse("--ttl", ttl), subject, userId));
        return 0;
    }
}
