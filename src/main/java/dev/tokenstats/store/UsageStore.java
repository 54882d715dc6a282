package dev.tokenstats.store;

import java.util.List;
import java.util.Optional;

/**
 * The one narrow interface every feature reads and writes usage through; one implementation per
 * engine. Time arguments are epoch minutes (UTC); every reported figure is exact.
 */
public interface UsageStore {

    /**
     * Stores the events that are not yet stored (by account and id) atomically and durably: when this
     * returns, every accepted event survives a crash; when it throws, none of them was stored.
     *
     * @throws StoreUnavailableException when the store cannot write now
     */
    AppendResult append(List<UsageEvent> events);

    /**
     * Sums the events matching {@code filter} per bucket, where bucket {@code i} is
     * [{@code boundaries[i]}, {@code boundaries[i+1]}) in epoch minutes (strictly increasing).
     * Only non-empty buckets are returned; with {@code byModel} one row per bucket and model.
     */
    List<Totals> sum(SeriesFilter filter, long[] boundaries, boolean byModel);

    /**
     * The period's figures per bucket, per model, and requests per bucket and model (see {@link PeriodTotals});
     * the same numbers as {@link #sum} by model, in the shape a stats page needs and without moving every
     * figure of every bucket and model. Buckets as in {@link #sum}.
     */
    default PeriodTotals period(SeriesFilter filter, long[] boundaries) {
        return PeriodTotals.of(sum(filter, boundaries, true), boundaries.length - 1);
    }

    /**
     * Sums every account's events in [fromMinute, toMinute): one row per account the store holds any
     * event of (zero figures when none falls in the period), ordered by account.
     */
    List<AccountTotals> perAccount(long fromMinute, long toMinute);

    /** The busiest minute within [fromMinute, toMinute). */
    Peak peak(SeriesFilter filter, long fromMinute, long toMinute);

    /** Epoch milliseconds of the account's oldest and newest stored event, if any. */
    Optional<long[]> timeRange(String account);

    /** Every stored event of an account in [fromMillis, toMillis), oldest first (for tests and exports). */
    List<UsageEvent> events(String account, long fromMillis, long toMillis);

    /** Why the store cannot take writes now (disk full, database unreachable, recovering), or empty when it can. */
    Optional<String> unavailable();

    /** Drops raw events older than {@code cutoffMillis} in bulk; rollups stay. Returns how many went (-1 if unknown). */
    long dropRawBefore(long cutoffMillis);

    /**
     * Housekeeping that keeps reads fast, called every few minutes by {@link Housekeeping} (PostgreSQL: a VACUUM
     * of the hourly tier, so whole hours stay index-only reads). Nothing by default.
     */
    default void maintain() {
    }

    /** Bytes the store occupies on disk. */
    long sizeBytes();

    /** One page of an account's raw events, newest first (see {@link EventQuery}). */
    List<UsageEvent> page(EventQuery query);

    /**
     * Streams every event of {@code query} (its limit and cursor ignored), newest first, to {@code sink}
     * without holding them in memory.
     */
    void scan(EventQuery query, java.util.function.Consumer<UsageEvent> sink);
}
