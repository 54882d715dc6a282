package dev.tokenstats.accounts;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tokenstats.store.AccountTotals;
import dev.tokenstats.store.Totals;
import dev.tokenstats.store.UsageStore;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/admin/accounts?from&to}: every account ranked by requests in the period, the admin's view
 * of who uses what. {@code from}, {@code to}: RFC 3339 instants, half-open [from, to), from rounded down and to
 * rounded up to the minute (as the stats API does); default the 7 days up to now. Accounts of users without usage are listed with zeros.
 */
@RestController
class AccountUsageController {

    record Period(String from, String to, List<AccountRow> accounts) {
    }

    record AccountRow(int rank, String account, long requests, long errors, long quota, String credits, long tokens,
                      @JsonProperty("prompt_tokens") long promptTokens,
                      @JsonProperty("completion_tokens") long completionTokens) {
    }

    private final UsageStore store;
    private final Users users;
    private final Clock clock;

    AccountUsageController(UsageStore store, Users users, Clock clock) {
        this.store = store;
        this.users = users;
        this.clock = clock;
    }

    @GetMapping("/api/v1/admin/accounts")
    Period accounts(@RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        long toMinute = Math.floorDiv((to == null ? clock.millis() : millis(to, "to")) + 59_999, 60_000);
        long fromMinute = from == null ? toMinute - Duration.ofDays(7).toMinutes() : Math.floorDiv(millis(from, "from"), 60_000);
        if (toMinute <= fromMinute) {
            throw new IllegalArgumentException("to must be at least one minute after from");
        }
        Map<String, Totals> byAccount = new LinkedHashMap<>();
        for (AccountTotals a : store.perAccount(fromMinute, toMinute)) {
            byAccount.put(a.account(), a.totals());
        }
        for (String account : users.accounts()) {
            byAccount.putIfAbsent(account, Totals.zero(0, null));
        }
        List<Map.Entry<String, Totals>> ranked = new ArrayList<>(byAccount.entrySet());
        ranked.sort(Comparator.<Map.Entry<String, Totals>>comparingLong(e -> -e.getValue().requests())
                .thenComparingLong(e -> -e.getValue().quota())
                .thenComparing(Map.Entry::getKey));
        List<AccountRow> rows = new ArrayList<>(ranked.size());
        for (Map.Entry<String, Totals> e : ranked) {
            Totals t = e.getValue();
            rows.add(new AccountRow(rows.size() + 1, e.getKey(), t.requests(), t.errors(), t.quota(),
                    new BigDecimal(t.creditNanos(), 9).stripTrailingZeros().toPlainString(), t.tokens(),
                    t.promptTokens(), t.completionTokens()));
        }
        return new Period(Instant.ofEpochSecond(fromMinute * 60).toString(), Instant.ofEpochSecond(toMinute * 60).toString(), rows);
    }

    private static long millis(String value, String name) {
        try {
            return OffsetDateTime.parse(value).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " must be an RFC 3339 time with offset, like 2026-11-28T09:30:00Z");
        }
    }
}
