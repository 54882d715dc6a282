package dev.tokenstats.store.internal;

import dev.tokenstats.store.internal.RollupPlan.Part;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Which tier answers which stretch, as a table of cases (minutes since the epoch; 6000 is a whole hour). */
class RollupPlanTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("aligned hours: the hour tier only",
                        new long[] {6000, 6060, 6120}, List.of(new Part(60, 6000, 6120))),
                Arguments.of("hours with unaligned ends: minutes at the edges",
                        new long[] {5981, 6060, 6180, 6207}, List.of(new Part(1, 5981, 6000), new Part(60, 6000, 6180),
                                new Part(1, 6180, 6207))),
                Arguments.of("half-hour boundaries (+05:30 days): quarters",
                        new long[] {6030, 7470, 8910}, List.of(new Part(15, 6030, 8910))),
                Arguments.of("minute buckets: minutes only",
                        new long[] {6000, 6001, 6002, 6003}, List.of(new Part(1, 6000, 6003))),
                Arguments.of("one bucket shorter than an hour",
                        new long[] {6005, 6050}, List.of(new Part(1, 6005, 6015), new Part(15, 6015, 6045),
                                new Part(1, 6045, 6050))),
                Arguments.of("a bucket of a quarter and a minute",
                        new long[] {6000, 6016}, List.of(new Part(15, 6000, 6015), new Part(1, 6015, 6016))),
                Arguments.of("one bucket shorter than a quarter",
                        new long[] {6001, 6014}, List.of(new Part(1, 6001, 6014))),
                Arguments.of("one long unaligned bucket: hours and minutes",
                        new long[] {5941, 9007}, List.of(new Part(1, 5941, 6000), new Part(60, 6000, 9000),
                                new Part(1, 9000, 9007))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachStretchGoesToTheCoarsestTierItsBoundariesAllow(String name, long[] boundaries, List<Part> parts) {
        assertThat(RollupPlan.parts(boundaries, 60, 15, 1)).containsExactlyElementsOf(parts);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void withoutAnHourTierQuartersAndMinutesCoverTheSameMinutesOnce(String name, long[] boundaries, List<Part> ignored) {
        List<Part> parts = RollupPlan.parts(boundaries, 15, 1);
        long at = boundaries[0];
        for (Part p : parts) {
            assertThat(p.from()).isEqualTo(at);
            assertThat(p.minutes()).isIn(1, 15);
            assertThat(Math.floorMod(p.from(), p.minutes())).isZero();
            at = p.to();
        }
        assertThat(at).isEqualTo(boundaries[boundaries.length - 1]);
    }
}
