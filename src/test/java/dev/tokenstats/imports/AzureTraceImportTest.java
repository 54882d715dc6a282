package dev.tokenstats.imports;

import dev.tokenstats.imports.Imports.Run;
import dev.tokenstats.store.Totals;
import dev.tokenstats.store.UsageEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The real Azure LLM inference trace 2023 (read from ../shared/data at run time, never copied), imported
 * with a time shift: every row one event, totals equal to the CSV's own sums; an import interrupted
 * half-way resumes at its checkpoint without losing or doubling a row.
 */
class AzureTraceImportTest {

    static final Path TRACE = Path.of("../shared/data/azure-llm-trace-2023/");
    static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSS");

    @TempDir
    Path dir;

    /** The CSV summed independently of the importer. */
    record Sums(long rows, long context, long generated, long quota, long firstMs, long lastMs) {
        static Sums of(Path csv, BigDecimal quotaPer1k) throws Exception {
            List<String> lines = Files.readAllLines(csv);
            assertThat(lines.get(0)).isEqualTo("TIMESTAMP,ContextTokens,GeneratedTokens");
            long rows = 0, context = 0, generated = 0, quota = 0, first = Long.MAX_VALUE, last = Long.MIN_VALUE;
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(",");
                long c = Long.parseLong(f[1]), g = Long.parseLong(f[2]);
                long ms = LocalDateTime.parse(f[0], TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
                rows++;
                context += c;
                generated += g;
                quota += quotaPer1k.multiply(BigDecimal.valueOf(c + g)).divide(BigDecimal.valueOf(1000))
                        .setScale(0, RoundingMode.HALF_EVEN).longValueExact();
                first = Math.min(first, ms);
                last = Math.max(last, ms);
            }
            return new Sums(rows, context, generated, quota, first, last);
        }
    }

    @Test
    void theRealTraceIsImportedWithTotalsEqualToTheCsvSums() throws Exception {
        Path data = dir.resolve("data");
        BigDecimal q = new BigDecimal("2.5");
        Path code = TRACE.resolve("AzureLLMInferenceTrace_code.csv");
        Run run = Imports.run("azure-trace", code.toString(), "--account", "azure-code", "--model", "gpt-4o",
                "--key-name", "copilot", "--shift", "P1095D", "--quota-per-1k-tokens", "2.5", "--tokenstats.data-dir=" + data);
        assertThat(run.status()).as(run.toString()).isZero();
        Sums sums = Sums.of(code, q);
        assertThat(run.count("imported")).isEqualTo(sums.rows());

        try (ImportStore db = Imports.open(data)) {
            Totals t = Imports.totals(db.store(), "azure-code");
            assertThat(t.requests()).isEqualTo(sums.rows());
            assertThat(t.promptTokens()).isEqualTo(sums.context());
            assertThat(t.completionTokens()).isEqualTo(sums.generated());
            assertThat(t.quota()).isEqualTo(sums.quota());
            long shift = Duration.ofDays(1095).toMillis();
            assertThat(db.store().timeRange("azure-code")).get()
                    .satisfies(r -> assertThat(r).containsExactly(sums.firstMs() + shift, sums.lastMs() + shift));
            UsageEvent first = db.store().events("azure-code", sums.firstMs() + shift, sums.firstMs() + shift + 1).get(0);
            assertThat(first.model()).isEqualTo("gpt-4o");
            assertThat(first.key()).isEqualTo("copilot");
            assertThat(first.id()).isEqualTo("azure-AzureLLMInferenceTrace_code-2");
        }
    }

    @Test
    void anInterruptedImportResumesAtItsCheckpointWithoutLossOrDuplicates() throws Exception {
        Path data = dir.resolve("data");
        Path conv = TRACE.resolve("AzureLLMInferenceTrace_conv.csv");
        String[] args = {"azure-trace", conv.toString(), "--account", "azure-conv", "--model", "claude-sonnet-4-20250514",
                "--shift", "to-now", "--quota-per-1k-tokens", "0.75", "--batch", "300", "--in-flight", "1",
                "--tokenstats.data-dir=" + data};
        Path checkpoints = data.resolve("imports");
        Run stopped = Imports.run(command -> {
            Thread stopper = new Thread(() -> {
                // stop as soon as the first batches are stored (the checkpoint exists)
                long deadline = System.nanoTime() + 120_000_000_000L;
                while (System.nanoTime() < deadline) {
                    try (var files = Files.list(checkpoints)) {
                        if (files.anyMatch(p -> p.toString().endsWith(".checkpoint"))) {
                            break;
                        }
                    } catch (Exception notYet) {
                        // the folder does not exist yet
                    }
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                command.stop();
            });
            stopper.setDaemon(true);
            stopper.start();
        }, args);
        Sums sums = Sums.of(conv, new BigDecimal("0.75"));
        assertThat(stopped.status()).as(stopped.toString()).isZero();
        assertThat(stopped.out()).startsWith("import stopped");
        long firstPart = stopped.count("imported");
        assertThat(firstPart).isPositive().isLessThan(sums.rows());

        Run resumed = Imports.run(args);
        assertThat(resumed.err()).contains("resuming AzureLLMInferenceTrace_conv.csv at line " + (firstPart + 2));
        assertThat(resumed.count("imported")).as(resumed.toString()).isEqualTo(sums.rows() - firstPart);
        assertThat(resumed.count("duplicates")).isZero();

        try (ImportStore db = Imports.open(data)) {
            Totals t = Imports.totals(db.store(), "azure-conv");
            assertThat(t.requests()).isEqualTo(sums.rows());
            assertThat(t.promptTokens()).isEqualTo(sums.context());
            assertThat(t.completionTokens()).isEqualTo(sums.generated());
            assertThat(t.quota()).isEqualTo(sums.quota());
            // one shift for both runs (kept in the checkpoint): the trace's span is intact
            long[] range = db.store().timeRange("azure-conv").orElseThrow();
            assertThat(range[1] - range[0]).isEqualTo(sums.lastMs() - sums.firstMs());
        }
    }
}
