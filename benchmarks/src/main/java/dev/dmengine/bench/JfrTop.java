package dev.dmengine.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the CPU of a Java Flight Recording went: the execution samples whose stack holds
 * {@code within} (a substring of {@code package.Class.method}) and none that holds {@code without},
 * counted by the innermost DM Engine frame (what our code was doing, itself or through a library)
 * and by the top frame. Written because {@code jfr print}/{@code jfr view} of JDK 25 stop with a
 * {@code StringIndexOutOfBoundsException} on these recordings (on the method descriptors of
 * hidden classes); this reads them with {@link RecordingFile} and prints names only.
 *
 * <pre>
 * java -XX:StartFlightRecording=settings=profile,filename=/tmp/turn.jfr … FullStackTurnBench 1500 600 postgres
 * ./dm bench JfrTop /tmp/turn.jfr [within=DmServer.filter] [without=ReplyIndexing] [rows=40]
 * </pre>
 */
public final class JfrTop {

    private JfrTop() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1) {
            System.err.println("usage: JfrTop FILE.jfr [within=DmServer.filter] [without=ReplyIndexing] [rows=40]");
            System.exit(2);
        }
        String within = args.length > 1 ? args[1] : "DmServer.filter";
        String without = args.length > 2 ? args[2] : "ReplyIndexing";
        int rows = args.length > 3 ? Integer.parseInt(args[3]) : 40;
        Map<String, Integer> ours = new HashMap<>();
        Map<String, Integer> top = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        int samples = 0;
        try (RecordingFile file = new RecordingFile(Path.of(args[0]))) {
            while (file.hasMoreEvents()) {
                RecordedEvent e = file.readEvent();
                if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
                    continue;
                }
                List<String> frames = new ArrayList<>();
                for (RecordedFrame f : e.getStackTrace().getFrames()) {
                    frames.add(name(f.getMethod()));
                }
                if (frames.isEmpty() || frames.stream().noneMatch(f -> f.contains(within))
                        || (!without.isEmpty() && frames.stream().anyMatch(f -> f.contains(without)))) {
                    continue;
                }
                samples++;
                top.merge(frames.getFirst(), 1, Integer::sum);
                frames.stream().filter(JfrTop::ours).findFirst().ifPresent(f -> ours.merge(f, 1, Integer::sum));
                Set<String> seen = new HashSet<>();
                frames.stream().filter(JfrTop::ours).filter(seen::add).forEach(f -> inclusive.merge(f, 1, Integer::sum));
            }
        }
        System.out.printf("%d execution samples with '%s' in the stack and not '%s'%n", samples, within, without);
        print("innermost DM Engine frame (self and the libraries it called)", ours, samples, rows);
        print("DM Engine frames, inclusive", inclusive, samples, rows);
        print("top frame", top, samples, rows);
    }

    private static boolean ours(String frame) {
        return frame.startsWith("dev.dmengine.") && !frame.startsWith("dev.dmengine.bench.") && !frame.contains("$$Lambda");
    }

    private static String name(RecordedMethod m) {
        return m.getType().getName() + "." + m.getName();
    }

    private static void print(String title, Map<String, Integer> counts, int samples, int rows) {
        System.out.println("\n" + title + ":");
        counts.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).limit(rows)
                .forEach(c -> System.out.printf("  %5d  %5.1f%%  %s%n", c.getValue(), 100.0 * c.getValue() / samples,
                        c.getKey()));
    }
}
