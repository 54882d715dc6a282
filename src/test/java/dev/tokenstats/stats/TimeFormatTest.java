package dev.tokenstats.stats;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The bucket times of an answer are written exactly as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} writes them. */
class TimeFormatTest {

    static final List<String> ZONES = List.of("UTC", "Etc/UTC", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York",
            "America/St_Johns", "Australia/Lord_Howe", "Pacific/Chatham", "Pacific/Kiritimati", "Pacific/Pago_Pago",
            "Europe/London", "Africa/Monrovia", "Asia/Tokyo", "America/Caracas");

    static String jdk(Instant t, ZoneId zone) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(t.atZone(zone).toOffsetDateTime());
    }

    @Test
    void everyZoneAndInstantIsWrittenAsTheJdkFormatterWritesIt() {
        Random r = new Random(42);
        for (String id : ZONES) {
            ZoneId zone = ZoneId.of(id);
            for (int i = 0; i < 20_000; i++) {
                // whole minutes (the buckets), a few odd seconds and millis, 1900–2200 (LMT offsets with seconds too)
                long seconds = -2_208_988_800L + (long) (r.nextDouble() * 9_467_280_000L);
                Instant t = switch (i % 4) {
                    case 0, 1 -> Instant.ofEpochSecond(Math.floorDiv(seconds, 60) * 60);
                    case 2 -> Instant.ofEpochSecond(seconds);
                    default -> Instant.ofEpochSecond(seconds, r.nextInt(1000) * 1_000_000L);
                };
                assertThat(StatsQuery.format(t, zone)).as("%s in %s", t, id).isEqualTo(jdk(t, zone));
            }
        }
    }

    @Test
    void daylightSavingSwitchesAndTheEdgesOfTheYearRange() {
        for (String at : List.of("2026-03-08T06:59:00Z", "2026-03-08T07:00:00Z", "2026-11-01T05:59:00Z",
                "2026-11-01T06:00:00Z", "2026-04-04T14:59:00Z", "2026-04-04T15:00:00Z", "0999-12-31T23:59:00Z",
                "1000-01-01T00:00:00Z", "9999-12-31T23:59:00Z", "1969-12-31T23:59:59Z")) {
            for (String id : ZONES) {
                Instant t = Instant.parse(at);
                assertThat(StatsQuery.format(t, ZoneId.of(id))).as("%s in %s", at, id).isEqualTo(jdk(t, ZoneId.of(id)));
            }
        }
    }
}
