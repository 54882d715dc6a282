package dev.tokenstats.store;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Credits are shown as the exact decimal of their nano-credits, the same for a long as for a BigInteger. */
class CreditsTest {

    static String exact(BigInteger nanos) {
        return nanos.signum() == 0 ? "0" : new BigDecimal(nanos, 9).stripTrailingZeros().toPlainString();
    }

    @Test
    void everyAmountIsItsExactDecimal() {
        Random r = new Random(7);
        long[] fixed = {0, 1, 5, 10, 999_999_999, 1_000_000_000, 1_500_000_000, 2_000_000_000, 10_000_000_000L,
                123_000_000_456L, -1, -1_500_000_000, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1};
        for (long n : fixed) {
            assertThat(Credits.format(n)).as("%d", n).isEqualTo(exact(BigInteger.valueOf(n)));
        }
        for (int i = 0; i < 200_000; i++) {
            long n = switch (i % 4) {
                case 0 -> r.nextLong();
                case 1 -> r.nextInt(1_000_000) * 1_000L;
                case 2 -> (long) r.nextInt(100_000) * 1_000_000_000L + r.nextInt(10) * 100_000_000L;
                default -> Math.abs(r.nextLong() % 1_000_000_000_000L);
            };
            assertThat(Credits.format(n)).as("%d", n).isEqualTo(exact(BigInteger.valueOf(n)));
            assertThat(Credits.format(BigInteger.valueOf(n))).isEqualTo(exact(BigInteger.valueOf(n)));
        }
        BigInteger huge = BigInteger.valueOf(Long.MAX_VALUE).multiply(BigInteger.valueOf(1000)).add(BigInteger.valueOf(7));
        assertThat(Credits.format(huge)).isEqualTo(exact(huge)).isEqualTo("9223372036854.775807007");
    }
}
