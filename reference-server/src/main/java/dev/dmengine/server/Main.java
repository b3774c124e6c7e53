package dev.dmengine.server;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the reference server from {@code application.yaml} (the working directory's if there
 * is one, over the built-in one) with environment variables and system properties overriding it.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    /**
     * Environment variables first, then system properties, then {@code ./application.yaml},
     * then the built-in {@code application.yaml}: the first source that has a key wins.
     */
    static Config config() {
        return Config.builder()
                .disableSystemPropertiesSource()
                .disableEnvironmentVariablesSource()
                .sources(List.of(ConfigSources.environmentVariables(), ConfigSources.systemProperties(),
                        ConfigSources.file(Path.of("application.yaml")).optional(),
                        ConfigSources.classpath("application.yaml").optional()))
                .build();
    }

    public static void main(String[] args) {
        ServerSettings settings;
        DmServer server;
        try {
            settings = ServerSettings.from(config());
            server = new DmServer(settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.error("Cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        server.onListenerStopped(() -> exit(3, settings.shutdownGrace()));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "dm-shutdown"));
        String host = settings.host().equals("0.0.0.0") ? "localhost" : settings.host();
        System.out.println("DM Engine is up on http://" + host + ":" + server.port()
                + "  (API description: /openapi, health: /health; Ctrl+C stops it)");
        // The process ends by System.exit only (Ctrl+C, the listener watchdog's status 3): were the
        // last server thread to end with the listener, the JVM would otherwise exit with 0 first,
        // and a supervisor would take it for a clean stop.
        try {
            new java.util.concurrent.CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Ends a process that can no longer serve, so that its supervisor (systemd, Kubernetes, a
     * container runtime) starts a fresh one. The shutdown hook drains turns as on Ctrl+C; should
     * it hang, the process is halted once the grace period and some slack have passed.
     */
    private static void exit(int status, Duration grace) {
        LOG.error("exiting with status {} so that a supervisor restarts the server", status);
        Thread.ofPlatform().daemon().name("dm-exit-deadline").start(() -> {
            try {
                Thread.sleep(grace.plusSeconds(15));
            } catch (InterruptedException e) {
                // halt now
            }
            Runtime.getRuntime().halt(status);
        });
        System.exit(status);
    }
}
