package dev.tokenstats.stats;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;

import java.util.List;

/**
 * The answer of {@code GET /api/v1/stats}, field names as the API contract spells them. Counts are numbers;
 * credits are exact decimal strings; times are RFC 3339 with the offset of the requested zone at that instant.
 */
@Schema(name = "Stats")
record StatsResponse(
        @Schema(description = "the account the figures are for") String account,
        @Schema(description = "start of the effective period (inclusive; the requested from rounded down to the minute)")
        String from,
        @Schema(description = "end of the effective period (exclusive; the requested to rounded up to the minute)")
        String to,
        @Schema(description = "the zone buckets are calendar buckets in") String tz,
        @Schema(description = "the bucket size used (auto resolved)", allowableValues = {"minute", "hour", "day", "week", "month"})
        String granularity,
        @JsonProperty("complete_until")
        @Schema(description = "time of the account's newest stored event, capped at to; null when the account has no events",
                nullable = true)
        String completeUntil,
        Overview overview,
        @Schema(description = "one entry per bucket, in order, zero-filled") List<Consumption> consumption,
        Models models) {

    /** Figures of the period, of the period just before it, and of all time. */
    @Schema(name = "StatsOverview")
    record Overview(
            long requests,
            long errors,
            long quota,
            @Schema(description = "exact decimal string") String credits,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @Schema(description = "prompt_tokens + completion_tokens") long tokens,
            @JsonProperty("avg_rpm") @Schema(description = "requests / elapsed minutes, 3 decimals") double avgRpm,
            @JsonProperty("avg_tpm") @Schema(description = "tokens / elapsed minutes, 3 decimals") double avgTpm,
            @JsonProperty("peak_rpm") @Schema(description = "most requests in one minute") long peakRpm,
            @JsonProperty("peak_tpm") @Schema(description = "most tokens in one minute") long peakTpm,
            @Schema(description = "the same figures for the equally long period just before from") Figures previous,
            @JsonProperty("all_time") AllTime allTime) {
    }

    /** The figures of one period. */
    @Schema(name = "StatsFigures")
    record Figures(
            long requests,
            long errors,
            long quota,
            String credits,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            long tokens,
            @JsonProperty("avg_rpm") double avgRpm,
            @JsonProperty("avg_tpm") double avgTpm,
            @JsonProperty("peak_rpm") long peakRpm,
            @JsonProperty("peak_tpm") long peakTpm) {
    }

    /** Totals since the account's first event, under the same filters. */
    @Schema(name = "StatsAllTime")
    record AllTime(long requests, long quota, String credits, long tokens) {
    }

    /** One bucket of the consumption chart. */
    @Schema(name = "StatsConsumption")
    record Consumption(String start, String end, long requests, long quota, String credits, long tokens) {
    }

    @Schema(name = "StatsModels")
    record Models(Trends trends, List<Share> distribution, List<ModelRank> leaderboard) {
    }

    /** Requests per bucket of the top 10 models, then "(other)" for the rest. */
    @Schema(name = "StatsTrends")
    record Trends(@Schema(description = "bucket starts, as in consumption") List<String> buckets,
                  List<Series> series) {
    }

    @Schema(name = "StatsSeries")
    record Series(String model, @Schema(description = "requests per bucket") long[] requests) {
    }

    @Schema(name = "StatsShare")
    record Share(String model, long requests,
                 @Schema(description = "part of all requests, 6 decimals; the shares add up to 1") double share) {
    }

    @Schema(name = "StatsModelRank")
    record ModelRank(
            int rank,
            String model,
            long requests,
            long errors,
            long quota,
            String credits,
            long tokens,
            @JsonProperty("prompt_tokens") long promptTokens,
            @JsonProperty("completion_tokens") long completionTokens,
            @JsonProperty("avg_duration_ms") @Schema(description = "mean duration, 1 decimal; null without durations",
                    nullable = true) Double avgDurationMs,
            @JsonProperty("quota_per_1k_tokens") @Schema(description = "quota * 1000 / tokens, 3 decimals; null without tokens",
                    nullable = true) Double quotaPer1kTokens) {
    }
}
