package dev.dmengine.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Optional;

/**
 * The process's open-file limit and how many it has open, where the JVM can tell (Unix).
 * HotSpot raises its soft limit to the hard one at start-up ({@code -XX:+MaxFDLimit}, on by
 * default), so {@code limit} is the hard limit the process was started with.
 */
record OpenFiles(long limit, long open) {

    static Optional<OpenFiles> now() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix && unix.getMaxFileDescriptorCount() > 0) {
            return Optional.of(new OpenFiles(unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount()));
        }
        return Optional.empty();
    }
}
