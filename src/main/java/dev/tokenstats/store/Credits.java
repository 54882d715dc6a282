package dev.tokenstats.store;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Credits are kept as exact nano-credits; the API shows them as an exact decimal string. */
public final class Credits {

    private Credits() {
    }

    /** {@code 1500000000} nano-credits is {@code "1.5"}; zero is {@code "0"}. */
    public static String format(BigInteger nanos) {
        if (nanos.bitLength() < 64) {
            return format(nanos.longValue());
        }
        return new BigDecimal(nanos, 9).stripTrailingZeros().toPlainString();
    }

    /**
     * The same for a long, written digit by digit: a stats answer holds one per bucket, and BigDecimal's
     * way was a top allocator of the call.
     */
    public static String format(long nanos) {
        if (nanos == 0) {
            return "0";
        }
        if (nanos == Long.MIN_VALUE) {
            return new BigDecimal(BigInteger.valueOf(nanos), 9).toPlainString();
        }
        StringBuilder out = new StringBuilder(24);
        if (nanos < 0) {
            out.append('-');
            nanos = -nanos;
        }
        out.append(nanos / 1_000_000_000L);
        long fraction = nanos % 1_000_000_000L;
        if (fraction != 0) {
            int digits = 9;
            while (fraction % 10 == 0) {
                fraction /= 10;
                digits--;
            }
            String f = Long.toString(fraction);
            out.append('.');
            for (int i = f.length(); i < digits; i++) {
                out.append('0');
            }
            out.append(f);
        }
        return out.toString();
    }
}
