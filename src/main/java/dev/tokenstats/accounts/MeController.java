package dev.tokenstats.accounts;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** {@code /api/v1/me}: who the caller is, and changing one's own password. */
@RestController
class MeController {

    record PasswordChange(@JsonProperty("current_password") String currentPassword,
                          @JsonProperty("new_password") String newPassword) {
        @Override
        public String toString() {
            return "PasswordChange[(hidden)]";
        }
    }

    private final Users users;
    private final SignInAttempts attempts;

    MeController(Users users, SignInAttempts attempts) {
        this.users = users;
        this.attempts = attempts;
    }

    @GetMapping("/api/v1/me")
    Map<String, Object> me() {
        Viewer v = Viewer.current();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", v.username());
        out.put("role", v.role().name());
        out.put("account", v.account());
        return out;
    }

    /**
     * A wrong current password counts as a failed sign-in (so a borrowed session cannot be used to guess it)
     * and answers 403; while the username or address is blocked the answer is 429.
     */
    @PostMapping("/api/v1/me/password")
    ResponseEntity<Object> changePassword(@RequestBody PasswordChange body, HttpServletRequest request) {
        String username = Viewer.current().username();
        String address = request.getRemoteAddr();
        Optional<Duration> wait = attempts.retryAfter(username, address);
        if (wait.isPresent()) {
            return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                    .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, (wait.get().toMillis() + 999) / 1000)))
                    .body(Map.of("error", "too_many_attempts", "message", "too many wrong passwords; retry later"));
        }
        if (body.newPassword() == null || body.newPassword().length() < 8 || body.newPassword().length() > 128) {
            throw new IllegalArgumentException("new_password must be 8-128 characters");
        }
        if (!users.changeOwnPassword(username, body.currentPassword(), body.newPassword())) {
            attempts.failed(username, address);
            return ResponseEntity.status(HttpStatus.FORBIDDEN)
                    .body(Map.of("error", "forbidden", "message", "current_password is not your password"));
        }
        return ResponseEntity.noContent().build();
    }
}
