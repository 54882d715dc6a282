package dev.tokenstats.store;

/** The summed figures of one account's events (an admin's view across accounts). */
public record AccountTotals(String account, Totals totals) {
}
