package dev.tokenstats.demo;

import dev.tokenstats.demo.DemoCatalog.Account;
import dev.tokenstats.demo.DemoCatalog.Key;
import dev.tokenstats.demo.DemoCatalog.Model;
import dev.tokenstats.demo.DemoCatalog.Use;
import dev.tokenstats.demo.DemoCatalog.Workload;
import dev.tokenstats.store.UsageEvent;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The demo's traffic generator: stand-alone and deterministic. The calls of an account in one UTC hour
 * depend only on the seed, the account and the hour — never on when they are generated — so every run
 * produces the same events with the same ids, and re-running (or topping up a partly generated hour)
 * adds only what is new.
 *
 * <p>Shape: an office-hours or around-the-clock daily rhythm in the account's zone, quiet weekends for
 * office accounts, growth over the 90 days, day-to-day and hour-to-hour noise, bursts (batch jobs and
 * eval runs packed into a few minutes, with rate-limit errors), model migrations, streaming per key.
 */
final class DemoTraffic {

    static final int DAYS = 90;
    private static final long HOUR_MS = 3_600_000L;
    private static final long DAY_MS = 24 * HOUR_MS;

    /** Office hours, by local hour: quiet nights, a morning ramp, a lunch dip, a long afternoon. */
    private static final double[] OFFICE_DAY = {
            0.06, 0.04, 0.03, 0.03, 0.04, 0.07, 0.15, 0.35, 0.70, 0.95, 1.00, 0.97,
            0.75, 0.88, 0.98, 0.95, 0.85, 0.65, 0.42, 0.30, 0.24, 0.18, 0.12, 0.08};
    /** Around the clock: a gentle daily wave (people plus machines). */
    private static final double[] ALWAYS_DAY = {
            0.55, 0.50, 0.48, 0.47, 0.48, 0.52, 0.60, 0.70, 0.80, 0.88, 0.95, 1.00,
            0.98, 0.97, 0.98, 1.00, 0.96, 0.90, 0.82, 0.75, 0.70, 0.66, 0.62, 0.58};
    /** Monday..Sunday. */
    private static final double[] OFFICE_WEEK = {1.05, 1.00, 1.00, 0.97, 0.85, 0.16, 0.12};
    private static final double[] ALWAYS_WEEK = {1.00, 1.00, 1.00, 1.00, 0.98, 0.85, 0.82};

    private final long seed;
    private final long quotaPerCredit;
    private final long originMs;
    private final List<Account> accounts;

    /**
     * @param originMs       the start of the 90 days the growth and migrations are spread over; only
     *                       shapes weights, so it should be fixed per data folder (see {@link DemoMode})
     * @param quotaPerCredit quota units per credit (new-api's QuotaPerUnit: 500,000 = 1 USD)
     */
    DemoTraffic(long seed, long originMs, long quotaPerCredit, List<Account> accounts) {
        this.seed = seed;
        this.originMs = originMs;
        this.quotaPerCredit = quotaPerCredit;
        this.accounts = accounts;
    }

    List<Account> accounts() {
        return accounts;
    }

    /** Every call of every account in the UTC hour starting at {@code hourMs} (a multiple of one hour), oldest first. */
    List<UsageEvent> hour(long hourMs) {
        List<UsageEvent> out = new ArrayList<>();
        for (int a = 0; a < accounts.size(); a++) {
            hour(a, hourMs, out);
        }
        out.sort(Comparator.comparingLong(UsageEvent::timeMillis).thenComparing(UsageEvent::id));
        return out;
    }

    private void hour(int accountIndex, long hourMs, List<UsageEvent> out) {
        Account account = accounts.get(accountIndex);
        long hourIndex = Math.floorDiv(hourMs, HOUR_MS);
        long local = hourMs + account.utcOffsetHours() * HOUR_MS;
        Rng day = new Rng(mix(seed, accountIndex, 1, Math.floorDiv(local, DAY_MS))); // the account's local day
        Rng rng = new Rng(mix(seed, accountIndex, 2, hourIndex));

        int localHour = (int) Math.floorMod(Math.floorDiv(local, HOUR_MS), 24L);
        int weekday = (int) Math.floorMod(Math.floorDiv(local, DAY_MS) + 3, 7L); // 1970-01-01 was a Thursday
        double progress = Math.max(0, Math.min(1, (hourMs - originMs) / (double) (DAYS * DAY_MS)));

        double rate = account.peakPerHour()
                * (account.officeHours() ? OFFICE_DAY[localHour] * OFFICE_WEEK[weekday] : ALWAYS_DAY[localHour] * ALWAYS_WEEK[weekday])
                * (1 + account.growth() * progress)
                * Math.exp(0.12 * day.gaussian())    // a busier or quieter day
                * Math.exp(0.22 * rng.gaussian());   // a busier or quieter hour
        int calls = rng.poisson(rate);

        // A burst today? (a batch job or an eval run: one key, a few minutes, many calls, some rate-limited)
        boolean burstToday = day.nextDouble() < account.burstChancePerDay();
        long burstStart = hourMs - 1;
        int burstCalls = 0;
        int burstHour = day.nextInt(24);
        if (burstToday && account.officeHours()) {
            burstHour = 8 + day.nextInt(10); // office accounts run theirs in office hours (local)
        }
        int burstLength = 1 + day.nextInt(3);
        int localBurstOffset = Math.floorMod(localHour - burstHour, 24);
        if (burstToday && localBurstOffset < burstLength) {
            burstCalls = (int) (account.peakPerHour() * (2.5 + 4 * day.nextDouble()) / burstLength * (0.8 + 0.4 * rng.nextDouble()));
            burstStart = hourMs + rng.nextInt(40) * 60_000L;
        }

        List<UsageEvent> hour = new ArrayList<>(calls + burstCalls);
        for (int i = 0; i < calls; i++) {
            Key key = pickKey(account, rng);
            hour.add(call(account, accountIndex, key, hourIndex, i, hourMs + rng.nextInt((int) HOUR_MS), progress,
                    rng, account.errorRate()));
        }
        Key burstKey = account.keys().stream().filter(Key::burstKey).findFirst().orElse(account.keys().get(0));
        long burstSpan = (8 + rng.nextInt(12)) * 60_000L;
        for (int i = 0; i < burstCalls; i++) {
            hour.add(call(account, accountIndex, burstKey, hourIndex, calls + i,
                    burstStart + (long) (burstSpan * rng.nextDouble()), progress, rng, 0.05));
        }
        out.addAll(hour);
    }

