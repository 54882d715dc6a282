package dev.tokenstats.web;

import dev.tokenstats.accounts.IngestKeys;
import dev.tokenstats.accounts.Users;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.access.intercept.AuthorizationFilter;

import java.io.IOException;

/** Who may call what. Gateways authenticate with an ingest key ({@code Authorization: Bearer ...}). */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String INGEST = "INGEST";

    /** An ingest key, before and after it was checked. */
    static final class IngestKeyAuthentication extends AbstractAuthenticationToken {
        private final String key;

        IngestKeyAuthentication(String key, boolean authenticated) {
            this(key, authenticated, false);
        }

        IngestKeyAuthentication(String key, boolean authenticated, boolean backfill) {
            super(!authenticated ? AuthorityUtils.NO_AUTHORITIES : backfill
                    ? AuthorityUtils.createAuthorityList(INGEST, IngestKeys.BACKFILL) : AuthorityUtils.createAuthorityList(INGEST));
            this.key = key;
            setAuthenticated(authenticated);
        }

        @Override
        public Object getCredentials() {
            return isAuthenticated() ? null : key;
        }

        @Override
        public Object getPrincipal() {
            return "ingest-key";
        }
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, IngestKeys ingestKeys, Users users) throws Exception {
        AuthenticationManager ingestKeyCheck = auth -> {
            String key = (String) auth.getCredentials();
            if (!ingestKeys.isValid(key)) {
                throw new BadCredentialsException("unknown or revoked ingest key");
            }
            return new IngestKeyAuthentication(null, true, ingestKeys.mayBackfill(key));
        };
        AuthenticationFilter bearer = new AuthenticationFilter(ingestKeyCheck, SecurityConfiguration::bearer);
        bearer.setSuccessHandler((request, response, authentication) -> { });
        bearer.setFailureHandler((request, response, e) -> unauthorized(response, e.getMessage()));
        bearer.setRequestMatcher(request -> bearer(request) != null);

        DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(users);
        passwords.setPasswordEncoder(users.encoder());
        return http
                .authenticationProvider(passwords)
                .securityMatcher("/api/**", "/actuator/**")
                .csrf(c -> c.disable()) // API calls carry credentials in a header, never a cookie
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(bearer, AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/actuator/health/**", "/actuator/health").permitAll()
                        .requestMatchers("/actuator/**").hasRole("ADMIN")
                        .requestMatchers("/api/v1/events").hasAuthority(INGEST)
                        .requestMatchers("/api/v1/admin/**").hasRole("ADMIN")
                        .requestMatchers("/api/**").hasAnyRole("MEMBER", "ADMIN")
                        .anyRequest().authenticated())
                .httpBasic(b -> b.authenticationEntryPoint((request, response, ex) ->
                        unauthorized(response, "send Authorization: Bearer <token> or HTTP Basic credentials")))
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) ->
                                unauthorized(response, "send Authorization: Bearer <key>"))
                        .accessDeniedHandler((request, response, ex) ->
                                json(response, HttpServletResponse.SC_FORBIDDEN, "forbidden",
                                        "these credentials may not do this")))
                .build();
    }

    private static Authentication bearer(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return new IngestKeyAuthentication(header.substring(7).strip(), false);
    }

    private static void unauthorized(HttpServletResponse response, String message) throws IOException {
        response.setHeader("WWW-Authenticate", "Bearer");
        json(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized", message);
    }

    static void json(HttpServletResponse response, int status, String code, String message) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.getWriter().write("{\"error\":\"" + code + "\",\"message\":\"" + message.replace("\"", "'") + "\"}");
    }
}
