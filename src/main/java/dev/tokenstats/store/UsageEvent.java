package dev.tokenstats.store;

/**
 * One validated usage event, as the store keeps it. Optional text fields are never {@code null}:
 * an absent key, group or channel is the empty string. Credits are kept exactly as nano-credits
 * (credits x 10^9); an absent duration is {@code -1}; an absent stream flag is {@code null}.
 */
public record UsageEvent(
        String account,
        String id,
        long timeMillis,
        String model,
        String key,
        long promptTokens,
        long completionTokens,
        long cachedTokens,
        long quota,
        long creditNanos,
        long durationMs,
        boolean error,
        Boolean stream,
        String group,
        String channel) {

    public long tokens() {
        return promptTokens + completionTokens;
    }

    public long epochMinute() {
        return Math.floorDiv(timeMillis, 60_000L);
    }
}