    private static Key pickKey(Account account, Rng rng) {
        double r = rng.nextDouble() * account.keys().stream().mapToDouble(Key::share).sum();
        for (Key k : account.keys()) {
            r -= k.share();
            if (r < 0) {
                return k;
            }
        }
        return account.keys().get(account.keys().size() - 1);
    }

    private UsageEvent call(Account account, int accountIndex, Key key, long hourIndex, int n, long timeMs,
                            double progress, Rng rng, double errorRate) {
        Use use = pickUse(key, progress, rng);
        Model model = use.model();
        Workload w = use.workload();
        long prompt = Math.max(1, Math.min(model.contextTokens() - 1, Math.round(w.promptMedian * Math.exp(w.promptSigma * rng.gaussian()))));
        long completion = w == Workload.EMBEDDING ? 0
                : Math.max(1, Math.round(w.completionMedian * Math.exp(w.completionSigma * rng.gaussian())));
        long cached = 0;
        if (w != Workload.EMBEDDING && prompt > 1024 && rng.nextDouble() < (w == Workload.AGENT || w == Workload.CODE ? 0.55 : 0.25)) {
            cached = (prompt * (30 + rng.nextInt(65)) / 100) / 128 * 128; // cache hits come in blocks
        }
        boolean stream = w != Workload.EMBEDDING && rng.nextDouble() < key.streamShare();
        boolean error = rng.nextDouble() < errorRate;
        long duration;
        long quota;
        if (error) {
            completion = 0;
            cached = 0;
            quota = 0;
            duration = 80 + rng.nextInt(1500);
        } else {
            double usd = ((prompt - cached) * model.input() + cached * model.cachedInput() + completion * model.output()) / 1e6;
            quota = Math.round(usd * quotaPerCredit);
            duration = Math.round(model.firstTokenMs() * Math.exp(0.35 * rng.gaussian())
                    + (model.tokensPerSecond() > 0 ? completion * 1000.0 / model.tokensPerSecond() : 0)
                    + prompt / 40.0);
        }
        long creditNanos = BigDecimal.valueOf(quota).movePointRight(9)
                .divide(BigDecimal.valueOf(quotaPerCredit), 0, RoundingMode.HALF_EVEN).longValueExact();
        String id = "demo-" + Long.toHexString(mix(seed, accountIndex, hourIndex, n));
        return new UsageEvent(account.name(), id, timeMs, model.name(), key.name(), prompt, completion, cached,
                quota, creditNanos, duration, error, stream, key.group(), model.channel());
    }

    private static Use pickUse(Key key, double progress, Rng rng) {
        double total = 0;
        for (Use u : key.uses()) {
            total += weight(u, progress);
        }
        double r = rng.nextDouble() * total;
        for (Use u : key.uses()) {
            r -= weight(u, progress);
            if (r < 0) {
                return u;
            }
        }
        return key.uses().get(key.uses().size() - 1);
    }

    private static double weight(Use u, double progress) {
        return u.weightThen() + (u.weightNow() - u.weightThen()) * progress;
    }

    /** SplitMix64 finalizer over the inputs: a well-spread 64-bit value per combination. */
    static long mix(long... parts) {
        long h = 0x9E3779B97F4A7C15L;
        for (long p : parts) {
            h ^= p;
            h += 0x9E3779B97F4A7C15L;
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            h ^= h >>> 31;
        }
        return h;
    }

    /** SplitMix64: small, fast and fully specified here, so the demo data never changes with the JDK. */
    static final class Rng {
        private long state;

        Rng(long seed) {
            this.state = seed;
        }

        long nextLong() {
            long z = (state += 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            return z ^ (z >>> 31);
        }

        double nextDouble() {
            return (nextLong() >>> 11) * 0x1.0p-53;
        }

        int nextInt(int bound) {
            return (int) ((nextLong() >>> 33) % bound);
        }

        /** Standard normal (Box-Muller). */
        double gaussian() {
            double u = 1 - nextDouble();
            return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * nextDouble());
        }

        /** Poisson: exact (Knuth) for small means, normal approximation above 30. */
        int poisson(double mean) {
            if (mean <= 0) {
                return 0;
            }
            if (mean > 30) {
                return (int) Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian()));
            }
            double l = Math.exp(-mean), p = 1;
            int k = 0;
            do {
                k++;
                p *= nextDouble();
            } while (p > l);
            return k - 1;
        }
    }
}
