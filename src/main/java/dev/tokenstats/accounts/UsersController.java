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

/** {@code /api/v1/admin/users}: admins manage who signs in. */
@RestController
class UsersController {

    record NewUser(String username, String password, String role, String account) {
        @Override
        public String toString() {
            return "NewUser[username=" + username + ", role=" + role + ", account=" + account + ", password=(hidden)]";
        }
    }

    record UserView(String username, String role, String account, @JsonProperty("created_at") Instant createdAt) {
    }

    private final Users users;

    UsersController(Users users) {
        this.users = users;
    }

    @PostMapping("/api/v1/admin/users")
    ResponseEntity<UserView> create(@RequestBody NewUser body) {
        Viewer.Role role;
        try {
            role = Viewer.Role.valueOf(body.role() == null ? "" : body.role());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("role must be member or admin");
        }
        Viewer v = users.create(body.username(), body.password(), role, body.account());
        Users.Info created = users.list().stream().filter(u -> u.username().equals(v.username())).findFirst().orElseThrow();
        return ResponseEntity.status(HttpStatus.CREATED).body(view(created));
    }

    @GetMapping("/api/v1/admin/users")
    List<UserView> list() {
        return users.list().stream().map(UsersController::view).toList();
    }

    @DeleteMapping("/api/v1/admin/users/{username}")
    ResponseEntity<Object> delete(@PathVariable String username) {
        if (!users.delete(username)) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND)
                    .body(Map.of("error", "not_found", "message", "there is no user with this name"));
        }
        return ResponseEntity.noContent().build();
    }

    private static UserView view(Users.Info u) {
        return new UserView(u.username(), u.role().name(), u.account(), u.createdAt());
    }
}
