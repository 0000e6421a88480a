package io.beamline.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CPU time each service of a platform started by {@code bin/beamline up} has used, read from
 * the operating system ({@link ProcessHandle.Info#totalCpuDuration}) for every {@code <name>.pid}
 * of the run directory, plus this JVM's own (the benchmark's client, {@code "probe"}). Two
 * readings give the CPU each spent in between: the cost of a failover per restarted process,
 * independent of how busy the machine was. A process that is gone reads as absent.
 */
final class PlatformCpu {

    private PlatformCpu() {
    }

    /** CPU time used so far by each service (by pid-file name) and by this JVM ({@code probe}). */
    static Map<String, Duration> read(Path runDir) throws IOException {
        Map<String, Duration> used = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path file : files.filter(path -> path.getFileName().toString().endsWith(".pid")).sorted().toList()) {
                String name = file.getFileName().toString().replaceFirst("\\.pid$", "");
                long pid;
                try {
                    pid = Long.parseLong(Files.readString(file).trim());
                } catch (NumberFormatException | IOException unreadable) {
                    continue;
                }
                ProcessHandle.of(pid).flatMap(process -> process.info().totalCpuDuration())
                        .ifPresent(cpu -> used.put(name, cpu));
            }
        }
        ProcessHandle.current().info().totalCpuDuration().ifPresent(cpu -> used.put("probe", cpu));
        return used;
    }

    /** What each service present in both readings used from {@code before} to {@code after}. */
    static Map<String, Duration> between(Map<String, Duration> before, Map<String, Duration> after) {
        Map<String, Duration> spent = new LinkedHashMap<>();
        after.forEach((name, cpu) -> {
            Duration earlier = before.get(name);
            if (earlier != null) {
                spent.put(name, cpu.minus(earlier));
            }
        });
        return spent;
    }

    /** "name 1.23 s, ..." and the platform's total (the probe left out). */
    static String describe(Map<String, Duration> spent) {
        StringBuilder text = new StringBuilder();
        spent.forEach((name, cpu) -> text.append(text.isEmpty() ? "" : ", ")
                .append(name).append(' ').append("%.2f s".formatted(cpu.toNanos() / 1e9)));
        return text.toString();
    }

    static Duration platformTotal(Map<String, Duration> spent) {
        return spent.entrySet().stream().filter(entry -> !entry.getKey().equals("probe"))
                .map(Map.Entry::getValue).reduce(Duration.ZERO, Duration::plus);
    }
}
