package dev.tokenstats.bench;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A gateway's traffic, made up but shaped like the real thing:
 * <ul>
 *   <li>~200 accounts with Zipf-like volume (exponent solved so the heaviest has ~10% of the calls);</li>
 *   <li>30 real model names with a skewed mix; each account uses a handful of them;</li>
 *   <li>1-7 API keys per account (heavier accounts have more), themselves used unevenly;</li>
 *   <li>prompt/completion tokens sampled from the Azure trace (chat accounts from the conversation
 *       service, coding-tool accounts from the code service), prompt caching on models that have it;</li>
 *   <li>arrivals replay the Azure trace's merged inter-arrival gaps, scaled so N calls span the window,
 *       so bursts keep their shape;</li>
 *   <li>quota computed the new-api way (tokens x model ratio x group ratio), ~1.5% errors;</li>
 *   <li>ids like new-api's request ids: time digits plus 8 random-looking characters (unique by construction).</li>
 * </ul>
 * Deterministic for a seed and a window end.
 */
final class Workload {

    /** One API call as the gateway saw it; indexes refer to {@link #accounts} and {@link #MODELS}. */
    record GatewayCall(String id, int account, long timeMillis, int model, int key, long prompt, long completion,
                       long cached, long quota, long durationMs, boolean error, boolean stream, int channel) {
    }

    /** A model: name, new-api model ratio and completion ratio, cache-read ratio (0 = no prompt caching). */
    record Model(String name, double ratio, double completionRatio, double cacheRatio, boolean embedding) {
    }

    /** Ordered by popularity: the mix is Zipf over this order. */
    static final Model[] MODELS = {
            new Model("gpt-4o-mini", 0.075, 4, 0.5, false),
            new Model("gpt-4o", 1.25, 4, 0.5, false),
            new Model("deepseek-chat", 0.135, 4, 0.1, false),
            new Model("claude-sonnet-4-20250514", 1.5, 5, 0.1, false),
            new Model("gpt-4.1-mini", 0.2, 4, 0.25, false),
            new Model("gemini-2.5-flash", 0.15, 8.33, 0.25, false),
            new Model("gpt-4.1", 1.0, 4, 0.25, false),
            new Model("claude-3-7-sonnet-20250219", 1.5, 5, 0.1, false),
            new Model("text-embedding-3-small", 0.01, 1, 0, true),
            new Model("deepseek-reasoner", 0.275, 4, 0.1, false),
            new Model("gemini-2.0-flash", 0.05, 4, 0.25, false),
            new Model("o4-mini", 0.55, 4, 0.25, false),
            new Model("qwen-plus", 0.4, 2.5, 0, false),
            new Model("claude-3-5-haiku-20241022", 0.4, 5, 0.1, false),
            new Model("gpt-4.1-nano", 0.05, 4, 0.25, false),
            new Model("gemini-2.5-pro", 0.625, 8, 0.25, false),
            new Model("o3", 1.0, 4, 0.25, false),
            new Model("claude-3-5-sonnet-20241022", 1.5, 5, 0.1, false),
            new Model("qwen-max", 1.2, 4, 0, false),
            new Model("gpt-3.5-turbo", 0.25, 3, 0, false),
            new Model("o3-mini", 0.55, 4, 0.5, false),
            new Model("glm-4-plus", 0.35, 1, 0, false),
            new Model("qwen-turbo", 0.15, 2, 0, false),
            new Model("text-embedding-3-large", 0.065, 1, 0, true),
            new Model("moonshot-v1-8k", 0.85, 1, 0, false),
            new Model("doubao-1.5-pro-32k", 0.4, 2.5, 0.2, false),
            new Model("llama-3.3-70b-instruct", 0.3, 1, 0, false),
            new Model("mistral-large-latest", 1.0, 3, 0, false),
            new Model("grok-3", 1.5, 5, 0.25, false),
            new Model("claude-opus-4-20250514", 7.5, 5, 0.1, false),
    };
    private static final String[] KEY_NAMES = {"default", "prod", "staging", "ci", "batch-jobs", "notebook", "agent",
            "eval", "backfill", "support-bot", "search", "summarizer", "mobile", "web", "etl", "research", "team-a",
            "team-b", "team-c", "sandbox"};
    private static final String[] GROUPS = {"default", "vip", "svip"};
    private static final double[] GROUP_RATIO = {1.0, 0.9, 0.8};
    static final double ERROR_SHARE = 0.015;

