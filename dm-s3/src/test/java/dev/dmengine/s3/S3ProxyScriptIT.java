package dev.dmengine.s3;

import dev.dmengine.spi.objects.PresignedRequest;
import dev.dmengine.spi.objects.PutRequest;
import dev.dmengine.spi.objects.Verification;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code scripts/s3proxy.sh}, the separate S3Proxy process that server and browser tests use:
 * it starts on the given port, directory and credentials, serves pre-signed uploads and
 * downloads, answers the CORS preflight of the configured origin only, and stops.
 */
class S3ProxyScriptIT {

    private static final Path SCRIPT = Path.of("..", "scripts", "s3proxy.sh").toAbsolutePath().normalize();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    private int port;

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private record Run(int exit, String output) {
    }

    private Run script(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // generous: the first start resolves S3Proxy's classpath with Maven
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("s3proxy.sh " + String.join(" ", args) + " did not finish");
        }
        return new Run(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @AfterEach
    void stopIt() throws Exception {
        if (port > 0) {
            script("stop", "--port", Integer.toString(port));
        }
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> preflight(String origin) throws Exception {
        return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/assets/portrait.png"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", origin)
                .header("Access-Control-Request-Method", "PUT")
                .header("Access-Control-Request-Headers", "content-type,x-amz-checksum-sha256").build());
    }

    @Test
    void the_script_runs_s3proxy_with_the_given_port_directory_credentials_and_cors_origin() throws Exception {
        port = freePort();
        Path data = dir.resolve("objects");

        Run start = script("start", "--port", Integer.toString(port), "--dir", data.toString(),
                "--access-key", "script-access", "--secret-key", "script-secret-0123456789",
                "--cors-origin", "http://localhost:8080", "--bucket", "assets");

        assertThat(start.exit()).as(start.output()).isZero();
        assertThat(script("status", "--port", Integer.toString(port)).exit()).isZero();
        assertThat(data.resolve("assets")).isDirectory();
        assertThat(script("start", "--port", Integer.toString(port)).output()).contains("already running");

        byte[] body = "a portrait".getBytes(StandardCharsets.UTF_8);
        PutRequest declared = PutRequest.builder().key("portrait.png").contentType("image/png").contentLength(body.length)
                .sha256(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body))).build();
        try (S3ObjectStorage storage = S3ObjectStorage.builder().endpoint("http://127.0.0.1:" + port)
                .credentials("script-access", "script-secret-0123456789").bucket("assets").build()) {
            assertThat(storage.ensureBucket().created()).isFalse();
            PresignedRequest put = storage.presignPut(declared);
            HttpRequest.Builder upload = HttpRequest.newBuilder(put.url()).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
            put.headers().forEach(upload::header);
            assertThat(send(upload.build()).statusCode()).isEqualTo(200);
            assertThat(storage.verify(declared)).isInstanceOf(Verification.Verified.class);
            assertThat(send(HttpRequest.newBuilder(storage.presignGet("portrait.png").url()).build()).body())
                    .isEqualTo("a portrait");
        }
        try (Stream<Path> files = Files.walk(data)) {
            assertThat(files.filter(Files::isRegularFile)).isNotEmpty();
        }

        HttpResponse<String> allowed = preflight("http://localhost:8080");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:8080");
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("PUT");
        assertThat(preflight("https://elsewhere.example").headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        Run stop = script("stop", "--port", Integer.toString(port));
        assertThat(stop.exit()).as(stop.output()).isZero();
        assertThat(script("status", "--port", Integer.toString(port)).exit()).isEqualTo(1);
        port = 0;
    }
}
