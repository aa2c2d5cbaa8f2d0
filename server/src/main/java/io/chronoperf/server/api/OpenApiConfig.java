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
     * The API writes its properties in snake_case (spring.jackson.property-naming-strategy), which
     * springdoc's model reader does not see: the description's property names are translated by
     * the same Jackson strategy, so that the description names what the responses hold.
     */
    @Bean
    org.springdoc.core.customizers.OpenApiCustomizer snakeCasePropertyNames() {
        return openApi -> {
            if (openApi.getComponents() != null && openApi.getComponents().getSchemas() != null) {
                openApi.getComponents().getSchemas().values().forEach(OpenApiConfig::snakeCase);
            }
        };
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static void snakeCase(io.swagger.v3.oas.models.media.Schema schema) {
        if (schema == null) {
            return;
        }
        java.util.function.UnaryOperator<String> naming =
                name -> tools.jackson.databind.PropertyNamingStrategies.SNAKE_CASE.nameForField(null, null, name);
        java.util.Map<String, io.swagger.v3.oas.models.media.Schema> properties = schema.getProperties();
        if (properties != null) {
            java.util.Map<String, io.swagger.v3.oas.models.media.Schema> renamed = new java.util.LinkedHashMap<>();
            properties.forEach((name, property) -> {
                snakeCase(property);
                renamed.put(naming.apply(name), property);
            });
            schema.setProperties(renamed);
        }
        if (schema.getRequired() != null) {
            schema.setRequired(((java.util.List<String>) schema.getRequired())
                    .stream().map(naming).toList());
        }
        snakeCase(schema.getItems());
        if (schema.getAdditionalProperties() instanceof io.swagger.v3.oas.models.media.Schema inner) {
            snakeCase(inner);
        }
        if (schema.getAllOf() != null) {
            ((java.util.List<io.swagger.v3.oas.models.media.Schema>) schema.getAllOf())
                    .forEach(OpenApiConfig::snakeCase);
        }
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