    final String[] accounts;
    final int[] accountGroup;
    final String[][] accountKeys;
    private final boolean[] codeAccount;
    private final double[] accountCdf;
    private final int[][] accountModels;
    private final double[][] accountModelCdf;
    private final double[][] accountKeyCdf;
    private final int[][] modelChannels;
    final double accountExponent;
    final double heaviestShare;

    private final AzureTrace trace;
    private final SplittableRandom random;
    private final double gapScale;
    private int gapIndex;
    private double clockMicros;
    private long next;
    private final long startMillis;
    private final long endMillis;

    Workload(AzureTrace trace, long seed, long count, int accountCount, long windowEndMillis, long windowMillis) {
        this(trace, seed, count, accountCount, windowEndMillis, windowMillis, 7);
    }

    /** {@code maxKeys}: API keys of the heaviest accounts (up to 20). */
    Workload(AzureTrace trace, long seed, long count, int accountCount, long windowEndMillis, long windowMillis,
             int maxKeys) {
        this.trace = trace;
        this.random = new SplittableRandom(seed);
        this.endMillis = windowEndMillis;
        this.startMillis = windowEndMillis - windowMillis;
        this.gapScale = windowMillis * 1000.0 / (count * trace.meanGapMicros);
        this.gapIndex = random.nextInt(trace.gapsMicros.length);
        this.clockMicros = startMillis * 1000.0;

        accountExponent = exponentForTopShare(accountCount, 0.10);
        double[] w = zipf(accountCount, accountExponent);
        heaviestShare = w[0];
        accountCdf = cdf(w);
        accounts = new String[accountCount];
        accountGroup = new int[accountCount];
        accountKeys = new String[accountCount][];
        accountKeyCdf = new double[accountCount][];
        accountModels = new int[accountCount][];
        accountModelCdf = new double[accountCount][];
        codeAccount = new boolean[accountCount];
        double[] modelWeight = zipf(MODELS.length, 1.1);
        for (int a = 0; a < accountCount; a++) {
            accounts[a] = accountName(a);
            double g = random.nextDouble();
            accountGroup[a] = g < 0.75 ? 0 : g < 0.93 ? 1 : 2;
            codeAccount[a] = random.nextDouble() < 0.3;
            int keys = Math.min(maxKeys, 1 + random.nextInt(3) + (a < 20 ? maxKeys - 3 : a < 60 ? 2 : 0));
            accountKeys[a] = new String[keys];
            System.arraycopy(KEY_NAMES, 0, accountKeys[a], 0, keys);
            accountKeyCdf[a] = cdf(zipf(keys, 1.2));
            int models = Math.min(MODELS.length, 2 + random.nextInt(5) + (a < 20 ? 8 : a < 60 ? 3 : 0));
            accountModels[a] = pickWithoutReplacement(modelWeight, models);
            double[] mw = new double[models];
            for (int m = 0; m < models; m++) {
                mw[m] = modelWeight[accountModels[a][m]];
            }
            accountModelCdf[a] = cdf(mw);
        }
        modelChannels = new int[MODELS.length][];
        for (int m = 0; m < MODELS.length; m++) {
            int n = 1 + random.nextInt(3);
            modelChannels[m] = new int[n];
            for (int c = 0; c < n; c++) {
                modelChannels[m][c] = 1 + random.nextInt(60);
            }
        }
    }

    private String accountName(int a) {
        // gateway user names: some plain, some e-mail-like, some team slugs
        return switch (a % 3) {
            case 0 -> "user" + (1000 + a * 7);
            case 1 -> "dev" + a + "@team" + (a % 17) + ".example";
            default -> "org_" + Integer.toString(36 * 36 + a * 131, 36);
        };
    }

    long start() {
        return startMillis;
    }

