package dev.tokenstats.web;

import dev.tokenstats.accounts.BearerAuthentication;
import dev.tokenstats.accounts.BearerSecrets;
import dev.tokenstats.accounts.SignInAttempts;
import dev.tokenstats.accounts.UserRemoved;
import dev.tokenstats.accounts.Users;
import dev.tokenstats.accounts.Viewer;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.web.servlet.ServletListenerRegistrationBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.DefaultAuthenticationEventPublisher;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.authorization.AuthorityAuthorizationManager;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationManagers;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.config.annotation.web.configurers.HeadersConfigurer;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.FactorGrantedAuthority;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.core.session.SessionRegistryImpl;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.AuthenticationFilter;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.logout.HttpStatusReturningLogoutSuccessHandler;
import org.springframework.security.web.authentication.www.BasicAuthenticationConverter;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;
import org.springframework.security.web.csrf.CsrfException;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.savedrequest.NullRequestCache;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.session.HttpSessionEventPublisher;
import org.springframework.security.web.util.matcher.RequestMatcher;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * Who may call what, entirely with Spring Security. Two filter chains:
 * <ol>
 * <li><b>Credentials in a header</b> (any request with {@code Authorization}): {@code Bearer} ingest keys and
 * personal access tokens ({@link BearerSecrets}), or HTTP Basic. Stateless: no session is read or created,
 * so a session cookie sent along is ignored and CSRF does not apply.</li>
 * <li><b>The browser</b> (everything else): form sign-in at {@code /login} into a session (cookie HttpOnly,
 * SameSite=Lax), CSRF tokens in the {@code XSRF-TOKEN} cookie sent back as {@code X-XSRF-TOKEN} (Spring
 * Security's SPA setup), sign-out at {@code POST /logout}. The console's JavaScript calls the same
 * {@code /api/**} with the session cookie.</li>
 * </ol>
 * One set of rules for both: ingest keys may only ingest; personal tokens (no password factor) may only
 * read; admin endpoints and every state change need a password sign-in (Basic or session).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SecurityConfiguration.class);

    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; object-src 'none';"
            + " frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
    private static final String PASSWORD = FactorGrantedAuthority.PASSWORD_AUTHORITY;
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");
    private static final RequestMatcher SIGN_IN = PathPatternRequestMatcher.pathPattern(HttpMethod.POST, "/login");
    private static final RequestMatcher SIGN_OUT = PathPatternRequestMatcher.pathPattern(HttpMethod.POST, "/logout");

    /** Username and password checks (form sign-in and Basic), publishing the events sign-in limits count. */
    @Bean
    AuthenticationManager passwordSignIn(ApplicationEventPublisher events) {
        DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(users);
        passwords.setPasswordEncoder(users.encoder());
        ProviderManager manager = new ProviderManager(passwords);
        manager.setAuthenticationEventPublisher(new DefaultAuthenticationEventPublisher(events));
        return manager;
    }

    private final SessionRegistry sessions = new SessionRegistryImpl();
    private final Users users;

    SecurityConfiguration(Users users) {
        this.users = users;
    }

    @Bean
    SessionRegistry sessionRegistry() {
        return sessions;
    }

    /** Tells the session registry when sessions end. */
    @Bean
    ServletListenerRegistrationBean<HttpSessionEventPublisher> sessionEvents() {
        return new ServletListenerRegistrationBean<>(new HttpSessionEventPublisher());
    }

    /** A deleted user's sessions end at once (their next request is 401). */
    @EventListener
    void endSessionsOf(UserRemoved removed) {
        for (Object principal : sessions.getAllPrincipals()) {
            if (principal instanceof org.springframework.security.core.userdetails.UserDetails u
                    && u.getUsername().equals(removed.username())) {
                sessions.getAllSessions(principal, false).forEach(SessionInformation::expireNow);
            }
        }
    }

    /**
     * Sessions of users deleted on another instance sharing the database (or created again there with another role
     * or account) end within {@code tokenstats.accounts.refresh}, as deleted users' tokens do.
     */
    @Scheduled(initialDelayString = "${tokenstats.accounts.refresh:PT1S}", fixedDelayString = "${tokenstats.accounts.refresh:PT1S}")
    void endSessionsOfUsersGoneElsewhere() {
        // Each session against its own principal: the registry keys sessions by username, so a user deleted and
        // created again has the old principal as key while their new sessions are of the new one.
        List<SessionInformation> all = sessions.getAllPrincipals().stream()
                .flatMap(p -> sessions.getAllSessions(p, false).stream()).toList();
        if (all.isEmpty()) {
            return;
        }
        try {
            Set<Object> gone = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            gone.addAll(users.gone(all.stream().map(SessionInformation::getPrincipal).toList()));
            all.stream().filter(s -> gone.contains(s.getPrincipal())).forEach(SessionInformation::expireNow);
        } catch (RuntimeException e) { // the database is unreachable: the next run checks again
            log.warn("checking signed-in users against the database failed: {}", e.getMessage());
        }
    }

    @Bean
    @Order(1)
    SecurityFilterChain credentialsInHeader(HttpSecurity http, AuthenticationManager passwordSignIn,
                                            BearerSecrets bearerSecrets, SignInAttempts attempts) throws Exception {
        AuthenticationFilter bearer = new AuthenticationFilter(bearerSecrets, SecurityConfiguration::bearer);
        bearer.setRequestMatcher(request -> bearer(request) != null);
        bearer.setSuccessHandler((request, response, authentication) -> { });
        bearer.setFailureHandler((request, response, e) -> unauthorized(response, e.getMessage(), true));
        BasicAuthenticationConverter basic = new BasicAuthenticationConverter();
        SignInLimitFilter limit = new SignInLimitFilter(attempts, request -> {
            try {
                var attempt = basic.convert(request);
                return attempt == null ? null : attempt.getName();
            } catch (RuntimeException malformed) {
                return null; // the Basic filter answers it
            }
        });
        return http
                .securityMatcher(request -> request.getHeader(HttpHeaders.AUTHORIZATION) != null)
                .authenticationManager(passwordSignIn)
                .csrf(c -> c.disable()) // credentials come in a header a cross-site page cannot set
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.requestCache(new NullRequestCache()))
                .logout(l -> l.disable())
                .addFilterBefore(limit, BasicAuthenticationFilter.class)
                .addFilterBefore(bearer, AuthorizationFilter.class)
                .httpBasic(b -> b.authenticationEntryPoint((request, response, e) ->
                        unauthorized(response, "wrong username or password", true)))
                .authorizeHttpRequests(SecurityConfiguration::rules)
                .headers(SecurityConfiguration::headers)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) ->
                                unauthorized(response, "send Authorization: Bearer <token> or HTTP Basic credentials", true))
                        .accessDeniedHandler((request, response, ex) -> forbidden(response)))
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain browser(HttpSecurity http, AuthenticationManager passwordSignIn, SignInAttempts attempts,
                                SessionRegistry sessionRegistry) throws Exception {
        CookieCsrfTokenRepository csrfCookie = CookieCsrfTokenRepository.withHttpOnlyFalse();
        csrfCookie.setCookieCustomizer(c -> c.sameSite("Lax"));
        SignInLimitFilter limit = new SignInLimitFilter(attempts,
                request -> SIGN_IN.matches(request) ? String.valueOf(request.getParameter("username")) : null);
        return http
                .authenticationManager(passwordSignIn)
                .csrf(c -> c.spa().csrfTokenRepository(csrfCookie)
                        .requireCsrfProtectionMatcher(SecurityConfiguration::needsCsrfToken))
                .formLogin(f -> f.loginPage("/login")
                        .successHandler((request, response, authentication) -> signedIn(response))
                        .failureHandler((request, response, e) -> unauthorized(response, "wrong username or password", false)))
                .logout(l -> l.logoutUrl("/logout").deleteCookies("JSESSIONID").logoutSuccessHandler(new HttpStatusReturningLogoutSuccessHandler(HttpStatus.NO_CONTENT)))
                .sessionManagement(s -> s
                        .sessionFixation(f -> f.changeSessionId())
                        .maximumSessions(-1).sessionRegistry(sessionRegistry)
                        .expiredSessionStrategy(event -> unauthorized(event.getResponse(), "the session has ended; sign in again", false)))
                .requestCache(c -> c.requestCache(new NullRequestCache()))
                .addFilterBefore(limit, UsernamePasswordAuthenticationFilter.class)
                .authorizeHttpRequests(SecurityConfiguration::rules)
                .headers(SecurityConfiguration::headers)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint(SecurityConfiguration::signInFirst)
                        .accessDeniedHandler((request, response, ex) -> {
                            if (ex instanceof CsrfException) {
                                json(response, HttpServletResponse.SC_FORBIDDEN, "csrf",
                                        "send the XSRF-TOKEN cookie's value in the X-XSRF-TOKEN header");
                            } else {
                                forbidden(response);
                            }
                        }))
                .build();
    }

    private static void rules(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry a) {
        AuthorizationManager<RequestAuthorizationContext> member = AuthorityAuthorizationManager.hasAnyRole("MEMBER", "ADMIN");
        a.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                .requestMatchers("/error").denyAll() // only for the container's error dispatch, never asked for directly
                .requestMatchers("/actuator/health", "/actuator/health/**").permitAll()
                .requestMatchers(HttpMethod.GET, "/login", "/login.html", "/login.js", "/login.css", "/favicon.ico").permitAll()
                .requestMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs.yaml", "/v3/api-docs/**").permitAll() // the OpenAPI document
                .requestMatchers("/api/v1/events").hasAuthority(BearerSecrets.INGEST)
                .requestMatchers("/api/v1/admin/**").hasAllAuthorities("ROLE_ADMIN", PASSWORD)
                .requestMatchers(HttpMethod.GET, "/actuator/**").hasRole("ADMIN")
                .requestMatchers("/actuator/**").hasAllAuthorities("ROLE_ADMIN", PASSWORD)
                // Reads: any user, also with a read-only personal token. Everything else (on every path): a
                // user signed in with a password (Basic or session), so never a token.
                .requestMatchers(HttpMethod.GET).access(member)
                .requestMatchers(HttpMethod.HEAD).access(member)
                .anyRequest().access(AuthorizationManagers.allOf(member, AuthorityAuthorizationManager.hasAuthority(PASSWORD)));
    }

    private static void headers(HeadersConfigurer<HttpSecurity> h) {
        h.contentSecurityPolicy(c -> c.policyDirectives(CONTENT_SECURITY_POLICY))
                .frameOptions(f -> f.deny())
                .contentTypeOptions(Customizer.withDefaults())
                .referrerPolicy(r -> r.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN));
    }

    /**
     * A cookie-authenticated state change needs the CSRF token; so do sign-in and sign-out. A request without a
     * session cookie cannot be cookie-authenticated, so it gets the plain 401 instead.
     */
    private static boolean needsCsrfToken(HttpServletRequest request) {
        if (SAFE_METHODS.contains(request.getMethod())) {
            return false;
        }
        return request.getRequestedSessionId() != null || SIGN_IN.matches(request) || SIGN_OUT.matches(request);
    }

    private static Authentication bearer(HttpServletRequest request) {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return BearerAuthentication.unchecked(header.substring(7).strip());
    }

    /** Pages send a browser to the sign-in page; everything else gets a JSON 401. */
    private static void signInFirst(HttpServletRequest request, HttpServletResponse response,
                                    org.springframework.security.core.AuthenticationException e) throws IOException {
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        boolean page = "GET".equals(request.getMethod()) && accept != null && accept.contains(MediaType.TEXT_HTML_VALUE)
                && !request.getRequestURI().startsWith(request.getContextPath() + "/api/");
        if (page) {
            String target = request.getRequestURI().substring(request.getContextPath().length())
                    + (request.getQueryString() == null ? "" : "?" + request.getQueryString());
            response.sendRedirect(request.getContextPath() + "/login"
                    + (target.equals("/") ? "" : "?next=" + URLEncoder.encode(target, StandardCharsets.UTF_8)));
        } else {
            unauthorized(response, "sign in, or send Authorization: Bearer <token> or HTTP Basic credentials", false);
        }
    }

    private static void signedIn(HttpServletResponse response) throws IOException {
        Viewer v = Viewer.current();
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write("{\"username\":" + quote(v.username()) + ",\"role\":" + quote(v.role().name())
                + ",\"account\":" + (v.account() == null ? "null" : quote(v.account())) + "}");
    }

    private static void unauthorized(HttpServletResponse response, String message, boolean challenge) throws IOException {
        if (challenge) {
            // No Basic challenge: a browser would prompt, then send the cached Basic credentials on its own
            // (also cross-site). Scripts send Basic credentials without being asked.
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
        }
        json(response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized", message);
    }

    private static void forbidden(HttpServletResponse response) throws IOException {
        json(response, HttpServletResponse.SC_FORBIDDEN, "forbidden", "these credentials may not do this");
    }

    static void json(HttpServletResponse response, int status, String code, String message) throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_JSON_VALUE);
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write("{\"error\":" + quote(code) + ",\"message\":" + quote(message) + "}");
    }

    /** A JSON string of characters we chose (names, fixed messages): quotes, backslashes and controls escaped. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
