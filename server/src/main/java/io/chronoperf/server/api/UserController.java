package io.chronoperf.server.api;

import io.chronoperf.admin.repository.Actor;
import io.chronoperf.admin.repository.Bounds.Page;
import io.chronoperf.admin.repository.User;
import io.chronoperf.admin.repository.UserRepository;
import io.chronoperf.runtime.NotFoundException;
import io.chronoperf.server.cache.CachedAdmin;
import io.chronoperf.server.security.Roles;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/v1/admin/users")
@Tag(name = "users", description = "User management: dashboard, approval queue, search, security status, decisions")
public class UserController {
    private final UserRepository users;
    private final CachedAdmin cached;

    public UserController(UserRepository users, CachedAdmin cached) {
        this.users = users;
        this.cached = cached;
    }

    @GetMapping("/dashboard")
    @Operation(summary = "Counts by approval status and activity, the queue, locks and high-risk accounts")
    public UserRepository.Dashboard dashboard() {
        return cached.dashboard();
    }

    @GetMapping("/approval-queue")
    @Operation(summary = "Pending users, oldest first, keyset-paginated")
    public Page<User> approvalQueue(
            @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        return cached.approvalQueue(limit, cursor);
    }

    @GetMapping
    @Operation(
            summary = "Users filtered by status, activity, lock and a search term (q, 3+ characters), keyset-paginated")
    public Page<User> list(
            @RequestParam(name = "approval_status", required = false) String approvalStatus,
            @RequestParam(name = "is_active", required = false) Boolean active,
            @RequestParam(name = "is_locked", required = false) Boolean locked,
            @RequestParam(required = false) String q,
            @RequestParam(required = false) String sort,
            @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        return cached.list(new UserRepository.Filter(approvalStatus, active, locked, q, sort), limit, cursor);
    }

    @GetMapping("/by-email")
    @Operation(summary = "One user by email (case-insensitive)")
    public User byEmail(@RequestParam String email) {
        return cached.byEmail(email).orElseThrow(() -> new NotFoundException("There is no user with that email"));
    }

    @GetMapping("/security-status")
    @Operation(summary = "The riskiest accounts (risk_score >= min_risk, 70 to 100) with lock and MFA figures")
    public UserRepository.SecurityStatus securityStatus(
            @RequestParam(name = "min_risk", required = false) Integer minRisk,
            @RequestParam(required = false) Integer limit) {
        return cached.securityStatus(minRisk, limit);
    }

    @GetMapping("/{id}")
    @Operation(summary = "One user by id")
    public User byId(@PathVariable long id) {
        return cached.byId(id).orElseThrow(() -> new NotFoundException("There is no user with id " + id));
    }

    @PostMapping("/{id}/approve")
    @Operation(summary = "Approve a pending user (admin only); writes an audit log entry")
    public User approve(@PathVariable long id, @AuthenticationPrincipal Jwt jwt, HttpServletRequest request) {
        User user = users.approve(id, actor(jwt, request));
        cached.afterUserWrite();
        return user;
    }

    @PostMapping("/{id}/reject")
    @Operation(summary = "Reject a pending user (admin only); writes an audit log entry")
    public User reject(@PathVariable long id, @AuthenticationPrincipal Jwt jwt, HttpServletRequest request) {
        User user = users.reject(id, actor(jwt, request));
        cached.afterUserWrite();
        return user;
    }

    /** Body of a lock request. */
    public record LockRequest(String reason) {}

    @PostMapping("/{id}/lock")
    @Operation(summary = "Lock an account (admin only), with an optional reason; writes an audit log entry")
    public User lock(
            @PathVariable long id,
            @RequestBody(required = false) LockRequest body,
            @AuthenticationPrincipal Jwt jwt,
            HttpServletRequest request) {
        User user = users.lock(id, actor(jwt, request), body == null ? null : body.reason());
        cached.afterUserWrite();
        return user;
    }

    @PostMapping("/{id}/unlock")
    @Operation(summary = "Unlock an account (admin only); writes an audit log entry")
    public User unlock(@PathVariable long id, @AuthenticationPrincipal Jwt jwt, HttpServletRequest request) {
        User user = users.unlock(id, actor(jwt, request));
        cached.afterUserWrite();
        return user;
    }

    /** The audit log's actor: the token's admin id and subject, the client's address and user agent. */
    static Actor actor(Jwt jwt, HttpServletRequest request) {
        return new Actor(
                adminId(jwt),
                jwt == null ? null : jwt.getSubject(),
                request.getRemoteAddr(),
                request.getHeader("User-Agent"));
    }

    static long adminId(Jwt jwt) {
        Object uid = jwt == null ? null : jwt.getClaim(Roles.USER_ID_CLAIM);
        return uid instanceof Number n ? n.longValue() : 0;
    }
}
