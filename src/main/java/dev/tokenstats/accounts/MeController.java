package dev.tokenstats.accounts;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code GET /api/v1/me}: who the caller is. */
@RestController
class MeController {

    @GetMapping("/api/v1/me")
    Map<String, Object> me() {
        Viewer v = Viewer.current();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", v.username());
        out.put("role", v.role().name());
        out.put("account", v.account());
        return out;
    }
}
