package dev.dmengine.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

/** {@link VectorWritesCases} on the embedded profile; re-embedding is not there. */
class VectorWritesTest extends VectorWritesCases {

    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected TestServer server() {
        return server;
    }

    @Test
    void re_embedding_needs_postgresql() {
        ErrorsTest.problem(server.post("/vec/reembed", TOKEN, Map.of("model", "hashing", "dimension", 128)), 409,
                "conflict");
        ErrorsTest.problem(server.get("/vec/reembed", TOKEN), 409, "conflict");
    }
}
