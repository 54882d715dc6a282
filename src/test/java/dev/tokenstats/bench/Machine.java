package dev.tokenstats.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/** What the benches ran on, printed beside their numbers. */
final class Machine {

    private Machine() {
    }

    /** Cores, CPU model, RAM, JVM and the load average at the time of the call. */
    static String describe() {
        return Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel() + ", " + memTotal() + ", JDK "
                + System.getProperty("java.version") + ", load average " + loadAverage();
    }

    static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    static String memTotal() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/meminfo"))) {
            return lines.filter(l -> l.startsWith("MemTotal")).findFirst()
                    .map(l -> String.format(Locale.ROOT, "%.1f GiB RAM",
                            Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0)).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    /** The 1-minute load average (other work on the machine shows here). */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }
}
