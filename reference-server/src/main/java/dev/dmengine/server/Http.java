package dev.dmengine.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.dmengine.spi.InvalidInputException;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** JSON in and out: strict reading (unknown fields, wrong types, trailing data are refused). */
final class Http {

    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // a level of 1.5 is no level 1
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            // a number or boolean where text goes is a wrong type too, not the text "42"
            .withCoercionConfig(LogicalType.Textual, c -> c
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    static final String JSON = "application/json";
    private static final Logger LOG = LoggerFactory.getLogger(Http.class);

    private Http() {
    }

    /** Reads the body as {@code type}; the body is required. */
    static <T> T body(ServerRequest req, Class<T> type, int maxBytes) {
        return optionalBody(req, type, maxBytes)
                .orElseThrow(() -> HttpProblem.malformed("a JSON request body is required"));
    }

    /** Reads the body as {@code type} if there is one. */
    static <T> Optional<T> optionalBody(ServerRequest req, Class<T> type, int maxBytes) {
        byte[] bytes = raw(req, maxBytes);
        if (bytes.length == 0) {
            return Optional.empty();
        }
        String contentType = req.headers().first(HeaderNames.CONTENT_TYPE).orElse(null);
        if (!isJson(contentType)) {
            throw HttpProblem.unsupportedMediaType(contentType);
        }
        requireUtf8(bytes);
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw HttpProblem.malformed("the request body must be a JSON object, not null");
            }
            return Optional.of(value);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException(path(e), "is not a known field");
        } catch (InvalidFormatException e) {
            throw new InvalidInputException(path(e), "has the wrong type or format");
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof InvalidInputException iie) {
                throw iie;
            }
            throw new InvalidInputException(path(e), cause.getMessage() == null ? "is invalid" : cause.getMessage());
        } catch (MismatchedInputException e) {
            throw new InvalidInputException(path(e), "has the wrong type");
        } catch (JsonMappingException e) {
            throw new InvalidInputException(path(e), "is invalid");
        } catch (JsonProcessingException e) {
            throw HttpProblem.malformed("the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * JSON travels as UTF-8 (RFC 8259), and Jackson's decoder lets some invalid sequences through
     * (an overlong {@code C0 AF} becomes {@code /}, {@code F4 90 80 80} past U+10FFFF becomes two
     * lone surrogates): the bytes are checked with the JDK's strict decoder first.
     */
    private static void requireUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw HttpProblem.malformed("the request body is not valid UTF-8");
        }
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String base = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return base.equals(JSON) || (base.startsWith("application/") && base.endsWith("+json"));
    }

    private static String path(JsonMappingException e) {
        StringBuilder b = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (!b.isEmpty()) {
                    b.append('.');
                }
                b.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                b.append('[').append(r.getIndex()).append(']');
            }
        }
        return b.isEmpty() ? "body" : b.toString();
    }

    /** The raw body, refusing more than {@code maxBytes} (413) whatever the Content-Length says. */
    static byte[] raw(ServerRequest req, int maxBytes) {
        var length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > maxBytes) {
            throw HttpProblem.tooLarge(maxBytes);
        }
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        byte[] bytes = readBody(req, maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw HttpProblem.tooLarge(maxBytes);
        }
        return bytes;
    }

    /**
     * At most {@code limit} bytes of the body, read under {@code dm.server.body-timeout} (see
     * {@link ConnectionGuard#readingBody()}). A body that stops short because the client went
     * away, or was cut off for being too slow, is the client's failure: the connection ends
     * quietly (no answer can reach it), the access log says 499 or 408, and nothing else is logged
     * above debug.
     */
    @SuppressWarnings("try") // the phase is held by the try, not used in it
    private static byte[] readBody(ServerRequest req, int limit) {
        try (ConnectionGuard.Phasing reading = ConnectionGuard.readingBody();
             InputStream in = req.content().inputStream()) {
            return in.readNBytes(limit);
        } catch (RequestException e) {
            throw e; // Helidon's own verdict on the framing (e.g. a chunk over its limit): it answers it
        } catch (IOException | UncheckedIOException | CloseConnectionException
                 | DataReader.InsufficientDataAvailableException e) {
            throw clientGone(req, e);
        } catch (RuntimeException e) {
            throw HttpProblem.malformed("the request body could not be read");
        }
    }

    private static CloseConnectionException clientGone(ServerRequest req, Exception cause) {
        boolean cutOff = ConnectionGuard.current().map(g -> g.timedOut).orElse(false);
        if (cutOff) {
            Thread.interrupted(); // the guard interrupted this thread to close the connection; that is done
        }
        RequestInfo.markAborted(req, cutOff ? 408 : 499);
        LOG.debug("request {}: {} mid-body ({})", RequestInfo.id(req), cutOff ? "body timeout" : "client went away",
                cause.toString());
        return new CloseConnectionException(cutOff ? "the request body took longer than dm.server.body-timeout"
                : "the client went away mid-body", cause);
    }

    static void json(ServerResponse res, Status status, Object body) {
        byte[] bytes;
        try {
            bytes = MAPPER.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + body.getClass().getSimpleName(), e);
        }
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, JSON);
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(bytes);
    }

    static void json(ServerResponse res, Object body) {
        json(res, Status.OK_200, body);
    }

    static void noContent(ServerResponse res) {
        res.status(Status.NO_CONTENT_204);
        res.send();
    }
}
