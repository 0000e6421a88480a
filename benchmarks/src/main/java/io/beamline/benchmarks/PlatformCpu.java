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
        return read(services(runDir));
    }

    /** CPU time used so far by each process of {@code pids} (by name) and by this JVM ({@code probe}). */
    static Map<String, Duration> read(Map<String, Long> pids) {
        Map<String, Duration> used = new LinkedHashMap<>();
        pids.forEach((name, pid) -> ProcessHandle.of(pid)
                .flatMap(process -> process.info().totalCpuDuration())
                .ifPresent(cpu -> used.put(name, cpu)));
        ProcessHandle.current().info().totalCpuDuration().ifPresent(cpu -> used.put("probe", cpu));
        return used;
    }

    /**
     * CPU time used so far by each service's JIT compiler threads ({@code "<name>/jit"}) and
     * garbage collector threads ({@code "<name>/gc"}), from {@code /proc/<pid>/task/<tid>/stat}
     * (Linux only, else empty; 10 ms resolution). Threads that ended are not counted, which
     * these long-lived pools rarely do.
     */
    static Map<String, Duration> readJvmThreads(Path runDir) throws IOException {
        Map<String, Duration> used = new LinkedHashMap<>();
        services(runDir).forEach((name, pid) -> {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path task : tasks.toList()) {
                    String stat;
                    try {
                        stat = Files.readString(task.resolve("stat"));
                    } catch (IOException ended) {
                        continue;
                    }
                    int open = stat.indexOf('(');
                    int close = stat.lastIndexOf(')');
                    String comm = stat.substring(open + 1, close);
                    String kind = comm.contains("CompilerThre") ? "jit"
                            : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "gc" : null;
                    if (kind == null) {
                        continue;
                    }
                    String[] fields = stat.substring(close + 2).split(" ");
                    // fields[0] is field 3 (state): utime is field 14, stime 15, in clock ticks (100 Hz)
                    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                    used.merge(name + "/" + kind, Duration.ofMillis(ticks * 10), Duration::plus);
                }
            } catch (IOException | RuntimeException unreadable) {
                // not Linux, or the process is gone: nothing to add
            }
        });
        return used;
    }

    private static Map<String, Long> services(Path runDir) throws IOException {
        Map<String, Long> pids = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path file : files.filter(path -> path.getFileName().toString().endsWith(".pid")).sorted().toList()) {
                try {
                    pids.put(file.getFileName().toString().replaceFirst("\\.pid$", ""),
                            Long.parseLong(Files.readString(file).trim()));
                } catch (NumberFormatException | IOException unreadable) {
                    // a service that is starting or gone
                }
            }
        }
        return pids;
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
