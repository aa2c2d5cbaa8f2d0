package io.chronoperf.server.api;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI description at {@code /v3/api-docs}: generated from the controllers, with bearer auth. */
@Configuration(proxyBeanMethods = false)
public class OpenApiConfig {
    @Bean
    OpenAPI chronoPerfOpenApi() {
        return new OpenAPI()
                .info(new Info()
                        .title("chrono-perf admin API")
                        .version("v1")
                        .description(
                                "The admin platform API and, as it lands, the performance API. Every endpoint needs"
                                        + " 'Authorization: Bearer <JWT>' (./chrono-perf token --role "
                                        + "admin|viewer); viewers may"
                                        + " only read. Errors are application/problem+json. JSON properties "
                                        + "are snake_case."))
                .components(new Components()
                        .addSecuritySchemes(
                                "bearer",
                                new SecurityScheme()
                                        .type(SecurityScheme.Type.HTTP)
                                        .scheme("bearer")
                                        .bearerFormat("JWT")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }

    /**
     * An audit entry's {@code details} are written as the JSON object they are (StrictInputConfig's
     * mix-in); the description says so instead of "string".
     */
    @Bean
    org.springdoc.core.customizers.OpenApiCustomizer auditDetailsAsObject() {
        return openApi -> {
            if (openApi.getComponents() == null || openApi.getComponents().getSchemas() == null) {
                return;
            }
            openApi.getComponents().getSchemas().values().forEach(schema -> {
                java.util.Map<String, io.swagger.v3.oas.models.media.Schema> properties = schema.getProperties();
                if (properties != null
                        && properties.containsKey("details")
                        && (properties.containsKey("affected_count") || properties.containsKey("affectedCount"))) {
                    properties.put(
                            "details",
                            new io.swagger.v3.oas.models.media.ObjectSchema()
                                    .description(
                                            "What the entry records: changes, source, actor, reason (a JSON object)"));
                }
            });
        };
    }
}
