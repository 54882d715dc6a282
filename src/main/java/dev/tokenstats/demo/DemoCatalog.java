package dev.tokenstats.demo;

import java.util.List;

/**
 * What the demo traffic is made of: real model names with list prices of 2025 (USD per million tokens),
 * and a few accounts that use them in their own ways. Token sizes imitate the shapes of real gateway
 * traffic: chat prompts around a thousand tokens with answers of a few hundred, code completions with
 * long prompts and very short answers (medians and spreads as measured on the Azure LLM inference
 * trace 2023, which the project does not ship).
 */
final class DemoCatalog {

    private DemoCatalog() {
    }

    /** How a kind of call is shaped: log-normal prompt and completion sizes (median, sigma). */
    enum Workload {
        CHAT(1020, 0.77, 130, 0.93),
        CODE(1470, 0.98, 13, 1.12),
        AGENT(6500, 0.70, 420, 0.80),
        REASONING(1500, 0.80, 1800, 0.70),
        SUMMARY(4200, 0.60, 260, 0.50),
        EMBEDDING(320, 0.90, 0, 0);

        final double promptMedian, promptSigma, completionMedian, completionSigma;

        Workload(double promptMedian, double promptSigma, double completionMedian, double completionSigma) {
            this.promptMedian = promptMedian;
            this.promptSigma = promptSigma;
            this.completionMedian = completionMedian;
            this.completionSigma = completionSigma;
        }
    }

    /**
     * A model: prices in USD per million input / cached input / output tokens, output speed (tokens/s),
     * time to first token (ms), the largest prompt it takes, and the gateway channel that serves it.
     */
    record Model(String name, double input, double cachedInput, double output, double tokensPerSecond,
                 double firstTokenMs, int contextTokens, String channel) {
    }

    static final Model GPT_4O = new Model("gpt-4o", 2.50, 1.25, 10.00, 85, 450, 128_000, "1");
    static final Model GPT_4O_MINI = new Model("gpt-4o-mini", 0.15, 0.075, 0.60, 110, 350, 128_000, "1");
    static final Model GPT_41 = new Model("gpt-4.1", 2.00, 0.50, 8.00, 90, 500, 1_000_000, "1");
    static final Model GPT_41_MINI = new Model("gpt-4.1-mini", 0.40, 0.10, 1.60, 120, 380, 1_000_000, "1");
    static final Model O3_MINI = new Model("o3-mini", 1.10, 0.55, 4.40, 150, 2600, 200_000, "1");
    static final Model O4_MINI = new Model("o4-mini", 1.10, 0.275, 4.40, 140, 2200, 200_000, "1");
    static final Model CLAUDE_SONNET_4 = new Model("claude-sonnet-4-20250514", 3.00, 0.30, 15.00, 60, 1100, 200_000, "2");
    static final Model CLAUDE_HAIKU = new Model("claude-3-5-haiku-20241022", 0.80, 0.08, 4.00, 90, 700, 200_000, "2");
    static final Model CLAUDE_OPUS_4 = new Model("claude-opus-4-20250514", 15.00, 1.50, 75.00, 35, 1800, 200_000, "2");
    static final Model GEMINI_25_PRO = new Model("gemini-2.5-pro", 1.25, 0.31, 10.00, 95, 2100, 1_000_000, "3");
    static final Model GEMINI_20_FLASH = new Model("gemini-2.0-flash", 0.10, 0.025, 0.40, 180, 300, 1_000_000, "3");
    static final Model DEEPSEEK_CHAT = new Model("deepseek-chat", 0.27, 0.07, 1.10, 40, 900, 64_000, "4");
    static final Model DEEPSEEK_REASONER = new Model("deepseek-reasoner", 0.55, 0.14, 2.19, 30, 3500, 64_000, "4");
    static final Model MISTRAL_LARGE = new Model("mistral-large-latest", 2.00, 2.00, 6.00, 55, 600, 128_000, "5");
    static final Model EMBEDDING_3_SMALL = new Model("text-embedding-3-small", 0.02, 0.02, 0, 0, 120, 8_191, "1");

    static final List<Model> MODELS = List.of(GPT_4O, GPT_4O_MINI, GPT_41, GPT_41_MINI, O3_MINI, O4_MINI,
            CLAUDE_SONNET_4, CLAUDE_HAIKU, CLAUDE_OPUS_4, GEMINI_25_PRO, GEMINI_20_FLASH, DEEPSEEK_CHAT,
            DEEPSEEK_REASONER, MISTRAL_LARGE, EMBEDDING_3_SMALL);

    /**
     * A model a key uses with a weight that moves linearly from {@code weightThen} (90 days ago) to
     * {@code weightNow} (today), so migrations between models show in the per-model charts.
     */
    record Use(Model model, Workload workload, double weightThen, double weightNow) {
    }

