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

/** {@code /api/v1/admin/ingest-keys}: admins manage the keys gateways send events with. */
@RestController
class IngestKeysController {

    record NewKey(String name) {
    }

    record KeyCreated(String id, String name, String key) {
        @Override
        public String toString() {
            return "KeyCreated[id=" + id + ", key=(hidden)]";
        }
    }

    record KeyView(String id, String name, @JsonProperty("created_at") Instant createdAt,
                   @JsonProperty("revoked_at") Instant revokedAt) {
    }

    private final IngestKeys keys;

    IngestKeysController(IngestKeys keys) {
        this.keys = keys;
    }

    @PostMapping("/api/v1/admin/ingest-keys")
    ResponseEntity<KeyCreated> create(@RequestBody NewKey body) {
        IngestKeys.Created k = keys.create(body.name());
        return ResponseEntity.status(HttpStatus.CREATED).body(new KeyCreated(k.id(), k.name(), k.key()));
    }

    @GetMapping("/api/v1/admin/ingest-keys")
    List<KeyView> list() {
        return keys.list().stream().map(k -> new KeyView(k.id(), k.name(), k.createdAt(), k.revokedAt())).toList();
    }

    @DeleteMapping("/api/v1/admin/ingest-keys/{id}")
    ResponseEntity<Object> revoke(@PathVariable String id) {
        if (!keys.revoke(id)) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND)
                    .body(Map.of("error", "not_found", "message", "there is no valid ingest key with this id"));
        }
        return ResponseEntity.noContent().build();
    }
}