    /** The next call in arrival order. */
    GatewayCall next() {
        long seq = next++;
        clockMicros += trace.gapsMicros[gapIndex] * gapScale;
        gapIndex = (gapIndex + 1) % trace.gapsMicros.length;
        long time = Math.min(endMillis, (long) (clockMicros / 1000));

        int a = sample(accountCdf);
        int model = accountModels[a][sample(accountModelCdf[a])];
        int key = sample(accountKeyCdf[a]);
        Model m = MODELS[model];
        AzureTrace.Sizes sizes = codeAccount[a] ? trace.code : trace.conv;
        int row = random.nextInt(sizes.size());
        long prompt = sizes.prompt()[row];
        long completion = m.embedding() ? 0 : sizes.completion()[row];
        if (m.embedding()) {
            prompt = Math.min(prompt, 8191);
        }
        boolean error = random.nextDouble() < ERROR_SHARE;
        boolean stream = !m.embedding() && random.nextDouble() < 0.75;
        long cached = 0;
        if (!error && m.cacheRatio() > 0 && prompt >= 1024 && random.nextDouble() < 0.4) {
            cached = (long) (prompt * (0.3 + 0.65 * random.nextDouble())) / 128 * 128;
        }
        long duration;
        long quota;
        if (error) {
            completion = 0;
            quota = 0;
            duration = random.nextDouble() < 0.2 ? 30_000 + random.nextInt(90_000) : 50 + random.nextInt(3000);
        } else {
            double tokens = prompt - cached + cached * m.cacheRatio() + completion * m.completionRatio();
            quota = Math.max(1, Math.round(tokens * m.ratio() * GROUP_RATIO[accountGroup[a]]));
            double ttft = m.embedding() ? 40 + 100 * random.nextDouble() : 150 + Math.exp(5.5 + 0.6 * gaussian());
            double perToken = 8 + (model % 5) * 6;
            duration = Math.round(ttft + completion * perToken);
        }
        int[] channels = modelChannels[model];
        int channel = channels[random.nextInt(channels.length)];
        return new GatewayCall(requestId(time, seq), a, time, model, key, prompt, completion, cached, quota,
                duration, error, stream, channel);
    }

    // ------------------------------------------------------------------ JSON

    private long idMinute = Long.MIN_VALUE;
    private String idPrefix;
    private long timeMinute = Long.MIN_VALUE;
    private String timePrefix;
    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final long BASE62_8 = 218_340_105_584_896L; // 62^8