    /**
     * An API key of an account: its share of the account's calls, how often it streams, its group, and
     * the models it calls. {@code burstKey}: the key that runs the account's bursts (batch jobs, evals).
     */
    record Key(String name, double share, double streamShare, String group, boolean burstKey, List<Use> uses) {
    }

    /**
     * An account: calls per hour at its busiest (before noise), its zone offset (hours) for the daily
     * rhythm, whether it follows office hours (weekdays, daytime) or runs around the clock, its growth
     * over the 90 days, the chance of a burst on any day, its error rate, and its keys.
     */
    record Account(String name, double peakPerHour, int utcOffsetHours, boolean officeHours, double growth,
                   double burstChancePerDay, double errorRate, List<Key> keys) {
    }

    static final List<Account> ACCOUNTS = List.of(
            new Account("acme", 120, 1, true, 0.45, 0.12, 0.008, List.of(
                    new Key("web-prod", 0.46, 0.92, "vip", false, List.of(
                            new Use(GPT_4O, Workload.CHAT, 6, 1),
                            new Use(GPT_41, Workload.CHAT, 0.5, 6),
                            new Use(GPT_4O_MINI, Workload.CHAT, 3, 3),
                            new Use(CLAUDE_SONNET_4, Workload.CHAT, 0.5, 1.5))),
                    new Key("mobile-prod", 0.22, 0.85, "vip", false, List.of(
                            new Use(GPT_4O_MINI, Workload.CHAT, 5, 2),
                            new Use(GPT_41_MINI, Workload.CHAT, 0.5, 4))),
                    new Key("support-bot", 0.18, 0.30, "default", false, List.of(
                            new Use(CLAUDE_HAIKU, Workload.SUMMARY, 4, 4),
                            new Use(EMBEDDING_3_SMALL, Workload.EMBEDDING, 2, 2))),
                    new Key("ci-evals", 0.06, 0.0, "default", true, List.of(
                            new Use(GPT_41, Workload.CHAT, 1, 3),
                            new Use(O3_MINI, Workload.REASONING, 2, 1),
                            new Use(O4_MINI, Workload.REASONING, 0, 2),
                            new Use(CLAUDE_OPUS_4, Workload.AGENT, 0.3, 0.5))),
                    new Key("staging", 0.08, 0.5, "default", false, List.of(
                            new Use(GPT_4O_MINI, Workload.CHAT, 2, 1),
                            new Use(GPT_41_MINI, Workload.CHAT, 0, 2),
                            new Use(GEMINI_20_FLASH, Workload.CHAT, 1, 1))))),
            new Account("globex", 52, 0, false, 0.10, 0.35, 0.006, List.of(
                    new Key("etl-nightly", 0.35, 0.0, "default", true, List.of(
                            new Use(GPT_4O_MINI, Workload.SUMMARY, 4, 2),
                            new Use(GEMINI_20_FLASH, Workload.SUMMARY, 1, 4))),
                    new Key("search-embeddings", 0.45, 0.0, "default", false, List.of(
                            new Use(EMBEDDING_3_SMALL, Workload.EMBEDDING, 1, 1))),
                    new Key("analyst-notebooks", 0.20, 0.4, "vip", false, List.of(
                            new Use(GEMINI_25_PRO, Workload.AGENT, 1, 3),
                            new Use(GPT_4O, Workload.CHAT, 2, 1),
                            new Use(MISTRAL_LARGE, Workload.CHAT, 1, 0.5))))),
            new Account("initech", 40, -8, true, 0.80, 0.08, 0.012, List.of(
                    new Key("copilot-alice", 0.34, 1.0, "default", false, List.of(
                            new Use(CLAUDE_SONNET_4, Workload.CODE, 2, 5),
                            new Use(GPT_41, Workload.CODE, 2, 2),
                            new Use(GPT_4O, Workload.CODE, 3, 0.2))),
                    new Key("copilot-bob", 0.30, 1.0, "default", false, List.of(
                            new Use(CLAUDE_SONNET_4, Workload.CODE, 1, 4),
                            new Use(GEMINI_25_PRO, Workload.CODE, 1, 2),
                            new Use(DEEPSEEK_CHAT, Workload.CODE, 2, 1))),
                    new Key("review-bot", 0.26, 0.0, "default", true, List.of(
                            new Use(CLAUDE_SONNET_4, Workload.AGENT, 1, 3),
                            new Use(CLAUDE_OPUS_4, Workload.AGENT, 0.2, 0.6),
                            new Use(O3_MINI, Workload.REASONING, 1, 0.5))),
                    new Key("sandbox", 0.10, 0.6, "default", false, List.of(
                            new Use(DEEPSEEK_REASONER, Workload.REASONING, 1, 1),
                            new Use(DEEPSEEK_CHAT, Workload.CHAT, 1, 1),
                            new Use(MISTRAL_LARGE, Workload.CHAT, 0.5, 0.5))))));
}
