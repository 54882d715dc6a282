package dev.tokenstats.web;

import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document the app serves at {@code /v3/api-docs} (JSON; {@code /v3/api-docs.yaml} for YAML),
 * without credentials. Endpoints name the scheme they need: {@code basic} (users), {@code token} (read-only
 * personal tokens) or {@code ingestKey}.
 */
@Configuration(proxyBeanMethods = false)
@OpenAPIDefinition(info = @Info(title = "tokenstats API", version = "v1",
        description = "Usage statistics for LLM API gateways. Human-readable reference: docs/api.md."))
@SecurityScheme(name = "basic", type = SecuritySchemeType.HTTP, scheme = "basic",
        description = "a tokenstats user (member or admin)")
@SecurityScheme(name = "ingestKey", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "an ingest key, for POST /api/v1/events")
@SecurityScheme(name = "token", type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "a personal access token (tsp_...): reads (GET) as its user; see docs/accounts.md")
class ApiDocumentation {
}
