package io.chronoperf.admin.repository;

import java.time.Instant;

/** One user account as the admin API shows it. */
public record User(
        long id,
        String email,
        String fullName,
        String role,
        String approvalStatus,
        boolean isActive,
        boolean isLocked,
        boolean isVerified,
        boolean mfaEnabled,
        int riskScore,
        int failedLoginCount,
        Instant lastFailedLogin,
        Instant lastLoginAt,
        Long approvedBy,
        Instant approvedAt,
        String lockedReason,
        Instant createdAt,
        Instant updatedAt) {}
