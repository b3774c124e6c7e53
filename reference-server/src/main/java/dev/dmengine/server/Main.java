package dev.dmengine.server;

import io.helidon.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the reference server from {@code application.yaml} (classpath, then the working
 * directory's {@code application.yaml} if present) with environment variables and system
 * properties overriding it.
 */
public final class Main {

    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    private Main() {
    }

    public static void main(String[] args) {
        ServerSettings settings;
        DmServer server;
        try {
            settings = ServerSettings.from(Config.create());
            server = new DmServer(settings);
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.error("Cannot start: {}", e.getMessage());
            System.exit(2);
            return;
        }
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::stop, "dm-shutdown"));
        String host = settings.host().equals("0.0.0.0") ? "localhost" : settings.host();
        System.out.println("DM Engine is up on http://" + host + ":" + server.port()
                + "  (API description: /openapi, health: /health; Ctrl+C stops it)");
    }
}
