package io.chronoperf.server.api;

import io.chronoperf.server.config.AdminPlatformConfig.MigratedSchema;
import io.chronoperf.server.problem.Problems;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Where chrono-perf only watches a database (the admin platform's schema not installed there), the
 * admin platform's API ({@code /api/v1/admin/users}, {@code projects}, ...) answers 404 with a
 * sentence saying why and how to install it, instead of a database error; the performance API
 * under {@code /api/v1/admin/performance} works as usual. Runs after authentication (an MVC
 * interceptor), so an anonymous caller still gets 401.
 */
@Configuration(proxyBeanMethods = false)
public class AdminPlatformGuard implements WebMvcConfigurer {
    private final MigratedSchema schema;

    public AdminPlatformGuard(MigratedSchema schema) {
        this.schema = schema;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        if (schema.installed()) {
            return;
        }
        registry.addInterceptor(new HandlerInterceptor() {
                    @Override
                    public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
                            throws IOException {
                        Problems.write(
                                response,
                                HttpStatus.NOT_FOUND,
                                "Admin platform not installed",
                                "chrono-perf only watches this database: the admin platform's schema is not installed "
                                        + "here ("
                                        + schema.reason()
                                        + "). The performance API under /api/v1/admin/performance works;"
                                        + " to install the admin platform, run ./chrono-perf migrate or start with"
                                        + " CHRONO_PERF_ADMIN_SCHEMA=install.");
                        return false;
                    }
                })
                .addPathPatterns("/api/v1/admin/**")
                .excludePathPatterns("/api/v1/admin/performance/**");
    }
}
