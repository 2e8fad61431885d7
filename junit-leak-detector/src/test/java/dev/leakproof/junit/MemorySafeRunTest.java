package dev.leakproof.junit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory-safe test runs of the build: surefire forks run with the parent pom's
 * {@code leakproof.test.argLine} (heap cap, exit on OOM, heap dump into {@code target/}), and a JVM
 * run with those flags that exhausts its heap ends at once and leaves a dump.
 */
class MemorySafeRunTest {

    /** The argLine the build gives surefire, passed to this fork by the module's pom. */
    private static List<String> buildArgLine() {
        String argLine = System.getProperty("leakproof.test.argLine");
        assertNotNull(argLine, "run under Maven: the pom passes leakproof.test.argLine to the fork");
        return List.of(argLine.trim().split("\\s+"));
    }

    @Test
    void shouldRunThisForkWithHeapCapExitOnOomAndDumpIntoTargetWhenBuiltByMaven() {
        List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<String> expected = buildArgLine();
        assertTrue(expected.stream().anyMatch(a -> a.startsWith("-Xmx")), "the argLine caps the heap: " + expected);
        assertTrue(expected.contains("-XX:+ExitOnOutOfMemoryError"), expected.toString());
        assertTrue(expected.contains("-XX:+HeapDumpOnOutOfMemoryError"), expected.toString());
        String dumpPath = expected.stream().filter(a -> a.startsWith("-XX:HeapDumpPath=")).findFirst().orElseThrow();
        assertEquals("target", Paths.get(dumpPath.substring("-XX:HeapDumpPath=".length())).getFileName().toString());
        assertTrue(args.containsAll(expected), "this fork runs with " + args + ", the build asks for " + expected);
    }

    @Test
    void shouldExitWithHeapDumpWhenForkedJvmRunsOutOfHeap(@TempDir Path dir) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : buildArgLine()) {
            if (arg.startsWith("-Xmx")) {
                command.add("-Xmx32m"); // a small heap: a quick OOM and a small dump
            } else if (arg.startsWith("-XX:HeapDumpPath=")) {
                command.add("-XX:HeapDumpPath=" + dir);
            } else {
                command.add(arg);
            }
        }
        command.add("-cp");
        command.add(Paths.get(ExhaustHeap.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        command.add(ExhaustHeap.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the JVM must end on OOM: " + output);

        assertEquals(3, process.exitValue(), "-XX:+ExitOnOutOfMemoryError exits with 3: " + output);
        assertTrue(output.contains("Terminating due to java.lang.OutOfMemoryError"), output);
        assertFalse(output.contains(ExhaustHeap.SURVIVED), output);
        List<Path> dumps = hprofFiles(dir);
        assertEquals(1, dumps.size(), "one heap dump in the dump path: " + dumps + "; " + output);
        assertTrue(Files.size(dumps.get(0)) > 1_000_000, "a real dump: " + Files.size(dumps.get(0)) + " bytes");
    }

    private static List<Path> hprofFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".hprof")).collect(Collectors.toList());
        }
    }

    /** Keeps allocating until the heap is exhausted. */
    static final class ExhaustHeap {
        static final String SURVIVED = "caught OutOfMemoryError and carried on";

        private ExhaustHeap() {
        }

        public static void main(String[] args) {
            List<long[]> hoard = new ArrayList<>();
            try {
                while (true) {
                    hoard.add(new long[100_000]);
                }
            } catch (OutOfMemoryError e) {
                hoard.clear();
                System.out.println(SURVIVED);
            }
        }
    }
}
