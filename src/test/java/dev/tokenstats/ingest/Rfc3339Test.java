package dev.tokenstats.ingest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class Rfc3339Test {

    /** What the ingestion API accepted before the hand-written path: the JDK's ISO formatter. */
    private static Long byFormatter(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant().toEpochMilli();
        } catch (DateTimeParseException | ArithmeticException e) {
            return null;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "2026-11-28T09:30:00Z", "2026-11-28T09:30:00.1Z", "2026-11-28T09:30:00.123Z", "2026-11-28T09:30:00.123456789Z",
            "2026-11-28T09:30:00.9999999Z", "2026-03-10T17:28:30.250+05:30", "2026-03-10T17:28:30+05:45",
            "2026-03-10T07:59:00.001-04:00", "2026-03-10T07:59:00-00:00", "2026-01-01T00:00:00+17:59", "1969-12-31T23:59:59.999Z",
            "0000-01-01T00:00:00Z", "2028-02-29T12:00:00Z", "9999-12-31T23:59:59.999999999-17:00"})
    void theCommonShapeIsReadByHandToTheFormattersInstant(String text) {
        assertThat(Rfc3339.common(text)).isNotEqualTo(Rfc3339.NOT_COMMON).isEqualTo(byFormatter(text));
        assertThat(Rfc3339.toEpochMillis(text)).isEqualTo(byFormatter(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // valid, but left to the formatter
            "2026-11-28t09:30:00z", "2026-11-28T09:30Z", "2026-11-28T09:30:00+05:30:15", "2026-11-28T09:30:00+18:00",
            "+12026-11-28T09:30:00Z", "2026-11-28T09:30:00.Z",
            // invalid: the formatter rejects them
            "2026-02-29T12:00:00Z", "2026-02-30T12:00:00Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z",
            "2026-11-28T24:00:00Z", "2026-11-28T09:60:00Z", "2026-11-28T09:30:60Z", "2026-11-28T09:30:00.1234567890Z",
            "2026-11-28T09:30:00", "2026-11-28T09:30:00+0530", "2026-11-28T09:30:00+05", "2026-11-28 09:30:00Z",
            "2026-11-28T09:30:00ZZ", "2026-11-28T09:30:00+19:00", "2026-11-28T09:30:00+05:60", "2026-1a-28T09:30:00Z",
            "2026-11-28T09:30:00.12a4Z", "yesterday", ""})
    void everyOtherTextGoesToTheFormatterAndGetsItsAnswer(String text) {
        assertThat(Rfc3339.common(text)).isEqualTo(Rfc3339.NOT_COMMON);
        assertThat(Rfc3339.toEpochMillis(text)).isEqualTo(byFormatter(text));
    }

    @Test
    void mutatedTimesGetTheFormattersAnswerEveryTime() {
        String[] seeds = {"2026-11-28T09:30:00.123Z", "2028-02-29T23:59:59+05:45", "1999-12-31T00:00:00.123456789-09:30"};
        String alphabet = "0123456789+-:.TZtz 9";
        SplittableRandom random = new SplittableRandom(3339);
        int common = 0;
        for (int round = 0; round < 200_000; round++) {
            StringBuilder s = new StringBuilder(seeds[random.nextInt(seeds.length)]);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(s.length());
                char c = alphabet.charAt(random.nextInt(alphabet.length()));
                switch (random.nextInt(3)) {
                    case 0 -> s.setCharAt(at, c);
                    case 1 -> s.insert(at, c);
                    default -> s.deleteCharAt(at);
                }
            }
            String text = s.toString();
            assertThat(Rfc3339.toEpochMillis(text)).as(text).isEqualTo(byFormatter(text));
            if (Rfc3339.common(text) != Rfc3339.NOT_COMMON) {
                common++;
            }
        }
        assertThat(common).as("mutations the hand-written path read itself").isGreaterThan(10_000);
    }
}
