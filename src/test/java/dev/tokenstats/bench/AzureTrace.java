package dev.tokenstats.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Azure LLM inference trace 2023 (read at run time from {@code ../shared/data/azure-llm-trace-2023/};
 * none of its rows are kept in the project): the empirical token sizes of the code and the chat
 * service, and the inter-arrival gaps of both services merged into one stream, as one gateway in front
 * of both would see them. The workload samples token sizes from it and replays the gaps (scaled) so the
 * arrival bursts keep their real shape.
 */
final class AzureTrace {

    /** Prompt and completion tokens of each request of one service, in trace order. */
    record Sizes(int[] prompt, int[] completion) {
        int size() {
            return prompt.length;
        }
    }

    final Sizes code;
    final Sizes conv;
    /** Gaps between consecutive arrivals of the merged stream, in microseconds. */
    final long[] gapsMicros;
    final double meanGapMicros;

    private AzureTrace(Sizes code, Sizes conv, long[] gapsMicros) {
        this.code = code;
        this.conv = conv;
        this.gapsMicros = gapsMicros;
        this.meanGapMicros = Arrays.stream(gapsMicros).average().orElse(1);
    }

    static AzureTrace read(Path dir) throws IOException {
        List<long[]> codeRows = rows(dir.resolve("AzureLLMInferenceTrace_code.csv"));
        List<long[]> convRows = rows(dir.resolve("AzureLLMInferenceTrace_conv.csv"));
        long[] arrivals = new long[codeRows.size() + convRows.size()];
        int i = 0;
        for (long[] r : codeRows) {
            arrivals[i++] = r[0];
        }
        for (long[] r : convRows) {
            arrivals[i++] = r[0];
        }
        Arrays.sort(arrivals);
        long[] gaps = new long[arrivals.length - 1];
        for (int g = 0; g < gaps.length; g++) {
            gaps[g] = arrivals[g + 1] - arrivals[g];
        }
        return new AzureTrace(sizes(codeRows), sizes(convRows), gaps);
    }

    private static Sizes sizes(List<long[]> rows) {
        int[] p = new int[rows.size()];
        int[] c = new int[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            p[i] = (int) rows.get(i)[1];
            c[i] = (int) rows.get(i)[2];
        }
        return new Sizes(p, c);
    }

    /** Rows of {@code TIMESTAMP,ContextTokens,GeneratedTokens} as {epoch micros (UTC), prompt, completion}. */
    private static List<long[]> rows(Path csv) throws IOException {
        List<long[]> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(csv, StandardCharsets.UTF_8)) {
            String line = r.readLine(); // header
            if (line == null || !line.startsWith("TIMESTAMP")) {
                throw new IOException(csv + ": not the Azure trace (header " + line + ")");
            }
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                // 2023-11-16 18:17:03.9799600: seconds, then up to 7 fraction digits
                String ts = f[0].trim();
                LocalDateTime t = LocalDateTime.parse(ts.substring(0, 19).replace(' ', 'T'));
                String frac = ts.length() > 20 ? ts.substring(20) : "";
                long micros = frac.isEmpty() ? 0 : Long.parseLong((frac + "000000").substring(0, 6));
                out.add(new long[] {t.toEpochSecond(ZoneOffset.UTC) * 1_000_000 + micros,
                        Long.parseLong(f[1].trim()), Long.parseLong(f[2].trim())});
            }
        }
        return out;
    }
}
