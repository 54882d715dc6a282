package dev.tokenstats.accounts;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** {@code /api/v1/tokens}: the signed-in user's own personal access tokens. */
@RestController
class TokensController {

    record NewToken(String name) {
    }

    record TokenCreated(String id, String name, String token, @JsonProperty("created_at") Instant createdAt) {
        @Override
        public String toString() {
            return "TokenCreated[id=" + id + ", token=(hidden)]";
        }
    }

    record TokenView(String id, String name, @JsonProperty("created_at") Instant createdAt,
                     @JsonProperty("last_used_at") Instant lastUsedAt) {
    }

    private final PersonalTokens tokens;

    TokensController(PersonalTokens tokens) {
        this.tokens = tokens;
    }

    @PostMapping("/api/v1/tokens")
    ResponseEntity<TokenCreated> create(@RequestBody NewToken body) {
        PersonalTokens.Created t = tokens.create(Viewer.current(), body.name());
        return ResponseEntity.status(HttpStatus.CREATED).body(new TokenCreated(t.id(), t.name(), t.token(), t.createdAt()));
    }

    @GetMapping("/api/v1/tokens")
    List<TokenView> list() {
        return tokens.list(Viewer.current().username()).stream()
                .map(t -> new TokenView(t.id(), t.name(), t.createdAt(), t.lastUsedAt())).toList();
    }

    /** Another user's token id answers 404, exactly like an unknown one. */
    @DeleteMapping("/api/v1/tokens/{id}")
    ResponseEntity<Object> revoke(@PathVariable String id) {
        if (!tokens.revoke(Viewer.current().username(), id)) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND)
                    .body(Map.of("error", "not_found", "message", "you have no token with this id"));
        }
        return ResponseEntity.noContent().build();
    }
}