    /**
     * new-api style: yyyyMMddHHmmss + 9 sub-second digits + 8 characters. The last 8 are a bijection of the
     * sequence number (an affine map modulo 62^8 with a multiplier coprime to it), so ids never collide.
     */
    private String requestId(long timeMillis, long seq) {
        long minute = Math.floorDiv(timeMillis, 60_000);
        if (minute != idMinute) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(minute * 60, 0, ZoneOffset.UTC);
            idPrefix = String.format("%04d%02d%02d%02d%02d", t.getYear(), t.getMonthValue(), t.getDayOfMonth(),
                    t.getHour(), t.getMinute());
            idMinute = minute;
        }
        StringBuilder sb = new StringBuilder(32).append(idPrefix);
        long secondsInMinute = Math.floorMod(timeMillis, 60_000) / 1000;
        if (secondsInMinute < 10) {
            sb.append('0');
        }
        sb.append(secondsInMinute);
        long subSecond = Math.floorMod(timeMillis, 1000) * 1_000_000L + random.nextInt(1_000_000);
        String digits = Long.toString(subSecond);
        sb.append("000000000", 0, 9 - digits.length()).append(digits);
        long scrambled = Math.floorMod(seq * 2_654_435_761L + 1_234_567_891L, BASE62_8);
        for (int i = 0; i < 8; i++) {
            sb.append(BASE62[(int) (scrambled % 62)]);
            scrambled /= 62;
        }
        return sb.toString();
    }

    /** One NDJSON line (with its newline), as a gateway plugin would send it. */
    void appendJson(StringBuilder sb, GatewayCall c) {
        sb.append("{\"id\":\"").append(c.id())
                .append("\",\"account\":\"").append(accounts[c.account()])
                .append("\",\"time\":\"");
        appendRfc3339(sb, c.timeMillis());
        sb.append("\",\"model\":\"").append(MODELS[c.model()].name())
                .append("\",\"key\":\"").append(accountKeys[c.account()][c.key()])
                .append("\",\"prompt_tokens\":").append(c.prompt())
                .append(",\"completion_tokens\":").append(c.completion())
                .append(",\"cached_tokens\":").append(c.cached())
                .append(",\"quota\":").append(c.quota())
                .append(",\"duration_ms\":").append(c.durationMs())
                .append(",\"status\":\"").append(c.error() ? "error" : "success")
                .append("\",\"stream\":").append(c.stream())
                .append(",\"group\":\"").append(GROUPS[accountGroup[c.account()]])
                .append("\",\"channel\":\"").append(c.channel())
                .append("\"}\n");
    }

    String groupOf(GatewayCall c) {
        return GROUPS[accountGroup[c.account()]];
    }

    double groupRatioOf(GatewayCall c) {
        return GROUP_RATIO[accountGroup[c.account()]];
    }

    private void appendRfc3339(StringBuilder sb, long millis) {
        long minute = Math.floorDiv(millis, 60_000);
        if (minute != timeMinute) {
            timePrefix = LocalDateTime.ofEpochSecond(minute * 60, 0, ZoneOffset.UTC).toString().substring(0, 16) + ":";
            timeMinute = minute;
        }
        int ms = (int) Math.floorMod(millis, 60_000);
        int s = ms / 1000;
        int frac = ms % 1000;
        sb.append(timePrefix).append((char) ('0' + s / 10)).append((char) ('0' + s % 10)).append('.')
                .append((char) ('0' + frac / 100)).append((char) ('0' + frac / 10 % 10)).append((char) ('0' + frac % 10))
                .append('Z');
    }

    // ------------------------------------------------------------------ sampling

    private double gaussian() {
        double u = Math.max(1e-12, random.nextDouble());
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private int sample(double[] cdf) {
        double u = random.nextDouble();
        int lo = 0, hi = cdf.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cdf[mid] < u) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private int[] pickWithoutReplacement(double[] weights, int n) {
        double[] w = weights.clone();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            double total = 0;
            for (double x : w) {
                total += x;
            }
            double u = random.nextDouble() * total;
            int pick = 0;
            for (; pick < w.length - 1; pick++) {
                u -= w[pick];
                if (u < 0 && w[pick] > 0) {
                    break;
                }
            }
            while (w[pick] == 0) { // rounding ran past the last live item
                pick = (pick + w.length - 1) % w.length;
            }
            out[i] = pick;
            w[pick] = 0;
        }
        return out;
    }

    static double[] zipf(int n, double s) {
        double[] w = new double[n];
        double total = 0;
        for (int i = 0; i < n; i++) {
            w[i] = 1 / Math.pow(i + 1, s);
            total += w[i];
        }
        for (int i = 0; i < n; i++) {
            w[i] /= total;
        }
        return w;
    }

    /** The Zipf exponent at which the first of n items gets {@code share} of the total. */
    static double exponentForTopShare(int n, double share) {
        double lo = 0, hi = 4;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (zipf(n, mid)[0] < share) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    private static double[] cdf(double[] w) {
        double[] c = new double[w.length];
        double total = 0;
        for (int i = 0; i < w.length; i++) {
            total += w[i];
            c[i] = total;
        }
        for (int i = 0; i < w.length; i++) {
            c[i] /= total;
        }
        c[w.length - 1] = 1.0;
        return c;
    }

    List<String> describe() {
        List<String> out = new ArrayList<>();
        out.add(String.format("%d accounts, Zipf s=%.3f (heaviest %.1f%%), %d models (Zipf 1.1), 1-%d keys per account,"
                        + " %.1f%% errors", accounts.length, accountExponent, heaviestShare * 100, MODELS.length,
                KEY_NAMES.length, ERROR_SHARE * 100));
        out.add(String.format("arrivals replay the Azure trace's %d merged gaps x %.4f (bursts kept)",
                trace.gapsMicros.length, gapScale));
        return out;
    }
}
