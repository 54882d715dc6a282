package dev.tokenstats.logs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tokenstats.store.Credits;
import dev.tokenstats.store.UsageEvent;

import java.time.Instant;

/** One call on the Usage Logs page. {@code account} and {@code channel} are shown to admins only. */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
record LogItem(
        String id,
        String time,
        String key,
        String model,
        @JsonProperty("prompt_tokens") long promptTokens,
        @JsonProperty("completion_tokens") long completionTokens,
        @JsonProperty("cached_tokens") long cachedTokens,
        long quota,
        String credits,
        @JsonProperty("duration_ms") @JsonInclude(JsonInclude.Include.ALWAYS) Long durationMs,
        String status,
        @JsonInclude(JsonInclude.Include.ALWAYS) Boolean stream,
        String group,
        @JsonInclude(JsonInclude.Include.NON_NULL) String account,
        @JsonInclude(JsonInclude.Include.NON_NULL) String channel) {

    static LogItem of(UsageEvent e, boolean admin) {
        return new LogItem(e.id(), Instant.ofEpochMilli(e.timeMillis()).toString(), e.key(), e.model(),
                e.promptTokens(), e.completionTokens(), e.cachedTokens(), e.quota(), Credits.format(e.creditNanos()),
                e.durationMs() < 0 ? null : e.durationMs(), e.error() ? "error" : "success", e.stream(), e.group(),
                admin ? e.account() : null, admin ? e.channel() : null);
    }
}
