package dev.tokenstats.stats;

import dev.tokenstats.accounts.Viewer;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.util.List;

/** {@code GET /api/v1/stats}: everything the Usage Stats page shows, for one account, period, zone and filter. */
@RestController
class StatsController {

    private final UsageStats stats;
    private final Clock clock;

    /** How every 4xx answer looks (written by the app's error handling); here for the OpenAPI document. */
    @Schema(name = "Error")
    record ErrorBody(@Schema(example = "bad_request") String error,
                     @Schema(example = "unknown tz 'Mars/Olympus': use an IANA zone id such as Europe/Berlin") String message) {
    }

    StatsController(UsageStats stats, Clock clock) {
        this.stats = stats;
        this.clock = clock;
    }

    @Operation(summary = "Usage statistics of an account",
            description = "Overview cards, consumption per calendar bucket in the requested zone, and model call"
                    + " analysis (trends, distribution, leaderboard). Every figure is exact. See docs/api.md.",
            security = @SecurityRequirement(name = "basic"))
    @ApiResponse(responseCode = "200", description = "the statistics")
    @ApiResponse(responseCode = "400", description = "a bad parameter; the message says what to send instead",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "401", description = "no or wrong credentials",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "403", description = "a member naming another account, or an ingest key",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ErrorBody.class)))
    @GetMapping(path = "/api/v1/stats", produces = MediaType.APPLICATION_JSON_VALUE)
    StatsResponse stats(
            @Parameter(description = "RFC 3339 start (inclusive), rounded down to the minute; default: to - 7 days",
                    example = "2026-03-01T00:00:00Z")
            @RequestParam(required = false) String from,
            @Parameter(description = "RFC 3339 end (exclusive), rounded up to the minute; default: now",
                    example = "2026-03-08T00:00:00Z")
            @RequestParam(required = false) String to,
            @Parameter(description = "IANA zone id of the calendar buckets; default UTC", example = "Europe/Berlin")
            @RequestParam(required = false) String tz,
            @Parameter(description = "bucket size; default auto (period <= 6 h: minute, <= 7 d: hour, <= 120 d: day,"
                    + " <= 731 d: week, else month)", schema = @Schema(allowableValues = {"minute", "hour", "day", "week",
                    "month", "auto"}))
            @RequestParam(required = false) String granularity,
            @Parameter(description = "keep only these models (repeatable)")
            @RequestParam(name = "model", required = false) List<String> models,
            @Parameter(description = "keep only these API keys (repeatable)")
            @RequestParam(name = "key", required = false) List<String> keys,
            @Parameter(description = "success and/or error (repeatable; both or none: all)",
                    array = @ArraySchema(schema = @Schema(allowableValues = {"success", "error"})))
            @RequestParam(name = "status", required = false) List<String> statuses,
            @Parameter(description = "the account to read; admins only (a member may name only their own)")
            @RequestParam(required = false) String account) {
        String readable = Viewer.current().accountToRead(account);
        return stats.compute(StatsQuery.parse(readable, from, to, tz, granularity, models, keys, statuses,
                clock.instant()));
    }
}
