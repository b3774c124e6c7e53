package dev.dmengine.examples.jersey;

import dev.dmengine.core.DmEngine;
import dev.dmengine.core.narrator.OfflineNarrator;
import jakarta.ws.rs.core.UriBuilder;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.hk2.utilities.binding.AbstractBinder;
import org.glassfish.jersey.grizzly2.httpserver.GrizzlyHttpServerFactory;
import org.glassfish.jersey.jackson.JacksonFeature;
import org.glassfish.jersey.media.sse.SseFeature;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.ServerProperties;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

/**
 * The DM Engine embedded in a Jakarta REST application: Jersey on Grizzly, the engine built
 * once and handed to the resources, in memory or on PostgreSQL ({@link Settings}).
 *
 * <pre>
 * POST /api/players                       {"email", "displayName"}        the demo's sign-up: returns the id for X-Player
 * POST /api/characters                    {"name", "characterClass"}      with X-Player, as every call below
 * GET  /api/characters[/{id}]
 * POST /api/sessions                      {"characterId", "title"}
 * GET  /api/sessions/{id}
 * POST /api/sessions/{id}/turns           {"text"}                        the turn, streamed as server-sent events
 * GET  /api/sessions/{id}/messages?cursor=&amp;limit=                     the transcript
 * </pre>
 */
public final class JerseyApp implements AutoCloseable {

    private final HttpServer server;
    private final Storage storage;
    private final URI uri;

    private JerseyApp(HttpServer server, Storage storage, URI uri) {
        this.server = server;
        this.storage = storage;
        this.uri = uri;
    }

    public static void main(String[] args) throws InterruptedException {
        JerseyApp app = start(Settings.fromEnvironment());
        System.out.println("DM Engine on Jersey: " + app.uri() + " (" + app.storage + "); Ctrl+C stops it");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.close();
            stopped.countDown();
        }));
        stopped.await();
    }

    public static JerseyApp start(Settings settings) {
        return start(settings, UnaryOperator.identity());
    }

    /**
     * Starts the app. {@code customize} sees the engine builder after the storage's adapters
     * are set: the place to plug your own (a language model, an event bus…).
     */
    public static JerseyApp start(Settings settings, UnaryOperator<DmEngine.Builder> customize) {
        Storage storage = Storage.open(settings);
        try {
            DmEngine engine = customize.apply(storage.engineBuilder()
                    .languageModel(new OfflineNarrator(settings.narratorPacing()))).build();
            URI base = UriBuilder.newInstance().scheme("http").host(settings.host()).port(settings.port())
                    .path("api/").build();
            HttpServer server = GrizzlyHttpServerFactory.createHttpServer(base, application(engine), false);
            server.getListeners().forEach(listener -> listener.registerAddOn(new IgnoreH2cUpgrade()));
            server.start();
            int port = server.getListeners().iterator().next().getPort(); // the real one when 0 was asked for
            return new JerseyApp(server, storage, UriBuilder.fromUri(base).port(port).build());
        } catch (IOException e) {
            storage.close();
            throw new UncheckedIOException("cannot listen on " + settings.host() + ":" + settings.port(), e);
        } catch (RuntimeException e) {
            storage.close();
            throw e;
        }
    }

    /** The JAX-RS application: resources, the demo login, the body limit and the problem mapper. */
    static ResourceConfig application(DmEngine engine) {
        return new ResourceConfig()
                .register(new AbstractBinder() { // what the resources' @Inject constructors receive
                    @Override
                    protected void configure() {
                        bind(engine).to(DmEngine.class);
                    }
                })
                .register(PlayersResource.class)
                .register(CharactersResource.class)
                .register(SessionsResource.class)
                .register(new DemoLogin(engine))
                .register(new BodyLimit())
                .register(new Problems())
                .register(JacksonFeature.withoutExceptionMappers()) // Problems answers bad JSON too
                .register(SseFeature.class)
                .property(ServerProperties.WADL_FEATURE_DISABLE, true);
    }

    /** The API's base, e.g. {@code http://localhost:8090/api/}. */
    public URI uri() {
        return uri;
    }

    /** Stops serving (open streams are cut), then closes the storage. */
    @Override
    public void close() {
        try {
            server.shutdownNow();
        } finally {
            storage.close();
        }
    }
}
