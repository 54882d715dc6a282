package dev.tokenstats.web;

import dev.tokenstats.accounts.SignInAttempts;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/** Answers 429 with Retry-After, before any password check, to sign-in attempts {@link SignInAttempts} blocks. */
final class SignInLimitFilter extends OncePerRequestFilter {

    private final SignInAttempts attempts;
    private final Function<HttpServletRequest, String> username;

    /** @param username the username a request tries to sign in as, or null when it is no password sign-in */
    SignInLimitFilter(SignInAttempts attempts, Function<HttpServletRequest, String> username) {
        this.attempts = attempts;
        this.username = username;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String user = username.apply(request);
        if (user != null) {
            Optional<Duration> wait = attempts.retryAfter(user, request.getRemoteAddr());
            if (wait.isPresent()) {
                long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
                response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
                SecurityConfiguration.json(response, 429, "too_many_attempts",
                        "too many failed sign-ins; retry in " + seconds + " s");
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
