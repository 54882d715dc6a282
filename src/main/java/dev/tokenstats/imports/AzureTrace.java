package dev.tokenstats.imports;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Map;

/**
 * The Azure LLM inference trace ({@code TIMESTAMP,ContextTokens,GeneratedTokens}, times in UTC without a
 * zone): each row one call of {@code --account} to {@code --model}, shifted by {@code --shift} (an ISO
 * duration such as {@code P1095D}, or {@code to-now}: the last row lands at the time of the first run),
 * with quota from {@code --quota-per-1k-tokens} (prompt plus completion, rounded half-even). Ids are the
 * prefix and the line number, so the same file imports once per account.
 */
final class AzureTrace extends FileSource {

    static final DateTimeFormatter TIME = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd().toFormatter();
    static final String HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens";

    private final String account, model, key, idPrefix, shiftSpec;
    private final BigDecimal quotaPer1k;
    private final Clock clock;
    private Long shiftMs;

    AzureTrace(Path file, String account, String model, String key, String shift, BigDecimal quotaPer1k,
               String idPrefix, Clock clock, Progress progress) throws IOException {
        super(file, progress);
        this.account = account;
        this.model = model;
        this.key = key;
        this.shiftSpec = shift == null ? "none" : shift;
        this.quotaPer1k = quotaPer1k;
        this.clock = clock;
        String stem = file.getFileName().toString().replaceFirst("\\.csv$", "");
        this.idPrefix = idPrefix != null ? idPrefix : "azure-" + stem + "-";
        if (!shiftSpec.equals("none") && !shiftSpec.equals("to-now")) {
            this.shiftMs = Options.duration("--shift", shiftSpec).toMillis();
        } else if (shiftSpec.equals("none")) {
            this.shiftMs = 0L;
        }
    }

    @Override
    public String identity() {
        return super.identity() + " account=" + account + " model=" + model + " key=" + key + " shift=" + shiftSpec
                + " quota-per-1k=" + quotaPer1k + " ids=" + idPrefix;
    }

    @Override
    protected void readHeader() throws IOException {
        String header = lines.next();
        if (header == null || !header.strip().equals(HEADER)) {
            throw new ImportFailure(file + " does not start with the Azure trace header " + HEADER);
        }
    }

    @Override
    protected Map<String, String> extra() {
        return Map.of("shiftMs", Long.toString(shiftMs()));
    }

    @Override
    protected void restore(Map<String, String> extra) {
        if (shiftSpec.equals("to-now") && extra.containsKey("shiftMs")) {
            shiftMs = Long.parseLong(extra.get("shiftMs")); // keep the first run's shift
        }
    }

    private long shiftMs() {
        if (shiftMs == null) {
            shiftMs = clock.millis() - lastTime();
        }
        return shiftMs;
    }

    /** The time of the file's last row (read from its end). */
    private long lastTime() {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            int n = (int) Math.min(len, 4096);
            byte[] tail = new byte[n];
            f.seek(len - n);
            f.readFully(tail);
            String[] tailLines = new String(tail, StandardCharsets.UTF_8).strip().split("\n");
            String last = tailLines[tailLines.length - 1].strip();
            return LocalDateTime.parse(last.substring(0, last.indexOf(',')), TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (IOException | RuntimeException e) {
            throw new ImportFailure("--shift to-now: cannot read the time of the last row of " + file + ": " + e.getMessage());
        }
    }

    @Override
    protected Row row(String line, long number) {
        if (line.isBlank()) {
            return null;
        }
        String[] f = line.split(",", -1);
        if (f.length != 3) {
            return Row.bad(number, "has " + f.length + " fields, expected 3 (" + HEADER + ")");
        }
        long time;
        try {
            time = LocalDateTime.parse(f[0].strip(), TIME).toInstant(ZoneOffset.UTC).toEpochMilli() + shiftMs();
        } catch (DateTimeParseException e) {
            return Row.bad(number, "TIMESTAMP: not a time like 2023-11-16 18:17:03.9799600 ('" + f[0] + "')");
        }
        long context, generated;
        try {
            context = Long.parseLong(f[1].strip());
            generated = Long.parseLong(f[2].strip());
        } catch (NumberFormatException e) {
            return Row.bad(number, "ContextTokens and GeneratedTokens must be whole numbers");
        }
        long quota = quotaPer1k.multiply(BigDecimal.valueOf(context + generated)).movePointLeft(3)
                .setScale(0, RoundingMode.HALF_EVEN).longValueExact();
        return Row.event(number, new EventJson().text("id", idPrefix + number).text("account", account).number("time", time)
                .text("model", model).text("key", key).number("prompt_tokens", context).number("completion_tokens", generated)
                .number("quota", quota).toString());
    }
}
