package dev.tokenstats.accounts;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.event.AuthenticationFailureBadCredentialsEvent;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.stereotype.Service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed password sign-ins, counted per username and per client address in a sliding window (time from the
 * injected {@link Clock}). Once a username or an address has {@code max} failures within the window, every
 * further password attempt for it is refused (even a correct one) until the oldest of those failures ages
 * out. Failures are learned from Spring Security's authentication events, so form sign-in and HTTP Basic
 * count alike. A success does not clear earlier failures: otherwise every successful Basic call (the user's
 * own script) would reset the count for someone guessing that user's password.
 */
@Service
public class SignInAttempts {

    private static final Logger log = LoggerFactory.getLogger(SignInAttempts.class);
    private static final int MAX_TRACKED = 100_000;

    private final Clock clock;
    private final int maxPerUsername;
    private final int maxPerAddress;
    private final long windowMs;
    private final Map<String, ArrayDeque<Long>> byUsername = new ConcurrentHashMap<>();
    private final Map<String, ArrayDeque<Long>> byAddress = new ConcurrentHashMap<>();

    SignInAttempts(Clock clock,
                   @Value("${tokenstats.sign-in.max-failures-per-username:5}") int maxPerUsername,
                   @Value("${tokenstats.sign-in.max-failures-per-address:20}") int maxPerAddress,
                   @Value("${tokenstats.sign-in.window:5m}") Duration window) {
        this.clock = clock;
        this.maxPerUsername = maxPerUsername;
        this.maxPerAddress = maxPerAddress;
        this.windowMs = window.toMillis();
    }

    /** How long a password attempt for {@code username} from {@code address} must wait; empty when it may go ahead. */
    public Optional<Duration> retryAfter(String username, String address) {
        long now = clock.millis();
        long wait = Math.max(wait(byUsername.get(usernameKey(username)), maxPerUsername, now),
                wait(byAddress.get(address), maxPerAddress, now));
        return wait > 0 ? Optional.of(Duration.ofMillis(wait)) : Optional.empty();
    }

    /** Notes a failed password check (a sign-in, or a wrong current password when changing it). */
    public void failed(String username, String address) {
        long now = clock.millis();
        if (byUsername.size() + byAddress.size() > MAX_TRACKED) {
            forgetExpired(now);
        }
        boolean userBlocked = add(byUsername, usernameKey(username), maxPerUsername, now);
        boolean addressBlocked = add(byAddress, address, maxPerAddress, now);
        if (userBlocked || addressBlocked) {
            log.warn("sign-in failures: blocking further attempts for {} for {}", userBlocked ? "a username" : "address " + address,
                    Duration.ofMillis(windowMs));
        }
    }

    @EventListener
    void onFailure(AuthenticationFailureBadCredentialsEvent event) {
        if (event.getAuthentication() instanceof UsernamePasswordAuthenticationToken attempt) {
            failed(attempt.getName(), address(attempt.getDetails()));
        }
    }

    private static String address(Object details) {
        return details instanceof WebAuthenticationDetails web && web.getRemoteAddress() != null
                ? web.getRemoteAddress() : "unknown";
    }

    private static String usernameKey(String username) {
        String u = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
        return u.length() > 128 ? u.substring(0, 128) : u;
    }

    /** Adds a failure; true when the key is now blocked. */
    private boolean add(Map<String, ArrayDeque<Long>> map, String key, int max, long now) {
        ArrayDeque<Long> times = map.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            expire(times, now);
            times.addLast(now);
            while (times.size() > max) {
                times.removeFirst();
            }
            return times.size() >= max;
        }
    }

    private long wait(ArrayDeque<Long> times, int max, long now) {
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            expire(times, now);
            return times.size() >= max ? times.peekFirst() + windowMs - now : 0;
        }
    }

    private void expire(ArrayDeque<Long> times, long now) {
        while (!times.isEmpty() && times.peekFirst() <= now - windowMs) {
            times.removeFirst();
        }
    }

    private void forgetExpired(long now) {
        for (Map<String, ArrayDeque<Long>> map : java.util.List.of(byUsername, byAddress)) {
            map.entrySet().removeIf(e -> {
                synchronized (e.getValue()) {
                    expire(e.getValue(), now);
                    return e.getValue().isEmpty();
                }
            });
        }
    }
}
