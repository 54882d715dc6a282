package dev.tokenstats.store;

import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The running sums of a period as rows are read equal the sums of Totals, to the nano beyond 64 bits. */
class PeriodTotalsTest {

    static final long HALF = Long.MAX_VALUE / 2 + 1; // two of them pass 64 bits

    @Test
    void runningSumsEqualTotalsAddedUpRowByRowWhateverTheOrderAndSize() {
        Random r = new Random(7);
        List<Totals> rows = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            BigInteger credit = switch (i % 4) {
                case 0 -> BigInteger.valueOf(r.nextInt(1_000_000));
                case 1 -> BigInteger.valueOf(HALF + r.nextInt(1000)); // sums pass 64 bits between rows
                case 2 -> BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.TEN); // a row already past them
                default -> BigInteger.ZERO;
            };
            rows.add(new Totals(r.nextInt(24), r.nextInt(5) == 0 ? null : "model-" + r.nextInt(7), r.nextInt(100), r.nextInt(3),
                    r.nextInt(1_000_000), credit, r.nextInt(50_000), r.nextInt(9_000), r.nextInt(100), r.nextInt(60_000), r.nextInt(100)));
        }
        PeriodTotals want = PeriodTotals.of(rows, 24);
        PeriodTotals.Builder built = new PeriodTotals.Builder(24);
        rows.forEach(t -> add(built, t));
        PeriodTotals got = built.build();
        assertThat(got.perBucket()).containsExactlyElementsOf(want.perBucket());
        assertThat(got.perModel()).containsExactlyInAnyOrderElementsOf(want.perModel());
        assertThat(got.requests().keySet()).isEqualTo(want.requests().keySet());
        got.requests().forEach((m, perBucket) -> assertThat(perBucket).as(m).isEqualTo(want.requests().get(m)));
        assertThat(got.perModel().stream().map(Totals::creditNanos).reduce(BigInteger.ZERO, BigInteger::add))
                .isGreaterThan(BigInteger.valueOf(Long.MAX_VALUE));
    }

    @Test
    void aFigureOtherThanCreditsBeyond64BitsFailsInsteadOfWrapping() {
        PeriodTotals.Builder built = new PeriodTotals.Builder(1);
        add(built, new Totals(0, "m", HALF, 0, 0, BigInteger.ONE, 0, 0, 0, 0, 0));
        assertThatThrownBy(() -> add(built, new Totals(0, "m", HALF, 0, 0, BigInteger.ONE, 0, 0, 0, 0, 0)))
                .isInstanceOf(ArithmeticException.class);
    }

    @Test
    void bucketsWithoutRowsAreAbsentAndEveryModelHasACountPerBucket() {
        PeriodTotals.Builder built = new PeriodTotals.Builder(3);
        add(built, new Totals(2, "m", 4, 0, 0, BigInteger.ONE, 0, 0, 0, 0, 0));
        PeriodTotals got = built.build();
        assertThat(got.perBucket()).extracting(Totals::bucket).containsExactly(2);
        assertThat(Arrays.stream(got.requests().get("m")).boxed().toList()).containsExactly(0L, 0L, 4L);
        assertThat(new PeriodTotals.Builder(0).build()).isEqualTo(new PeriodTotals(List.of(), List.of(), java.util.Map.of()));
    }

    private static void add(PeriodTotals.Builder b, Totals t) {
        b.add(t.bucket(), t.model(), t.requests(), t.errors(), t.quota(), t.creditNanos(), t.promptTokens(), t.completionTokens(),
                t.cachedTokens(), t.durationSum(), t.durationCount());
    }
}
