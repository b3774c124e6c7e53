package dev.dmengine.core.inmemory;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.dmengine.spi.DmException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.PermissionDeniedException;
import dev.dmengine.spi.objects.ObjectStorage;
import dev.dmengine.testkit.MutableClock;
import dev.dmengine.testkit.ObjectStorageContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The contract over real sockets, on the system clock: a minimal host (the JDK's HTTP server)
 * routes the storage's {@code objectsPath()} to {@code accept} and {@code open} the way the
 * reference server does, and the suite uses the URLs with {@code java.net.http.HttpClient}.
 */
class LocalFolderObjectStorageOverHttpTest extends ObjectStorageContract {

    @TempDir
    Path dir;

    private HttpServer server;

    @Override
    protected ObjectStorage newStorage(MutableClock ignored) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new AssertionError("cannot open a local port", e);
        }
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/files");
        LocalFolderObjectStorage local = new LocalFolderObjectStorage(dir, base, "dm-assets",
                "a test signing key of 32+ bytes!!".getBytes(StandardCharsets.UTF_8), Clock.systemUTC());
        server.createContext(local.objectsPath(), exchange -> serve(local, exchange));
        server.start();
        return local;
    }

    @AfterEach
    void stopHost() {
        server.stop(0);
    }

    @Override
    protected boolean supportsInjectedClock() {
        return false;
    }

    private static void serve(LocalFolderObjectStorage local, HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                handle(local, exchange);
            } catch (DmException e) {
                refuse(exchange, status(e), e.getMessage());
            }
        }
    }

    private static void handle(LocalFolderObjectStorage local, HttpExchange exchange) throws IOException {
        URI asReceived = exchange.getRequestURI();
        switch (exchange.getRequestMethod()) {
            case "PUT" -> {
                local.accept(asReceived, exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestBody());
                exchange.sendResponseHeaders(200, -1);
            }
            case "GET" -> {
                LocalFolderObjectStorage.Download download = local.open(asReceived);
                try (InputStream in = download.body(); OutputStream out = exchange.getResponseBody()) {
                    exchange.getResponseHeaders().set("Content-Type", download.info().contentType());
                    exchange.sendResponseHeaders(200, download.info().size());
                    in.transferTo(out);
                }
            }
            default -> refuse(exchange, 405, "PUT or GET");
        }
    }

    private static int status(DmException e) {
        return switch (e) {
            case PermissionDeniedException p -> 403;
            case InvalidInputException i -> 400;
            case NotFoundException n -> 404;
            default -> 503;
        };
    }

    private static void refuse(HttpExchange exchange, int status, String message) throws IOException {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
