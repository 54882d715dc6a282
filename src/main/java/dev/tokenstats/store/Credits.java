package dev.tokenstats.store;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Credits are kept as exact nano-credits; the API shows them as an exact decimal string. */
public final class Credits {

    private Credits() {
    }

    /** {@code 1500000000} nano-credits is {@code "1.5"}; zero is {@code "0"}. */
    public static String format(BigInteger nanos) {
        if (nanos.signum() == 0) {
            return "0";
        }
        return new BigDecimal(nanos, 9).stripTrailingZeros().toPlainString();
    }

    public static String format(long nanos) {
        return format(BigInteger.valueOf(nanos));
    }
}
