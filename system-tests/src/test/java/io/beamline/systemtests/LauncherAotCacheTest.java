package io.beamline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/beamline's choice of an AOT cache, run in bash on files in a temporary directory: the
 * script is sourced (functions only), its jar paths pointed there. A cache is used only when it
 * is not empty and newer than both the exec jar and its extraction; only on JDK 25 or newer.
 */
class LauncherAotCacheTest {

    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("bin/beamline");
    private static final Instant NOW = Instant.parse("2026-12-03T06:00:00Z");

    @TempDir
    Path dir;

    @BeforeEach
    void gatewayJars() throws IOException {
        file("gateway-exec.jar", "jar", NOW.minusSeconds(300));
        file("aot/gateway/gateway-exec.jar", "extracted", NOW.minusSeconds(200));
    }

    @Test
    void noCacheWhenNoTrainingLeftOne() throws Exception {
        assertThat(cacheOf("gateway")).isEmpty();
    }

    @Test
    void usesTheNewestNonEmptyCacheOfTheModule() throws Exception {
        file("aot/train/process-service-0.aot.config", "", NOW.minusSeconds(10));
        file("aot/train/process-service-1.aot", "cache", NOW.minusSeconds(100));
        file("aot/train/process-service-2.aot", "cache", NOW.minusSeconds(50));
        file("aot/train/process-service-3.aot", "", NOW.minusSeconds(5)); // killed before it was written
        file("process-service-exec.jar", "jar", NOW.minusSeconds(300));
        file("aot/process-service/process-service-exec.jar", "extracted", NOW.minusSeconds(200));

        assertThat(cacheOf("process-service")).isEqualTo(dir.resolve("aot/train/process-service-2.aot").toString());
    }

    @Test
    void aCacheOlderThanItsJarIsStale() throws Exception {
        file("aot/train/gateway.aot", "cache", NOW.minusSeconds(100));
        assertThat(cacheOf("gateway")).isEqualTo(dir.resolve("aot/train/gateway.aot").toString());

        file("gateway-exec.jar", "rebuilt", NOW.minusSeconds(10));
        assertThat(cacheOf("gateway")).isEmpty();
    }

    @Test
    void aCacheOlderThanTheExtractionIsStale() throws Exception {
        file("aot/train/gateway.aot", "cache", NOW.minusSeconds(100));
        file("aot/gateway/gateway-exec.jar", "extracted again", NOW.minusSeconds(10));

        assertThat(cacheOf("gateway")).isEmpty();
    }

    @Test
    void onlyJdk25OrNewerUsesCaches() throws Exception {
        assertThat(capableWith("openjdk version \"21.0.9\" 2025-10-21")).isFalse();
        assertThat(capableWith("openjdk version \"17.0.17\" 2025-10-21")).isFalse();
        assertThat(capableWith("openjdk version \"25.0.3\" 2026-04-21")).isTrue();
        assertThat(capableWith("openjdk version \"26\" 2026-03-17")).isTrue();
        assertThat(capableWith("no java here")).isFalse();
    }

    private String cacheOf(String module) throws Exception {
        return bash("aot_cache_of " + module, dir.resolve("bin")).strip();
    }

    private boolean capableWith(String versionLine) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\necho '" + versionLine + "' >&2\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bash("if aot_capable; then echo yes; else echo no; fi", bin).strip().equals("yes");
    }

    /** Runs {@code command} after sourcing the launcher, with its jars in {@link #dir}. */
    private String bash(String command, Path pathFirst) throws Exception {
        String script = "set -euo pipefail\n"
                + "source '" + LAUNCHER + "'\n"
                + "AOT_DIR='" + dir.resolve("aot") + "'\n"
                + "jar_of() { printf '%s/%s-exec.jar' '" + dir + "' \"$1\"; }\n"
                + "extracted_jar_of() { printf '%s/%s/%s-exec.jar' \"$AOT_DIR\" \"$1\" \"$1\"; }\n"
                + command + "\n";
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", "-c", script)).redirectErrorStream(false);
        builder.environment().put("PATH", pathFirst + ":" + System.getenv("PATH"));
        Process process = builder.start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("bash exit; stderr: %s", err).isZero();
        return out;
    }

    private void file(String relative, String content, Instant modified) throws IOException {
        Path path = dir.resolve(relative);
        Files.createDirectories(path.getParent());
        Files.writeString(path, content);
        Files.setLastModifiedTime(path, FileTime.from(modified));
    }
}
